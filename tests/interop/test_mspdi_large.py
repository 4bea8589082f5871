"""Reading large MSPDI files in pieces gives exactly what reading them in one pass gives.

:func:`read_mspdi` parses the content of the ``Tasks``, ``Resources`` and ``Assignments``
sections in pieces of about a mebibyte, and reads the file again in one pass when it cannot vouch
for the pieces. These tests shrink the pieces to a few bytes, so that small files are cut
everywhere, and compare the plan, the warnings and the errors with the one-pass reading.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilotage.interop import mspdi
from pilotage.interop.mspdi import MspdiReadResult, PlanFileError, read_mspdi

NAMESPACE = "http://schemas.microsoft.com/project"
PIECE_SIZES = (1, 7, 64, 400, 1 << 20)


def fields_xml(**fields: object) -> str:
    return "".join(f"<{name}>{value}</{name}>" for name, value in fields.items())


def saved_task(uid: int, level: int, *, summary: bool = False, links: str = "") -> str:
    """A task with the many fields, custom fields and baselines Microsoft Project writes."""
    start = f"2026-01-{5 + uid % 20:02d}T08:00:00"
    finish = f"2026-01-{5 + uid % 20:02d}T17:00:00"
    fields = fields_xml(
        UID=uid,
        GUID=f"0000{uid:04d}-DAD2-E811-AC3F-4CEDDE6E5B57",
        ID=uid,
        Name=f"Task {uid} &amp; café",
        Active=1,
        Manual=0,
        Type=0,
        IsNull=0,
        CreateDate="2025-12-01T09:00:00",
        WBS=f"1.{uid}",
        OutlineNumber=f"1.{uid}",
        OutlineLevel=level,
        Priority=500,
        Start=start,
        Finish=finish,
        Duration="PT8H0M0S",
        ManualStart=start,
        DurationFormat=7 if uid % 3 else 39,
        Work="PT8H0M0S",
        Estimated=0,
        Milestone=0,
        Summary=int(summary),
        Critical=uid % 2,
        EarlyStart=start,
        EarlyFinish=finish,
        LateStart=start,
        LateFinish=finish,
        FreeSlack=0,
        TotalSlack=4800 * (uid % 3),
        PercentComplete=uid % 5 * 10,
        Cost=820000,
        RemainingDuration="PT8H0M0S",
        ConstraintType=4 if uid % 7 == 0 else 0,
        CalendarUID=-1,
        LevelingDelay=0,
        LevelingDelayFormat=8,
    )
    extended = "".join(
        f"<ExtendedAttribute>{fields_xml(FieldID=field, Value=value)}</ExtendedAttribute>"
        for field, value in ((188743731, f"WP-{uid}"), (188743767, uid / 4))
    )
    baseline = (
        f"<Baseline>{fields_xml(Number=0, Start=start, Finish=finish, Duration='PT8H0M0S')}"
        "</Baseline>"
    )
    return f"<Task>{fields}{links}{extended}{baseline}</Task>\n"


def saved_link(predecessor: int, kind: int = 1, lag: int = 0, lag_format: int = 7) -> str:
    body = fields_xml(
        PredecessorUID=predecessor, Type=kind, CrossProject=0, LinkLag=lag, LagFormat=lag_format
    )
    return f"<PredecessorLink>{body}</PredecessorLink>"


def saved_assignment(uid: int) -> str:
    timephased = "".join(
        f"<TimephasedData>{fields_xml(Type=1, UID=uid, Start=day, Unit=2, Value='PT4H0M0S')}"
        "</TimephasedData>"
        for day in ("2026-01-05T08:00:00", "2026-01-06T08:00:00")
    )
    body = fields_xml(UID=uid, TaskUID=uid, ResourceUID=1, Units=1, Work="PT8H0M0S")
    return f"<Assignment>{body}{timephased}</Assignment>\n"


CALENDARS = (
    "<Calendars><Calendar>"
    + fields_xml(UID=1, Name="Standard", IsBaseCalendar=1)
    + "<WeekDays>"
    + "".join(
        f"<WeekDay><DayType>{day}</DayType><DayWorking>{int(day not in (1, 7))}</DayWorking>"
        "</WeekDay>"
        for day in range(1, 8)
    )
    + "</WeekDays><Exceptions><Exception><TimePeriod><FromDate>2026-01-01T00:00:00</FromDate>"
    "<ToDate>2026-01-01T23:59:00</ToDate></TimePeriod><Name>New year</Name><Type>1</Type>"
    "<DayWorking>0</DayWorking></Exception></Exceptions></Calendar>"
    "<Calendar><UID>2</UID><Name>Resource 1</Name><BaseCalendarUID>1</BaseCalendarUID>"
    "</Calendar></Calendars>\n"
)


def saved_project(
    *,
    tasks: int = 24,
    root: str = f'<Project xmlns="{NAMESPACE}">',
    minutes_per_day: int = 480,
    calendars: str = CALENDARS,
    head: str = "",
    tasks_section: str | None = None,
    between: str = "",
    assignments_section: str | None = None,
    tail: str = "",
) -> bytes:
    """A plan shaped like a file Microsoft Project saves: settings, calendars, a project summary
    task, summary tasks and their subtasks with links, resources and assignments."""
    if tasks_section is None:
        rows = [saved_task(0, 0, summary=True)]
        for uid in range(1, tasks + 1):
            if uid % 6 == 1:
                rows.append(saved_task(uid, 1, summary=True))
                continue
            links = saved_link(uid - 1) if uid % 6 != 2 else ""
            if uid % 5 == 0:
                links += saved_link(uid - 3, kind=3, lag=4800, lag_format=7)
            if uid % 11 == 0:
                links += saved_link(uid - 2, lag=50, lag_format=19)
            rows.append(saved_task(uid, 2, links=links))
        tasks_section = "<Tasks>\n" + "".join(rows) + "</Tasks>\n"
    if assignments_section is None:
        assignments_section = (
            "<Assignments>\n"
            + "".join(saved_assignment(uid) for uid in range(2, tasks + 1, 2))
            + "</Assignments>\n"
        )
    resources = (
        "<Resources>\n"
        + "".join(
            f"<Resource>{fields_xml(UID=uid, ID=uid, Name=f'R{uid}', CalendarUID=uid + 1)}"
            f"<Baseline><Number>0</Number><Cost>0</Cost></Baseline></Resource>\n"
            for uid in range(2)
        )
        + "</Resources>\n"
    )
    settings = fields_xml(
        SaveVersion=14,
        Name="saved.xml",
        Title="Office move",
        StartDate="2026-01-05T08:00:00",
        CalendarUID=1,
        MinutesPerDay=minutes_per_day,
        MinutesPerWeek=2400,
        DaysPerMonth=20,
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"{root}\n{settings}\n{head}<ExtendedAttributes><ExtendedAttribute>"
        f"{fields_xml(FieldID=188743731, FieldName='Text1', Alias='Work package')}"
        "</ExtendedAttribute></ExtendedAttributes>\n"
        f"{calendars}{tasks_section}{between}{resources}{assignments_section}{tail}"
        f"</{root[1:].split()[0].rstrip('>')}>\n"
    ).encode()


def outcome(content: bytes) -> MspdiReadResult | str:
    """What reading gives: the result, or the error message (which names the line)."""
    try:
        return read_mspdi(content, name="plan.xml")
    except PlanFileError as error:
        return str(error)


def one_pass(content: bytes, monkeypatch: pytest.MonkeyPatch) -> MspdiReadResult | str:
    with monkeypatch.context() as patch:
        patch.setattr(mspdi, "_may_read_in_pieces", lambda head: False)
        return outcome(content)


def read_in_pieces(content: bytes) -> MspdiReadResult:
    """Read in pieces, failing if the reader had to fall back to one pass."""
    return mspdi._Reader("plan.xml", "").read_in_pieces(io.BytesIO(content))


def assert_same_in_pieces(content: bytes, monkeypatch: pytest.MonkeyPatch) -> MspdiReadResult | str:
    expected = one_pass(content, monkeypatch)
    for size in PIECE_SIZES:
        monkeypatch.setattr(mspdi, "_PIECE_BYTES", size)
        assert outcome(content) == expected, f"pieces of {size} bytes"
    return expected


class TestSameResultInPieces:
    def test_a_file_saved_by_microsoft_project(self, monkeypatch: pytest.MonkeyPatch) -> None:
        content = saved_project()
        result = assert_same_in_pieces(content, monkeypatch)
        assert isinstance(result, MspdiReadResult)
        assert len(result.plan.tasks) == 24
        assert result.plan.project_summary is not None
        assert [link.type for link in result.plan.links].count("SS") == 4
        assert any(link.lag_percent == 50.0 for link in result.plan.links)
        assert result.plan.tasks[1].name == "Task 2 & café"
        assert result.plan.tasks[1].parent_uid == 1
        for size in PIECE_SIZES:
            monkeypatch.setattr(mspdi, "_PIECE_BYTES", size)
            assert read_in_pieces(content) == result

    def test_the_warnings_come_in_the_same_order(self, monkeypatch: pytest.MonkeyPatch) -> None:
        tasks = (
            "<Tasks>"
            + saved_task(1, 1)
            + saved_task(2, 3, links=saved_link(1, kind=9))
            + "<Task><UID>3</UID><IsNull>1</IsNull></Task>"
            + saved_task(4, 1, links=saved_link(3) + saved_link(1) + saved_link(1))
            + saved_task(5, 1).replace("<Priority>500</Priority>", "<Priority>5000</Priority>")
            + "</Tasks>"
        )
        result = assert_same_in_pieces(saved_project(tasks_section=tasks), monkeypatch)
        assert isinstance(result, MspdiReadResult)
        # Task by task as they are read, then the links checked once every task is known.
        owners = [warning.split(":")[0] for warning in result.warnings]
        assert owners == ["Task 2", "Task 2", "Task 5", "Task 4", "Task 4"]
        assert result.null_tasks == 1

    def test_settings_before_the_first_task(self, monkeypatch: pytest.MonkeyPatch) -> None:
        tasks = "<Tasks>" + saved_task(1, 1).replace("PT8H0M0S", "P2D") + "</Tasks>"
        content = saved_project(tasks_section=tasks, calendars="", minutes_per_day=450)
        result = assert_same_in_pieces(content, monkeypatch)
        assert isinstance(result, MspdiReadResult)
        assert result.plan.tasks[0].duration_minutes == 900

    def test_settings_after_the_tasks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        content = saved_project(between="<MinutesPerDay>450</MinutesPerDay>\n")
        result = assert_same_in_pieces(content, monkeypatch)
        assert isinstance(result, MspdiReadResult)
        assert result.plan.minutes_per_day == 450
        assert any("come after the calendars" in warning for warning in result.warnings)

    @pytest.mark.parametrize(
        ("where", "text"),
        [
            ("head", "<!-- <Tasks> <Task><UID>99</UID></Task> -->\n"),
            ("head", "<?pi <Tasks>?>\n"),
            ("head", "<Views><Tasks><Task><UID>98</UID></Task></Tasks></Views>\n"),
            ("between", "<Tasks a='1'>" + saved_task(50, 1) + "</Tasks>\n"),
            ("between", "<Tasks>" + saved_task(60, 1) + "</Tasks>\n"),
            ("between", "<Tasks></Tasks><Tasks/>\n"),
            ("between", "<Task><UID>70</UID><Name>Not in a section</Name></Task>\n"),
            ("tail", "<Other><Calendar><UID>9</UID><Name>Late</Name></Calendar></Other>\n"),
        ],
    )
    def test_sections_and_tasks_out_of_place(
        self, where: str, text: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        parts = {"head": "", "between": "", "tail": "", where: text}
        content = saved_project(head=parts["head"], between=parts["between"], tail=parts["tail"])
        assert_same_in_pieces(content, monkeypatch)

    @pytest.mark.parametrize(
        "task_text",
        [
            "<Name><![CDATA[Move </Task> and </Tasks> <Task>]]></Name>",
            "<Name>Crates <!-- </Task></Tasks> --> and boxes</Name>",
            "<Tasks><Task><UID>80</UID></Task></Tasks>",
            "<Notes xml:space='preserve'>  spaced  </Notes>",
            "<x:Name xmlns:x='urn:other'>elsewhere</x:Name>",
            "<Name>text<b/>after a child</Name>",
        ],
    )
    def test_unusual_content_in_a_task(
        self, task_text: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        tasks = (
            "<Tasks>"
            + saved_task(1, 1)
            + saved_task(2, 1).replace("</Task>", task_text + "</Task>")
            + saved_task(3, 1, links=saved_link(2))
            + "</Tasks>"
        )
        assert_same_in_pieces(saved_project(tasks_section=tasks), monkeypatch)

    @pytest.mark.parametrize(
        "assignments",
        [
            "<Assignments>" + saved_task(90, 1) + saved_assignment(1) + "</Assignments>",
            "<Assignments><Calendar><UID>7</UID><Name>Odd</Name></Calendar></Assignments>",
            "<Assignments><Assignment><Task><UID>91</UID></Task></Assignment></Assignments>",
            "<Assignments><a:Task xmlns:a='urn:other'><UID>92</UID></a:Task></Assignments>",
            "<Assignments><Task xmlns='urn:other'><UID>93</UID></Task></Assignments>",
            "<Assignments></Assignments>",
        ],
    )
    def test_tasks_and_calendars_among_the_assignments(
        self, assignments: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        assert_same_in_pieces(saved_project(assignments_section=assignments), monkeypatch)

    @pytest.mark.parametrize(
        "root",
        [
            f'<p:Project xmlns:p="{NAMESPACE}">',
            f'<p:Project xmlns:p="{NAMESPACE}" xmlns="{NAMESPACE}">',
            f'<p:Project xmlns:p="{NAMESPACE}" xmlns="urn:other">',
            f'<Project xmlns="{NAMESPACE}" xml:space="preserve">',
            f"<Project xmlns='{NAMESPACE}' xmlns:q=\"urn:a&amp;b\" >",
            "<Project>",
        ],
    )
    def test_namespaces_and_spaces_of_the_root(
        self, root: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        assert_same_in_pieces(saved_project(root=root), monkeypatch)

    def test_windows_line_endings(self, monkeypatch: pytest.MonkeyPatch) -> None:
        assert_same_in_pieces(saved_project().replace(b"\n", b"\r\n"), monkeypatch)

    def test_a_utf8_byte_order_mark(self, monkeypatch: pytest.MonkeyPatch) -> None:
        assert_same_in_pieces(b"\xef\xbb\xbf" + saved_project(), monkeypatch)

    def test_a_file_in_windows_1252(self, monkeypatch: pytest.MonkeyPatch) -> None:
        content = saved_project().replace("café".encode(), "café".encode("cp1252"))
        result = assert_same_in_pieces(content, monkeypatch)
        assert isinstance(result, MspdiReadResult)
        assert result.warnings[0] == "the file is not valid UTF-8; it was read as Windows-1252"


class TestSameErrorsInPieces:
    @pytest.mark.parametrize(
        "damage",
        [
            ("<Units>1</Units>", "<Units>1</Unit>"),
            ("</Assignments>", ""),
            ("</Tasks>", "</Tasks></Tasks>"),
            ("<Duration>PT8H0M0S</Duration>", "<Duration>PT8H0M0S</Duration><Start>x</Start>"),
            ("</Project>", "</Project><Project/>"),
            ("<Name>Task 20", "<Name>Task 20 &unknown;"),
            ("<Name>Task 21", "<Name>Task 21 \x01"),
        ],
    )
    def test_malformed_xml_names_the_same_line(
        self, damage: tuple[str, str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        old, new = damage
        content = saved_project().decode()
        position = content.rfind(old)
        content = content[:position] + new + content[position + len(old) :]
        assert_same_in_pieces(content.encode(), monkeypatch)

    @pytest.mark.parametrize(
        ("old", "new"),
        [
            ("<Duration>PT8H0M0S</Duration><Manual", "<Duration>eight hours</Duration><Manual"),
            ("<PredecessorUID>17</PredecessorUID>", "<PredecessorUID>170</PredecessorUID>"),
            ("<PercentComplete>30</PercentComplete>", "<PercentComplete>130</PercentComplete>"),
            ("<UID>19</UID>", "<UID>18</UID>"),
        ],
    )
    def test_a_value_that_cannot_be_read_names_the_same_line(
        self, old: str, new: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        content = saved_project().decode()
        position = content.rfind(old)
        content = content[:position] + new + content[position + len(old) :]
        message = assert_same_in_pieces(content.encode(), monkeypatch)
        assert isinstance(message, str)
        assert message.startswith("plan.xml, line ")

    def test_a_document_type_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        content = saved_project().replace(
            b"<Project", b'<!DOCTYPE Project [<!ENTITY e "x">]>\n<Project', 1
        )
        message = assert_same_in_pieces(content, monkeypatch)
        assert isinstance(message, str)
        assert "document type" in message


# Well-formed insertions that tempt the cutting: tags in comments, CDATA and processing
# instructions, sections and tasks where they are not expected, other namespaces, settings.
INSERTIONS = (
    "<Task><UID>{n}</UID><Name>T{n}</Name></Task>",
    "<Task><UID>{n}</UID><IsNull>1</IsNull></Task>",
    "<Task xmlns='urn:other'><UID>{n}</UID></Task>",
    f"<b:Task xmlns:b='{NAMESPACE}'><b:UID>{{n}}</b:UID></b:Task>",
    "<Tasks><Task><UID>{n}</UID></Task></Tasks>",
    "<Tasks a='1'><Task><UID>{n}</UID></Task></Tasks>",
    "<Foo><Tasks><Task><UID>{n}</UID></Task></Tasks></Foo>",
    "<Tasks/>",
    "<Assignments><Task><UID>{n}</UID></Task></Assignments>",
    "<Resources><Resource><UID>{n}</UID></Resource></Resources>",
    "<Calendar><UID>{n}</UID><Name>C{n}</Name></Calendar>",
    "<PredecessorLink><PredecessorUID>{m}</PredecessorUID><Type>3</Type></PredecessorLink>",
    "<!-- </Task> <Tasks> -->",
    "<![CDATA[</Task></Tasks><Tasks>]]>",
    "<?pi </Task>?>",
    "<MinutesPerDay>420</MinutesPerDay>",
    "<OutlineLevel>2</OutlineLevel>",
    "<Duration>P1D</Duration>",
    "<Notes>a &amp; b</Notes>",
    "\n\t ",
)
BASE = saved_project(tasks=8).decode()
TAG_ENDS = [index + 1 for index, char in enumerate(BASE) if char == ">"][1:-1]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(TAG_ENDS),
            st.sampled_from(INSERTIONS),
            st.integers(100, 110),
            st.integers(1, 8),
        ),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from((5, 97, 1 << 20)),
)
def test_what_is_read_in_pieces_is_what_one_pass_reads(
    insertions: list[tuple[int, str, int, int]], piece_bytes: int
) -> None:
    content = BASE
    for position, text, uid, predecessor in sorted(insertions, reverse=True):
        content = content[:position] + text.format(n=uid, m=predecessor) + content[position:]
    data = content.encode()
    try:
        expected: MspdiReadResult | str = mspdi._Reader("plan.xml", "").read(
            io.BytesIO(data), encoding=None
        )
    except PlanFileError as error:
        expected = str(error)
    default = mspdi._PIECE_BYTES
    mspdi._PIECE_BYTES = piece_bytes  # type: ignore[misc]
    try:
        in_pieces = mspdi._Reader("plan.xml", "").read_in_pieces(io.BytesIO(data))
    except mspdi._NeedsOnePassError:
        return  # read_mspdi reads it in one pass: the same by construction
    finally:
        mspdi._PIECE_BYTES = default  # type: ignore[misc]
    assert in_pieces == expected
