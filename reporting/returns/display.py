"""How the returns' figures are shown, on the pages and in the calculator's CSV: counts
of 1 to 4 as "<5" for anyone who may not see names (reporting.md §4), with any figure that
would give such a count away; money in pounds and pence."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from eligibility.rules.evidence import kind_name
from reporting.returns import rules
from reporting.returns.selectors import CostCalculation, CostRow, FamilyProgress

#: What a return calls its comparison, on the page, in the CSV and in the README.
BASIS = "before/after change, not an impact estimate"


def money(value: Decimal) -> str:
    """£1,234.50; a negative figure (a cost, not a saving) as −£1,234.50."""
    sign = "−" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}"


def count(n: int, *, exact: bool) -> str:
    return rules.shown_count(n, exact=exact)


def share(part: int, whole: int, *, exact: bool) -> str:
    """``12 of 40 (30%)``, or ``<5`` alone when the part is a small count."""
    if rules.is_suppressed(part, exact=exact):
        return count(part, exact=exact)
    percent = rules.percent_of(part, whole)
    return f"{count(part, exact=exact)} of {count(whole, exact=exact)} ({percent})"


# --- Family Progress Data -------------------------------------------------------------

#: The partner datasets the Family Progress Data reads, in the order the columns use them.
USED_KINDS = tuple(dict.fromkeys(k for f in rules.FIELDS for k in f.kinds))


@dataclass(frozen=True)
class CoverageRow:
    field: rules.Field
    families: str
    members: str


@dataclass(frozen=True)
class ProgressSummary:
    sampled: str
    attached: str
    percent: str
    points: list[tuple[str, str]]
    family_rows: int
    coverage: list[CoverageRow]
    data_as_of: list[tuple[str, date]]
    no_data: list[str]


def progress_summary(progress: FamilyProgress, *, exact: bool) -> ProgressSummary:
    sample = progress.sample
    families, members, fields = rules.field_coverage(progress.rows)
    coverage = [
        CoverageRow(
            c.field,
            ""
            if c.field.level == rules.Level.MEMBER
            else share(c.families_with_data, families, exact=exact),
            ""
            if c.field.level == rules.Level.FAMILY
            else share(c.members_with_data, members, exact=exact),
        )
        for c in fields
    ]
    labels = {key: label for key, label, _ in rules.POINTS}
    return ProgressSummary(
        sampled=count(progress.families, exact=exact),
        attached=count(sample.population, exact=exact),
        percent=rules.percent_of(progress.families, sample.population),
        points=[(labels[k], count(n, exact=exact)) for k, n in progress.points_reached.items()],
        family_rows=families,
        coverage=coverage,
        data_as_of=[(kind_name(k), d) for k, d in sorted(progress.data_as_of.items())],
        no_data=[kind_name(k) for k in USED_KINDS if k not in progress.data_as_of],
    )


# --- the Cost Saving Calculator -------------------------------------------------------


@dataclass(frozen=True)
class CostRowShown:
    row: CostRow
    measure: str
    before: str
    after: str
    change: str
    gross: str
    adjusted: str
    hidden: bool


def cost_row(row: CostRow, *, exact: bool) -> CostRowShown:
    """One unit cost as shown. A small count is hidden, and with it the row's change and
    money, from which it could be worked back."""
    cost, line = row.cost, row.line
    label = rules.MEASURE_BY_CODE[cost.measure].label if cost.measure else ""
    if line is None:
        return CostRowShown(row, label, "", "", "", "", "", False)
    hidden = rules.is_suppressed(line.before, exact=exact) or rules.is_suppressed(
        line.after, exact=exact
    )
    return CostRowShown(
        row,
        label,
        count(line.before, exact=exact),
        count(line.after, exact=exact),
        "" if hidden else f"{line.change:,}",
        "" if hidden else money(line.gross),
        "" if hidden else money(line.adjusted),
        hidden,
    )


def cost_rows(calc: CostCalculation, *, exact: bool) -> list[CostRowShown]:
    return [cost_row(r, exact=exact) for r in calc.rows]


@dataclass(frozen=True)
class TotalShown:
    label: str
    gross: str
    adjusted: str


def _total(total: rules.Total, label: str = "") -> TotalShown:
    return TotalShown(label or total.key, money(total.gross), money(total.adjusted))


def totals(calc: CostCalculation) -> dict[str, list[TotalShown]]:
    """The calculator's totals by the agency that bears the cost and by kind of cost, and
    overall with its cashable part. Sums of money only: no count shows through them.
    With no family counted there is nothing to total, rather than a row of £0.00s."""
    if not calc.counted:
        return {"by_agency": [], "by_kind": [], "overall": []}
    return {
        "by_agency": [_total(t) for t in calc.by_agency],
        "by_kind": [_total(t) for t in calc.by_kind],
        "overall": [
            _total(calc.total, "All unit costs counted"),
            _total(calc.cashable, "Of which cashable"),
        ],
    }
