"""Reads for the national returns. Callers have checked the user reads the authority's
reports (reporting.access); every query here is limited to that authority.

The Family Progress Data reads each sampled family as the rulebook does (members, the
partner records the authority's current data-match linked to them, recorded evidence,
the Team Around the Family) in a fixed number of queries, then describes it at each point
with reporting.returns.rules. The Cost Saving Calculator counts events in SQL: one
aggregate query whatever the size of the cohort.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    Func,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import ExtractMonth, ExtractYear

from eligibility import rules as rulebook
from eligibility.datamatch.models import DatamatchRun, RecordLink
from eligibility.datamatch.selectors import (
    current_run,
    imports_in_force,
    partner_records_for_people,
)
from eligibility.selectors import RELATIONSHIPS, framework_in_force, recorded_evidence_by_family
from families.models import Family, Involvement, Membership
from reporting.returns import rules
from reporting.returns.models import (
    CostParameters,
    ReturnSample,
    UnitCost,
    UnitCostVersion,
)
from tafcase.accounts.models import LocalAuthority
from tafcase.references import reference_for

# --- attached families and samples ----------------------------------------------------


def attached_family_ids(authority_id: int, year: int) -> list[int]:
    """The authority's families attached (programme start) in a programme year."""
    first, last = rules.programme_year_bounds(year)
    return list(
        Family.objects.filter(
            local_authority_id=authority_id, programme_start__range=(first, last)
        ).values_list("pk", flat=True)
    )


def attached_by_year(authority_id: int) -> dict[int, int]:
    """Families attached in each programme year, counted in SQL by month."""
    months = (
        Family.objects.filter(local_authority_id=authority_id, programme_start__isnull=False)
        .annotate(y=ExtractYear("programme_start"), m=ExtractMonth("programme_start"))
        .values_list("y", "m")
        .annotate(n=Count("pk"))
        .order_by()
    )
    years: dict[int, int] = defaultdict(int)
    for y, m, n in months:
        years[rules.programme_year_of(date(y, m, 1))] += n
    return dict(sorted(years.items(), reverse=True))


def samples_of(authority_id: int, kind: str) -> QuerySet[ReturnSample]:
    return ReturnSample.objects.filter(local_authority_id=authority_id, kind=kind).select_related(
        "drawn_by"
    )


def sample_of(authority_id: int, kind: str, year: int) -> ReturnSample | None:
    return (
        samples_of(authority_id, kind)
        .select_related("local_authority", "cost_parameters")
        .filter(year=year)
        .first()
    )


@dataclass(frozen=True)
class YearRow:
    year: int
    label: str
    attached: int
    sample: ReturnSample | None


def years_and_samples(authority_id: int, kind: str) -> list[YearRow]:
    """Each programme year with attached families, newest first, with its sample if
    drawn (and any sample of a year that has no attached families left)."""
    attached = attached_by_year(authority_id)
    samples = {s.year: s for s in samples_of(authority_id, kind)}
    years = sorted(set(attached) | set(samples), reverse=True)
    return [
        YearRow(y, rules.programme_year_label(y), attached.get(y, 0), samples.get(y)) for y in years
    ]


def _sampled_families(sample: ReturnSample) -> list[tuple[int, date]]:
    """The sample's families that are still the authority's and still attached."""
    rows = (
        Family.objects.filter(
            pk__in=sample.family_ids,
            local_authority_id=sample.local_authority_id,
            programme_start__isnull=False,
        )
        .order_by("pk")
        .values_list("pk", "programme_start")
    )
    return [(pk, start) for pk, start in rows if start is not None]


# --- partner data coverage ------------------------------------------------------------


def partner_data_as_of(authority: LocalAuthority) -> tuple[DatamatchRun | None, dict[str, date]]:
    """The authority's current data-match run and, per dataset kind, the date of the
    latest extract it read: a kind's records say nothing about days after that date."""
    run = current_run(authority)
    if run is None:
        return None, {}
    as_of: dict[str, date] = {}
    for kind, taken in imports_in_force(authority, run.as_of).values_list("kind", "as_of"):
        as_of[kind] = max(taken, as_of.get(kind, taken))
    return run, as_of


# --- Family Progress Data -------------------------------------------------------------


@dataclass
class _Loaded:
    people: dict[int, list[tuple[rules.Person, rulebook.Member, date | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    records: dict[int, list[rulebook.Record]] = field(default_factory=dict)
    evidence: dict[int, list[rulebook.RecordedEvidence]] = field(default_factory=dict)
    agencies: dict[int, list[tuple[str, date, date | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )


def _load(family_ids: list[int], today: date) -> _Loaded:
    """Everything the return reads about the families, in five queries."""
    loaded = _Loaded()
    numbers: dict[int, dict[int, int]] = defaultdict(dict)
    memberships = (
        Membership.objects.filter(family_id__in=family_ids, role__in=list(RELATIONSHIPS))
        .select_related("person")
        .order_by("family_id", "pk")
    )
    for m in memberships:
        # Members are numbered in the order they joined the family's record, so a member
        # keeps their number at every point.
        number = numbers[m.family_id].setdefault(m.person_id, len(numbers[m.family_id]) + 1)
        person = rules.Person(str(m.person_id), number, m.role, m.person.dob, m.person.sex)
        member = rulebook.Member(
            person_id=str(m.person_id), dob=m.person.dob, relationship=RELATIONSHIPS[m.role]
        )
        loaded.people[m.family_id].append((person, member, m.ended_on))
    person_ids = {int(p.person_id) for ps in loaded.people.values() for p, _, _ in ps}
    by_person = partner_records_for_people(person_ids)
    for family_id, ps in loaded.people.items():
        people = dict.fromkeys(int(p.person_id) for p, _, _ in ps)
        loaded.records[family_id] = [r for pid in people for r in by_person.get(pid, ())]
    loaded.evidence = recorded_evidence_by_family(family_ids, today)
    for family_id, agency, started, ended in Involvement.objects.filter(
        family_id__in=family_ids
    ).values_list("family_id", "agency__name", "started_on", "ended_on"):
        loaded.agencies[family_id].append((agency, started, ended))
    return loaded


def _household(loaded: _Loaded, family_id: int, on: date) -> rulebook.Household:
    """The family as the rulebook would have seen it on ``on``: members whose membership
    had not ended (as eligibility.selectors.households_for reads them), their records
    dated on or before that day, evidence recorded by then, agencies on the TAF then."""
    members = tuple(
        member
        for _, member, ended in loaded.people.get(family_id, [])
        if ended is None or ended > on
    )
    ids = {m.person_id for m in members}
    return rulebook.Household(
        members=tuple(dict.fromkeys(members)),
        records=tuple(
            r for r in loaded.records.get(family_id, []) if r.person_id in ids and r.date <= on
        ),
        recorded_evidence=tuple(e for e in loaded.evidence.get(family_id, []) if e.date <= on),
        taf_agencies=frozenset(
            a
            for a, started, ended in loaded.agencies.get(family_id, [])
            if started <= on and (ended is None or ended > on)
        ),
        household_id=reference_for(family_id),
    )


@dataclass(frozen=True)
class FamilyProgress:
    sample: ReturnSample
    family_ids: list[int]
    rows: list[dict[str, str]]
    points_reached: dict[str, int]
    data_as_of: dict[str, date]
    run: DatamatchRun | None

    @property
    def families(self) -> int:
        return len(self.family_ids)


def family_progress(sample: ReturnSample, today: date) -> FamilyProgress:
    """The Family Progress Data rows of a sample as of ``today``: each family at
    attachment and at 6 and 12 months where that day has come, a family row then a row
    per member. A constant number of queries whatever the sample's size."""
    authority = sample.local_authority
    families = _sampled_families(sample)
    ids = [pk for pk, _ in families]
    loaded = _load(ids, today)
    run, data_as_of = partner_data_as_of(authority)
    coverage = rules.Coverage(data_as_of)
    framework = framework_in_force(authority)
    out_of_work = framework.parameters.out_of_work_benefits
    rows: list[dict[str, str]] = []
    reached: dict[str, int] = {key: 0 for key, _, _ in rules.POINTS}
    for family_id, attached_on in families:
        facts = rules.FamilyFacts(
            reference_for(family_id),
            attached_on,
            tuple(dict.fromkeys(p for p, _, _ in loaded.people.get(family_id, []))),
        )
        for point in rules.progress_points(attached_on, today):
            reached[point.key] += 1
            household = _household(loaded, family_id, point.on)
            decision = rulebook.evaluate(household, point.on, framework)
            met = [c.code for c in decision.criteria if c.met]
            rows.extend(
                rules.family_rows(
                    facts, point, household, met, coverage=coverage, out_of_work=out_of_work
                )
            )
    return FamilyProgress(sample, ids, rows, reached, data_as_of, run)


# --- the Cost Saving Calculator -------------------------------------------------------


class MonthsAfter(Func):
    """A date plus whole calendar months in SQL. PostgreSQL's ``date + interval`` keeps to
    the month's last day as the rulebook's arithmetic does (31 March minus one month is
    28 or 29 February), so the SQL windows are rules.before_after_windows'."""

    output_field = DateField()

    def __init__(self, expression, months: int):
        super().__init__(
            expression,
            template=f"(%(expressions)s + make_interval(months => {int(months)}))::date",
        )


def _measure_case() -> Case:
    return Case(
        *[
            When(
                Q(record__kind=m.kind, **{f"record__attributes__{m.attribute}__in": m.values}),
                then=Value(m.code),
            )
            for m in rules.MEASURES
        ],
        default=Value(""),
        output_field=CharField(),
    )


def event_counts(
    run: DatamatchRun, family_ids: list[int], *, months_before: int, months_after: int
) -> dict[str, tuple[int, int]]:
    """Per measure, the events of the families' members in the months before attachment
    and the months after: ``{measure: (before, after)}``. One query. Members are those
    whose membership had not ended by attachment, as the rulebook reads a household; an
    event of someone in two counted families counts for each."""
    if not family_ids:
        return {}
    attached = F("person__memberships__family__programme_start")
    # One filter() call, so the membership conditions and the windows all use one join.
    links = RecordLink.objects.filter(
        Q(run=run)
        & Q(record__kind__in={m.kind for m in rules.MEASURES})
        & Q(record__event_date__isnull=False)
        & Q(person__memberships__family_id__in=family_ids)
        & Q(person__memberships__role__in=list(RELATIONSHIPS))
        & (
            Q(person__memberships__ended_on__isnull=True)
            | Q(person__memberships__ended_on__gt=attached)
        )
        & Q(record__event_date__gt=MonthsAfter(attached, -months_before))
        & Q(record__event_date__lte=MonthsAfter(attached, months_after))
    )
    rows = (
        links.annotate(measure=_measure_case())
        .exclude(measure="")
        .values("measure")
        .annotate(
            before=Count("pk", filter=Q(record__event_date__lte=attached)),
            after=Count("pk", filter=Q(record__event_date__gt=attached)),
        )
        .order_by()
    )
    return {r["measure"]: (r["before"], r["after"]) for r in rows}


def latest_unit_cost_version(authority_id: int) -> UnitCostVersion | None:
    return (
        UnitCostVersion.objects.filter(local_authority_id=authority_id)
        .select_related("created_by")
        .order_by("-number")
        .first()
    )


def unit_cost_version(authority_id: int, number: int | None) -> UnitCostVersion | None:
    """One version of the authority's table, or its latest when ``number`` is None."""
    if number is None:
        return latest_unit_cost_version(authority_id)
    return (
        UnitCostVersion.objects.filter(local_authority_id=authority_id, number=number)
        .select_related("created_by")
        .first()
    )


def unit_cost_versions(authority_id: int) -> QuerySet[UnitCostVersion]:
    return (
        UnitCostVersion.objects.filter(local_authority_id=authority_id)
        .select_related("created_by")
        .annotate(rows=Count("costs"))
        .order_by("-number")
    )


def unit_costs_in(version: UnitCostVersion | None) -> list[UnitCost]:
    if version is None:
        return []
    return list(UnitCost.objects.filter(version=version).order_by("category", "item", "pk"))


@dataclass(frozen=True)
class CostRow:
    cost: UnitCost
    line: rules.CostLine | None  # None: tafcase has nothing to count against this cost


@dataclass(frozen=True)
class CostCalculation:
    sample: ReturnSample
    parameters: CostParameters
    version: UnitCostVersion | None
    run: DatamatchRun | None
    data_as_of: date | None
    cohort: int
    counted_ids: list[int]
    rows: list[CostRow]
    by_agency: list[rules.Total]
    by_kind: list[rules.Total]
    cashable: rules.Total
    total: rules.Total

    @property
    def counted(self) -> int:
        return len(self.counted_ids)

    @property
    def waiting(self) -> int:
        return self.cohort - self.counted


def _total(key: str, lines: Iterable[rules.CostLine]) -> rules.Total:
    lines = list(lines)
    return rules.Total(
        key, sum((x.gross for x in lines), Decimal(0)), sum((x.adjusted for x in lines), Decimal(0))
    )


def cost_calculation(sample: ReturnSample, version: UnitCostVersion | None) -> CostCalculation:
    """The calculator for a sample: which of its families can be counted (the period after
    attachment is over by the date of the partner data), their events before and after
    (one SQL query), priced with ``version`` of the unit costs."""
    parameters = sample.cost_parameters
    run = current_run(sample.local_authority)
    data_as_of = run.as_of if run else None
    families = _sampled_families(sample)
    counted = [
        pk
        for pk, attached_on in families
        if data_as_of is not None
        and rules.after_period_complete(
            attached_on, months_after=parameters.months_after, data_as_of=data_as_of
        )
    ]
    counts = (
        event_counts(
            run,
            counted,
            months_before=parameters.months_before,
            months_after=parameters.months_after,
        )
        if run
        else {}
    )
    rows = []
    for cost in unit_costs_in(version):
        line = None
        if cost.measure:
            before, after = counts.get(cost.measure, (0, 0))
            line = rules.cost_line(
                cost.pk,
                cost.value,
                before=before,
                after=after,
                months_before=parameters.months_before,
                months_after=parameters.months_after,
                deadweight_percent=parameters.deadweight_percent,
                attribution_percent=parameters.attribution_percent,
            )
        rows.append(CostRow(cost, line))
    priced = [(r.cost, r.line) for r in rows if r.line is not None]
    lines = [line for _, line in priced]
    agency = {line.key: cost.bearing_agency for cost, line in priced}
    kind = {line.key: cost.get_kind_display() for cost, line in priced}
    return CostCalculation(
        sample=sample,
        parameters=parameters,
        version=version,
        run=run,
        data_as_of=data_as_of,
        cohort=len(families),
        counted_ids=counted,
        rows=rows,
        by_agency=rules.totals_by(lines, lambda x: agency[x.key]),
        by_kind=rules.totals_by(lines, lambda x: kind[x.key]),
        cashable=_total("Cashable", (line for cost, line in priced if cost.cashable)),
        total=_total("All", lines),
    )


def unit_cost_of(authority_id: int, cost_id: int) -> UnitCost | None:
    return (
        UnitCost.objects.filter(pk=cost_id, version__local_authority_id=authority_id)
        .select_related("version")
        .first()
    )
