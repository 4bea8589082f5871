"""Serve single asset files shipped inside installed Python packages (Plotly, htmx).

Nothing third-party is copied into the repository: the files are found in the installed
packages and exposed under ``vendor/``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# Public name under STATIC_URL -> (package, path inside the package).
PACKAGE_ASSETS: dict[str, tuple[str, str]] = {
    "vendor/plotly.min.js": ("plotly", "package_data/plotly.min.js"),
    "vendor/htmx-2.min.js": ("django_htmx", "static/django_htmx/htmx-2.min.js"),
}


def _package_path(package: str, relative: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    return path if path.is_file() else None


class PackageAssetFinder(BaseFinder):
    """A staticfiles finder for the files listed in :data:`PACKAGE_ASSETS`."""

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        entry = PACKAGE_ASSETS.get(path)
        located = _package_path(*entry) if entry else None
        if located is None:
            return []
        return [str(located)] if find_all else str(located)

    def list(self, ignore_patterns: Any) -> Any:
        for public, (package, relative) in PACKAGE_ASSETS.items():
            located = _package_path(package, relative)
            if located is None:
                continue
            storage = FileSystemStorage(location=str(located.parent))
            # collectstatic copies ``path`` from ``storage`` to ``storage.prefix/path``.
            storage.prefix = str(Path(public).parent)  # type: ignore[attr-defined]
            yield located.name, storage
