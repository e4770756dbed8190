"""Chinese error pages under DEBUG too (``make run``).

With DEBUG on, Django answers a mistyped or out-of-scope address with its English technical 404 page,
which lists every URL pattern, and an error with its traceback page. ``make run`` is how the demo is
shown to finance bureau staff, so there the visitor gets the same Chinese 404 and 500 pages as in
production (403 already is: Django renders 403.html under DEBUG as well). The traceback still reaches the
developer, in the console log. With DEBUG off this middleware does nothing."""

import logging

from django.conf import settings
from django.http import Http404
from django.views import defaults

logger = logging.getLogger("django.request")


class ChineseErrorPagesUnderDebug:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No view was found for the address: the resolver's 404, which no view's process_exception sees.
        if settings.DEBUG and response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            return defaults.page_not_found(request, Http404())
        return response

    def process_exception(self, request, exception):
        if not settings.DEBUG:
            return None
        if isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        if isinstance(exception, Exception) and not _handled_by_django(exception):
            logger.error("Internal Server Error: %s", request.path, exc_info=exception)
            return defaults.server_error(request)
        return None


def _handled_by_django(exception):
    """Exceptions Django turns into their own answers (403, 400, …), Chinese already."""
    from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
    from django.http.multipartparser import MultiPartParserError

    return isinstance(exception, (PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError))
