"""Request checks that apply to every page and endpoint."""

import re

from django.http import JsonResponse

from tafcase.views import bad_request

NUL_REFUSED = "The request contains a NUL character, which no field accepts."
# \u0000 in JSON, unless its backslash is itself escaped (an odd number of backslashes).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _has_nul(request) -> bool:
    if "\x00" in request.path_info:
        return True
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return True
    if any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items()):
        return True
    # Headers that views read (X-Authority names the working authority).
    if any(
        "\x00" in value
        for key, value in request.META.items()
        if key.startswith("HTTP_") and isinstance(value, str)
    ):
        return True
    if request.content_type == "application/json":
        body = request.body  # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE
        return b"\x00" in body or bool(_JSON_NUL.search(body))
    if request.method == "POST":
        # Form fields; an uploaded file's content is its importer's to validate.
        for key, values in request.POST.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


class RefuseNulBytesMiddleware:
    """Answer 400 to a request with a NUL character in its path, query string, headers,
    cookies, form fields or JSON body. PostgreSQL cannot store NUL in text, so one that
    reached a query would be a server error; refusing it at the door covers every view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": NUL_REFUSED}, status=400)
            return bad_request(request)
        return self.get_response(request)


# Scripts, styles, fonts and images only from this site: GOV.UK Frontend, our own scripts
# and the API documentation's Swagger UI are all served from /static/. No inline script or
# style anywhere (templates load files instead), so an injected <script> or style attribute
# does nothing. `data:` images: GOV.UK Frontend's and Swagger UI's stylesheets use a few.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Responses that carry no personal data and may be cached: static files (served by
# WhiteNoise with their own caching headers) and the load balancers' health check.
CACHEABLE_PREFIXES = ("/static/", "/health/")


class SecurityHeadersMiddleware:
    """Add the Content-Security-Policy to every response, and forbid caching of every
    response that may carry personal data: family and person pages, PDFs, CSV and JSON
    exports, all API JSON, error pages. Anything but static files and the health check
    counts, so a new page is covered without anyone having to remember it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if not request.path_info.startswith(CACHEABLE_PREFIXES):
            # Replaces any weaker Cache-Control a view set: nothing personal may stay in
            # a browser's or proxy's cache on a shared council computer.
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"  # for HTTP/1.0 caches
        return response
