"""The measures of the two Appendix E cards, computed for every period of a card at once:
measures share a handful of grouped reads (the families, their nominations, assessments
and closures, the feedback), so a card costs the same number of queries whatever
the data size or the number of periods (reporting.md §1, §4).

A measure reads families of one authority, narrowed by a Slice (locality, tier of need,
age group of the youngest child at attachment, the kind of agency that nominated them,
and for the key-worker card the lead professional's background and whether they are a
dedicated key worker)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models import Value as V
from django.db.models.functions import TruncMonth
from django.utils import timezone

from eligibility.models import Nomination
from families.models import Family, Involvement, Membership
from outcomes.models import Assessment, Closure
from reporting.feedback import selectors as feedback
from reporting.rules import Period, Unit, Value, sum_by_month, sum_spans


class Card(StrEnum):
    PATHWAY = "pathway"
    KEY_WORKER = "key-worker"


CARD_TITLES = {
    Card.PATHWAY: "Whole pathway",
    Card.KEY_WORKER: "Key-worker element",
}


class Section(StrEnum):
    HOW_MUCH = "how_much"
    HOW_WELL = "how_well"
    BETTER_OFF = "better_off"


SECTION_TITLES = {
    Section.HOW_MUCH: "How much did we do?",
    Section.HOW_WELL: "How well did we do it?",
    Section.BETTER_OFF: "Is anyone better off?",
}

AGE_GROUPS = {
    "0-4": ("Youngest child under 5", 0, 5),
    "5-10": ("Youngest child 5 to 10", 5, 11),
    "11-15": ("Youngest child 11 to 15", 11, 16),
    "16-18": ("Youngest child 16 to 18", 16, 19),
}


@dataclass(frozen=True)
class Slice:
    """Which families a card counts. Every field optional; ids are already resolved
    through the authority (reporting.selectors.slice_from)."""

    locality_id: int | None = None
    tier: str = ""
    age_group: str = ""
    agency_kind: str = ""
    # The key-worker card's: the lead professional's background, and whether they work
    # only as a key worker ("yes" or "no").
    background: str = ""
    dedicated: str = ""

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass(frozen=True)
class Query:
    authority_id: int
    periods: Sequence[Period]
    slice: Slice = field(default_factory=Slice)
    # The key-worker card counts only families with a lead professional.
    key_worker_only: bool = False
    # Reads several measures share, made once per card (measures._once).
    shared: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def families(self) -> QuerySet[Family]:
        families = Family.objects.filter(
            local_authority_id=self.authority_id, programme_start__isnull=False
        )
        if self.key_worker_only:
            families = families.filter(lead_professional__isnull=False)
        s = self.slice
        if s.locality_id:
            families = families.filter(locality_id=s.locality_id)
        if s.tier:
            families = families.filter(tier=s.tier)
        if s.background:
            families = families.filter(lead_professional__professional_background=s.background)
        if s.dedicated in ("yes", "no"):
            families = families.filter(lead_professional__dedicated_key_worker=s.dedicated == "yes")
        if s.agency_kind:
            families = families.filter(
                Exists(
                    Nomination.objects.filter(
                        family=OuterRef("pk"), referrer_agency__kind=s.agency_kind
                    )
                )
            )
        if s.age_group in AGE_GROUPS:
            _label, low, high = AGE_GROUPS[s.age_group]
            youngest = (
                Membership.objects.filter(family=OuterRef("pk"), role=Membership.Role.CHILD)
                .values("family")
                .annotate(dob=Max("person__dob"))
                .values("dob")
            )
            age = ExpressionWrapper(
                F("programme_start") - Subquery(youngest), output_field=DurationField()
            )
            families = families.annotate(youngest_age=age).filter(
                youngest_age__gte=timedelta(days=round(low * 365.25)),
                youngest_age__lt=timedelta(days=round(high * 365.25)),
            )
        return families

    @property
    def span(self) -> tuple:
        return (self.periods[0].start, self.periods[-1].end)


Values = dict[int, Value]


@dataclass(frozen=True)
class Measure:
    code: str
    card: Card
    section: Section
    title: str
    unit: Unit
    # Is a higher figure better? None for counts of work done, which are not good or bad
    # in themselves (RBA's "how much"): their trend is shown, not judged.
    higher_is_better: bool | None
    compute: Callable[[Query], Values]
    headline: bool = False
    # What the figure counts, in a sentence for the measure's page.
    definition: str = ""
    # The families behind the figure in one period, for the programme team (drill-down);
    # None where the figure is not about named families (feedback, caseload per worker).
    drill: "Drill | None" = None


# --- Reads: each gives every period's counts in one query ---------------------------------


def _once(q: Query, name: str, read: Callable[[Query], dict]) -> dict:
    """Several measures share one read of the same rows (the families, the nominations,
    the assessments, the closures, the feedback): it is made once per card and kept on
    the query."""
    if name not in q.shared:
        q.shared[name] = read(q)
    return q.shared[name]


def _dated(q: Query, rows: QuerySet, day: str, *, local_day: bool = False, **counts) -> dict:
    """Rows whose `day` falls in the card's periods, counted (`counts`: name → aggregate)
    per period: {period index: {name: n}}. `local_day`: `day` is a moment, counted by its
    London day. Grouped by month in SQL and the months, at most three years of them,
    summed into quarters here: a CASE per period would work out each row's period once for
    every period, and a filter per period and count is costly to build."""
    first, last = q.span
    if local_day:
        zone = timezone.get_current_timezone()
        rows = rows.filter(
            **{
                f"{day}__gte": datetime.combine(first, time.min, zone),
                f"{day}__lt": datetime.combine(last + timedelta(days=1), time.min, zone),
            }
        )
    else:
        rows = rows.filter(**{f"{day}__range": q.span})
    months = rows.order_by().annotate(month=TruncMonth(day)).values("month").annotate(**counts)
    return sum_by_month(
        ((_day(row.pop("month")), row) for row in months), [(p.start, p.end) for p in q.periods]
    )


def _day(month: date | datetime) -> date:
    """TruncMonth gives a moment's month as local midnight on its first day."""
    return month.date() if isinstance(month, datetime) else month


def _count(reader: Callable[[Query], dict], name: str) -> Callable[[Query], Values]:
    """A measure that is one of a shared read's counts."""

    def compute(q: Query) -> Values:
        return {i: Value(row[name]) for i, row in _once(q, reader.__name__, reader).items()}

    return compute


def _share(
    reader: Callable[[Query], dict], name: str, *, of: str = "n"
) -> Callable[[Query], Values]:
    """A measure that is one of a shared read's counts over another (`of`; by default
    all it read, `n`). Periods where that is none are left out (no data)."""

    def compute(q: Query) -> Values:
        return {
            i: Value(row[name], row[of])
            for i, row in _once(q, reader.__name__, reader).items()
            if row[of]
        }

    return compute


# --- How much did we do? ----------------------------------------------------------------


def _active_in(p: Period) -> Q:
    return Q(programme_start__lte=p.end) & (
        Q(programme_end__isnull=True) | Q(programme_end__gte=p.start)
    )


def _several_agencies() -> QuerySet:
    """The families that have had two or more agencies around them (the fewest and most
    agency differ: no distinct count)."""
    return (
        Involvement.objects.order_by()
        .values("family")
        .annotate(fewest=Min("agency"), most=Max("agency"))
        .filter(fewest__lt=F("most"))
        .values("family")
    )


def _period_index(q: Query, day: str, *, open_is_after: bool = False) -> Case:
    """The index of the period `day` falls in: -1 before the first period, and the number
    of periods after the last (or, with `open_is_after`, when there is no day)."""
    after = V(len(q.periods))
    first, _last = q.span
    return Case(
        *([When(**{f"{day}__isnull": True}, then=after)] if open_is_after else []),
        When(**{f"{day}__lt": first}, then=V(-1)),
        *[When(**{f"{day}__range": (p.start, p.end)}, then=V(i)) for i, p in enumerate(q.periods)],
        default=after,
        output_field=IntegerField(),
    )


def _family_counts(q: Query) -> dict:
    """The families counted, grouped by the periods their time on the programme starts
    and ends in, with those who have had two or more agencies around them; summed here
    into each period: `active` (on the programme at any time in it), `multi` (and with
    several agencies) and, by the period it starts in, `attached`."""
    spans = (
        q.families()
        .order_by()
        .annotate(
            first=_period_index(q, "programme_start"),
            last=_period_index(q, "programme_end", open_is_after=True),
        )
        .values("first", "last")
        .annotate(active=Count("pk"), multi=Count("pk", filter=Q(pk__in=_several_agencies())))
    )
    rows = [(row.pop("first"), row.pop("last"), row) for row in spans]
    counts = sum_spans(rows, len(q.periods), ["active", "multi"])
    for i, row in counts.items():
        row["attached"] = sum(found["active"] for first, _last, found in rows if first == i)
    return counts


families_worked_with = _count(_family_counts, "active")
families_attached = _count(_family_counts, "attached")
multi_agency = _count(_family_counts, "multi")


def _nomination_counts(q: Query) -> dict:
    """Nominations of the families counted, by the day sent (`n`), and those of a family
    whose earlier case had been closed (`again`)."""
    closed_before = Closure.objects.filter(
        family=OuterRef("family"), closed_on__lt=OuterRef("submitted_at__date")
    )
    return _dated(
        q,
        Nomination.objects.filter(family__in=q.families()).alias(again=Exists(closed_before)),
        "submitted_at",
        local_day=True,
        n=Count("pk"),
        again=Count("pk", filter=Q(again=True)),
    )


nominations_received = _count(_nomination_counts, "n")
re_referrals = _count(_nomination_counts, "again")


def families_per_key_worker(q: Query) -> Values:
    """Families worked with in the period for each lead professional working with any."""
    workers = (
        q.families()
        .filter(lead_professional__isnull=False)
        .aggregate(
            **{
                f"w{i}": Count("lead_professional", filter=_active_in(p), distinct=True)
                for i, p in enumerate(q.periods)
            }
        )
    )
    families = _once(q, _family_counts.__name__, _family_counts)
    return {i: Value(families[i]["active"], workers[f"w{i}"]) for i in range(len(q.periods))}


# --- Is anyone better off? ----------------------------------------------------------------


def _assessment_counts(q: Query) -> dict:
    """Whole-family assessments completed in the card's periods (`n`), and the reviews
    among them that can be set against the family's baseline (`reviews`): those with a
    lower mean domain score (less need; `improved`) and the sum of the falls (`fall`).
    A review keeps its mean and its baseline's beside it when completed."""
    review = Q(occasion__gte=1, mean_score__isnull=False, baseline_mean__isnull=False)
    return _dated(
        q,
        Assessment.objects.filter(family__in=q.families(), status="completed"),
        "completed_on",
        n=Count("pk"),
        reviews=Count("pk", filter=review),
        improved=Count("pk", filter=review & Q(mean_score__lt=F("baseline_mean"))),
        fall=Sum(F("baseline_mean") - F("mean_score"), filter=review),
    )


assessments_completed = _count(_assessment_counts, "n")
distance_improved = _share(_assessment_counts, "improved", of="reviews")


def distance_change(q: Query) -> Values:
    """Mean fall in the average domain score from the baseline, per review (positive is
    less need)."""
    return {
        i: Value(float(row["fall"]), row["reviews"])
        for i, row in _once(q, _assessment_counts.__name__, _assessment_counts).items()
        if row["reviews"]
    }


_STAYED = ~Q(reason=Closure.Reason.DISENGAGED)
_WHOLLY = Q(goals__gt=0, goals_achieved=F("goals")) & _STAYED
_PARTLY = Q(goals_achieved__gt=0, goals_achieved__lt=F("goals")) & _STAYED
_SIX_MONTHS = timedelta(days=183)


def _closure_counts(q: Query) -> dict:
    """Cases closed in the card's periods (`n`): those with every goal achieved
    (`wholly`), some (`partly`), dropped out (the family disengaged; `out`), stepped up
    to statutory services (`stepped_up`) and open six months or more (`long`). The plan
    is read as it stood at closure (kept on the closure)."""
    return _dated(
        q,
        Closure.objects.filter(family__in=q.families()),
        "closed_on",
        n=Count("pk"),
        wholly=Count("pk", filter=_WHOLLY),
        partly=Count("pk", filter=_PARTLY),
        out=Count("pk", filter=~_STAYED),
        stepped_up=Count("pk", filter=Q(reason=Closure.Reason.STEPPED_UP)),
        long=Count("pk", filter=Q(closed_on__gte=F("family__programme_start") + _SIX_MONTHS)),
    )


plans_wholly_achieved = _share(_closure_counts, "wholly")
plans_partly_achieved = _share(_closure_counts, "partly")
dropped_out = _share(_closure_counts, "out")
step_ups = _count(_closure_counts, "stepped_up")
closed_after_six_months = _share(_closure_counts, "long")


# --- How well did we do it? (reporting.feedback) -----------------------------------------
# Feedback and the quality sample are read for the whole authority: the card's filters do
# not narrow them (the definitions say so).


def _feedback(reader: Callable, key: str) -> Callable[[Query], Values]:
    def read(q: Query) -> dict:
        return reader(q.authority_id, [(p.start, p.end) for p in q.periods])

    def compute(q: Query) -> Values:
        return _once(q, reader.__name__, read)[key]

    return compute


satisfied = _feedback(feedback.family_feedback_figures, feedback.SATISFIED)
changed_a_lot = _feedback(feedback.family_feedback_figures, feedback.CHANGED_A_LOT)
key_worker_helpful = _feedback(feedback.family_feedback_figures, feedback.KEY_WORKER_HELPFUL)
key_players_positive = _feedback(feedback.key_player_feedback_figures, feedback.POSITIVE_MEASURE)
engagement_good = _feedback(feedback.quality_review_figures, feedback.ENGAGEMENT_GOOD)
multi_agency_good = _feedback(feedback.quality_review_figures, feedback.MULTI_AGENCY_GOOD)
creativity_good = _feedback(feedback.quality_review_figures, feedback.CREATIVITY_GOOD)
WHOLE = " Read for the whole authority: the card's filters do not narrow it."


# --- Drill-down: the families behind a figure ------------------------------------------
# Each returns the families a period's figure counts (its denominator, where it has one),
# annotated `counted`: whether the family is in the numerator.

Drill = Callable[[Query, Period], QuerySet[Family]]


def _all_counted(families: QuerySet[Family]) -> QuerySet[Family]:
    return families.annotate(counted=V(True))


def drill_worked_with(q: Query, p: Period) -> QuerySet[Family]:
    return _all_counted(q.families().filter(_active_in(p)))


def drill_attached(q: Query, p: Period) -> QuerySet[Family]:
    return _all_counted(q.families().filter(programme_start__range=(p.start, p.end)))


def drill_multi_agency(q: Query, p: Period) -> QuerySet[Family]:
    return _all_counted(q.families().filter(_active_in(p), pk__in=_several_agencies()))


def drill_re_referred(q: Query, p: Period) -> QuerySet[Family]:
    again = Nomination.objects.filter(
        family=OuterRef("pk"), submitted_at__date__range=(p.start, p.end)
    ).filter(
        Exists(
            Closure.objects.filter(
                family=OuterRef("family"), closed_on__lt=OuterRef("submitted_at__date")
            )
        )
    )
    return _all_counted(q.families().filter(Exists(again)))


def drill_reviewed(q: Query, p: Period) -> QuerySet[Family]:
    """Families with a review in the period that can be set against their baseline;
    counted when it shows less need."""
    reviews = Assessment.objects.filter(
        family=OuterRef("pk"),
        occasion__gte=1,
        status="completed",
        completed_on__range=(p.start, p.end),
        mean_score__isnull=False,
        baseline_mean__isnull=False,
    )
    return (
        q.families()
        .filter(Exists(reviews))
        .annotate(counted=Exists(reviews.filter(mean_score__lt=F("baseline_mean"))))
    )


def _drill_closed(counted: Q | None, only: Q | None = None) -> Drill:
    def drill(q: Query, p: Period) -> QuerySet[Family]:
        closed = Closure.objects.filter(family=OuterRef("pk"), closed_on__range=(p.start, p.end))
        if only is not None:
            closed = closed.filter(only)
        families = q.families().filter(Exists(closed))
        if counted is None:
            return _all_counted(families)
        return families.annotate(counted=Exists(closed.filter(counted)))

    return drill


drill_wholly = _drill_closed(_WHOLLY)
drill_partly = _drill_closed(_PARTLY)
drill_dropped_out = _drill_closed(~_STAYED)
drill_stepped_up = _drill_closed(None, only=Q(reason=Closure.Reason.STEPPED_UP))


def drill_long_open(q: Query, p: Period) -> QuerySet[Family]:
    """Families whose case closed in the period; counted when it had been open six
    months or more."""
    closed = Closure.objects.filter(family=OuterRef("pk"), closed_on__range=(p.start, p.end))
    return (
        q.families()
        .filter(Exists(closed))
        .annotate(
            counted=Exists(closed.filter(closed_on__gte=OuterRef("programme_start") + _SIX_MONTHS))
        )
    )


P, K = Card.PATHWAY, Card.KEY_WORKER
MUCH, WELL, BETTER = Section.HOW_MUCH, Section.HOW_WELL, Section.BETTER_OFF

MEASURES: tuple[Measure, ...] = (
    Measure(
        "families",
        P,
        MUCH,
        "Families worked with",
        Unit.COUNT,
        None,
        families_worked_with,
        headline=True,
        definition="Families on the programme at any time in the period.",
        drill=drill_worked_with,
    ),
    Measure(
        "attached",
        P,
        MUCH,
        "Families newly attached",
        Unit.COUNT,
        None,
        families_attached,
        definition="Families whose attachment date falls in the period.",
        drill=drill_attached,
    ),
    Measure(
        "assessments",
        P,
        MUCH,
        "Whole-family assessments completed",
        Unit.COUNT,
        None,
        assessments_completed,
        definition="Baseline and review assessments completed in the period.",
    ),
    Measure(
        "referrals",
        P,
        MUCH,
        "Referrals to the panel",
        Unit.COUNT,
        None,
        nominations_received,
        definition="Nominations of the families counted, by the date they were sent.",
    ),
    Measure(
        "multi_agency",
        P,
        MUCH,
        "Families with a multi-agency package",
        Unit.COUNT,
        None,
        multi_agency,
        definition="Families worked with in the period with two or more agencies on their "
        "Team Around the Family.",
        drill=drill_multi_agency,
    ),
    Measure(
        "re_referrals",
        P,
        MUCH,
        "Re-referrals",
        Unit.COUNT,
        False,
        re_referrals,
        definition="Nominations in the period of a family whose earlier case had closed.",
        drill=drill_re_referred,
    ),
    Measure(
        "satisfied",
        P,
        WELL,
        "Families satisfied with the help they got",
        Unit.PERCENT,
        True,
        satisfied,
        headline=True,
        definition="Family feedback answered in the period rating their satisfaction 4 or 5 "
        "out of 5." + WHOLE,
    ),
    Measure(
        "changed",
        P,
        WELL,
        "Families saying things changed a lot",
        Unit.PERCENT,
        True,
        changed_a_lot,
        definition="Family feedback answered in the period saying things changed a lot or "
        "quite a lot." + WHOLE,
    ),
    Measure(
        "key_players",
        P,
        WELL,
        "Key players who say the process helps them",
        Unit.PERCENT,
        True,
        key_players_positive,
        definition="Key workers and panel members agreeing the process helps them support "
        "families, in their feedback for the quarter." + WHOLE,
    ),
    Measure(
        "engagement",
        P,
        WELL,
        "Sampled cases rated good for engagement",
        Unit.PERCENT,
        True,
        engagement_good,
        definition="Closed cases in the quality sample, closed in the period and reviewed, "
        "rated good or outstanding for engagement with the family." + WHOLE,
    ),
    Measure(
        "multi_agency_quality",
        P,
        WELL,
        "Sampled cases rated good for multi-agency support",
        Unit.PERCENT,
        True,
        multi_agency_good,
        definition="As above, for multi-agency support." + WHOLE,
    ),
    Measure(
        "creativity",
        P,
        WELL,
        "Sampled cases rated good for creative, outcome-focused work",
        Unit.PERCENT,
        True,
        creativity_good,
        definition="As above, for creativity in finding outcome-focused solutions." + WHOLE,
    ),
    Measure(
        "improved",
        P,
        BETTER,
        "Reviews showing less need than at the start",
        Unit.PERCENT,
        True,
        distance_improved,
        headline=True,
        definition="Review assessments completed in the period whose average domain score "
        "is lower (less need) than the family's baseline assessment.",
        drill=drill_reviewed,
    ),
    Measure(
        "distance",
        P,
        BETTER,
        "Average distance travelled",
        Unit.NUMBER,
        True,
        distance_change,
        definition="The average fall in the family's mean domain score from the baseline "
        "to each review completed in the period; positive means less need.",
        drill=drill_reviewed,
    ),
    Measure(
        "wholly",
        P,
        BETTER,
        "Plans wholly achieved",
        Unit.PERCENT,
        True,
        plans_wholly_achieved,
        headline=True,
        definition="Cases closed in the period whose every goal was achieved.",
        drill=drill_wholly,
    ),
    Measure(
        "partly",
        P,
        BETTER,
        "Plans partially achieved",
        Unit.PERCENT,
        True,
        plans_partly_achieved,
        definition="Cases closed in the period with some, not all, goals achieved.",
        drill=drill_partly,
    ),
    Measure(
        "dropped_out",
        P,
        BETTER,
        "Families who dropped out",
        Unit.PERCENT,
        False,
        dropped_out,
        definition="Cases closed in the period because the family disengaged.",
        drill=drill_dropped_out,
    ),
    Measure(
        "step_ups",
        P,
        BETTER,
        "Step-ups to specialist services",
        Unit.COUNT,
        False,
        step_ups,
        headline=True,
        definition="Cases closed in the period by stepping up to statutory services.",
        drill=drill_stepped_up,
    ),
    Measure(
        "kw_families",
        K,
        MUCH,
        "Families with a key worker",
        Unit.COUNT,
        None,
        families_worked_with,
        headline=True,
        definition="Families worked with in the period who have a lead professional.",
        drill=drill_worked_with,
    ),
    Measure(
        "kw_caseload",
        K,
        MUCH,
        "Families per key worker",
        Unit.NUMBER,
        False,
        families_per_key_worker,
        definition="Families worked with in the period for each lead professional.",
    ),
    Measure(
        "kw_six_months",
        K,
        MUCH,
        "Cases closed after six months or more",
        Unit.PERCENT,
        None,
        closed_after_six_months,
        definition="Cases closed in the period that had been open 183 days or more.",
        drill=drill_long_open,
    ),
    Measure(
        "kw_helpful",
        K,
        WELL,
        "Families who found their key worker helpful",
        Unit.PERCENT,
        True,
        key_worker_helpful,
        headline=True,
        definition="Family feedback answered in the period rating the key worker's help 4 "
        "or 5 out of 5." + WHOLE,
    ),
    Measure(
        "kw_engagement",
        K,
        WELL,
        "Sampled cases rated good for engagement",
        Unit.PERCENT,
        True,
        engagement_good,
        definition="Closed cases in the quality sample rated good or outstanding for "
        "engagement with the family." + WHOLE,
    ),
    Measure(
        "kw_improved",
        K,
        BETTER,
        "Reviews showing less need than at the start",
        Unit.PERCENT,
        True,
        distance_improved,
        headline=True,
        definition="As on the whole-pathway card, for families with a key worker.",
        drill=drill_reviewed,
    ),
    Measure(
        "kw_wholly",
        K,
        BETTER,
        "Plans wholly achieved",
        Unit.PERCENT,
        True,
        plans_wholly_achieved,
        headline=True,
        definition="As on the whole-pathway card, for families with a key worker.",
        drill=drill_wholly,
    ),
)

BY_CODE = {m.code: m for m in MEASURES}


def measures_of(card: Card) -> list[Measure]:
    return [m for m in MEASURES if m.card is card]
