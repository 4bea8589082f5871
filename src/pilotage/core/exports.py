"""Download responses for list pages: every list exports what it shows as a formatted workbook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext

from pilotage.interop.xlsx import Sheet, write_xlsx


def local_time(value: dt.datetime | None) -> dt.datetime | None:
    """A stored instant on the wall clock of the user's time zone, as the pages show it (the
    workbook keeps the wall-clock time)."""
    if value is None or timezone.is_naive(value):
        return value
    return timezone.localtime(value)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(file_stem: str, sheets: Sequence[Sheet], *, title: str = "") -> HttpResponse:
    """A workbook download named ``<file_stem>-<today>.xlsx``."""
    content = write_xlsx(sheets, title=title, yes_label=gettext("Yes"), no_label=gettext("No"))
    response = HttpResponse(content, content_type=XLSX_TYPE)
    name = f"{file_stem}-{timezone.localdate():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
