"""Writes for the national returns: drawing a return's sample, the Cost Saving
Calculator's parameters and the versioned unit-cost table. Each runs in one transaction
and writes its audit row; callers have checked reporting.access.can_edit_reports."""

import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from reporting.returns import rules, selectors
from reporting.returns.models import (
    CostParameters,
    ReturnKind,
    ReturnSample,
    UnitCost,
    UnitCostVersion,
)
from reporting.returns.unit_costs import DEFAULT_UNIT_COSTS
from tafcase.accounts.models import LocalAuthority, User
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record
from tafcase.errors import Conflict, StaleEdit, unique_violation

MIN_PERCENT = {
    ReturnKind.FAMILY_PROGRESS: rules.FPD_MIN_PERCENT,
    ReturnKind.COST_SAVINGS: rules.CSC_MIN_PERCENT,
}
#: The first programme year a sample may be drawn for: the expanded programme's first.
FIRST_YEAR = 2012


# --- samples --------------------------------------------------------------------------


def _check_sample_request(kind: str, year: int, percent: int, today: date) -> None:
    errors: dict[str, str] = {}
    current = rules.programme_year_of(today)
    if not FIRST_YEAR <= year <= current:
        errors["year"] = (
            f"Choose a programme year from {rules.programme_year_label(FIRST_YEAR)} to "
            f"{rules.programme_year_label(current)}."
        )
    least = MIN_PERCENT[ReturnKind(kind)]
    if not least <= percent <= 100:
        errors["percent"] = f"The sample is from {least}% to 100% of the year's families."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def return_sample_draw(
    *,
    actor: User,
    authority: LocalAuthority,
    kind: str,
    year: int,
    percent: int,
    seed: int | None = None,
) -> ReturnSample:
    """Draw one return's sample of the families attached in a programme year: ``percent``
    of them (rounded up), at random from ``seed`` (a fresh one unless given), kept with the
    seed so the same draw can be repeated and checked. One sample per return, authority
    and year: a second draw is refused."""
    today = timezone.localdate()
    _check_sample_request(kind, year, percent, today)
    label = rules.programme_year_label(year)
    if ReturnSample.objects.filter(local_authority=authority, kind=kind, year=year).exists():
        raise Conflict(f"The sample for {label} is already drawn.")
    population = selectors.attached_family_ids(authority.pk, year)
    if not population:
        raise ValidationError({"year": f"No families were attached in {label}."})
    seed = seed if seed is not None else secrets.randbelow(2**31)
    chosen = rules.draw_sample(population, percent=percent, seed=seed)
    try:
        with transaction.atomic():
            sample = ReturnSample.objects.create(
                local_authority=authority,
                kind=kind,
                year=year,
                percent=percent,
                seed=seed,
                population=len(population),
                family_ids=chosen,
                drawn_by=actor,
            )
    except IntegrityError as error:
        if unique_violation(error, "one_sample_per_return_and_year"):
            raise Conflict(f"The sample for {label} is already drawn.") from None
        raise
    if kind == ReturnKind.COST_SAVINGS:
        CostParameters.objects.create(sample=sample, updated_by=actor)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        obj=sample,
        family_ids=chosen,
        summary=(
            f"{sample.get_kind_display()} sample for {label} drawn: {len(chosen)} of "
            f"{len(population)} families ({percent}%), seed {seed}"
        ),
    )
    return sample


PARAMETER_FIELDS = ("months_before", "months_after", "deadweight_percent", "attribution_percent")


def _check_parameters(values: dict[str, int]) -> None:
    errors = {}
    for name in ("months_before", "months_after"):
        if not 1 <= values[name] <= rules.MAX_MONTHS:
            errors[name] = f"Enter a number of months from 1 to {rules.MAX_MONTHS}."
    for name in ("deadweight_percent", "attribution_percent"):
        if not 0 <= values[name] <= 100:
            errors[name] = "Enter a percentage from 0 to 100."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def cost_parameters_change(
    *,
    actor: User,
    parameters: CostParameters,
    version: int,
    months_before: int,
    months_after: int,
    deadweight_percent: int,
    attribution_percent: int,
) -> CostParameters:
    """Change how the calculator reads its cohort, from the version the editor saw (a
    stale one raises StaleEdit). Saving what is already there writes nothing."""
    values = {
        "months_before": months_before,
        "months_after": months_after,
        "deadweight_percent": deadweight_percent,
        "attribution_percent": attribution_percent,
    }
    _check_parameters(values)
    current = CostParameters.objects.select_for_update().get(pk=parameters.pk)
    changes = {
        name: [getattr(current, name), value]
        for name, value in values.items()
        if getattr(current, name) != value
    }
    if current.version != version:
        raise StaleEdit("set of calculator settings", current_version=current.version)
    if not changes:
        return current
    # The row is locked and at the version the editor saw, so this update is the next.
    CostParameters.objects.filter(pk=current.pk).update(
        **values, version=version + 1, updated_by=actor, updated_at=timezone.now()
    )
    current.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATED,
        obj=current,
        changes=changes,
        summary=f"Cost Saving Calculator settings for {current.sample.year_label} changed",
    )
    return current


# --- unit costs -----------------------------------------------------------------------

COST_FIELDS = (
    "measure",
    "category",
    "item",
    "unit",
    "value",
    "price_year",
    "kind",
    "bearing_agency",
    "cashable",
    "source",
)


def cost_values(cost: UnitCost) -> dict[str, Any]:
    return {name: getattr(cost, name) for name in COST_FIELDS}


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _check_cost(fields: dict[str, Any]) -> dict[str, Any]:
    """The row as it will be stored: text trimmed, the price year in its form; a bad
    value is a ValidationError naming the field."""
    unknown = set(fields) - set(COST_FIELDS)
    if unknown:
        raise ValueError(f"Not unit-cost fields: {', '.join(sorted(unknown))}")
    clean = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    errors = {}
    try:
        clean["price_year"] = rules.parse_price_year(str(clean.get("price_year", "")))
    except ValueError as error:
        errors["price_year"] = str(error)
    value = clean.get("value")
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        errors["value"] = "Enter a value in pounds greater than £0."
    elif value != value.quantize(Decimal("0.01")) or value >= Decimal("10000000000"):
        errors["value"] = "Enter a value in pounds and pence, below £10,000,000,000."
    if clean.get("measure") and clean["measure"] not in rules.MEASURE_BY_CODE:
        errors["measure"] = "Choose an event tafcase counts, or none."
    if clean.get("kind") not in UnitCost.CostKind.values:
        errors["kind"] = "Choose fiscal, economic or social."
    for name in ("category", "item", "unit", "bearing_agency", "source"):
        if not clean.get(name):
            errors[name] = "Enter this."
    if errors:
        raise ValidationError(errors)
    return clean


def _next_version(
    *,
    actor: User,
    authority: LocalAuthority,
    version: int,
    rows: list[dict[str, Any]],
    summary: str,
    changes: dict[str, list[Any]],
) -> UnitCostVersion:
    """The one way a unit-cost table changes: lock the authority's latest version, check
    it is the one the editor saw (``version``; 0 for none yet), write the next version
    with ``rows`` and audit the change. Old versions are never touched."""
    latest = (
        UnitCostVersion.objects.select_for_update()
        .filter(local_authority=authority)
        .order_by("-number")
        .first()
    )
    current = latest.number if latest else 0
    if current != version:
        raise StaleEdit("unit-cost table", current_version=current)
    try:
        with transaction.atomic():
            made = UnitCostVersion.objects.create(
                local_authority=authority,
                number=current + 1,
                change_summary=summary[:300],
                created_by=actor,
            )
    except IntegrityError as error:
        # Two first versions at once: nothing to lock yet, so the constraint decides.
        if unique_violation(error, "unit_cost_version_once"):
            raise StaleEdit("unit-cost table", current_version=current + 1) from None
        raise
    UnitCost.objects.bulk_create([UnitCost(version=made, **row) for row in rows])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATED if latest else AuditEvent.Action.CREATED,
        obj=made,
        changes=changes,
        summary=f"Unit costs version {made.number}: {summary}",
    )
    return made


def _rows_of(version_number: int, authority: LocalAuthority) -> list[UnitCost]:
    return list(
        UnitCost.objects.filter(
            version__local_authority=authority, version__number=version_number
        ).order_by("pk")
    )


@transaction.atomic
def unit_costs_start(*, actor: User, authority: LocalAuthority) -> UnitCostVersion:
    """The authority's first unit-cost table, from the illustrative defaults."""
    return _next_version(
        actor=actor,
        authority=authority,
        version=0,
        rows=[dict(row) for row in DEFAULT_UNIT_COSTS],
        summary="started from the illustrative defaults",
        changes={},
    )


@transaction.atomic
def unit_cost_add(
    *, actor: User, authority: LocalAuthority, version: int, **fields: Any
) -> UnitCostVersion:
    row = _check_cost(fields)
    rows = [cost_values(c) for c in _rows_of(version, authority)]
    return _next_version(
        actor=actor,
        authority=authority,
        version=version,
        rows=[*rows, row],
        summary=f"added {row['item']}",
        changes={name: [None, _json(value)] for name, value in row.items()},
    )


def _row_in_version(authority: LocalAuthority, version: int, cost_id: int) -> list[UnitCost]:
    rows = _rows_of(version, authority)
    if not any(c.pk == cost_id for c in rows):
        # The row belongs to an older version (or to nobody here): the table moved on.
        latest = selectors.latest_unit_cost_version(authority.pk)
        raise StaleEdit("unit-cost table", current_version=latest.number if latest else 0)
    return rows


@transaction.atomic
def unit_cost_change(
    *, actor: User, authority: LocalAuthority, version: int, cost_id: int, **fields: Any
) -> UnitCostVersion:
    """The next version with one row changed. Saving the row as it is writes nothing and
    returns the version it was in."""
    row = _check_cost(fields)
    rows = _row_in_version(authority, version, cost_id)
    target = next(c for c in rows if c.pk == cost_id)
    before = cost_values(target)
    changes = {
        name: [_json(before[name]), _json(value)]
        for name, value in row.items()
        if before[name] != value
    }
    if not changes:
        return target.version
    return _next_version(
        actor=actor,
        authority=authority,
        version=version,
        rows=[row if c.pk == cost_id else cost_values(c) for c in rows],
        summary=f"changed {row['item']}",
        changes=changes,
    )


@transaction.atomic
def unit_cost_remove(
    *, actor: User, authority: LocalAuthority, version: int, cost_id: int
) -> UnitCostVersion:
    rows = _row_in_version(authority, version, cost_id)
    target = next(c for c in rows if c.pk == cost_id)
    return _next_version(
        actor=actor,
        authority=authority,
        version=version,
        rows=[cost_values(c) for c in rows if c.pk != cost_id],
        summary=f"removed {target.item}",
        changes={name: [_json(value), None] for name, value in cost_values(target).items()},
    )
