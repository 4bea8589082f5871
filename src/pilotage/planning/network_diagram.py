"""Network (PERT) diagrams drawn on the server as SVG: one box per task, arrows for the links.

Boxes are laid out left to right in layers: a task's column is the length of the longest chain
of links leading to it, so every arrow points rightwards. Inside a column the order is improved
by barycentre sweeps (each box moves towards the average position of its neighbours), which
removes most crossings, and each box is then placed level with its predecessors where there is
room, so that chains read as straight lines. Arrows are orthogonal; an arrow that skips columns
runs along the free channel between two rows of boxes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

__all__ = [
    "NetworkDiagram",
    "NetworkLabels",
    "NetworkLink",
    "NetworkNode",
    "render_network",
]

SVG_NS = "http://www.w3.org/2000/svg"
BOX_WIDTH = 210
BOX_HEIGHT = 86
GAP_X = 76
GAP_Y = 30
MARGIN = 24
NAME_CHAR_WIDTH = 7.2
SWEEPS = 5
RIGHT_COLUMN = 124


@dataclass(frozen=True, slots=True)
class NetworkNode:
    """One box of the diagram: a task or milestone with its scheduled dates and float."""

    key: str
    number: int | None
    name: str
    start: datetime | None
    finish: datetime | None
    duration_text: str
    total_float_text: str
    critical: bool
    milestone: bool
    summary: bool = False
    url: str | None = None


@dataclass(frozen=True, slots=True)
class NetworkLink:
    """An arrow between two boxes, by key; ``lag_text`` is the lag as the user reads it."""

    predecessor: str
    successor: str
    type: str = "FS"
    lag_text: str = ""
    critical: bool = False


@dataclass(frozen=True, slots=True)
class NetworkLabels:
    """The field names written in the boxes."""

    start: str
    finish: str
    number: str
    duration: str
    total_float: str

    @classmethod
    def translated(cls) -> NetworkLabels:
        """The labels in the active language."""
        return cls(
            start=gettext("Start"),
            finish=gettext("Finish"),
            number=gettext("ID"),
            duration=pgettext("abbreviation of duration", "Dur."),
            total_float=gettext("Total float"),
        )


@dataclass(frozen=True, slots=True)
class NetworkDiagram:
    """A drawn diagram: one SVG element and its size in pixels."""

    markup: SafeString
    width: int
    height: int


def _layers(count: int, predecessors: list[list[int]], successors: list[list[int]]) -> list[int]:
    """Longest-path depth of each node; nodes on a cycle fall back to input order."""
    waiting = [len(preds) for preds in predecessors]
    depth = [0] * count
    placed = [False] * count
    queue = deque(node for node in range(count) if waiting[node] == 0)
    while queue:
        node = queue.popleft()
        placed[node] = True
        for successor in successors[node]:
            depth[successor] = max(depth[successor], depth[node] + 1)
            waiting[successor] -= 1
            if waiting[successor] == 0:
                queue.append(successor)
    for node in range(count):
        if not placed[node]:
            depth[node] = max(
                (depth[pred] + 1 for pred in predecessors[node] if placed[pred]), default=0
            )
            placed[node] = True
    return depth


def _order_columns(
    columns: list[list[int]], predecessors: list[list[int]], successors: list[list[int]]
) -> None:
    position = [0.0] * len(predecessors)
    for column in columns:
        for index, node in enumerate(column):
            position[node] = float(index)
    for sweep in range(SWEEPS):
        downwards = sweep % 2 == 0
        indices = range(1, len(columns)) if downwards else range(len(columns) - 2, -1, -1)
        neighbours = predecessors if downwards else successors
        for index in indices:
            column = columns[index]

            def barycentre(node: int, neighbours: list[list[int]] = neighbours) -> float:
                around = neighbours[node]
                if not around:
                    return position[node]
                return sum(position[other] for other in around) / len(around)

            column.sort(key=barycentre)
            for rank, node in enumerate(column):
                position[node] = float(rank)


def _slots(columns: list[list[int]], predecessors: list[list[int]], depth: list[int]) -> list[int]:
    slot = [0] * len(predecessors)
    for index, column in enumerate(columns):
        last = -1
        for node in column:
            above = sorted(slot[pred] for pred in predecessors[node] if depth[pred] < index)
            wanted = above[(len(above) - 1) // 2] if above else last + 1
            slot[node] = max(wanted, last + 1)
            last = slot[node]
    return slot


def _fit(text: str, width: float, char_width: float) -> str:
    chars = max(1, int(width / char_width))
    return text if len(text) <= chars else text[: max(1, chars - 1)].rstrip() + "…"


def render_network(
    nodes: Sequence[NetworkNode],
    links: Iterable[NetworkLink],
    *,
    labels: NetworkLabels | None = None,
    id_prefix: str = "network",
) -> NetworkDiagram:
    """Lay out and draw ``nodes`` and the ``links`` between them.

    Links whose ends are not among ``nodes`` are left out. The caller should have rejected
    cycles; if one remains, its boxes are placed in input order rather than looping.
    """
    if labels is None:
        labels = NetworkLabels.translated()
    index: dict[str, int] = {}
    for number, item in enumerate(nodes):
        index.setdefault(item.key, number)
    count = len(nodes)
    predecessors: list[list[int]] = [[] for _ in range(count)]
    successors: list[list[int]] = [[] for _ in range(count)]
    drawn: list[tuple[NetworkLink, int, int]] = []
    seen: set[tuple[int, int]] = set()
    for link in links:
        source, target = index.get(link.predecessor), index.get(link.successor)
        if source is None or target is None or source == target:
            continue
        drawn.append((link, source, target))
        if (source, target) not in seen:
            seen.add((source, target))
            predecessors[target].append(source)
            successors[source].append(target)

    depth = _layers(count, predecessors, successors)
    column_count = max(depth, default=-1) + 1
    columns: list[list[int]] = [[] for _ in range(column_count)]
    for node in range(count):
        columns[depth[node]].append(node)
    _order_columns(columns, predecessors, successors)
    slot = _slots(columns, predecessors, depth)
    slot_count = max(slot, default=-1) + 1

    pitch_x, pitch_y = BOX_WIDTH + GAP_X, BOX_HEIGHT + GAP_Y
    width = 2 * MARGIN + max(0, column_count * pitch_x - GAP_X)
    height = 2 * MARGIN + max(0, slot_count * pitch_y - GAP_Y)
    left = [MARGIN + depth[node] * pitch_x for node in range(count)]
    top = [MARGIN + slot[node] * pitch_y for node in range(count)]
    occupied = {(depth[node], slot[node]) for node in range(count)}

    prefix = escape(id_prefix)
    arrow_id, critical_arrow_id = f"{prefix}-arrow", f"{prefix}-arrow-c"
    out = [
        f'<svg xmlns="{SVG_NS}" class="network-svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(gettext("Network diagram"))}">',
        "<defs>"
        f'<marker id="{arrow_id}" class="pert-arrow" viewBox="0 0 8 8" refX="8" refY="4" '
        'markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
        '<path d="M0 0L8 4L0 8Z"/></marker>'
        f'<marker id="{critical_arrow_id}" class="pert-arrow critical" viewBox="0 0 8 8" '
        'refX="8" refY="4" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" '
        'orient="auto"><path d="M0 0L8 4L0 8Z"/></marker></defs>',
    ]
    out.extend(_draw_links(drawn, depth, slot, left, top, occupied, arrow_id, critical_arrow_id))
    out.extend(
        _draw_node(item, left[number], top[number], labels)
        for number, item in enumerate(nodes)
        if index[item.key] == number
    )
    out.append("</svg>")
    return NetworkDiagram(
        markup=mark_safe("".join(out)),  # noqa: S308 - built from escaped text
        width=width,
        height=height,
    )


def _draw_links(
    drawn: list[tuple[NetworkLink, int, int]],
    depth: list[int],
    slot: list[int],
    left: list[int],
    top: list[int],
    occupied: set[tuple[int, int]],
    arrow_id: str,
    critical_arrow_id: str,
) -> list[str]:
    # Vertical legs run in the gap before a column. Each target gets its own lane there, so
    # arrows converging on one box merge and arrows to different boxes stay apart.
    lanes: dict[int, list[tuple[float, tuple[str, int]]]] = {}
    routes: list[tuple[NetworkLink, int, int, bool]] = []
    for number, (link, source, target) in enumerate(drawn):
        adjacent = depth[target] == depth[source] + 1
        straight = (
            slot[source] == slot[target]
            and depth[target] > depth[source]
            and all(
                (column, slot[source]) not in occupied
                for column in range(depth[source] + 1, depth[target])
            )
        )
        routes.append((link, source, target, straight))
        if straight:
            continue
        lanes.setdefault(depth[target], []).append((float(slot[target]), ("t", target)))
        if not adjacent:
            lanes.setdefault(depth[source] + 1, []).append((float(slot[source]), ("e", number)))
    lane_x: dict[tuple[str, int], float] = {}
    for gap_column, users in lanes.items():
        keys = list(dict.fromkeys(key for _y, key in sorted(users)))
        gap_left = MARGIN + gap_column * (BOX_WIDTH + GAP_X) - GAP_X
        step = (GAP_X - 16) / max(1, len(keys) - 1) if len(keys) > 1 else 0
        for rank, key in enumerate(keys):
            lane_x[key] = gap_left + (GAP_X / 2 if len(keys) == 1 else 8 + rank * step)

    plain: list[str] = []
    highlighted: list[str] = []
    for number, (link, source, target, straight) in enumerate(routes):
        x_from, y_from = left[source] + BOX_WIDTH, top[source] + BOX_HEIGHT / 2
        x_to, y_to = left[target], top[target] + BOX_HEIGHT / 2
        if straight:
            d = f"M{x_from} {y_from:g}H{x_to}"
        elif depth[target] == depth[source] + 1:
            lane = lane_x[("t", target)]
            d = f"M{x_from} {y_from:g}H{lane:.1f}V{y_to:g}H{x_to}"
        else:
            exit_lane = lane_x[("e", number)]
            entry_lane = lane_x[("t", target)]
            if y_from <= y_to:
                channel = top[target] - GAP_Y / 2
            else:
                channel = top[target] + BOX_HEIGHT + GAP_Y / 2
            if depth[target] <= depth[source]:
                channel = top[source] + BOX_HEIGHT + GAP_Y / 2 + (slot[source] % 2) * 4
            channel = max(channel, MARGIN - GAP_Y / 2)
            d = f"M{x_from} {y_from:g}H{exit_lane:.1f}V{channel:g}H{entry_lane:.1f}V{y_to:g}H{x_to}"
        data = (
            f'data-from="{escape(link.predecessor)}" data-to="{escape(link.successor)}" '
            f'data-type="{escape(link.type)}"'
        )
        target_list = highlighted if link.critical else plain
        target_list.append(
            f'<path class="pert-link{" critical" if link.critical else ""}" {data} d="{d}"/>'
        )
        tag = f"{link.type} {link.lag_text}" if link.lag_text else link.type
        if tag != "FS":
            target_list.append(
                f'<text class="pert-link-label" x="{x_to - 5}" y="{y_to - 5:g}" '
                f'text-anchor="end">{escape(tag)}</text>'
            )
    parts: list[str] = []
    if plain:
        parts.append(f'<g class="pert-links" marker-end="url(#{arrow_id})">{"".join(plain)}</g>')
    if highlighted:
        parts.append(
            f'<g class="pert-links critical" marker-end="url(#{critical_arrow_id})">'
            f"{''.join(highlighted)}</g>"
        )
    return parts


def _draw_node(node: NetworkNode, x: int, y: int, labels: NetworkLabels) -> str:
    classes = ["pert-node"]
    if node.critical:
        classes.append("critical")
    if node.milestone:
        classes.append("milestone")
    if node.summary:
        classes.append("summary")
    start = date_format(node.start, "SHORT_DATE_FORMAT") if node.start else "—"
    finish = date_format(node.finish, "SHORT_DATE_FORMAT") if node.finish else "—"
    name = escape(node.name)
    if node.milestone:
        box = (
            f'<path class="pert-box" d="M10 0H{BOX_WIDTH - 10}L{BOX_WIDTH} {BOX_HEIGHT // 2}'
            f'L{BOX_WIDTH - 10} {BOX_HEIGHT}H10L0 {BOX_HEIGHT // 2}Z"/>'
        )
    else:
        box = f'<rect class="pert-box" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="4"/>'
    title = f"<title>{name}\n{escape(start)} – {escape(finish)}</title>"
    shown = escape(_fit(node.name, BOX_WIDTH - 24, NAME_CHAR_WIDTH))
    heading = f'<text class="pert-name" x="12" y="18">{shown}</text>'
    if node.url:
        heading = f'<a href="{escape(node.url)}">{heading}</a>'
    number = "" if node.number is None else str(node.number)

    def field(x_: int, y_: int, label: str, value: str) -> str:
        return (
            f'<text class="pert-field" x="{x_}" y="{y_}"><tspan class="pert-label">'
            f"{escape(label)}</tspan> {escape(value)}</text>"
        )

    return (
        f'<g class="{" ".join(classes)}" data-key="{escape(node.key)}" '
        f'transform="translate({x},{y})">{title}{box}'
        f'<path class="pert-rule" d="M{6 if node.milestone else 0} 27H'
        f'{BOX_WIDTH - (6 if node.milestone else 0)}"/>{heading}'
        f"{field(12, 45, labels.start, start)}{field(RIGHT_COLUMN, 45, labels.number, number)}"
        f"{field(12, 62, labels.finish, finish)}"
        f"{field(RIGHT_COLUMN, 62, labels.duration, node.duration_text)}"
        f"{field(12, 79, labels.total_float, node.total_float_text)}</g>"
    )
