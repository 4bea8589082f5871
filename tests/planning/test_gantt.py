"""The Gantt chart's SVG: bars where their dates are, arrows between the right ends, safe text."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from lxml import etree

from pilotage.planning.gantt import GanttChart, GanttLink, GanttRow, render_gantt

SVG = "{http://www.w3.org/2000/svg}"
MONDAY = dt.datetime(2026, 3, 2)
TODAY = dt.date(2026, 3, 4)
SCALES = ["day", "week", "month", "quarter"]


def task(key: str, start: dt.datetime, days: float, **fields: object) -> GanttRow:
    values: dict[str, object] = {
        "key": key,
        "name": f"Task {key}",
        "level": 1,
        "kind": "task",
        "start": start,
        "finish": start + dt.timedelta(days=days),
        "cells": (key,),
    }
    values.update(fields)
    return GanttRow(**values)  # type: ignore[arg-type]


def draw(rows: list[GanttRow], links: tuple[GanttLink, ...] = (), **options: object) -> GanttChart:
    settings: dict[str, object] = {
        "scale": "day",
        "columns": ["ID"],
        "name_header": "Name",
        "today": TODAY,
    }
    settings.update(options)
    return render_gantt(rows, links, **settings)  # type: ignore[arg-type]


def parse(markup: str) -> etree._Element:
    return etree.fromstring(str(markup).encode())


def classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def item(body: etree._Element, key: str) -> etree._Element:
    (found,) = body.iterfind(f"{SVG}g[@data-key='{key}']")
    return found


def bar(body: etree._Element, key: str) -> etree._Element:
    group = item(body, key)
    (shape,) = (child for child in group if "gantt-bar" in classes(child))
    return shape


def numbers(path: str) -> list[float]:
    return [float(value) for value in re.findall(r"-?\d+(?:\.\d+)?", path)]


def path_points(path: str) -> list[tuple[float, float]]:
    """The corners of a path written with absolute M, H and V commands only."""
    assert re.fullmatch(r"(?:[MHV][-\d. ]+)+", path), path
    points: list[tuple[float, float]] = []
    x = y = 0.0
    for command, args in re.findall(r"([MHV])([-\d. ]+)", path):
        values = [float(value) for value in args.split()]
        if command == "M":
            x, y = values
        elif command == "H":
            x = values[0]
        else:
            y = values[0]
        points.append((x, y))
    return points


def grid_lines(body: etree._Element) -> list[float]:
    xs: list[float] = []
    for path in body.iterfind(f"{SVG}path"):
        if classes(path) & {"gantt-grid-minor", "gantt-grid-major"}:
            xs.extend(float(x) for x in re.findall(r"M(-?[\d.]+) 0V", path.get("d")))
    return xs


@pytest.mark.parametrize("scale", SCALES)
def test_bar_position_and_width_follow_the_dates(scale: str) -> None:
    first = task("1", MONDAY, 5)
    second = task("2", MONDAY + dt.timedelta(days=30, hours=12), 10)
    chart = draw([first, second], scale=scale)
    body = parse(chart.body)

    for row in (first, second):
        shape = bar(body, row.key)
        assert row.start is not None
        assert row.finish is not None
        assert float(shape.get("x")) == pytest.approx(chart.x_of(row.start), abs=0.06)
        days = (row.finish - row.start).total_seconds() / 86400
        assert float(shape.get("width")) == pytest.approx(days * chart.pixels_per_day, abs=0.1)
    gap = float(bar(body, "2").get("x")) - float(bar(body, "1").get("x"))
    assert gap == pytest.approx(30.5 * chart.pixels_per_day, abs=0.1)


@pytest.mark.parametrize(
    ("scale", "boundary"),
    [
        ("day", dt.datetime(2026, 3, 3)),
        ("week", dt.datetime(2026, 3, 9)),
        ("month", dt.datetime(2026, 4, 1)),
        ("quarter", dt.datetime(2026, 4, 1)),
    ],
)
def test_a_bar_starting_on_a_timescale_boundary_starts_on_its_grid_line(
    scale: str, boundary: dt.datetime
) -> None:
    chart = draw([task("1", MONDAY, 2), task("2", boundary, 3)], scale=scale)
    body = parse(chart.body)

    x = float(bar(body, "2").get("x"))
    assert any(abs(line - x) < 0.06 for line in grid_lines(body))


def test_the_scales_zoom_out_from_day_to_quarter() -> None:
    rows = [task("1", MONDAY, 200)]
    widths = [draw(rows, scale=scale).timeline_width for scale in SCALES]
    assert widths == sorted(widths, reverse=True)
    assert len(set(widths)) == 4


def test_a_milestone_is_a_diamond_at_its_date() -> None:
    when = dt.datetime(2026, 3, 5, 17)
    milestone = GanttRow("m", "Go live", 1, "milestone", when, when)
    chart = draw([task("1", MONDAY, 2), milestone])
    shape = bar(parse(chart.body), "m")

    assert shape.tag == f"{SVG}path"
    assert "gantt-milestone" in classes(shape)
    x, y, *steps = numbers(shape.get("d"))
    corners = [(x, y)]
    for dx, dy in zip(steps[0::2], steps[1::2], strict=True):
        corners.append((corners[-1][0] + dx, corners[-1][1] + dy))
    xs = [corner[0] for corner in corners]
    ys = [corner[1] for corner in corners]
    centre_x = (min(xs) + max(xs)) / 2
    assert centre_x == pytest.approx(chart.x_of(when), abs=0.06)
    assert max(xs) - min(xs) == pytest.approx(max(ys) - min(ys))
    assert chart.row_height < max(ys) < 2 * chart.row_height


@pytest.mark.parametrize(
    ("link_type", "leaves", "reaches"),
    [("FS", "right", "left"), ("SS", "left", "left"), ("FF", "right", "right")],
)
def test_an_arrow_joins_the_bar_ends_its_type_names(
    link_type: str, leaves: str, reaches: str
) -> None:
    rows = [task("a", MONDAY, 3), task("b", MONDAY + dt.timedelta(days=4), 2)]
    chart = draw(rows, (GanttLink("a", "b", link_type),))  # type: ignore[arg-type]
    body = parse(chart.body)
    (arrow,) = (path for path in body.iter(f"{SVG}path") if "gantt-link" in classes(path))
    points = path_points(arrow.get("d"))

    def end(key: str, side: str) -> float:
        shape = bar(body, key)
        x = float(shape.get("x"))
        return x + float(shape.get("width")) if side == "right" else x

    assert points[0][0] == pytest.approx(end("a", leaves), abs=0.06)
    assert points[-1][0] == pytest.approx(end("b", reaches), abs=0.06)
    assert 0 < points[0][1] < chart.row_height
    assert chart.row_height < points[-1][1] < 2 * chart.row_height
    # The arrow enters the successor horizontally, pointing towards it.
    last_leg = points[-1][0] - points[-2][0]
    assert points[-1][1] == points[-2][1]
    assert last_leg > 0 if reaches == "left" else last_leg < 0
    assert arrow.getparent().get("marker-end", "").startswith("url(#")


def test_an_fs_arrow_to_an_earlier_successor_goes_round_and_still_meets_its_start() -> None:
    rows = [task("a", MONDAY, 5), task("b", MONDAY + dt.timedelta(days=1), 2)]
    body = parse(draw(rows, (GanttLink("a", "b"),)).body)
    (arrow,) = (path for path in body.iter(f"{SVG}path") if "gantt-link" in classes(path))
    points = path_points(arrow.get("d"))

    first, second = bar(body, "a"), bar(body, "b")
    assert points[0][0] == pytest.approx(
        float(first.get("x")) + float(first.get("width")), abs=0.06
    )
    assert points[-1][0] == pytest.approx(float(second.get("x")), abs=0.06)
    assert points[-2][0] < points[-1][0]
    # Each leg is horizontal or vertical.
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        assert x0 == x1 or y0 == y1


def test_links_to_rows_not_shown_are_not_drawn() -> None:
    rows = [task("a", MONDAY, 3), task("b", MONDAY + dt.timedelta(days=4), 2)]
    links = (GanttLink("a", "b"), GanttLink("a", "hidden"), GanttLink("gone", "b"))
    body = parse(draw(rows, links).body)
    drawn = [path for path in body.iter(f"{SVG}path") if "gantt-link" in classes(path)]
    assert [(path.get("data-from"), path.get("data-to")) for path in drawn] == [("a", "b")]


def test_critical_bars_and_links_are_marked_only_when_asked() -> None:
    rows = [
        task("a", MONDAY, 3, critical=True),
        task("b", MONDAY + dt.timedelta(days=4), 2),
    ]
    links = (GanttLink("a", "b", critical=True),)
    shown = parse(draw(rows, links).body)
    assert "critical" in classes(bar(shown, "a"))
    assert "critical" not in classes(bar(shown, "b"))
    (arrow,) = (path for path in shown.iter(f"{SVG}path") if "gantt-link" in classes(path))
    assert "critical" in classes(arrow)

    hidden = parse(draw(rows, links, show_critical=False).body)
    assert "critical" not in classes(bar(hidden, "a"))


def test_bars_show_progress_and_summaries_and_projects_have_their_own_shapes() -> None:
    rows = [
        GanttRow("p", "Programme", 0, "project", MONDAY, MONDAY + dt.timedelta(days=20)),
        GanttRow("s", "Phase", 1, "summary", MONDAY, MONDAY + dt.timedelta(days=10)),
        task("t", MONDAY, 10, percent_complete=40),
    ]
    chart = draw(rows)
    body = parse(chart.body)
    assert "gantt-project" in classes(bar(body, "p"))
    summary = bar(body, "s")
    assert summary.tag == f"{SVG}path"
    assert "gantt-summary" in classes(summary)
    (progress,) = (child for child in item(body, "t") if "gantt-progress" in classes(child))
    total = float(bar(body, "t").get("width"))
    assert float(progress.get("width")) == pytest.approx(0.4 * total, abs=0.1)
    assert "40% complete" in item(body, "t").findtext(f"{SVG}title")


def test_a_collapsed_summary_has_an_expand_link_to_its_toggle_url() -> None:
    rows = [
        GanttRow(
            "s",
            "Phase",
            0,
            "summary",
            MONDAY,
            MONDAY + dt.timedelta(days=5),
            has_children=True,
            collapsed=True,
            toggle_url="/plan/?expand=s&scale=day",
        ),
        GanttRow(
            "o",
            "Open phase",
            0,
            "summary",
            MONDAY,
            MONDAY + dt.timedelta(days=5),
            has_children=True,
            toggle_url="/plan/?collapse=o",
        ),
    ]
    pane = parse(draw(rows).pane)
    toggles = {
        link.get("href"): link
        for link in pane.iter(f"{SVG}a")
        if "gantt-toggle-link" in classes(link)
    }

    collapsed = toggles["/plan/?expand=s&scale=day"]
    assert collapsed.get("aria-expanded") == "false"
    assert "▸" in "".join(collapsed.itertext())
    expanded = toggles["/plan/?collapse=o"]
    assert expanded.get("aria-expanded") == "true"
    assert "▾" in "".join(expanded.itertext())


def test_names_and_cells_are_escaped() -> None:
    name = "<script>alert(\"x\")</script> R&D 'pilot'"
    row = task(
        "1", MONDAY, 2, name=name, note="<b>late</b>", cells=("<i>7</i>",), url='/t/1?a=1&b="2"'
    )
    chart = draw([row], columns=["<ID>"], name_header="Name & title")

    assert "<script" not in chart.markup
    pane = parse(chart.pane)
    texts = ["".join(text.itertext()) for text in pane.iter(f"{SVG}text")]
    assert name in texts
    assert "<i>7</i>" in texts
    (link,) = (a for a in pane.iter(f"{SVG}a") if a.get("href", "").startswith("/t/"))
    assert link.get("href") == '/t/1?a=1&b="2"'
    corner = ["".join(text.itertext()) for text in parse(chart.corner).iter(f"{SVG}text")]
    assert "<ID>" in corner
    assert "Name & title" in corner
    tooltip = item(parse(chart.body), "1").findtext(f"{SVG}title")
    assert name in tooltip
    assert "<b>late</b>" in tooltip
    assert not list(parse(chart.markup).iter(f"{SVG}script", "script"))


def test_each_table_row_lines_up_with_its_bar() -> None:
    rows = [task(str(number), MONDAY + dt.timedelta(days=number), 1) for number in range(6)]
    chart = draw(rows)
    pane, body = parse(chart.pane), parse(chart.body)
    names = {"".join(t.itertext()): float(t.get("y")) for t in pane.iter(f"{SVG}text")}
    for number, row in enumerate(rows):
        band = (number * chart.row_height, (number + 1) * chart.row_height)
        assert band[0] < names[row.name] < band[1]
        shape = bar(body, row.key)
        y = float(shape.get("y"))
        assert band[0] <= y
        assert y + float(shape.get("height")) <= band[1]


def test_the_status_date_line_is_at_the_status_date() -> None:
    status = dt.datetime(2026, 3, 6, 17)
    chart = draw([task("1", MONDAY, 10)], status_date=status)

    (line,) = (el for el in parse(chart.body).iter(f"{SVG}line") if "gantt-status" in classes(el))
    assert float(line.get("x1")) == pytest.approx(chart.x_of(status), abs=0.06)
    assert float(line.get("x2")) == float(line.get("x1"))
    assert float(line.get("y2")) == chart.body_height
    (marker,) = (g for g in parse(chart.timescale).iter(f"{SVG}g") if "gantt-status" in classes(g))
    assert "Status date" in "".join(marker.itertext())
    assert float(marker.find(f"{SVG}line").get("x1")) == pytest.approx(chart.x_of(status), abs=0.06)


def test_the_today_line_is_drawn_within_the_chart_only() -> None:
    rows = [task("1", MONDAY, 10)]
    inside = parse(draw(rows, today=dt.date(2026, 3, 4)).body)
    (line,) = (el for el in inside.iter(f"{SVG}line") if "gantt-today" in classes(el))
    noon = dt.datetime(2026, 3, 4, 12)
    assert float(line.get("x1")) == pytest.approx(draw(rows).x_of(noon), abs=0.06)
    outside = parse(draw(rows, today=dt.date(2030, 1, 1)).body)
    assert not [el for el in outside.iter(f"{SVG}line") if "gantt-today" in classes(el)]


def test_baseline_bars_are_drawn_only_when_asked() -> None:
    row = task(
        "1",
        MONDAY + dt.timedelta(days=2),
        5,
        baseline_start=MONDAY,
        baseline_finish=MONDAY + dt.timedelta(days=4),
    )
    plain = parse(draw([row]).body)
    assert not [el for el in plain.iter() if "gantt-baseline" in classes(el)]

    chart = draw([row], show_baseline=True)
    body = parse(chart.body)
    (baseline,) = (el for el in body.iter() if "gantt-baseline" in classes(el))
    assert float(baseline.get("x")) == pytest.approx(chart.x_of(MONDAY), abs=0.06)
    assert float(baseline.get("width")) == pytest.approx(4 * chart.pixels_per_day, abs=0.1)
    shape = bar(body, "1")
    assert float(baseline.get("y")) >= float(shape.get("y")) + float(shape.get("height"))


def test_weekends_are_shaded_at_day_scale_only() -> None:
    rows = [task("1", MONDAY, 10)]
    chart = draw(rows, scale="day")
    (shade,) = (el for el in parse(chart.body).iter(f"{SVG}path") if "gantt-weekend" in classes(el))
    saturday = chart.x_of(dt.datetime(2026, 3, 7))
    assert f"M{saturday:.1f} 0H{saturday + 2 * chart.pixels_per_day:.1f}" in shade.get("d")
    week = parse(draw(rows, scale="week").body)
    assert not [el for el in week.iter(f"{SVG}path") if "gantt-weekend" in classes(el)]


def test_the_timescale_is_written_in_the_active_language() -> None:
    rows = [task("1", MONDAY, 60)]
    with translation.override("fr"):
        header = parse(draw(rows, scale="week").timescale)
    labels = ["".join(text.itertext()) for text in header.iter(f"{SVG}text")]
    assert "mars 2026" in labels
    with translation.override("en"):
        header = parse(draw(rows, scale="week").timescale)
    assert "March 2026" in ["".join(text.itertext()) for text in header.iter(f"{SVG}text")]


def test_the_pane_shows_the_cells_under_their_headers_with_the_name_after_the_id() -> None:
    row = task("1", MONDAY, 2, cells=("17", "2d"))
    chart = draw([row], columns=["ID", "Duration"])
    header = [
        (float(t.getparent().get("x", 0)) + float(t.get("x")), "".join(t.itertext()))
        for t in parse(chart.corner).iter(f"{SVG}text")
    ]
    assert [text for _x, text in sorted(header)] == ["ID", "Name", "Duration"]
    cells = [
        (float(t.getparent().get("x", 0)) + float(t.get("x")), "".join(t.itertext()))
        for t in parse(chart.pane).iter(f"{SVG}text")
    ]
    assert [text for _x, text in sorted(cells)] == ["17", "Task 1", "2d"]


def test_an_empty_chart_still_renders() -> None:
    chart = draw([])
    assert chart.timeline_width > 0
    parse(chart.markup)


def test_five_thousand_rows_render_with_a_bar_each() -> None:
    rows = [
        task(str(number), MONDAY + dt.timedelta(days=number % 300), 1 + number % 9)
        for number in range(5000)
    ]
    links = tuple(
        GanttLink(str(number), str(number + 1 + number % 3)) for number in range(0, 4990, 1)
    )
    chart = draw(rows, links, scale="week", show_baseline=True)
    body = parse(chart.body)
    bars = [el for el in body.iter() if "gantt-bar" in classes(el)]
    assert len(bars) == 5000
    assert len([el for el in body.iter(f"{SVG}path") if "gantt-link" in classes(el)]) == 4990
    assert chart.body_height == 5000 * chart.row_height


def test_the_include_lays_out_the_four_parts() -> None:
    chart = draw([task("1", MONDAY, 2)])
    page = render_to_string("planning/includes/gantt.html", {"chart": chart})
    for part in ("gantt-corner", "gantt-timescale", "gantt-pane", "gantt-body"):
        assert f'class="{part}"' in page
    assert str(chart.body) in page
