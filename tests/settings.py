"""Settings for the test suite: the real settings with a throwaway data directory."""

import os
import tempfile

os.environ.setdefault("PILOTAGE_DATA_DIR", tempfile.mkdtemp(prefix="pilotage-test-"))

from pilotage.config.settings import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LANGUAGE_CODE = "en"
