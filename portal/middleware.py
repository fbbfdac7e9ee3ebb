"""Cross-cutting response policy."""

from django.utils.cache import add_never_cache_headers


class NoStoreWhenSignedIn:
    """Every page answered to a signed-in user may show personal data (an ID number masked, a credit
    record, an application): no browser or shared cache keeps it (``Cache-Control: no-store``).

    Anonymous pages (the catalogue, the blacklist, the publicity list) stay cacheable; static files
    are answered by WhiteNoise before this runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
