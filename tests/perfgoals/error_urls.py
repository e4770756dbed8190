"""A URL configuration for tests of the error pages: the site's own, plus a view that fails."""

from django.urls import path

from perfgoals.urls import urlpatterns as site


def failing_view(request):
    raise RuntimeError("a failure for the error page test")


urlpatterns = [*site, path("test-failure/", failing_view)]
