"""Porch settings: the one settings module.

Everything a deployment changes comes from environment variables read through the typed
helpers in porch.lib.env; every variable is documented in docs/configuration.md.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from porch.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

PORCH_ENV = env_str("PORCH_ENV", "development")
if PORCH_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"PORCH_ENV={PORCH_ENV!r} must be development or production")
DEVELOPMENT = PORCH_ENV == "development"

DATA_DIR = Path(env_str("PORCH_DATA_DIR", str(BASE_DIR / "var")) or "var").resolve()
DEBUG = env_bool("PORCH_DEBUG", default=False)


def _secret_key() -> str:
    """Production must be given a key; development keeps a random one in DATA_DIR."""
    key = env_str("SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")
        return key
    if not DEVELOPMENT:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) is required in production")
    key_file = DATA_DIR / "dev-secret-key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEVELOPMENT else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the host names Porch is served on")
if "*" in ALLOWED_HOSTS and not DEVELOPMENT:
    raise ImproperlyConfigured("ALLOWED_HOSTS='*' is refused in production")

# The public base URL, used in FHIR Bundle links and fullUrls.
SITE_URL = (env_str("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    # Before allauth, so porch/accounts/templates/ overrides allauth's templates.
    "porch.accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "porch.access",
    "porch.audit",
    "porch.record",
    "porch.fhirapi",
    "porch.clinic",
    "porch.demo",
    "porch.results",
    "porch.chart",
    "porch.home",
    "porch.notifications",
    "porch.messaging",
    "porch.scheduling",
    "porch.checkin",
    "porch.medications",
    "porch.calendars",
    "porch.waitlist",
    "porch.frontdesk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Porch serves its own assets: no CDN, no third-party origin on any page.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the person's choice (cookie, set by the language switch), else the browser's.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person gets the language stored on their account (porch.i18n).
    "porch.i18n.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out past the idle or absolute session limit (needs messages for its notice).
    "porch.accounts.middleware.SessionLimitsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Sends staff (or everyone, by setting) without a second factor to set one up.
    "porch.accounts.middleware.MfaRequiredMiddleware",
    "porch.access.middleware.AccessContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "porch.urls"
WSGI_APPLICATION = "porch.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "porch" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "porch.access.context_processors.open_record",
                "porch.notifications.context_processors.unread",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'porch.sqlite3'}"
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # WAL lets the web process read while the worker writes; IMMEDIATE takes the
            # write lock at BEGIN so two writers queue instead of failing to upgrade.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    elif engine != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"DATABASE_URL: Porch runs on SQLite or PostgreSQL, not {engine}"
        )
    config["TEST"] = (
        {"NAME": env_str("TEST_DATABASE_NAME")} if env_str("TEST_DATABASE_NAME") else {}
    )
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Passwords per NIST SP 800-63B: at least 8 characters, no upper limit below Django's
# request limits (long passphrases welcome), checked against Django's offline list of
# 20,000 common and breached passwords and against the person's own name and email.
# No composition rules (so no NumericPasswordValidator) and no forced rotation.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
TIME_ZONE = env_str("TIME_ZONE", "America/New_York") or "UTC"
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "porch" / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# USWDS, htmx and Chart.js, copied from node_modules by `make assets` (git-ignored).
STATICFILES_DIRS = [BASE_DIR / "porch" / "static"]
# Development and the demo serve assets straight from the apps; production runs
# `porch collectstatic` once per release and serves the collected, fingerprinted files.
WHITENOISE_USE_FINDERS = DEVELOPMENT
WHITENOISE_AUTOREFRESH = DEVELOPMENT
if not DEVELOPMENT:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# Proxy access by age (common US practice; operator settings, docs/configuration.md).
PROXY_FULL_ACCESS_MAX_AGE = env_int("PROXY_FULL_ACCESS_MAX_AGE", 11, minimum=0)
ADULT_AGE = env_int("ADULT_AGE", 18, minimum=1)
# How long a break-the-glass opening of a chart lasts.
BREAK_GLASS_MINUTES = env_int("BREAK_GLASS_MINUTES", 60, minimum=1)
# Activation codes for enrolment.
ACTIVATION_CODE_DAYS = env_int("ACTIVATION_CODE_DAYS", 30, minimum=1)
# Require a second factor of every account, not only of staff.
MFA_REQUIRED_FOR_EVERYONE = env_bool("MFA_REQUIRED_FOR_EVERYONE", default=False)
# Sessions: idle timeout (with a warning before it) and absolute limit.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 15, minimum=1)
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12, minimum=1)

# Result release (docs/configuration.md): reports whose code or category matches one of
# these tokens ("code" or "system|code") wait for a clinician's release, or for
# RESULT_AUTO_RELEASE_DAYS after they were issued.
RESULT_RELEASE_HELD_CODES = env_list("RESULT_RELEASE_HELD_CODES", [])
RESULT_AUTO_RELEASE_DAYS = env_int("RESULT_AUTO_RELEASE_DAYS", 7, minimum=0)

# FHIR API limits.
FHIR_DEFAULT_PAGE_SIZE = env_int("FHIR_DEFAULT_PAGE_SIZE", 50, minimum=1)
FHIR_MAX_PAGE_SIZE = env_int("FHIR_MAX_PAGE_SIZE", 1000, minimum=1)
FHIR_MAX_REQUEST_BYTES = env_int("FHIR_MAX_REQUEST_BYTES", 50 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = FHIR_MAX_REQUEST_BYTES

# --- Sign-in: django-allauth (docs/security.md) ---
# Allauth's backend signs in by email; it extends ModelBackend, so permissions still work.
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
# People sign in with their email address. User keeps AbstractUser's username column (the
# admin and createsuperuser use it) but nobody sees or types it: allauth fills it with a
# unique value derived from the email at sign-up (porch.accounts.adapter).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Sign-in, sign-up and password reset answer the same whether or not an email is known.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Never "remember me": a session ends with the browser, the idle or the absolute limit.
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Porch: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEVELOPMENT else "https"
ACCOUNT_ADAPTER = "porch.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "porch.accounts.forms.SignupForm"}
ACCOUNT_USER_DISPLAY = "porch.accounts.adapter.user_display"
# Sensitive actions (MFA changes, proxy grants, record downloads) need a password or
# second factor entered within this many seconds.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("REAUTHENTICATION_SECONDS", 300, minimum=30)
# Throttling, per IP address ("ip"), per account or email ("key") and per user. Failed
# sign-ins: 5 per account per 15 minutes, 20 per address per 15 minutes.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "20/15m/ip,5/15m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
# Activation-code tries before a 15-minute lock-out, counted per address and per code.
ACTIVATION_CODE_MAX_TRIES = 5
ACTIVATION_CODE_LOCKOUT_MINUTES = 15

# --- Second factor: allauth.mfa ---
MFA_ADAPTER = "porch.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
# Browsers only allow WebAuthn on https or on localhost; allauth refuses http otherwise.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEVELOPMENT
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Porch") or "Porch"
# "Trust this browser" would skip the second factor; staff must always give it.
MFA_TRUST_ENABLED = False

# --- Email, text messages and notifications (porch.notifications; docs/configuration.md) ---
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Porch <no-reply@localhost>")
# How email leaves: "smtp" (Django's SMTP backend, production's default), "console"
# (printed; development's default) or "file" (one file per email in EMAIL_FILE_PATH).
EMAIL_DELIVERY = env_str("EMAIL_DELIVERY", "console" if DEVELOPMENT else "smtp") or "smtp"
_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
}
if EMAIL_DELIVERY not in _EMAIL_BACKENDS:
    raise ImproperlyConfigured(f"EMAIL_DELIVERY={EMAIL_DELIVERY!r} must be smtp, console or file")
EMAIL_BACKEND = _EMAIL_BACKENDS[EMAIL_DELIVERY]
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(DATA_DIR / "mail")) or str(DATA_DIR / "mail")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
# Text messages: "" (off) or "twilio".
SMS_PROVIDER = env_str("SMS_PROVIDER", "") or ""
if SMS_PROVIDER not in {"", "twilio"}:
    raise ImproperlyConfigured(f"SMS_PROVIDER={SMS_PROVIDER!r} must be empty or twilio")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "") or ""
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "") or ""
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER", "") or ""
TWILIO_API_BASE = env_str("TWILIO_API_BASE", "https://api.twilio.com") or ""
if SMS_PROVIDER == "twilio" and not (
    TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER
):
    raise ImproperlyConfigured(
        "SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER"
    )
SMS_TIMEOUT = env_int("SMS_TIMEOUT", 30, minimum=1)
# Deliveries: attempts before "failed", the first back-off (doubling each time), and the
# lease after which a delivery still "sending" is taken to have lost its worker. The
# lease must outlast a send, or a slow send would be sent again beside itself.
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 5, minimum=1)
NOTIFY_RETRY_SECONDS = env_int("NOTIFY_RETRY_SECONDS", 60, minimum=1)
NOTIFY_LEASE_SECONDS = env_int("NOTIFY_LEASE_SECONDS", 300, minimum=1)
if max(EMAIL_TIMEOUT, SMS_TIMEOUT) >= NOTIFY_LEASE_SECONDS:
    raise ImproperlyConfigured(
        "NOTIFY_LEASE_SECONDS must be longer than EMAIL_TIMEOUT and SMS_TIMEOUT"
    )

# --- Sessions ---
# The cookie lives no longer than the absolute limit; SessionLimitsMiddleware enforces
# both limits on the server.
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Headers: Content-Security-Policy (django-csp 4). No third-party origin, ever. ---
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEVELOPMENT:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # Only adds the "preload" token; submitting the domain to browsers is the operator's step.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO") or "INFO"},
}

# --- Secure messaging (porch/messaging; docs/configuration.md) ---
# Attachments (photos and PDFs): the largest file accepted, and where files are kept, under
# generated names, outside the web root.
MESSAGE_ATTACHMENT_MAX_BYTES = env_int("MESSAGE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
MESSAGE_ATTACHMENT_DIR = Path(
    env_str("MESSAGE_ATTACHMENT_DIR", str(DATA_DIR / "message-attachments"))
    or DATA_DIR / "message-attachments"
).resolve()
if STATIC_ROOT.resolve() in (MESSAGE_ATTACHMENT_DIR, *MESSAGE_ATTACHMENT_DIR.parents):
    raise ImproperlyConfigured("MESSAGE_ATTACHMENT_DIR must not be inside STATIC_ROOT")
# Messages one account may send a minute (counted by allauth's rate limiter).
MESSAGES_PER_MINUTE = env_int("MESSAGES_PER_MINUTE", 10, minimum=1)
ACCOUNT_RATE_LIMITS["send_message"] = f"{MESSAGES_PER_MINUTE}/m/user"

# --- Prescription refills (porch/medications; docs/configuration.md) ---
# The pool (messaging Pool slug) that gets a refill request when the prescriber has no
# Porch account or belongs to no pool.
REFILL_POOL = env_str("REFILL_POOL", "nurses") or ""

# --- Check-in before a visit (porch/checkin; docs/configuration.md) ---
# Patients may check in for a booked visit from this many days before its start until it
# starts.
CHECKIN_OPENS_DAYS_BEFORE = env_int("CHECKIN_OPENS_DAYS_BEFORE", 3, minimum=0)

# --- Appointments (porch/scheduling; docs/configuration.md) ---
# How many days ahead `porch extend_slots` (run daily) writes bookable slots.
SCHEDULING_SLOT_DAYS = env_int("SCHEDULING_SLOT_DAYS", 60, minimum=1)
# Reminders before a booked visit, in hours (0 turns one off): a day and two hours before.
APPOINTMENT_REMINDER_DAY_HOURS = env_int("APPOINTMENT_REMINDER_DAY_HOURS", 24, minimum=0)
APPOINTMENT_REMINDER_SOON_HOURS = env_int("APPOINTMENT_REMINDER_SOON_HOURS", 2, minimum=0)
# The pool (messaging Pool slug) that answers requests for visit types staff book; with
# no such pool, everyone at the front desk does.
APPOINTMENT_REQUEST_POOL = env_str("APPOINTMENT_REQUEST_POOL", "front-desk") or ""
# How long a waitlist offer of an earlier time waits for an answer before it passes to the
# next person (porch/waitlist; expired by `porch sweep_waitlist`).
WAITLIST_OFFER_MINUTES = env_int("WAITLIST_OFFER_MINUTES", 60, minimum=1)
# The only words a calendar entry (.ics file, calendar feed) says: "Appointment at <this>".
CLINIC_NAME = env_str("CLINIC_NAME", "Porch Clinic") or "Porch Clinic"
