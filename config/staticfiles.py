"""Static files in production: hashed names after collectstatic, plain names (never a 500) before it."""

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger("config.staticfiles")


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Without collectstatic's manifest, Django's storage fails every page that names a static file.

    Until the manifest exists, names stay plain and whitenoise serves the files from the apps
    (settings turn its finders on), so pages work; `check --deploy` reports the missing step
    (catalog.W001), as does one log line per process.
    """

    _warned = False

    def stored_name(self, name):
        if not self.hashed_files:
            if not ManifestStaticFilesStorage._warned:
                ManifestStaticFilesStorage._warned = True
                logger.warning(
                    "no collectstatic manifest at %s: static files are served unhashed from the apps; "
                    "run `manage.py collectstatic`",
                    self.path(self.manifest_name),
                )
            return name
        return super().stored_name(name)
