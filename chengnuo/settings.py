"""Settings for 承诺通, configured only from environment variables (see README)."""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.logging import RedactIdNumbers

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(__import__("os").environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
DJANGO_ENV = env("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    missing = [k for k in ("SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEY") if not env.str(k, default="")]
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production requires these environment variables: " + ", ".join(missing)
        )

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789-abcdefghijklmnop")
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
# Encrypted fields derive their key from SECRET_KEY and this salt; the blind index uses it as HMAC key.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="dev-only-field-encryption-key")
SALT_KEY = [FIELD_ENCRYPTION_KEY]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_fsm",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "portal",
    "catalog",
    "credit",
    "commitments",
    "verification",
    "complaints",
    "supervision",
    "chengnuo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Pushes the idle expiry back, writing the session at most once a minute (see SESSION_REFRESH_SECONDS).
    "portal.middleware.IdleTimeout",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Credit officers, approvers and superusers see nothing but the 2FA pages until verified.
    "portal.two_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Pages for a signed-in user are never stored by a browser or a proxy (Cache-Control: no-store).
    "portal.middleware.NoStoreWhenSignedIn",
    # However active, a session ends SESSION_ABSOLUTE_HOURS after login.
    "portal.middleware.AbsoluteSessionLifetime",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that a locked-out login is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]
if DEBUG:
    # Django's technical 404 page is English; development shows the portal's Chinese one too.
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
                      "portal.middleware.ChineseNotFoundInDevelopment")
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

ROOT_URLCONF = "chengnuo.urls"
WSGI_APPLICATION = "chengnuo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chengnuo.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# PostgreSQL: DATABASE_URL is the app role, which owns nothing; `manage.py migrate` connects with the
# owner's credentials from DATABASE_OWNER_URL (same database) and grants the app role its rows
# (portal/db_roles.py, docs/operations.md). Unset: migrations run as DATABASE_URL's role.
DATABASE_OWNER = env.db("DATABASE_OWNER_URL") if env.str("DATABASE_OWNER_URL", default="") else None
if DATABASE_OWNER and DATABASE_OWNER["NAME"] != DATABASES["default"]["NAME"]:
    raise ImproperlyConfigured("DATABASE_OWNER_URL must name the same database as DATABASE_URL")
# The audit trail's hash chain is keyed (portal/audit_chain.py); empty: derived from FIELD_ENCRYPTION_KEY.
AUDIT_CHAIN_KEY = env.str("AUDIT_CHAIN_KEY", default="")
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process and the Celery worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "portal.auth.UsernameOrMobileBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "portal.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id first (see portal/passwords.py); older PBKDF2 hashes still verify and are upgraded at login.
PASSWORD_HASHERS = [
    "portal.passwords.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "login"
# A password-reset link works for 24 hours, as its e-mail says (Django's default is three days).
PASSWORD_RESET_TIMEOUT = 24 * 3600
LOGIN_REDIRECT_URL = "workspace"
LOGOUT_REDIRECT_URL = "home"
# Two-factor login (portal/two_factor.py) and re-authentication before blacklist and approval
# actions (portal/reauth.py): a fresh password or code is needed unless one was given this long ago.
REAUTH_MINUTES = env.int("REAUTH_MINUTES", default=5)
OTP_TOTP_ISSUER = "承诺通"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Idle timeout: the session expires after SESSION_IDLE_MINUTES without a request. The expiry is
# pushed back by portal.middleware.IdleTimeout at most once a minute, not on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# django-axes: five failures lock the username+address pair for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# Login protection per account and per password (portal/login_guard.py, docs/security.md V2):
# delays of 1, 2, 4 … s after LOGIN_DELAY_AFTER failures, a lock after LOGIN_ACCOUNT_LOCK_FAILURES
# (with an e-mail to the holder), and a password failing LOGIN_PASSWORD_FAILURE_LIMIT times within an
# hour across accounts is refused everywhere for LOGIN_PASSWORD_BLOCK_MINUTES.
LOGIN_DELAY_AFTER = env.int("LOGIN_DELAY_AFTER", default=3)
LOGIN_MAX_DELAY_SECONDS = env.int("LOGIN_MAX_DELAY_SECONDS", default=60)
LOGIN_ACCOUNT_LOCK_FAILURES = env.int("LOGIN_ACCOUNT_LOCK_FAILURES", default=10)
LOGIN_ACCOUNT_LOCK_MINUTES = env.int("LOGIN_ACCOUNT_LOCK_MINUTES", default=30)
LOGIN_FAILURE_WINDOW_HOURS = 24
LOGIN_PASSWORD_FAILURE_LIMIT = env.int("LOGIN_PASSWORD_FAILURE_LIMIT", default=20)
LOGIN_PASSWORD_BLOCK_MINUTES = env.int("LOGIN_PASSWORD_BLOCK_MINUTES", default=60)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Reduced CJK fonts for PDFs, built by `manage.py build_pdf_fonts` (make install runs it); a build
# artefact like collected static files: each host that renders PDFs builds its own.
PDF_FONT_DIR = env.str("PDF_FONT_DIR", default=str(VAR_DIR / "pdf-fonts"))
# 电子印章 (portal/seals.py, docs/operations.md): each agency's seal certificate as a PKCS#12 file in this
# folder, encrypted with the passphrase; an RFC 3161 time-stamping authority. SEAL_DEMO_CA (the default
# outside production) makes a local demo CA, its time-stamper and one certificate per agency, all marked 演示.
SEAL_KEYSTORE_DIR = env.str("SEAL_KEYSTORE_DIR", default=str(VAR_DIR / "seals"))
SEAL_KEYSTORE_PASSPHRASE = env.str("SEAL_KEYSTORE_PASSPHRASE",
                                   default="" if PRODUCTION else "dev-only-seal-keystore-passphrase")
SEAL_DEMO_CA = env.bool("SEAL_DEMO_CA", default=not PRODUCTION)
SEAL_TSA_URL = env.str("SEAL_TSA_URL", default="")
SEAL_REVOCATION_FETCH = env.bool("SEAL_REVOCATION_FETCH", default=False)
MEDIA_URL = "/media-not-served/"  # private files are only handed out by views that check access
# Private files (letters, proofs, scans, photos, attachments) go through Django's storage API: the local
# disk, or an S3-compatible object store that every web node and worker shares (docs/operations.md).
# Views stream them after their access checks; nothing is public and no presigned URL is handed out.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="s3" if AWS_STORAGE_BUCKET_NAME else "filesystem")
if STORAGE_BACKEND == "filesystem":
    _private_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE_BACKEND == "s3":
    if not AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 requires AWS_STORAGE_BUCKET_NAME")
    _sse = env.str("AWS_S3_SERVER_SIDE_ENCRYPTION", default="")  # "AES256" or "aws:kms"
    _kms_key = env.str("AWS_S3_SSE_KMS_KEY_ID", default="")
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "location": env.str("AWS_LOCATION", default=""),  # key prefix inside the bucket
            # Empty: Amazon S3. MinIO, Ceph RGW, 阿里云 OSS, 华为云 OBS…: their S3-compatible endpoint.
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,  # "path" or "virtual"
            # Empty keys: boto3's own chain (AWS_ACCESS_KEY_ID…, ~/.aws, an instance role).
            "access_key": env.str("AWS_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_S3_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": None,  # objects inherit the bucket's (private) ACL; never public-read
            "querystring_auth": True,  # should a URL ever be built, it is signed…
            "querystring_expire": 60,  # …and short-lived
            "file_overwrite": False,  # a name already taken gets a suffix instead of replacing a file
            "max_memory_size": 2 * 1024 * 1024,  # a download bigger than this spools to a temporary file
            "object_parameters": {
                **({"ServerSideEncryption": _sse} if _sse else {}),
                **({"SSEKMSKeyId": _kms_key} if _kms_key else {}),
            },
        },
    }
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'filesystem' or 's3', not {STORAGE_BACKEND!r}")
STORAGES = {
    "default": _private_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@chengnuo.example.cn")
# SMS reminders (portal/notifications.py) go to an HTTP gateway; empty URL: no SMS, the option is not offered.
# In development `manage.py run_sms_simulator` serves one at http://127.0.0.1:8766/sms.
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=5.0)
SMS_GATEWAY_BACKEND = env.str("SMS_GATEWAY_BACKEND", default="")  # a dotted path: another SMS sender class

# --- Cache ----------------------------------------------------------------
# Rate limits of the public forms, single-use challenge nonces, cached supervision figures. Memory of
# one process by default; with several gunicorn workers or web nodes set CACHE_URL to a shared Redis,
# or every process counts and caches on its own. Losing it loses nothing of record: while Redis is
# down or hangs (half-second socket timeouts) the cache answers as an empty one (portal/cache.py).
CACHE_URL = env.str("CACHE_URL", default="")
CACHES = {
    "default": {"BACKEND": "portal.cache.TolerantRedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "chengnuo",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- Celery ---------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A task of a worker that died unacknowledged is handed out again after this (the beat sweeps
        # usually get there first); longer than any task, countdowns included.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # Without socket timeouts a publish to a Redis that hangs (frozen, failover, dropped TCP) waits
        # forever, and with it the web request that queues the task (tests/faults measured it).
        "socket_connect_timeout": 2,
        "socket_timeout": 3,
        "socket_keepalive": True,
    }
    CELERY_BROKER_CONNECTION_TIMEOUT = 2
else:
    # No server needed: the worker and the web process share a folder.
    _queue = VAR_DIR / "celery"
    for _sub in ("queue", "control"):
        (_queue / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue / "queue"),
        "data_folder_out": str(_queue / "queue"),
        "control_folder": str(_queue / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
# A request queues its tasks after the commit; when the broker is down it gives up after about
# 0.3 s (refused) or two 3 s timeouts (hanging) and the beat sweeps deliver the work from the database.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Each due run is sent by one beat only, even if two run at once (portal/celery.py; needs Redis).
CELERY_BEAT_SCHEDULER = "chengnuo.celery:OncePerSlotScheduler"
# Static beat schedule; tests check every entry imports.
CELERY_BEAT_SCHEDULE = {
    "extend-workday-calendar": {
        "task": "portal.tasks.extend_workday_calendar",
        "schedule": 24 * 3600,
    },
    # Provisional deadlines (暂定期限) are counted again within the hour after a year's schedule is entered.
    "settle-provisional-deadlines": {"task": "portal.tasks.settle_provisional_deadlines", "schedule": 3600},
    "credit-expire-records": {"task": "credit.tasks.expire_records", "schedule": 3600},
    "credit-flag-overdue": {"task": "credit.tasks.flag_overdue", "schedule": 3600},
    "credit-resend-pending-pushes": {"task": "credit.tasks.resend_pending_pushes", "schedule": 300},
    "commitments-render-missing-letters": {"task": "commitments.tasks.render_missing_letters", "schedule": 900},
    "verification-plan-unplanned": {"task": "verification.tasks.plan_unplanned", "schedule": 600},
    "verification-remind-assistance": {"task": "verification.tasks.remind_assistance", "schedule": 3600},
    "verification-escalate-assistance": {"task": "verification.tasks.escalate_assistance", "schedule": 3600},
    "verification-run-spot-checks": {"task": "verification.tasks.run_spot_checks", "schedule": 6 * 3600},
    "verification-publish-spot-checks": {"task": "verification.tasks.publish_spot_checks", "schedule": 3600},
    "verification-overdue-rectifications": {"task": "verification.tasks.terminate_overdue_rectifications",
                                            "schedule": 3600},
    "complaints-send-reminders": {"task": "complaints.tasks.send_reminders", "schedule": 3600},
    "complaints-escalate-overdue": {"task": "complaints.tasks.escalate_overdue", "schedule": 3600},
    "complaints-close-unrated": {"task": "complaints.tasks.close_unrated", "schedule": 6 * 3600},
    "supervision-refresh-figures": {"task": "supervision.tasks.refresh_figures", "schedule": 600},
    "portal-send-pending-deliveries": {"task": "portal.notifications.send_pending_deliveries", "schedule": 300},
    "portal-remind-deadlines": {"task": "chengnuo.tasks.remind_deadlines", "schedule": 3600},
    "audit-log-chain-head": {"task": "portal.tasks.log_audit_head", "schedule": 3600},
    "login-prune-throttles": {"task": "portal.tasks.prune_login_throttles", "schedule": 3600},
    # A recount of every counted table: seconds of database work at a city's size, so once a day.
    "portal-check-daily-counts": {"task": "portal.tasks.check_daily_counts", "schedule": 24 * 3600},
}

# --- Security -------------------------------------------------------------
# A session ends this many hours after login however active it is (the idle timeout is above).
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Inline style attributes only (Bootstrap utilities, SVG charts); never inline scripts.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Every handler masks resident ID numbers (portal/logging.py), Django's request lines included.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_id_numbers": {"()": RedactIdNumbers}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_id_numbers"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["redact_id_numbers"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}

# Demo accounts are only created when DEBUG is on (seed_demo --force overrides).
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="Chengnuo@2026")
