"""Settings, read from the environment so that secrets never sit in the repository.

TENTATIVE_DATABASE_URL selects the database (default: SQLite in TENTATIVE_DATA_DIR).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.management.utils import get_random_secret_key
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("TENTATIVE_DATA_DIR", Path.cwd() / "var"))

DEBUG = os.environ.get("TENTATIVE_DEBUG", "") == "1"


def _secret_key() -> str:
    """From the environment in production; for the embedded default, one kept in DATA_DIR."""
    if key := os.environ.get("TENTATIVE_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Signs the simulated card processor's notifications (payments/providers/simulated.py).
SIMULATED_PAYMENTS_SECRET = os.environ.get("TENTATIVE_SIMULATED_PAYMENTS_SECRET", "")
# How long the simulated card processor holds an authorisation before it lapses.
SIMULATED_AUTHORISATION_DAYS = int(os.environ.get("TENTATIVE_SIMULATED_AUTHORISATION_DAYS", "7"))
# Where customers reach this site: the start of absolute links in emails (payment links).
PUBLIC_URL = os.environ.get("TENTATIVE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# How long a waiting list's offer holds its places before it passes to the next entry.
WAITLIST_OFFER_HOURS = int(os.environ.get("TENTATIVE_WAITLIST_OFFER_HOURS", "48"))
ALLOWED_HOSTS = os.environ.get("TENTATIVE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
    ","
)
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("TENTATIVE_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Ninja in the apps makes its docs page use the Swagger UI files it ships (static files)
    # instead of a CDN: the API docs work offline (issue 11 item 11).
    "ninja",
    "tentative.audit",
    "tentative.outbox",
    "tentative.worker",
    "tentative.accounts",
    "tentative.catalog",
    "tentative.inventory",
    "tentative.bookings",
    "tentative.payments",
    "tentative.waitlist",
    "tentative.notifications",
    "tentative.checkin",
    "tentative.api",
    "tentative.backoffice",
    "tentative.public",
    "tentative.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tentative.api.middleware.ApiBodyLimit",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tentative.backoffice.middleware.reset_time_zone",
]

ROOT_URLCONF = "tentative.urls"
WSGI_APPLICATION = "tentative.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ]
        },
    }
]


def _database() -> dict:
    url = os.environ.get("TENTATIVE_DATABASE_URL")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'tentative.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite serialises writers: take the write lock at BEGIN so that concurrent
        # bookings queue behind each other instead of failing with "database is locked".
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 60,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        config["CONN_MAX_AGE"] = 0
    else:
        # A transaction that waits this long for a capacity row gets CapacityBusy (HTTP 409)
        # instead of hanging.
        config["OPTIONS"] = {
            "options": "-c lock_timeout=5000",
            # Bind parameters on the server and prepare what runs often: PostgreSQL then
            # plans each hot statement once per connection instead of on every request
            # (its CPU per booking fell from 1.7 to 1.1 ms; bench/hot_holds.py).
            "server_side_binding": True,
            "prepare_threshold": 5,
        }
    if name := os.environ.get("TENTATIVE_TEST_DATABASE_NAME"):
        config["TEST"] = {"NAME": name}
    elif config["ENGINE"] == "django.db.backends.sqlite3":
        # A file, not the shared-cache in-memory default: threads in the concurrency tests
        # need WAL and real locking, which in-memory SQLite cannot give.
        config["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
# Customers sign in to their personal space with an emailed link (django-sesame, issue 12):
# a token for their *customer user* (never a staff user: accounts/access.py), valid 30
# minutes and once (signing in changes the user's last login, which the token depends on).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "sesame.backends.ModelBackend",
]
SESAME_MAX_AGE = int(os.environ.get("TENTATIVE_SIGN_IN_LINK_MINUTES", "30")) * 60
SESAME_ONE_TIME = True
LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:dashboard"
LOGOUT_REDIRECT_URL = "backoffice:login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from finders; it wants the dir
# Uploaded files (session photos): the file system under DATA_DIR by default; an
# S3-compatible backend is a matter of these two entries (docs/rooms.md). Neither is served
# by a public URL: staff views read them after checking the organisation.
MEDIA_ROOT = DATA_DIR / "media"
PHOTO_MAX_BYTES = int(os.environ.get("TENTATIVE_PHOTO_MAX_BYTES", 10 * 1024 * 1024))
PHOTO_ARCHIVE_AFTER_DAYS = 60
# A room that sells places has its sessions as dates this many days ahead (docs/rooms.md);
# the worker's `place_dates` job moves the horizon on.
ROOM_PLACES_HORIZON_DAYS = int(os.environ.get("TENTATIVE_ROOM_PLACES_HORIZON_DAYS", 60))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "photo_archive": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "photo-archive")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Webhooks go to public addresses only (notifications/egress.py); a single-organisation
# install whose receivers are on its own network may allow private ones.
WEBHOOKS_ALLOW_PRIVATE = os.environ.get("TENTATIVE_WEBHOOKS_ALLOW_PRIVATE", "") == "1"

DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024  # API bodies are small; larger ones get a 413


def _email_backend() -> str:
    """SMTP in production; the demo keeps mail in the database (notifications/backends.py)."""
    choice = os.environ.get("TENTATIVE_EMAIL_BACKEND", "")
    if not choice:
        embedded = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
        choice = "catchall" if embedded and not os.environ.get("TENTATIVE_EMAIL_HOST") else "smtp"
    return {
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "catchall": "tentative.notifications.backends.CatchAllBackend",
    }.get(choice, choice)


EMAIL_BACKEND = _email_backend()
EMAIL_HOST = os.environ.get("TENTATIVE_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("TENTATIVE_EMAIL_PORT", "1025"))
EMAIL_HOST_USER = os.environ.get("TENTATIVE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("TENTATIVE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("TENTATIVE_EMAIL_TLS", "") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("TENTATIVE_FROM_EMAIL", "Tentative <bookings@localhost>")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Public checkout holds per minute from one address (bookings/actions/hold.py); the
# benchmark, whose clients all come from 127.0.0.1, raises it.
PUBLIC_HOLDS_PER_MINUTE = int(os.environ.get("TENTATIVE_PUBLIC_HOLDS_PER_MINUTE", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TENTATIVE_LOG_LEVEL", "WARNING")},
    "filters": {"business_answers": {"()": "tentative.api.logfilter.SkipBusinessAnswers"}},
    "loggers": {"django.request": {"filters": ["business_answers"]}},
}
