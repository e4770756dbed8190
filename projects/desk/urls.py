from django.urls import path

from projects.desk import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("open/", views.notification_open, name="notification_open"),
    path("deadlines/", views.deadline_page, name="deadlines"),
    path("chase/", views.chase, name="chase"),
    path("tables/<int:pk>/revoke/", views.project_revoke, name="project_revoke"),
    path("department-targets/<int:pk>/revoke/", views.target_revoke, name="target_revoke"),
]
