"""Settings for tafcase, read from the environment.

With nothing set, tafcase runs the embedded default: its own PostgreSQL and Redis under
``var/`` (see ``tafcase.embedded``), console email, and a development secret key. A
deployment sets ``DATABASE_URL``, ``REDIS_URL`` and ``SECRET_KEY`` (or ``SECRET_KEY_FILE``)
and uses ``tafcase.settings_production``.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from tafcase import embedded

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret_key() -> str:
    """SECRET_KEY from the environment, or from the file SECRET_KEY_FILE names."""
    if path := os.environ.get("SECRET_KEY_FILE"):
        return Path(path).read_text().strip()
    return os.environ.get("SECRET_KEY", "")


DEBUG = envbool("DEBUG", "false")
# The embedded default has a fixed development key so `make run` needs no setup;
# tafcase.settings_production refuses to start without a real one.
SECRET_KEY = secret_key() or "dev-only-insecure-key-for-the-embedded-default"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

# The local name of the programme, shown in the page header and on everything a family
# sees. Families never see "Troubled Families" (DESIGN.md §1).
PROGRAMME_NAME = os.environ.get("PROGRAMME_NAME", "Families First")
# How a family reaches the council's programme team, printed on the documents a family
# is given beside their lead professional's name (a phone number and an email, say).
PROGRAMME_CONTACT = os.environ.get("PROGRAMME_CONTACT", "")
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")

# Lead professional capacity at panel allocation (003 sections 2.2 and 3.2: intensive
# caseloads of about 5-8 families, lighter ones 10-15). A family of each tier takes this
# share of a key worker's capacity, in intensive-family equivalents.
CASELOAD_CAPACITY = 8.0
CASELOAD_WEIGHTS = {"high_complex": 1.0, "expert_help": 0.6, "monitoring": 0.5}

# Casework (outcomes.casework.CaseworkSettings): reviews every N weeks (DESIGN.md: 4-12),
# follow-ups after closure (003 section 4.3), the flag on intensive cases still open, and
# the personalised-budget spend above which a coordinator approves (a local choice; the
# seeds give no figure).
CASEWORK_REVIEW_WEEKS = 6
CASEWORK_FOLLOW_UP_MONTHS = (3, 6, 12)
CASEWORK_INTENSIVE_FLAG_MONTHS = 9
BUDGET_APPROVAL_THRESHOLD = "250.00"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "tafcase",
    "tafcase.accounts",
    "tafcase.audit",
    "tafcase.idempotency",
    "tafcase.documents",
    "families",
    "eligibility",
    "eligibility.datamatch",
    "outcomes",
    "reporting",
]

MIDDLEWARE = [
    # First, so its headers are on every response, errors and refusals included.
    "tafcase.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tafcase.middleware.RefuseNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tafcase.accounts.middleware.TwoFactorMiddleware",
    "tafcase.accounts.middleware.WorkingAuthorityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tafcase.urls"
WSGI_APPLICATION = "tafcase.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tafcase.context_processors.service",
            ],
        },
    },
]
# Forms render GOV.UK Design System markup from templates/django/forms/.
FORM_RENDERER = "tafcase.forms.GovukFormRenderer"

DATABASES = {"default": dj_database_url.parse(embedded.database_url(), conn_max_age=60)}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = embedded.redis_url()
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Failed sign-ins (passwords and two-factor codes) block one account from one address after
# LOGIN_FAILURE_LIMIT, and one address for every account after LOGIN_ADDRESS_FAILURE_LIMIT,
# for LOGIN_LOCKOUT_MINUTES, doubling with each block (tafcase.accounts.throttle). Keyed by
# address, so a stranger elsewhere cannot keep the account's owner out.
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
LOGIN_ADDRESS_FAILURE_LIMIT = envint("LOGIN_ADDRESS_FAILURE_LIMIT", "30")
LOGIN_LOCKOUT_MINUTES = envint("LOGIN_LOCKOUT_MINUTES", "15")
# Password-reset links: this many an hour for one email address, and from one address.
PASSWORD_RESET_LIMIT = envint("PASSWORD_RESET_LIMIT", "3")
PASSWORD_RESET_ADDRESS_LIMIT = envint("PASSWORD_RESET_ADDRESS_LIMIT", "10")
# Roles that must sign in with a second factor (TOTP), whatever their authority says;
# an authority can ask it of everyone (LocalAuthority.two_factor_for_everyone).
TWO_FACTOR_REQUIRED_ROLES = ["administrator", "coordinator", "data_analyst", "auditor", "manager"]
OTP_TOTP_ISSUER = PROGRAMME_NAME
# API tokens last at most this many days (their maker chooses up to it).
API_TOKEN_MAX_DAYS = 365
# Sign out after this long without a request (each request renews the session).
SESSION_COOKIE_AGE = envint("SESSION_IDLE_MINUTES", "30") * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # no anonymous object permissions, ever

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tafcase@localhost")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
# Serve straight from STATICFILES_DIRS, so the embedded default needs no collectstatic.
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    # Token first, so that an unauthenticated API call gets 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tafcase.authentication.TokenAuthentication",
        "tafcase.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "tafcase.permissions.NotReadOnlyRole",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "tafcase.drf.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "tafcase API",
    "DESCRIPTION": "Case management for whole-family intervention programmes.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "FamilyStatusEnum": "families.models.Family.Status",
        "TierEnum": "families.models.Family.Tier",
        "GoalStatusEnum": "outcomes.models.Goal.Status",
    },
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_BEAT_SCHEDULE = {
    # Lets the health endpoint tell whether beat is alive.
    "beat-heartbeat": {"task": "tafcase.tasks.beat_heartbeat", "schedule": 60.0},
    # Re-queues (or fails) data-match runs whose worker died: see the settings below.
    "datamatch-stale-runs": {
        "task": "eligibility.datamatch.tasks.datamatch_stale_runs_recover",
        "schedule": 60.0,
    },
    # Re-queues (or fails) claim runs whose worker died.
    "claim-runs-stale": {
        "task": "outcomes.tasks.claim_runs_recover",
        "schedule": 60.0,
    },
    # Deletes prepared documents past DOCUMENT_KEEP_HOURS; fails those whose worker died.
    "documents-sweep": {
        "task": "tafcase.documents.tasks.documents_sweep",
        "schedule": 60.0 * 10,
    },
    "idempotency-keys-purge": {
        "task": "tafcase.idempotency.tasks.idempotency_keys_purge_task",
        "schedule": 60.0 * 60,
    },
    # Every attached family's results, re-evaluated nightly as of the new day.
    "results-refresh": {
        "task": "outcomes.tasks.results_refresh_all",
        "schedule": crontab(hour=2, minute=30),
    },
}
# A create sent again with the same idempotency key within this many hours gets the first
# one's record (tafcase.idempotency); after it the key is forgotten.
IDEMPOTENCY_KEY_HOURS = envint("IDEMPOTENCY_KEY_HOURS", "24")
# A data-match run that has written no progress for this long has lost its worker. Longer
# than the slowest stage (linking a large authority) takes, or a slow but live run would
# be queued again. A run is tried this many times before it is marked failed.
DATAMATCH_HEARTBEAT_TIMEOUT_MINUTES = envint("DATAMATCH_HEARTBEAT_TIMEOUT_MINUTES", "10")
DATAMATCH_MAX_ATTEMPTS = envint("DATAMATCH_MAX_ATTEMPTS", "3")
# Prepared documents (tafcase.documents: long PDFs made by the worker) are kept this long
# for the person who asked; one the worker has not touched for the timeout has failed.
DOCUMENT_KEEP_HOURS = envint("DOCUMENT_KEEP_HOURS", "24")
DOCUMENT_TIMEOUT_MINUTES = envint("DOCUMENT_TIMEOUT_MINUTES", "15")
# The same for claim runs, which write a heartbeat with every batch of families.
CLAIM_RUN_HEARTBEAT_TIMEOUT_MINUTES = envint("CLAIM_RUN_HEARTBEAT_TIMEOUT_MINUTES", "10")
CLAIM_RUN_MAX_ATTEMPTS = envint("CLAIM_RUN_MAX_ATTEMPTS", "3")

# No personal data in logs: nothing logs request bodies or query parameters, and the
# audit trail (tafcase.audit) lives in the database, not in log files.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
