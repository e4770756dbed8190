"""Response headers that keep one person's data out of shared caches and the browser's back button."""

from django.utils.cache import add_never_cache_headers, patch_cache_control


class NoStoreForSignedInUsers:
    """Every response to a signed-in user, pages and downloads alike, carries Cache-Control: no-store,
    private: a table, an export or a review page must not stay in a proxy or on a shared office computer
    after logout. Static files (served before this, with their own far-future caching) are untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response
