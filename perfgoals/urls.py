from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from perfgoals.health import health
from perfgoals.login import AdminLoginForm, LoginForm

admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    path("healthz/", health, name="health"),
    path("", include("indicators.urls")),
    path("", include("projects.urls")),
]
