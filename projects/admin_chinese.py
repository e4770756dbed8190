"""The Django admin fully in Chinese for the system administrator (issue 17).

Django 5.2's admin and django-axes leave some words in English: the missing translations are in
locale/zh_Hans (compiled). What no translation reaches is set here: the names of the apps that have
no Chinese name (axes, the task queue's database backend) and the permission names, which Django
stores in English ("Can add access log") and the user and group forms list."""

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

APP_NAMES = {"axes": "登录保护", "django_tasks_database": "后台任务队列", "auth": "认证和授权", "sessions": "会话", "contenttypes": "内容类型"}
MODEL_NAMES = {("django_tasks_database", "dbtaskresult"): ("后台任务结果", "后台任务结果")}
ACTIONS = {"add": "新增", "change": "修改", "delete": "删除", "view": "查看"}


def name_apps_in_chinese():
    """Called from ProjectsConfig.ready: the app and model names the admin's index and forms show."""
    for label, name in APP_NAMES.items():
        try:
            apps.get_app_config(label).verbose_name = name
        except LookupError:
            continue
    for (label, model_name), (singular, plural) in MODEL_NAMES.items():
        try:
            meta = apps.get_model(label, model_name)._meta
        except LookupError:
            continue
        meta.verbose_name, meta.verbose_name_plural = singular, plural


def permission_label(permission):
    """可以新增 登录日志 (登录保护): a permission as the user and group forms list it."""
    model = permission.content_type.model_class()
    action, _, rest = permission.codename.partition("_")
    if model is None or action not in ACTIONS or rest != model._meta.model_name:
        return f"{permission.name}（{permission.content_type.app_label}）"
    app = apps.get_app_config(model._meta.app_label).verbose_name
    return f"{app} | 可以{ACTIONS[action]}{model._meta.verbose_name}"


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return permission_label(obj)


class _ChinesePermissions:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions") and field is not None:
            chinese = PermissionChoiceField(
                queryset=field.queryset.select_related("content_type"),
                required=field.required,
                widget=field.widget,
                label=field.label,
                help_text=field.help_text,
            )
            return chinese
        return field


class ChineseUserAdmin(_ChinesePermissions, UserAdmin):
    pass


class ChineseGroupAdmin(_ChinesePermissions, GroupAdmin):
    pass


def register():
    for model, model_admin in ((User, ChineseUserAdmin), (Group, ChineseGroupAdmin)):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, model_admin)
