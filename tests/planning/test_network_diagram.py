"""The network (PERT) diagram's SVG: columns follow the links, every link is drawn, boxes read."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template.loader import render_to_string
from lxml import etree

from pilotage.planning.network_diagram import (
    NetworkDiagram,
    NetworkLabels,
    NetworkLink,
    NetworkNode,
    render_network,
)

SVG = "{http://www.w3.org/2000/svg}"
MONDAY = dt.datetime(2026, 3, 2, 8)


def node(key: str, number: int = 1, **fields: object) -> NetworkNode:
    values: dict[str, object] = {
        "key": key,
        "number": number,
        "name": f"Task {key}",
        "start": MONDAY,
        "finish": MONDAY + dt.timedelta(days=2),
        "duration_text": "3 d",
        "total_float_text": "0 d",
        "critical": False,
        "milestone": False,
    }
    values.update(fields)
    return NetworkNode(**values)  # type: ignore[arg-type]


def parse(diagram: NetworkDiagram) -> etree._Element:
    return etree.fromstring(str(diagram.markup).encode())


def classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def boxes(root: etree._Element) -> dict[str, etree._Element]:
    return {g.get("data-key"): g for g in root.iter(f"{SVG}g") if "pert-node" in classes(g)}


def corner(group: etree._Element) -> tuple[float, float]:
    match = re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\)", group.get("transform"))
    assert match is not None
    return float(match[1]), float(match[2])


def box_size(group: etree._Element) -> tuple[float, float]:
    shape = next(el for el in group if "pert-box" in classes(el))
    if shape.tag == f"{SVG}rect":
        return float(shape.get("width")), float(shape.get("height"))
    values = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", shape.get("d"))]
    return max(values[0::2]), max(values[1::2])


def link_paths(root: etree._Element) -> list[etree._Element]:
    return [p for p in root.iter(f"{SVG}path") if "pert-link" in classes(p)]


def endpoints(path: etree._Element) -> tuple[tuple[float, float], tuple[float, float]]:
    x = y = 0.0
    points: list[tuple[float, float]] = []
    for command, args in re.findall(r"([MHV])([-\d. ]+)", path.get("d")):
        values = [float(value) for value in args.split()]
        if command == "M":
            x, y = values
        elif command == "H":
            x = values[0]
        else:
            y = values[0]
        points.append((x, y))
    return points[0], points[-1]


def test_a_chain_runs_left_to_right_in_increasing_columns() -> None:
    nodes = [node("C", 3), node("A", 1), node("B", 2)]
    links = [NetworkLink("A", "B"), NetworkLink("B", "C")]
    found = boxes(parse(render_network(nodes, links)))
    xs = {key: corner(group)[0] for key, group in found.items()}
    assert xs["A"] < xs["B"] < xs["C"]
    # A chain is drawn as a straight line.
    assert len({corner(group)[1] for group in found.values()}) == 1


def test_parallel_tasks_share_a_column_one_above_the_other() -> None:
    nodes = [node("A"), node("B1"), node("B2"), node("C")]
    links = [
        NetworkLink("A", "B1"),
        NetworkLink("A", "B2"),
        NetworkLink("B1", "C"),
        NetworkLink("B2", "C"),
    ]
    found = boxes(parse(render_network(nodes, links)))
    (x1, y1), (x2, y2) = corner(found["B1"]), corner(found["B2"])
    assert x1 == x2
    assert abs(y1 - y2) >= box_size(found["B1"])[1]
    assert corner(found["A"])[0] < x1 < corner(found["C"])[0]


def test_a_task_comes_after_the_longest_chain_leading_to_it() -> None:
    nodes = [node(key) for key in "ABCD"]
    links = [NetworkLink("A", "B"), NetworkLink("B", "C"), NetworkLink("A", "D")]
    links.append(NetworkLink("C", "D"))
    found = boxes(parse(render_network(nodes, links)))
    assert corner(found["D"])[0] > corner(found["C"])[0]


def test_every_link_has_a_path_from_the_predecessor_to_the_successor() -> None:
    nodes = [node(key) for key in "ABCDE"]
    links = [
        NetworkLink("A", "B"),
        NetworkLink("A", "C", "SS", "+2 d"),
        NetworkLink("B", "D"),
        NetworkLink("C", "D", "FF"),
        NetworkLink("A", "E"),
        NetworkLink("D", "E"),
        NetworkLink("A", "missing"),
    ]
    root = parse(render_network(nodes, links))
    found = boxes(root)
    paths = link_paths(root)
    assert sorted((p.get("data-from"), p.get("data-to")) for p in paths) == sorted(
        (link.predecessor, link.successor) for link in links[:-1]
    )
    for path in paths:
        (x0, y0), (x1, y1) = endpoints(path)
        source, target = found[path.get("data-from")], found[path.get("data-to")]
        (sx, sy), (width, height) = corner(source), box_size(source)
        (tx, ty) = corner(target)
        assert x0 == pytest.approx(sx + width)
        assert sy < y0 < sy + height
        assert x1 == pytest.approx(tx)
        assert ty < y1 < ty + height
        assert path.getparent().get("marker-end", "").startswith("url(#")


def test_a_link_skipping_columns_does_not_cross_the_boxes_in_between() -> None:
    nodes = [node(key) for key in "ABCD"]
    links = [NetworkLink("A", "B"), NetworkLink("B", "C"), NetworkLink("A", "C")]
    links.append(NetworkLink("D", "B"))
    root = parse(render_network(nodes, links))
    found = boxes(root)
    (skip,) = (p for p in link_paths(root) if (p.get("data-from"), p.get("data-to")) == ("A", "C"))
    bx, by = corner(found["B"])
    width, height = box_size(found["B"])
    x = y = 0.0
    for command, value in re.findall(r"([MHV])([-\d. ]+)", skip.get("d")):
        numbers = [float(v) for v in value.split()]
        if command == "M":
            x, y = numbers
        elif command == "H":
            low, high = sorted((x, numbers[0]))
            assert not (by <= y <= by + height and low < bx + width and high > bx)
            x = numbers[0]
        else:
            low, high = sorted((y, numbers[0]))
            assert not (bx <= x <= bx + width and low < by + height and high > by)
            y = numbers[0]


def test_link_type_and_lag_are_labelled_unless_plain_finish_to_start() -> None:
    nodes = [node(key) for key in "ABCD"]
    links = [
        NetworkLink("A", "B"),
        NetworkLink("A", "C", "SS", "+2 d"),
        NetworkLink("A", "D", "FS", "1 d"),
    ]
    root = parse(render_network(nodes, links))
    labels = sorted(
        "".join(t.itertext()) for t in root.iter(f"{SVG}text") if "pert-link-label" in classes(t)
    )
    assert labels == ["FS 1 d", "SS +2 d"]


def test_critical_boxes_and_links_are_marked() -> None:
    nodes = [node("A", critical=True), node("B", critical=True), node("C")]
    links = [NetworkLink("A", "B", critical=True), NetworkLink("A", "C")]
    root = parse(render_network(nodes, links))
    found = boxes(root)
    assert "critical" in classes(found["A"])
    assert "critical" not in classes(found["C"])
    critical = {p.get("data-to") for p in link_paths(root) if "critical" in classes(p)}
    assert critical == {"B"}


def test_a_box_shows_the_fields_with_their_labels_and_a_milestone_looks_different() -> None:
    labels = NetworkLabels(
        start="Début", finish="Fin", number="N°", duration="Durée", total_float="Marge"
    )
    nodes = [
        node("T", 12, duration_text="5 j", total_float_text="2 j"),
        node("M", 13, milestone=True, start=MONDAY, finish=MONDAY),
    ]
    found = boxes(parse(render_network(nodes, [NetworkLink("T", "M")], labels=labels)))
    fields = ["".join(t.itertext()) for t in found["T"].iter(f"{SVG}text")]
    assert "Task T" in fields
    assert "N° 12" in fields
    assert "Durée 5 j" in fields
    assert "Marge 2 j" in fields
    assert any(text.startswith("Début 2026-03-02") for text in fields)
    assert "milestone" in classes(found["M"])
    assert next(el for el in found["M"] if "pert-box" in classes(el)).tag == f"{SVG}path"
    assert next(el for el in found["T"] if "pert-box" in classes(el)).tag == f"{SVG}rect"


def test_names_are_escaped() -> None:
    name = '<script>alert("x")</script> & co'
    diagram = render_network([node("A", name=name, url="/t/?a=1&b=2")], [])
    assert "<script" not in diagram.markup
    found = boxes(parse(diagram))
    assert found["A"].findtext(f"{SVG}title").startswith(name)
    (link,) = found["A"].iter(f"{SVG}a")
    assert link.get("href") == "/t/?a=1&b=2"


def test_without_links_every_task_stands_in_the_first_column() -> None:
    nodes = [node(str(number)) for number in range(5)]
    diagram = render_network(nodes, [])
    found = boxes(parse(diagram))
    assert len(found) == 5
    assert {corner(group)[0] for group in found.values()} == {corner(found["0"])[0]}
    assert diagram.width > 0
    assert diagram.height > 0
    assert render_network([], []).markup


def test_a_cycle_is_drawn_in_input_order_instead_of_looping() -> None:
    nodes = [node("A"), node("B"), node("C")]
    links = [NetworkLink("A", "B"), NetworkLink("B", "C"), NetworkLink("C", "B")]
    root = parse(render_network(nodes, links))
    assert set(boxes(root)) == {"A", "B", "C"}
    assert len(link_paths(root)) == 3


def test_a_few_hundred_tasks_are_laid_out_without_overlap() -> None:
    nodes = [node(str(number), number) for number in range(300)]
    links = [
        NetworkLink(str(number - step), str(number))
        for number in range(1, 300)
        for step in (1, 3, 7)
        if number - step >= 0 and (number + step) % 2 == 0
    ]
    root = parse(render_network(nodes, links))
    found = boxes(root)
    assert len(found) == 300
    assert len({corner(group) for group in found.values()}) == 300
    assert len(link_paths(root)) == len(links)


def test_the_include_wraps_the_diagram_in_a_scrollable_box() -> None:
    diagram = render_network([node("A")], [])
    page = render_to_string("planning/includes/network.html", {"diagram": diagram})
    assert 'class="network"' in page
    assert str(diagram.markup) in page
