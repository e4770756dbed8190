"""URLs of in-year monitoring, included in projects.urls (names projects:monitoring_*)."""

from django.urls import path

from projects.monitoring import import_views, views

urlpatterns = [
    path("monitoring/rounds/", views.round_list, name="monitoring_rounds"),
    path("monitoring/rounds/<int:pk>/", views.round_overview, name="monitoring_round"),
    path("monitoring/rounds/<int:pk>/execution/", import_views.execution_import, name="monitoring_execution"),
    path("monitoring/reports/<int:pk>/import/", import_views.report_import, name="monitoring_report_import"),
    path("monitoring/reports/", views.report_list, name="monitoring_reports"),
    path("monitoring/reports/<int:pk>/", views.report_detail, name="monitoring_report"),
    path("monitoring/reports/<int:pk>/export.xlsx", views.report_export_xlsx, name="monitoring_report_export_xlsx"),
    path("monitoring/reports/<int:pk>/edit/", views.report_edit, name="monitoring_report_edit"),
    path("monitoring/reports/<int:pk>/action/", views.report_action, name="monitoring_report_action"),
]
