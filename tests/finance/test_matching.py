"""The pure rules that check an invoice against its contract and the work done."""

from __future__ import annotations

import datetime as dt
import doctest
from decimal import Decimal

from pilotage.finance import matching
from pilotage.finance.matching import (
    FIXED_PRICE,
    TIME_AND_MATERIALS,
    DuplicateEvidence,
    InvoiceEvidence,
    LineEvidence,
    MilestoneEvidence,
    RateEvidence,
    Tolerances,
    check_invoice,
)

ISSUED = dt.date(2026, 10, 2)
D = Decimal


def fixed(*lines: LineEvidence, billed: str = "0", accepted: str = "0", **extra: object):
    return InvoiceEvidence(
        "F-1",
        "EUR",
        ISSUED,
        lines,
        contract_kind=FIXED_PRICE,
        contract_currency="EUR",
        billed_to_date=D(billed),
        accepted_to_date=D(accepted),
        **extra,  # type: ignore[arg-type]
    )


def milestone_line(milestone: MilestoneEvidence, position: int = 1) -> LineEvidence:
    return LineEvidence(
        position, milestone.name, D(1), milestone.amount, milestone.amount, milestone
    )


def days(quantity: str, price: str, approved: str | None, rate: str = "850") -> LineEvidence:
    evidence = RateEvidence(
        "Yanis Haddad", D(rate), "day", D(8), None if approved is None else D(approved)
    )
    return LineEvidence(
        1,
        "Development",
        D(quantity),
        D(price),
        D(quantity) * D(price),
        rate=evidence,
        period_start=dt.date(2026, 9, 1),
        period_end=dt.date(2026, 9, 30),
    )


def tm(line: LineEvidence, billed: str, accepted: str) -> InvoiceEvidence:
    return InvoiceEvidence(
        "N-1",
        "EUR",
        ISSUED,
        (line,),
        contract_kind=TIME_AND_MATERIALS,
        contract_currency="EUR",
        billed_to_date=D(billed),
        accepted_to_date=D(accepted),
    )


def messages(result: matching.CheckResult) -> list[str]:
    return [finding.message for finding in result.findings]


def test_doctests() -> None:
    assert doctest.testmod(matching).failed == 0


def test_accepted_deliverable_clears_the_line() -> None:
    go_live = MilestoneEvidence("Go-live", D(24000), "Go-live acceptance", True)
    assert check_invoice(
        fixed(milestone_line(go_live), billed="24000", accepted="24000"), Tolerances()
    ).clear


def test_pending_deliverable_is_no_evidence() -> None:
    go_live = MilestoneEvidence("Go-live", D(24000), "Go-live acceptance", False)
    result = check_invoice(
        fixed(milestone_line(go_live, 2), billed="0", accepted="0"), Tolerances()
    )
    assert messages(result) == [
        "Line 2 bills 'Go-live' but its deliverable 'Go-live acceptance' is not accepted"
    ]
    assert result.findings[0].line == 2


def test_the_ninety_percent_rule_on_the_milestone_task() -> None:
    def build(percent: str) -> MilestoneEvidence:
        return MilestoneEvidence(
            "Build", D(16000), task_name="Build", task_percent_complete=D(percent)
        )

    assert check_invoice(fixed(milestone_line(build("90"))), Tolerances()).clear
    result = check_invoice(fixed(milestone_line(build("89.5"))), Tolerances())
    assert messages(result) == [
        "Line 1 bills 'Build' but its task 'Build' is 89.5 % complete (90 % needed)"
    ]
    stricter = Tolerances(work_done_percent=D(100))
    assert not check_invoice(fixed(milestone_line(build("95"))), stricter).clear
    finished = MilestoneEvidence(
        "Build", D(16000), task_name="Build", task_percent_complete=D(40), task_finished=True
    )
    assert finished.done_percent == 100


def test_a_line_without_milestone_or_evidence() -> None:
    bare = LineEvidence(1, "Extra work", D(1), D(500), D(500))
    assert matching.NO_EVIDENCE in check_invoice(fixed(bare), Tolerances()).codes()
    nothing = MilestoneEvidence("Kick-off", D(1000))
    assert (
        "neither a deliverable nor a task"
        in messages(check_invoice(fixed(milestone_line(nothing)), Tolerances()))[0]
    )


def test_a_milestone_billed_twice() -> None:
    design = MilestoneEvidence("Design", D(1000), "Design document", True, billed_on=("F-0",))
    assert messages(
        check_invoice(fixed(milestone_line(design), billed="1000", accepted="1000"), Tolerances())
    ) == ["Line 1 bills 'Design', already billed on invoice F-0"]
    twice = MilestoneEvidence("Design", D(1000), "Design document", True)
    result = check_invoice(
        fixed(milestone_line(twice, 1), milestone_line(twice, 2), billed="2000", accepted="2000"),
        Tolerances(),
    )
    assert result.codes() == [matching.OVER_BILLED]
    assert result.findings[0].line == 2


def test_over_billing_and_its_tolerance() -> None:
    design = MilestoneEvidence("Design", D(48000), "Design document", True)
    evidence = fixed(milestone_line(design), billed="48000", accepted="36000")
    assert messages(check_invoice(evidence, Tolerances())) == [
        "Billed to date 48,000.00 EUR exceeds the value of accepted work to date "
        "36,000.00 EUR by 12,000.00 EUR"
    ]
    assert check_invoice(evidence, Tolerances(overbilling_percent=D("33.34"))).clear
    assert not check_invoice(evidence, Tolerances(overbilling_percent=D("33"))).clear


def test_rate_differs_and_its_tolerance() -> None:
    result = check_invoice(tm(days("10", "950", "80"), "9500", "9500"), Tolerances())
    assert messages(result) == [
        "Line 1 charges 950.00 per day; the contract rate for Yanis Haddad is 850.00 per day"
    ]
    assert check_invoice(
        tm(days("10", "935", "80"), "9350", "9350"), Tolerances(rate_percent=D(10))
    ).clear
    assert not check_invoice(
        tm(days("10", "936", "80"), "9360", "9360"), Tolerances(rate_percent=D(10))
    ).clear


def test_billed_time_against_approved_hours() -> None:
    # 10 days = 80 hours; 90 % of them = 72 approved hours are enough.
    assert check_invoice(tm(days("10", "850", "72"), "8500", "8500"), Tolerances()).clear
    result = check_invoice(tm(days("10", "850", "71.5"), "8500", "8500"), Tolerances())
    assert messages(result) == [
        "Line 1 bills 80 hours of Yanis Haddad from 2026-09-01 to 2026-09-30 (10 by the day) "
        "but the "
        "approved timesheets show 71.5 hours"
    ]
    unknown = check_invoice(tm(days("1", "850", None), "850", "850"), Tolerances())
    assert unknown.codes() == [matching.NO_EVIDENCE]
    no_rate = LineEvidence(1, "Consulting", D(1), D(850), D(850))
    assert (
        "matches no rate of the contract"
        in messages(check_invoice(tm(no_rate, "850", "850"), Tolerances()))[0]
    )


def test_duplicate_number_and_currency_without_rate() -> None:
    design = MilestoneEvidence("Design", D(1000), "Design document", True)
    evidence = InvoiceEvidence(
        "F-2026-031",
        "USD",
        dt.date(2026, 11, 3),
        (milestone_line(design),),
        contract_kind=FIXED_PRICE,
        contract_currency="EUR",
        has_exchange_rate=False,
        duplicates=(DuplicateEvidence(12, "F-2026-031", dt.date(2026, 10, 2)),),
    )
    assert messages(check_invoice(evidence, Tolerances())) == [
        "Number F-2026-031 was already registered on 2026-10-02 (invoice #12)",
        "No exchange rate from USD to EUR on 2026-11-03",
    ]


def test_same_currency_needs_no_rate_and_no_contract_is_no_evidence() -> None:
    line = LineEvidence(1, "Licences", D(2), D(100), D(200))
    alone = InvoiceEvidence("S-1", "EUR", ISSUED, (line,), has_exchange_rate=False)
    result = check_invoice(alone, Tolerances())
    assert result.codes() == [matching.NO_EVIDENCE]
    assert "no contract to check it against" in result.findings[0].message
    foreign = InvoiceEvidence("S-2", "GBP", ISSUED, (line,), has_exchange_rate=False)
    assert check_invoice(foreign, Tolerances()).codes() == [
        matching.CURRENCY_WITHOUT_RATE,
        matching.NO_EVIDENCE,
    ]
