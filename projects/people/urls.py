from django.urls import path

from projects.people import views

urlpatterns = [
    path("", views.people_home, name="people_home"),
    path("departments/new/", views.department_create, name="people_department_create"),
    path("departments/<int:pk>/", views.department_edit, name="people_department_edit"),
    path("units/new/", views.unit_create, name="people_unit_create"),
    path("units/<int:pk>/", views.unit_edit, name="people_unit_edit"),
    path("users/new/", views.user_create, name="people_user_create"),
    path("users/<int:pk>/", views.user_edit, name="people_user_edit"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="people_user_unlock"),
    path("users/<int:pk>/password/", views.user_password_reset, name="people_user_password"),
    path("import/", views.sheet_upload, name="people_import"),
    path("import/confirm/", views.sheet_confirm, name="people_import_confirm"),
    path("import/template.xlsx", views.sheet_template_download, name="people_import_template"),
]
