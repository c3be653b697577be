"""Production settings: everything in tafcase.settings, made safe for the internet.

`manage.py check --deploy` passes with no warnings under these settings.
"""

from django.core.exceptions import ImproperlyConfigured

from tafcase.settings import *  # noqa: F403
from tafcase.settings import SECRET_KEY, envbool, envint, secret_key

if not secret_key():
    raise ImproperlyConfigured("Set SECRET_KEY or SECRET_KEY_FILE for production.")
if len(set(SECRET_KEY)) < 5 or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")

DEBUG = False
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
