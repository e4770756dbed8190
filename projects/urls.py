from django.urls import include, path

from projects import copies, corrections, dashboard, excel_views, indicator_overview, overview, review_views, views, weak_results
from projects.publication import views as publication
from projects.targets import views as target_views
from projects.tasks import views as task_views
from projects.monitoring import urls as monitoring_urls
from projects.evaluation import views as evaluation_views

app_name = "projects"

urlpatterns = [
    path("", views.home, name="home"),
    path("tables/new/", views.ProjectEditView.as_view(), name="project_create"),
    path("tables/copy/", views.project_copy_list, name="project_copy_list"),
    path("tables/copy/bulk/", copies.project_copy_bulk, name="project_copy_bulk"),
    path("tables/<int:pk>/", views.project_detail, name="project_detail"),
    path("tables/<int:pk>/edit/", views.ProjectEditView.as_view(), name="project_edit"),
    path("tables/<int:pk>/copy/", views.project_copy, name="project_copy"),
    path("tables/check/", views.ProjectCheckView.as_view(), name="project_check_new"),
    path("tables/<int:pk>/check/", views.ProjectCheckView.as_view(), name="project_check"),
    path("tables/<int:pk>/explain/", views.finding_explain_view, name="finding_explain"),
    path("department-targets/new/", target_views.DepartmentTargetEditView.as_view(), name="target_create"),
    path("department-targets/<int:pk>/", target_views.target_detail, name="target_detail"),
    path("department-targets/<int:pk>/edit/", target_views.DepartmentTargetEditView.as_view(), name="target_edit"),
    path("department-targets/<int:pk>/action/", target_views.target_action, name="target_action"),
    path("department-targets/<int:pk>/review/", target_views.target_review, name="target_review"),
    path("department-targets/<int:pk>/history/", target_views.target_history_view, name="target_history"),
    path("values/preview/", views.value_preview, name="value_preview"),
    path("reviews/", review_views.ReviewQueueView.as_view(), name="review_queue"),
    path("reviews/bulk/", review_views.review_bulk, name="review_bulk"),
    path("tables/<int:pk>/review/", review_views.project_review, name="project_review"),
    path("tables/<int:pk>/action/", review_views.project_action, name="project_action"),
    path("tables/<int:pk>/history/", review_views.project_history, name="project_history"),
    path("tables/<int:pk>/correct/", corrections.project_correct, name="project_correct"),
    path("department-targets/<int:pk>/correct/", corrections.target_correct, name="target_correct"),
    # Publication (公开): a department's package for a year, the register of each document, 催报.
    path("publication/", publication.register_page, name="publication_register"),
    path("publication/deadline/", publication.set_deadline, name="publication_deadline"),
    path("publication/departments/<int:pk>/<int:year>/", publication.package_page, name="publication_package"),
    path("publication/departments/<int:pk>/<int:year>/package.pdf", publication.package_pdf_view, name="publication_pdf"),
    path("publication/departments/<int:pk>/<int:year>/package.xlsx", publication.package_xlsx_view, name="publication_xlsx"),
    path("publication/departments/<int:pk>/<int:year>/remind/", publication.remind, name="publication_remind"),
    path("publication/tables/<int:pk>/", publication.record_table, name="publication_record_table"),
    path("publication/department-targets/<int:pk>/", publication.record_target, name="publication_record_target"),
    path("tables/<int:pk>/export.xlsx", excel_views.project_export_xlsx, name="project_export_xlsx"),
    path("department-targets/<int:pk>/export.xlsx", excel_views.target_export_xlsx, name="target_export_xlsx"),
    path("import/", excel_views.excel_import, name="excel_import"),
    path("import/batch/", task_views.excel_import_batch, name="excel_import_batch"),  # before the token's path
    path("import/template/", excel_views.excel_template, name="excel_template"),  # before the token's path
    path("import/<str:token>/", excel_views.excel_import_preview, name="excel_import_preview"),
    path("people/", include("projects.people.urls")),
    path("notifications/", include("projects.desk.urls")),
    path("import/<str:token>/confirm/", excel_views.excel_import_confirm, name="excel_import_confirm"),
]

# The overview (tracker issue 7): the dashboard, the list of target tables and departments' progress.
urlpatterns += [
    path("overview/", dashboard.dashboard, name="dashboard"),
    path("overview/tables/", overview.ProjectListView.as_view(), name="project_list"),
    path("overview/departments/", overview.DepartmentProgressView.as_view(), name="department_progress"),
    path("overview/indicators/", indicator_overview.IndicatorListView.as_view(), name="indicator_list"),
    path("overview/findings/", indicator_overview.FindingListView.as_view(), name="finding_list"),
    path("overview/weak-results/", weak_results.weak_result_list, name="weak_result_list"),
]

# Background tasks (issue 20): each user's own, their progress, their result.
urlpatterns += [
    path("tasks/", task_views.task_list, name="task_list"),
    path("tasks/<int:pk>/", task_views.task_progress, name="task_progress"),
    path("tasks/<int:pk>/status.json", task_views.task_status, name="task_status"),
    path("tasks/<int:pk>/download.xlsx", task_views.task_download, name="task_download"),
    path("tasks/<int:pk>/import/", task_views.task_import_apply, name="task_import_apply"),
    path("tasks/recheck/", task_views.task_recheck, name="task_recheck"),
]
# In-year monitoring (tracker issue 15): rounds, reports and their review.
urlpatterns += monitoring_urls.urlpatterns
# Year-end self-evaluation (tracker issue 16): rounds, the form, its review and its export.
urlpatterns += [
    path("evaluation/", evaluation_views.evaluation_list, name="evaluation_list"),
    path("evaluation/rounds/new/", evaluation_views.round_create, name="round_create"),
    path("evaluation/rounds/<int:pk>/", evaluation_views.round_detail, name="round_detail"),
    path("evaluation/<int:pk>/", evaluation_views.evaluation_detail, name="evaluation_detail"),
    path("evaluation/<int:pk>/edit/", evaluation_views.evaluation_edit, name="evaluation_edit"),
    path("evaluation/<int:pk>/action/", evaluation_views.evaluation_action, name="evaluation_action"),
    path("evaluation/<int:pk>/rescore/", evaluation_views.evaluation_rescore_view, name="evaluation_rescore"),
    path("evaluation/<int:pk>/import/", evaluation_views.evaluation_import_xlsx, name="evaluation_import_xlsx"),
    path("evaluation/<int:pk>/export.xlsx", evaluation_views.evaluation_export_xlsx, name="evaluation_export_xlsx"),
]
