"""Gantt charts drawn on the server as SVG: a timescale, a task table and bars, from plain rows.

The chart comes in four SVG parts (the table header, the timescale, the table and the bars) so
that a page can keep the timescale in view when scrolling down and the table in view when
scrolling right (``templates/planning/includes/gantt.html``); :attr:`GanttChart.markup` joins
them into one drawing for printing or export. The parts are styled by class names
(``static/pilotage/planning.css``).

Thousands of rows are drawn by building strings in lists: positions are plain arithmetic on the
rows' dates and every text is escaped with :func:`html.escape`. No template is rendered per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import escape
from math import ceil
from typing import Literal

from django.utils.formats import date_format, get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localdate
from django.utils.translation import gettext

__all__ = [
    "PIXELS_PER_DAY",
    "ROW_HEIGHT",
    "GanttChart",
    "GanttLink",
    "GanttRow",
    "LinkType",
    "RowKind",
    "Scale",
    "render_gantt",
]

Scale = Literal["day", "week", "month", "quarter"]
RowKind = Literal["task", "summary", "milestone", "project"]
LinkType = Literal["FS", "SS", "FF", "SF"]

#: Horizontal zoom of each timescale.
PIXELS_PER_DAY: dict[str, float] = {"day": 24.0, "week": 6.0, "month": 2.0, "quarter": 0.75}
ROW_HEIGHT = 24
TIER_HEIGHT = 22
HEADER_HEIGHT = 2 * TIER_HEIGHT

SVG_NS = "http://www.w3.org/2000/svg"
# Estimated advance of one character of the 12px table font: wide enough for most names.
CHAR_WIDTH = 6.8
LABEL_CHAR_WIDTH = 6.4
INDENT = 16
CELL_PADDING = 6
MIN_COLUMN = 36
MAX_COLUMN = 220
MIN_NAME_COLUMN = 140
MAX_NAME_COLUMN = 380
LABEL_REPEAT = 480
LINK_STUB = 8
MILESTONE_HALF = 7
# Seconds from midnight at which the today line is drawn: the middle of the day's column.
TODAY_OFFSET = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class GanttRow:
    """One line of the chart: a task, a summary task, a milestone or a whole project.

    ``cells`` are the texts of the table's columns other than the name (ID, duration, dates ...);
    ``toggle_url`` collapses or expands a summary; ``url`` links the name. Datetimes are naive
    wall-clock times.
    """

    key: str
    name: str
    level: int
    kind: RowKind
    start: datetime | None
    finish: datetime | None
    percent_complete: float = 0
    critical: bool = False
    baseline_start: datetime | None = None
    baseline_finish: datetime | None = None
    has_children: bool = False
    collapsed: bool = False
    toggle_url: str | None = None
    url: str | None = None
    cells: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class GanttLink:
    """A dependency between two rows, by key; links to rows not shown are not drawn."""

    predecessor: str
    successor: str
    type: LinkType = "FS"
    critical: bool = False


@dataclass(frozen=True, slots=True)
class GanttChart:
    """A drawn chart: four SVG parts and the geometry a page needs to lay them out.

    ``corner`` holds the table's column headers, ``timescale`` the two-tier time header,
    ``pane`` the table rows and ``body`` the bars and links. ``pane_width`` is the width of
    ``corner`` and ``pane``, ``timeline_width`` that of ``timescale`` and ``body``.
    """

    corner: SafeString
    timescale: SafeString
    pane: SafeString
    body: SafeString
    pane_width: int
    timeline_width: int
    header_height: int
    body_height: int
    origin: datetime
    pixels_per_day: float
    row_height: int = ROW_HEIGHT

    @property
    def width(self) -> int:
        return self.pane_width + self.timeline_width

    @property
    def height(self) -> int:
        return self.header_height + self.body_height

    def x_of(self, moment: datetime) -> float:
        """Horizontal position of ``moment`` in ``timescale`` and ``body``."""
        return (moment - self.origin).total_seconds() * self.pixels_per_day / 86400

    @property
    def markup(self) -> SafeString:
        """The whole chart as one SVG element, for printing or export."""
        width, height = self.width, self.height
        return mark_safe(  # noqa: S308 - the parts are built from escaped text only
            f'<svg xmlns="{SVG_NS}" class="gantt-chart" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">'
            f"{self.corner}"
            f'<g transform="translate({self.pane_width},0)">{self.timescale}</g>'
            f'<g transform="translate(0,{self.header_height})">{self.pane}</g>'
            f'<g transform="translate({self.pane_width},{self.header_height})">{self.body}</g>'
            "</svg>"
        )


# Dates ----------------------------------------------------------------------------------------


def _week_start(day: date, first_weekday: int) -> date:
    # Django counts FIRST_DAY_OF_WEEK from Sunday (0), Python's weekday() from Monday (0).
    return day - timedelta(days=(day.weekday() + 1 - first_weekday) % 7)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _year_start(day: date) -> date:
    return date(day.year, 1, 1)


def _unit_floor(unit: str, day: date, first_weekday: int) -> date:
    if unit == "day":
        return day
    if unit == "week":
        return _week_start(day, first_weekday)
    if unit == "month":
        return _month_start(day)
    if unit == "quarter":
        return _quarter_start(day)
    return _year_start(day)


def _unit_next(unit: str, day: date) -> date:
    if unit == "day":
        return day + timedelta(days=1)
    if unit == "week":
        return day + timedelta(days=7)
    if unit == "month":
        return _add_months(day, 1)
    if unit == "quarter":
        return _add_months(day, 3)
    return date(day.year + 1, 1, 1)


def _unit_ceil(unit: str, day: date, first_weekday: int) -> date:
    floor = _unit_floor(unit, day, first_weekday)
    return floor if floor == day else _unit_next(unit, floor)


# Width of the tier cell the chart is snapped to, and the margin kept around the plan.
_SNAP_UNIT = {"day": "week", "week": "week", "month": "month", "quarter": "quarter"}
_MARGIN_DAYS = {"day": 1, "week": 3, "month": 10, "quarter": 20}
# The (upper, lower) tiers of the timescale header.
_TIERS = {
    "day": ("month", "day"),
    "week": ("month", "week"),
    "month": ("year", "month"),
    "quarter": ("year", "quarter"),
}


_NUMERIC_CODES: dict[str, Callable[[datetime], str]] = {
    "d": lambda m: f"{m.day:02d}",
    "j": lambda m: str(m.day),
    "m": lambda m: f"{m.month:02d}",
    "n": lambda m: str(m.month),
    "Y": lambda m: f"{m.year:04d}",
    "y": lambda m: f"{m.year % 100:02d}",
    "H": lambda m: f"{m.hour:02d}",
    "G": lambda m: str(m.hour),
    "i": lambda m: f"{m.minute:02d}",
    "s": lambda m: f"{m.second:02d}",
}


def _moment_formatter(format_name: str) -> Callable[[datetime], str]:
    """Format like ``date_format(moment, format_name)``, fast when the format is all digits.

    Tooltips need thousands of dates; the locale's short formats are numeric (``Y-m-d H:i``,
    ``d/m/Y H:i``) and are assembled directly, anything with words goes through Django.
    """
    pattern = str(get_format(format_name))
    parts: list[str | Callable[[datetime], str]] = []
    escaped = False
    for char in pattern:
        if escaped:
            parts.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in _NUMERIC_CODES:
            parts.append(_NUMERIC_CODES[char])
        elif char.isalpha():
            return lambda moment: date_format(moment, format_name)
        else:
            parts.append(char)
    cache: dict[datetime, str] = {}

    def format_moment(moment: datetime) -> str:
        text = cache.get(moment)
        if text is None:
            text = "".join(part if isinstance(part, str) else part(moment) for part in parts)
            cache[moment] = text
        return text

    return format_moment


def _tier_label(unit: str, start: date, width: float) -> str:
    if unit == "day":
        return str(start.day)
    if unit == "week":
        return str(start.day)
    if unit == "quarter":
        return gettext("Q%(quarter)d") % {"quarter": (start.month - 1) // 3 + 1}
    if unit == "year":
        return str(start.year)
    if unit == "month" and width >= 96:
        return date_format(start, "YEAR_MONTH_FORMAT")
    return date_format(start, "N")


# Geometry -------------------------------------------------------------------------------------


def _num(value: float) -> str:
    return f"{value:.1f}"


def _plan_span(
    rows: Sequence[GanttRow], show_baseline: bool, status_date: datetime | None
) -> tuple[datetime, datetime] | None:
    moments: list[datetime] = []
    for row in rows:
        if row.start is not None:
            moments.append(row.start)
        if row.finish is not None:
            moments.append(row.finish)
        if show_baseline:
            if row.baseline_start is not None:
                moments.append(row.baseline_start)
            if row.baseline_finish is not None:
                moments.append(row.baseline_finish)
    if status_date is not None:
        moments.append(status_date)
    if not moments:
        return None
    return min(moments), max(moments)


def _row_extent(row: GanttRow) -> tuple[datetime, datetime] | None:
    start = row.start if row.start is not None else row.finish
    finish = row.finish if row.finish is not None else row.start
    if start is None or finish is None:
        return None
    if row.kind == "milestone":
        moment = row.finish if row.finish is not None else start
        return moment, moment
    return start, max(start, finish)


@dataclass(frozen=True, slots=True)
class _Column:
    header: str
    width: int
    index: int  # index into cells, -1 for the name


def _layout_columns(
    rows: Sequence[GanttRow], columns: Sequence[str], name_header: str, name_position: int
) -> list[_Column]:
    # Headers are set in capitals with letter spacing: about 8.5px a character.
    longest = [len(header) * 8.5 / CHAR_WIDTH for header in columns]
    name_width = len(name_header) * 8.5 + 2 * CELL_PADDING
    for row in rows:
        for index, text in enumerate(row.cells[: len(columns)]):
            if len(text) > longest[index]:
                longest[index] = len(text)
        width = row.level * INDENT + 14 + len(row.name) * CHAR_WIDTH + 2 * CELL_PADDING + 1
        if width > name_width:
            name_width = width
    cell_columns = [
        _Column(
            header,
            ceil(min(MAX_COLUMN, max(MIN_COLUMN, chars * CHAR_WIDTH + 2 * CELL_PADDING + 1))),
            index,
        )
        for index, (header, chars) in enumerate(zip(columns, longest, strict=True))
    ]
    name_column = _Column(
        name_header, ceil(min(MAX_NAME_COLUMN, max(MIN_NAME_COLUMN, name_width))), -1
    )
    position = max(0, min(name_position, len(cell_columns)))
    return [*cell_columns[:position], name_column, *cell_columns[position:]]


def _fit(text: str, width: float) -> tuple[str, bool]:
    chars = max(1, int(width / CHAR_WIDTH))
    if len(text) <= chars:
        return text, False
    return text[: max(1, chars - 1)].rstrip() + "…", True


def _route(
    x_from: float,
    y_from: float,
    leave_right: bool,
    x_to: float,
    y_to: float,
    arrive_from_left: bool,
    y_between: float,
) -> str:
    """An orthogonal path from one bar end to another, entering the target horizontally.

    The path leaves the predecessor outwards (rightwards from its finish, leftwards from its
    start) and reaches the successor travelling towards it. When one vertical leg cannot do
    both, the path turns along ``y_between``, a row boundary where no bar is drawn.
    """
    out = LINK_STUB if leave_right else -LINK_STUB
    exit_x = x_from + out
    entry_x = x_to - LINK_STUB if arrive_from_left else x_to + LINK_STUB
    lower, upper = float("-inf"), float("inf")
    if leave_right:
        lower = exit_x
    else:
        upper = exit_x
    if arrive_from_left:
        upper = min(upper, entry_x)
    else:
        lower = max(lower, entry_x)
    start = f"M{_num(x_from)} {_num(y_from)}"
    end = f"V{_num(y_to)}H{_num(x_to)}"
    if lower <= upper:
        vertical = min(max(exit_x, lower), upper)
        return f"{start}H{_num(vertical)}{end}"
    return f"{start}H{_num(exit_x)}V{_num(y_between)}H{_num(entry_x)}{end}"


# Drawing --------------------------------------------------------------------------------------


def render_gantt(
    rows: Sequence[GanttRow],
    links: Iterable[GanttLink],
    *,
    scale: Scale,
    columns: Sequence[str],
    name_header: str,
    status_date: datetime | None = None,
    show_baseline: bool = False,
    show_critical: bool = True,
    today: date | None = None,
    name_position: int = 1,
    id_prefix: str = "gantt",
) -> GanttChart:
    """Draw ``rows`` (in display order) and the ``links`` between them at ``scale``.

    ``columns`` are the (translated) headers of the rows' ``cells``; the name column, headed
    ``name_header``, is placed after the first ``name_position`` cells (after the ID by
    default). ``today`` defaults to the current local date. ``id_prefix`` keeps the ids of two
    charts on one page apart.
    """
    if scale not in PIXELS_PER_DAY:
        raise ValueError(f"Unknown Gantt scale {scale!r}.")
    if today is None:
        today = localdate()
    first_weekday = int(get_format("FIRST_DAY_OF_WEEK"))
    pixels_per_day = PIXELS_PER_DAY[scale]
    per_second = pixels_per_day / 86400

    span = _plan_span(rows, show_baseline, status_date)
    if span is None:
        midnight = datetime.combine(today, time())
        span = (midnight, midnight)
    snap = _SNAP_UNIT[scale]
    margin = timedelta(days=_MARGIN_DAYS[scale])
    first_day = (span[0] - margin).date()
    last = span[1] + margin
    last_day = last.date() + timedelta(days=1 if last.time() != time() else 0)
    origin_day = _unit_floor(snap, first_day, first_weekday)
    end_day = _unit_ceil(snap, last_day, first_weekday)
    origin = datetime.combine(origin_day, time())
    timeline_width = round((end_day - origin_day).days * pixels_per_day)
    body_height = max(1, len(rows)) * ROW_HEIGHT

    def day_x(day: date) -> float:
        return (day - origin_day).days * pixels_per_day

    top_unit, bottom_unit = _TIERS[scale]
    tiers: list[list[tuple[date, float, float]]] = []
    for unit in (top_unit, bottom_unit):
        cells: list[tuple[date, float, float]] = []
        cursor = _unit_floor(unit, origin_day, first_weekday)
        while cursor < end_day:
            following = _unit_next(unit, cursor)
            x0 = day_x(max(cursor, origin_day))
            x1 = day_x(min(following, end_day))
            cells.append((cursor, x0, x1))
            cursor = following
        tiers.append(cells)

    weekends: list[tuple[float, float]] = []
    if scale == "day":
        day = origin_day
        while day < end_day:
            if day.weekday() >= 5:
                run_start = day
                while day < end_day and day.weekday() >= 5:
                    day += timedelta(days=1)
                weekends.append((day_x(run_start), day_x(day)))
            else:
                day += timedelta(days=1)

    markers: list[tuple[str, float, str, str]] = []
    if status_date is not None:
        markers.append(
            (
                "gantt-status",
                (status_date - origin).total_seconds() * per_second,
                gettext("Status date"),
                date_format(status_date, "SHORT_DATETIME_FORMAT"),
            )
        )
    today_x = (datetime.combine(today, time()) + TODAY_OFFSET - origin).total_seconds()
    today_x *= per_second
    if 0 <= today_x <= timeline_width:
        markers.append(
            ("gantt-today", today_x, gettext("Today"), date_format(today, "SHORT_DATE_FORMAT"))
        )

    timescale = _draw_timescale(tiers, (top_unit, bottom_unit), weekends, markers, timeline_width)
    table_columns = _layout_columns(rows, columns, name_header, name_position)
    pane_width = sum(column.width for column in table_columns)
    corner = _draw_corner(table_columns, pane_width)
    pane = _draw_pane(rows, table_columns, pane_width, body_height, id_prefix)
    body = _draw_body(
        rows,
        links,
        tiers=tiers,
        weekends=weekends,
        markers=markers,
        origin=origin,
        per_second=per_second,
        width=timeline_width,
        height=body_height,
        show_baseline=show_baseline,
        show_critical=show_critical,
        id_prefix=id_prefix,
    )
    return GanttChart(
        corner=corner,
        timescale=timescale,
        pane=pane,
        body=body,
        pane_width=pane_width,
        timeline_width=timeline_width,
        header_height=HEADER_HEIGHT,
        body_height=body_height,
        origin=origin,
        pixels_per_day=pixels_per_day,
    )


def _svg_open(css_class: str, width: int, height: int, label: str = "") -> str:
    aria = f' role="img" aria-label="{escape(label)}"' if label else ""
    return (
        f'<svg xmlns="{SVG_NS}" class="{css_class}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"{aria}>'
    )


def _draw_timescale(
    tiers: list[list[tuple[date, float, float]]],
    units: tuple[str, str],
    weekends: list[tuple[float, float]],
    markers: list[tuple[str, float, str, str]],
    width: int,
) -> SafeString:
    out = [_svg_open("gantt-timescale-svg", width, HEADER_HEIGHT, gettext("Timescale"))]
    out.append(f'<rect class="gantt-head-bg" width="{width}" height="{HEADER_HEIGHT}"/>')
    if weekends:
        shade = "".join(
            f"M{_num(x0)} {TIER_HEIGHT}H{_num(x1)}V{HEADER_HEIGHT}H{_num(x0)}Z"
            for x0, x1 in weekends
        )
        out.append(f'<path class="gantt-weekend" d="{shade}"/>')
    lines = [f"M0 {TIER_HEIGHT}H{width}M0 {HEADER_HEIGHT - 0.5}H{width}"]
    for level, (cells, unit) in enumerate(zip(tiers, units, strict=True)):
        top = level * TIER_HEIGHT
        for start, x0, x1 in cells:
            if x0 > 0:
                lines.append(f"M{_num(x0)} {top}V{HEADER_HEIGHT}")
            label = _tier_label(unit, start, x1 - x0)
            if len(label) * LABEL_CHAR_WIDTH + 4 > x1 - x0:
                continue
            if level == 0:
                # A wide cell (a month at day scale) repeats its label to keep it in view.
                label_width = len(label) * LABEL_CHAR_WIDTH + 10
                x = x0 + 5
                while x == x0 + 5 or x + label_width < x1:
                    out.append(
                        f'<text class="gantt-tier gantt-tier-top" x="{_num(x)}" y="{top + 15}">'
                        f"{escape(label)}</text>"
                    )
                    x += max(LABEL_REPEAT, 2 * label_width)
            else:
                out.append(
                    f'<text class="gantt-tier" x="{_num((x0 + x1) / 2)}" y="{top + 15}" '
                    f'text-anchor="middle">{escape(label)}</text>'
                )
    out.append(f'<path class="gantt-tier-lines" d="{"".join(lines)}"/>')
    for level, (css_class, x, label, when) in enumerate(markers):
        top = level * TIER_HEIGHT
        text = escape(label)
        box = len(label) * LABEL_CHAR_WIDTH + 8
        out.append(
            f'<g class="{css_class}"><title>{text}: {escape(when)}</title>'
            f'<line x1="{_num(x)}" y1="{top}" x2="{_num(x)}" y2="{HEADER_HEIGHT}"/>'
            f'<rect class="gantt-marker-label" x="{_num(x + 2)}" y="{top + 3}" '
            f'width="{_num(box)}" height="{TIER_HEIGHT - 6}" rx="3"/>'
            f'<text x="{_num(x + 6)}" y="{top + 15}">{text}</text></g>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - built from escaped text


def _draw_corner(table_columns: list[_Column], width: int) -> SafeString:
    out = [_svg_open("gantt-corner-svg", width, HEADER_HEIGHT)]
    out.append(f'<rect class="gantt-head-bg" width="{width}" height="{HEADER_HEIGHT}"/>')
    lines = [f"M0 {HEADER_HEIGHT - 0.5}H{width}"]
    x = 0
    for column in table_columns:
        header, _truncated = _fit(column.header, (column.width - 2 * CELL_PADDING) * 0.8)
        out.append(
            f'<text class="gantt-head" x="{x + CELL_PADDING}" y="{HEADER_HEIGHT - 9}">'
            f"{escape(header)}</text>"
        )
        x += column.width
        lines.append(f"M{x - 0.5} 0V{HEADER_HEIGHT}")
    out.append(f'<path class="gantt-tier-lines" d="{"".join(lines)}"/>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - built from escaped text


def _band_pattern(pattern_id: str) -> str:
    return (
        f'<defs><pattern id="{pattern_id}" width="8" height="{2 * ROW_HEIGHT}" '
        f'patternUnits="userSpaceOnUse"><rect class="gantt-band" y="{ROW_HEIGHT}" width="8" '
        f'height="{ROW_HEIGHT}"/></pattern></defs>'
    )


def _draw_pane(
    rows: Sequence[GanttRow],
    table_columns: list[_Column],
    width: int,
    height: int,
    id_prefix: str,
) -> SafeString:
    band_id = f"{escape(id_prefix)}-band-pane"
    out = [_svg_open("gantt-pane-svg", width, height)]
    out.append(_band_pattern(band_id))
    out.append(f'<rect class="gantt-bg" width="{width}" height="{height}"/>')
    out.append(f'<rect width="{width}" height="{height}" fill="url(#{band_id})"/>')
    collapse, expand = escape(gettext("Collapse")), escape(gettext("Expand"))
    x = 0
    lines: list[str] = []
    for column in table_columns:
        out.append(f'<svg x="{x}" width="{column.width}" height="{height}">')
        text_width = column.width - 2 * CELL_PADDING
        if column.index >= 0:
            index = column.index
            for number, row in enumerate(rows):
                if index < len(row.cells) and row.cells[index]:
                    text, truncated = _fit(row.cells[index], text_width)
                    tip = f"<title>{escape(row.cells[index])}</title>" if truncated else ""
                    out.append(
                        f'<text class="gantt-cell" x="{CELL_PADDING}" '
                        f'y="{number * ROW_HEIGHT + 16}">{tip}{escape(text)}</text>'
                    )
        else:
            for number, row in enumerate(rows):
                y = number * ROW_HEIGHT + 16
                indent = CELL_PADDING + row.level * INDENT
                if row.has_children:
                    glyph = "▸" if row.collapsed else "▾"
                    toggle = f'<text class="gantt-toggle" x="{indent}" y="{y}">{glyph}</text>'
                    if row.toggle_url:
                        toggle = (
                            f'<rect class="gantt-hit" x="{indent - 3}" y="{y - 13}" '
                            f'width="16" height="18"/>{toggle}'
                        )
                        label, state = (expand, "false") if row.collapsed else (collapse, "true")
                        toggle = (
                            f'<a class="gantt-toggle-link" href="{escape(row.toggle_url)}" '
                            f'aria-label="{label}" aria-expanded="{state}">{toggle}</a>'
                        )
                    out.append(toggle)
                name_x = indent + 14
                text, truncated = _fit(row.name, column.width - name_x - CELL_PADDING)
                tip = f"<title>{escape(row.name)}</title>" if truncated else ""
                css = "gantt-name" if row.kind in ("task", "milestone") else "gantt-name strong"
                name = f'<text class="{css}" x="{name_x}" y="{y}">{tip}{escape(text)}</text>'
                if row.url:
                    name = f'<a href="{escape(row.url)}">{name}</a>'
                out.append(name)
        out.append("</svg>")
        x += column.width
        lines.append(f"M{x - 0.5} 0V{height}")
    out.append(f'<path class="gantt-col-lines" d="{"".join(lines)}"/>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - built from escaped text


def _draw_body(
    rows: Sequence[GanttRow],
    links: Iterable[GanttLink],
    *,
    tiers: list[list[tuple[date, float, float]]],
    weekends: list[tuple[float, float]],
    markers: list[tuple[str, float, str, str]],
    origin: datetime,
    per_second: float,
    width: int,
    height: int,
    show_baseline: bool,
    show_critical: bool,
    id_prefix: str,
) -> SafeString:
    prefix = escape(id_prefix)
    band_id, arrow_id, critical_arrow_id = f"{prefix}-band", f"{prefix}-arrow", f"{prefix}-arrow-c"
    out = [_svg_open("gantt-body-svg", width, height, gettext("Gantt chart"))]
    out.append(_band_pattern(band_id))
    out.append(
        "<defs>"
        f'<marker id="{arrow_id}" class="gantt-arrow" viewBox="0 0 8 8" refX="8" refY="4" '
        'markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
        '<path d="M0 0L8 4L0 8Z"/></marker>'
        f'<marker id="{critical_arrow_id}" class="gantt-arrow critical" viewBox="0 0 8 8" '
        'refX="8" refY="4" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" '
        'orient="auto"><path d="M0 0L8 4L0 8Z"/></marker></defs>'
    )
    out.append(f'<rect class="gantt-bg" width="{width}" height="{height}"/>')
    out.append(f'<rect width="{width}" height="{height}" fill="url(#{band_id})"/>')
    if weekends:
        shade = "".join(f"M{_num(x0)} 0H{_num(x1)}V{height}H{_num(x0)}Z" for x0, x1 in weekends)
        out.append(f'<path class="gantt-weekend" d="{shade}"/>')
    minor = "".join(f"M{_num(x0)} 0V{height}" for _start, x0, _x1 in tiers[1] if x0 > 0)
    major = "".join(f"M{_num(x0)} 0V{height}" for _start, x0, _x1 in tiers[0] if x0 > 0)
    out.append(f'<path class="gantt-grid-minor" d="{minor}"/>')
    out.append(f'<path class="gantt-grid-major" d="{major}"/>')
    for css_class, x, label, when in markers:
        out.append(
            f'<line class="{css_class}" x1="{_num(x)}" y1="0" x2="{_num(x)}" y2="{height}">'
            f"<title>{escape(label)}: {escape(when)}</title></line>"
        )

    moment_text = _moment_formatter("SHORT_DATETIME_FORMAT")
    complete = gettext("%(percent)s%% complete")
    baseline_label = gettext("Baseline")
    # Vertical layout inside a row: the bar leaves room for the baseline under it when shown.
    if show_baseline:
        bar_top, bar_height, mid = 4, 11, 9.5
    else:
        bar_top, bar_height, mid = 6, 12, 12.0
    ends: dict[str, tuple[float, float, float, int]] = {}
    for number, row in enumerate(rows):
        extent = _row_extent(row)
        if extent is None:
            continue
        top = number * ROW_HEIGHT
        x0 = (extent[0] - origin).total_seconds() * per_second
        x1 = (extent[1] - origin).total_seconds() * per_second
        critical = " critical" if show_critical and row.critical else ""
        percent = min(100.0, max(0.0, float(row.percent_complete)))
        tip = [escape(row.name)]
        if row.kind == "milestone":
            tip.append(moment_text(extent[0]))
        else:
            tip.append(f"{moment_text(extent[0])} – {moment_text(extent[1])}")
            tip.append(escape(complete % {"percent": f"{percent:.0f}"}))
        baseline = ""
        b_start = row.baseline_start or row.baseline_finish
        b_finish = row.baseline_finish or row.baseline_start
        if show_baseline and b_start is not None and b_finish is not None:
            bx0 = (b_start - origin).total_seconds() * per_second
            bx1 = (b_finish - origin).total_seconds() * per_second
            if row.kind == "milestone":
                bx = bx1
                baseline = (
                    f'<path class="gantt-baseline" d="M{_num(bx)} {top + 16}l4 4l-4 4l-4 -4Z"/>'
                )
                tip.append(f"{escape(baseline_label)}: {moment_text(b_finish)}")
            else:
                baseline = (
                    f'<rect class="gantt-baseline" x="{_num(bx0)}" y="{top + 17}" '
                    f'width="{_num(max(1.0, bx1 - bx0))}" height="4"/>'
                )
                tip.append(
                    f"{escape(baseline_label)}: {moment_text(b_start)} – {moment_text(b_finish)}"
                )
        if row.note:
            tip.append(escape(row.note))
        title = "<title>" + "\n".join(tip) + "</title>"
        y_mid = top + mid
        if row.kind == "milestone":
            half = MILESTONE_HALF if not show_baseline else MILESTONE_HALF - 1
            shape = (
                f'<path class="gantt-bar gantt-milestone{critical}" '
                f'd="M{_num(x0)} {_num(y_mid - half)}l{half} {half}l{-half} {half}'
                f'l{-half} {-half}Z"/>'
            )
            left, right = x0 - half, x0 + half
        elif row.kind == "summary":
            width_ = max(x1 - x0, 2.0)
            y0 = top + bar_top
            shape = (
                f'<path class="gantt-bar gantt-summary{critical}" d="M{_num(x0)} {y0}'
                f'h{_num(width_)}v{bar_height - 1}l-5 -5H{_num(x0 + 5)}l-5 5Z"/>'
            )
            left, right = x0, x0 + width_
            y_mid = y0 + 2.5
        else:
            thick = row.kind == "project"
            y0 = top + (bar_top - 2 if thick else bar_top)
            bar_h = bar_height + (4 if thick else 0)
            kind_class = "gantt-project" if thick else "gantt-task"
            width_ = max(x1 - x0, 1.0)
            shape = (
                f'<rect class="gantt-bar {kind_class}{critical}" x="{_num(x0)}" y="{y0}" '
                f'width="{_num(width_)}" height="{bar_h}"/>'
            )
            if percent > 0:
                shape += (
                    f'<rect class="gantt-progress" x="{_num(x0)}" y="{y0}" '
                    f'width="{_num(width_ * percent / 100)}" height="{bar_h}"/>'
                )
            left, right = x0, x0 + width_
        ends[row.key] = (left, right, y_mid, number)
        out.append(
            f'<g class="gantt-item" data-key="{escape(row.key)}">{title}{baseline}{shape}</g>'
        )

    plain: list[str] = []
    highlighted: list[str] = []
    for link in links:
        source = ends.get(link.predecessor)
        target = ends.get(link.successor)
        if source is None or target is None or link.predecessor == link.successor:
            continue
        from_finish = link.type in ("FS", "FF")
        to_start = link.type in ("FS", "SS")
        target_top = target[3] * ROW_HEIGHT
        between = target_top if target[3] > source[3] else target_top + ROW_HEIGHT
        d = _route(
            source[1] if from_finish else source[0],
            source[2],
            from_finish,
            target[0] if to_start else target[1],
            target[2],
            to_start,
            between,
        )
        data = (
            f'data-from="{escape(link.predecessor)}" data-to="{escape(link.successor)}" '
            f'data-type="{escape(link.type)}"'
        )
        if show_critical and link.critical:
            highlighted.append(f'<path class="gantt-link critical" {data} d="{d}"/>')
        else:
            plain.append(f'<path class="gantt-link" {data} d="{d}"/>')
    if plain:
        out.append(f'<g class="gantt-links" marker-end="url(#{arrow_id})">{"".join(plain)}</g>')
    if highlighted:
        out.append(
            f'<g class="gantt-links critical" marker-end="url(#{critical_arrow_id})">'
            f"{''.join(highlighted)}</g>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - built from escaped text
