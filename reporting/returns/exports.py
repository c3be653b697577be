"""The returns' CSV files. Every cell goes through tafcase.csv_safe; every export writes an
EXPORTED audit row naming the families whose records it used.

The Family Progress Data file is family-level but pseudonymous (the family reference,
members numbered within the family, age bands, no names, dates of birth or identifiers),
so every report reader of the authority may download it. The calculator's file holds
totals only, with small counts hidden as on its page for those who may not see names.
"""

import io
from datetime import date

from reporting.returns import display, rules
from reporting.returns.models import ReturnSample
from reporting.returns.selectors import CostCalculation, FamilyProgress
from tafcase import csv_safe
from tafcase.accounts.models import User
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record


def _audit_export(
    actor: User, ip: str | None, sample: ReturnSample, family_ids: list[int], summary: str
) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORTED,
        obj=sample,
        family_ids=family_ids,
        ip=ip,
        summary=summary,
    )


def _filename(sample: ReturnSample, what: str) -> str:
    return f"{what}-{sample.local_authority.code}-{sample.year}-{sample.year + 1}.csv"


def family_progress_filename(sample: ReturnSample) -> str:
    return _filename(sample, "family-progress-data")


def family_progress_csv(progress: FamilyProgress, *, actor: User, ip: str | None) -> bytes:
    """One row per family and per member at each point reached, columns as
    rules.COLUMNS; blank where tafcase holds no data."""
    out = io.StringIO()
    writer = csv_safe.writer(out, lineterminator="\r\n")
    writer.writerow(rules.COLUMNS)
    for row in progress.rows:
        writer.writerow(row[c] for c in rules.COLUMNS)
    _audit_export(
        actor,
        ip,
        progress.sample,
        progress.family_ids,
        f"Family Progress Data for {progress.sample.year_label} as CSV "
        f"({progress.families} families)",
    )
    return out.getvalue().encode("utf-8")


COST_COLUMNS = (
    "programme_year",
    "basis",
    "unit_cost_version",
    "months_before",
    "months_after",
    "deadweight_percent",
    "attribution_percent",
    "families_in_cohort",
    "families_counted",
    "category",
    "item",
    "unit",
    "unit_value_gbp",
    "price_year",
    "cost_kind",
    "bearing_agency",
    "cashable",
    "event_counted",
    "events_before",
    "events_after",
    "change_in_events",
    "gross_gbp",
    "adjusted_gbp",
    "source",
)


def cost_savings_filename(sample: ReturnSample) -> str:
    return _filename(sample, "cost-saving-calculator")


def _plain(text: str) -> str:
    """Money as the CSV writes it: no pound sign or thousands separator."""
    return text.replace("£", "").replace(",", "").replace("−", "-")


def cost_savings_csv(
    calc: CostCalculation, *, exact: bool, actor: User, ip: str | None, today: date
) -> bytes:
    """One row per unit cost, with the settings it was worked out with on every row."""
    out = io.StringIO()
    writer = csv_safe.writer(out, lineterminator="\r\n")
    writer.writerow(COST_COLUMNS)
    p = calc.parameters
    common = [
        calc.sample.year_label,
        display.BASIS,
        calc.version.number if calc.version else "",
        p.months_before,
        p.months_after,
        p.deadweight_percent,
        p.attribution_percent,
        display.count(calc.cohort, exact=exact),
        display.count(calc.counted, exact=exact),
    ]
    for shown in display.cost_rows(calc, exact=exact):
        cost = shown.row.cost
        writer.writerow(
            [
                *common,
                cost.category,
                cost.item,
                cost.unit,
                f"{cost.value:.2f}",
                cost.price_year,
                cost.kind,
                cost.bearing_agency,
                "yes" if cost.cashable else "no",
                cost.measure,
                _plain(shown.before),
                _plain(shown.after),
                shown.change.replace(",", ""),
                _plain(shown.gross),
                _plain(shown.adjusted),
                cost.source,
            ]
        )
    _audit_export(
        actor,
        ip,
        calc.sample,
        calc.counted_ids,
        f"Cost Saving Calculator for {calc.sample.year_label} as CSV on {today:%-d %B %Y}",
    )
    return out.getvalue().encode("utf-8")
