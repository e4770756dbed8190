"""Settings for perfgoals, in one module, driven by environment variables.

Development defaults need nothing set: SQLite in ``db.sqlite3`` beside manage.py, DEBUG on and a
fixed development key. With ``DEBUG=0`` a real ``SECRET_KEY`` must be given, or the app refuses to
start. ``DATABASE_URL`` (``postgres://user@host:5432/name``) switches to PostgreSQL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# Whether this process was started as production (DEBUG=0). Unlike DEBUG, which the test runner turns
# off for every test, this stays what the environment said: setup_demo refuses to run when it is true.
PERFGOALS_PRODUCTION = not DEBUG

_DEVELOPMENT_SECRET_KEY = "perfgoals-development-only-key-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DEBUG 已关闭但未设置 SECRET_KEY 环境变量：生产环境必须提供一个随机的长密钥，"
            "例如 SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')。"
            " (SECRET_KEY must be set when DEBUG is off.)"
        )
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "csp",
    "axes",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "indicators",
    "projects",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "perfgoals.middleware.NoStoreForSignedInUsers",
    "perfgoals.debug_pages.ChineseErrorPagesUnderDebug",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Puts the signed-in user on field-history records of rows saved while serving a request.
    "simple_history.middleware.HistoryRequestMiddleware",
]

# Login throttling: must stay the last middleware, after authentication.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")

if not DEBUG:
    # Serves the collected static files with far-future caching: no separate static server needed.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "perfgoals.urls"

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
                "projects.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "perfgoals.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Each worker keeps its database connection for a minute instead of opening one per request:
        # on PostgreSQL that is a new server process per page otherwise (load test: 21 -> 27 requests/s,
        # p95 1.6 -> 1.0 s). The health check drops a connection the server closed in between.
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and os.environ.get("DB_JIT", "0") != "1":
    # PostgreSQL compiles a query to machine code once its estimated cost passes jit_above_cost: on a
    # region's pages at 100,000 tables that took 100-200 ms a query (the 主管部门 dashboard 87 -> 545 ms,
    # bench/bench_scaling.py), far more than the query itself. Short queries of a web page never gain
    # from it; DB_JIT=1 leaves the server's own setting.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
# The overview's covering indexes carry non-key columns (INCLUDE) for PostgreSQL's index-only scans
# (projects/models/tables.py); SQLite builds the same indexes on their key columns, all it needs, so its
# warning about the non-key columns is not printed on every `make run`.
SILENCED_SYSTEM_CHECKS = ["models.W040"] if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Refuses logins for an account under lockout before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# After 5 failed logins for the same account from the same address, that pair is locked for 30
# minutes; every attempt is kept for the audit (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The client's address comes from X-Forwarded-For only as far as trusted proxies wrote it
# (perfgoals/clientip.py): PERFGOALS_PROXY_COUNT proxies in front (1 behind the documented nginx),
# optionally only when the request came from PERFGOALS_TRUSTED_PROXIES (addresses or networks). The
# lockout is per account and address, so nobody can lock another person's account from elsewhere.
PERFGOALS_PROXY_COUNT = int(
    os.environ.get("PERFGOALS_PROXY_COUNT", os.environ.get("AXES_PROXY_COUNT", "1" if env_bool("BEHIND_TLS_PROXY", False) else "0"))
)
PERFGOALS_TRUSTED_PROXIES = env_list("PERFGOALS_TRUSTED_PROXIES", [])
AXES_CLIENT_IP_CALLABLE = "perfgoals.clientip.client_address"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# Chinese for what Django 5.2's admin and django-axes leave in English (perfgoals/locale/, compiled .mo kept in
# the repository; `manage.py compilemessages`, with gettext installed, rebuilds them).
LOCALE_PATHS = [BASE_DIR / "perfgoals" / "locale"]
# Notifications (returns, approvals, review comments, 催报, approaching deadlines) are always shown in the
# app; they are also mailed through Django's email backend to users who have an address when
# PERFGOALS_NOTIFY_BY_EMAIL=1, which is the default once a mail server is configured (EMAIL_HOST). A mailed
# link starts with PERFGOALS_SITE_URL (e.g. https://jx.example.gov.cn).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "预算绩效目标管理 <noreply@localhost>")
PERFGOALS_NOTIFY_BY_EMAIL = os.environ.get("PERFGOALS_NOTIFY_BY_EMAIL", "1" if os.environ.get("EMAIL_HOST") else "0") == "1"
PERFGOALS_SITE_URL = os.environ.get("PERFGOALS_SITE_URL", "")
# How many days before a deadline (报送截止日期) the units that have not submitted are reminded, once each
# (manage.py notify_deadlines, or its background task).
PERFGOALS_DEADLINE_NOTICE_DAYS = tuple(
    sorted({int(days) for days in os.environ.get("PERFGOALS_DEADLINE_NOTICE_DAYS", "7,1").split(",") if days.strip()})
)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "projects:home"
LOGOUT_REDIRECT_URL = "login"

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Django's form renderer with the plain widgets written in Python: a large editor grid renders in a
# fraction of the time, with the same HTML (perfgoals/form_renderer.py).
FORM_RENDERER = "perfgoals.form_renderer.FormRenderer"

# Where an uploaded workbook waits between its preview and the confirm; with several app servers, a
# directory they share. Created 0700 and each file 0600: uploads hold units' tables. Each user may
# have at most PERFGOALS_UPLOAD_QUOTA_FILES uploads (PERFGOALS_UPLOAD_QUOTA_BYTES in all) waiting.
PERFGOALS_IMPORT_DIR = Path(os.environ.get("PERFGOALS_IMPORT_DIR", BASE_DIR / "var" / "uploads"))
PERFGOALS_UPLOAD_QUOTA_FILES = int(os.environ.get("PERFGOALS_UPLOAD_QUOTA_FILES", "10"))
PERFGOALS_UPLOAD_QUOTA_BYTES = int(os.environ.get("PERFGOALS_UPLOAD_QUOTA_BYTES", str(50 * 1024 * 1024)))

# Background work (Django's tasks API through the django-tasks backport; the same API as django.tasks in
# Django 6). By default the database backend: tasks wait in this project's database and any number of
# ``manage.py db_worker`` processes, on any number of machines sharing that database, run them (``make
# run`` starts one). PERFGOALS_TASKS_BACKEND=rq runs them on Redis (PERFGOALS_REDIS_URL, default
# redis://127.0.0.1:6379/0) through django-tasks-rq and ``manage.py rqworker --job-class django_tasks_rq.Job``; see the
# README's deployment section.
PERFGOALS_TASKS_BACKEND = os.environ.get("PERFGOALS_TASKS_BACKEND", "database")
if PERFGOALS_TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": os.environ.get("PERFGOALS_REDIS_URL", "redis://127.0.0.1:6379/0")}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Where the results of background tasks (exports) are written, 0700 and each file 0600; with several
# machines, a directory the web servers and workers share. A result is deleted PERFGOALS_TASK_FILE_HOURS
# after its task finished. A task whose worker has not reported for PERFGOALS_TASK_STALE_SECONDS (killed,
# machine lost) is shown as failed, and its partial file is never shown.
PERFGOALS_TASK_DIR = Path(os.environ.get("PERFGOALS_TASK_DIR", BASE_DIR / "var" / "tasks"))
PERFGOALS_TASK_FILE_HOURS = int(os.environ.get("PERFGOALS_TASK_FILE_HOURS", "24"))
PERFGOALS_TASK_STALE_SECONDS = int(os.environ.get("PERFGOALS_TASK_STALE_SECONDS", "300"))
# A list export of at most this many tables is built inside the request, as before; a larger one runs
# as a background task with a progress page (about 7 s per 1,000 tables).
PERFGOALS_EXPORT_IMMEDIATE_MAX = int(os.environ.get("PERFGOALS_EXPORT_IMMEDIATE_MAX", "100"))
# A batch import (several .xlsx files or a .zip of them, checked and imported in the background) takes
# at most this many files and bytes (unpacked); each file stays under PERFGOALS_MAX_UPLOAD_BYTES.
PERFGOALS_BATCH_IMPORT_FILES = int(os.environ.get("PERFGOALS_BATCH_IMPORT_FILES", "100"))
PERFGOALS_BATCH_IMPORT_BYTES = int(os.environ.get("PERFGOALS_BATCH_IMPORT_BYTES", str(100 * 1024 * 1024)))

# Largest uploaded workbook accepted, in bytes.
PERFGOALS_MAX_UPLOAD_BYTES = int(os.environ.get("PERFGOALS_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))

# What one uploaded workbook may make the server do, checked before any sheet's grid is built; past a
# limit the file is refused with a message naming the sheet. Sized above real workbooks: a province's
# 1,000 tables hold about 144,000 cells in the 平罗 layout (11,000 in its largest sheet) and 270,000 in
# one sheet as the flat list (bench/probe_uploads.py bench1000).
PERFGOALS_MAX_EXPANDED_BYTES = int(os.environ.get("PERFGOALS_MAX_EXPANDED_BYTES", str(200 * 1024 * 1024)))
PERFGOALS_EXCEL_MAX_MERGES = int(os.environ.get("PERFGOALS_EXCEL_MAX_MERGES", "5000"))  # merged ranges per sheet
PERFGOALS_EXCEL_MAX_MERGED_CELLS = int(os.environ.get("PERFGOALS_EXCEL_MAX_MERGED_CELLS", "100000"))  # covered, per sheet
PERFGOALS_EXCEL_MAX_CELLS_PER_SHEET = int(os.environ.get("PERFGOALS_EXCEL_MAX_CELLS_PER_SHEET", "400000"))
PERFGOALS_EXCEL_MAX_CELLS_PER_FILE = int(os.environ.get("PERFGOALS_EXCEL_MAX_CELLS_PER_FILE", "600000"))

# The most 三级 indicator rows one table may hold (the editor refuses more with a message). An editor page
# posts eleven fields per row plus the header, goals and spending plan, so the request limit follows
# from it: a table at the limit always saves instead of failing on Django's field-count guard.
PERFGOALS_MAX_INDICATOR_ROWS = int(os.environ.get("PERFGOALS_MAX_INDICATOR_ROWS", "1000"))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 12 * (PERFGOALS_MAX_INDICATOR_ROWS + 100) + 1000

# Security. Production sits behind the finance bureau's own web server, which terminates TLS and
# sets X-Forwarded-Proto (BEHIND_TLS_PROXY=1). Each setting can be overridden from the environment.
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "perfgoals.csrf.csrf_failure"  # a Chinese page; the editor keeps the typed content
CSRF_COOKIE_HTTPONLY = True  # pages read the token from the form, never from the cookie
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Errors, with their tracebacks, go to stderr (gunicorn's and systemd's journal) and, with DEBUG off, to
# PERFGOALS_LOG_FILE as well (default var/log/perfgoals.log beside manage.py), so a failure in
# production leaves a trace even where nobody watches the console.
PERFGOALS_LOG_FILE = Path(os.environ.get("PERFGOALS_LOG_FILE", BASE_DIR / "var" / "log" / "perfgoals.log"))
_LOG_HANDLERS = ["stderr"]
if not DEBUG:
    PERFGOALS_LOG_FILE.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _LOG_HANDLERS.append("file")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain", "level": "WARNING"},
        "file": {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": str(PERFGOALS_LOG_FILE),
            "formatter": "plain",
            "level": "WARNING",
            "delay": True,
        },
    },
    "root": {"handlers": _LOG_HANDLERS, "level": "WARNING"},
    # Django's own loggers hand their records to the root's handlers (its default sends them to the
    # console only with DEBUG on).
    "loggers": {"django": {"handlers": [], "level": "WARNING", "propagate": True}},
}

# Content-Security-Policy: scripts only from our own static files, never inline; nothing from elsewhere.
# Inline style attributes stay allowed (layout widths in templates); they cannot run code.
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF, "'unsafe-inline'"],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    }
}
