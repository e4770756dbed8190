"""``task``: django.tasks on Django 6, the django-tasks backport (same API) on Django 5.2."""

try:
    from django.tasks import task  # noqa: F401
except ImportError:  # Django 5.2
    from django_tasks import task  # noqa: F401
