"""The French catalogue is complete, compiled, and covers every translatable string."""

from __future__ import annotations

import ast
import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pilotage

PACKAGE = Path(pilotage.__file__).parent
LOCALE = PACKAGE / "locale"
LANGUAGES = ["fr"]


def _unquote(line: str) -> str:
    value = ast.literal_eval(line)
    assert isinstance(value, str)
    return value


def parse_po(path: Path) -> list[dict[str, object]]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list), flags."""
    entries: list[dict[str, object]] = []
    current: dict[str, object] = {}
    key: str | None = None

    def finish() -> None:
        if "msgid" in current:
            entries.append(dict(current))
        current.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            key = None
        elif line.startswith("#,"):
            current["flags"] = {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert key is not None, f"continuation without a keyword in {path}: {raw}"
            if key.startswith("msgstr["):
                strings = current["msgstr"]
                assert isinstance(strings, list)
                strings[-1] += _unquote(line)
            elif key == "msgstr":
                strings = current["msgstr"]
                assert isinstance(strings, list)
                strings[0] += _unquote(line)
            else:
                current[key] = str(current[key]) + _unquote(line)
        else:
            keyword, _, rest = line.partition(" ")
            key = keyword
            if keyword == "msgstr":
                current["msgstr"] = [_unquote(rest)]
            elif keyword.startswith("msgstr["):
                current.setdefault("msgstr", [])
                strings = current["msgstr"]
                assert isinstance(strings, list)
                strings.append(_unquote(rest))
            else:
                if keyword == "msgctxt" and "msgid" in current:
                    finish()
                current[keyword] = _unquote(rest)
    finish()
    return [entry for entry in entries if entry["msgid"]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(language: str) -> None:
    entries = parse_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert entries
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"])]  # type: ignore[arg-type]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", set())]  # type: ignore[operator]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_source(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in parse_po(folder / "django.po"):
        msgid = str(entry["msgid"])
        context = entry.get("msgctxt")
        strings = entry["msgstr"]
        assert isinstance(strings, list)
        plural = str(entry.get("msgid_plural", ""))
        if plural and context:
            got = compiled.npgettext(str(context), msgid, plural, 1)
        elif plural:
            got = compiled.ngettext(msgid, plural, 1)
        elif context:
            got = compiled.pgettext(str(context), msgid)
        else:
            got = compiled.gettext(msgid)
        if got != strings[0]:
            stale.append(msgid)
    assert stale == [], "run `make messages` to recompile"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_catalogue_covers_every_translatable_string(tmp_path: Path) -> None:
    copy = tmp_path / "pilotage"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    django_admin = Path(sys.executable).parent / "django-admin"
    subprocess.run(
        [str(django_admin), "makemessages", "-l", "fr", "--no-obsolete", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env=environment,
    )
    fresh = {
        str(e["msgid"]) for e in parse_po(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    }
    shipped = {str(e["msgid"]) for e in parse_po(LOCALE / "fr" / "LC_MESSAGES" / "django.po")}
    assert sorted(fresh - shipped) == [], "run `make messages` and translate the new strings"
