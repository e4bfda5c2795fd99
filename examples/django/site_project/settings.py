"""Settings of the forkd Django example (Django 3.2, SQLite).

The database lives outside the checkout, so a read-only tree works: in
$FORKD_EXAMPLE_DB if set (a directory, created if missing), else in the
system's temporary directory.  news.bootstrap creates and seeds it on the
first import (see site_project/wsgi.py).
"""
import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "forkd-example-not-a-secret-3b1f0c9e5d2a")
DEBUG = False
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "news",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "site_project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        # With DEBUG off Django 3.2 wraps these loaders in the cached one.
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "news.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "site_project.wsgi.application"

DB_DIR = os.environ.get("FORKD_EXAMPLE_DB") or tempfile.gettempdir()
# The schema version is in the name: a changed schema gets a fresh file.
DB_NAME = "forkd-example-django-u%d-v1.sqlite3" % os.getuid()
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(DB_DIR, DB_NAME),
        "OPTIONS": {"timeout": 20},
        # Persistent connections, as production sites use: each worker
        # keeps its own (wsgi.py closes the zygote's before the fork).
        "CONN_MAX_AGE": 300,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Signed-cookie sessions: no session writes to SQLite on every request
# from N workers.  Messages then ride in a cookie too.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_L10N = True
USE_TZ = True

STATIC_URL = "/static/"

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Errors go to stderr (forkd's log) even with DEBUG off.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR",
                           "propagate": False},
        "news": {"handlers": ["console"], "level": "INFO",
                 "propagate": False},
    },
}
