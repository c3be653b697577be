"""The report cards' feedback and quality figures: right per period, one authority's
only, and one query whatever the number of rows or periods."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reporting.feedback import selectors, services
from reporting.feedback.models import FamilyFeedback, KeyPlayerFeedback
from reporting.rules import Period, Unit, Value

# The feedback tests build on the outcomes `team` (the families world), which
# replaces the returns tests' own `team` from tests/reporting/conftest.py here.
from tests.families.conftest import make_family, world  # noqa: F401
from tests.outcomes.conftest import active, team  # noqa: F401
from tests.reporting.feedback_fixtures import (
    ANSWERS,
    KEY_PLAYER_ANSWERS,
    TODAY,
    answer,
    closed_families,
    fb,  # noqa: F401
)

pytestmark = pytest.mark.django_db

THIS = Period.containing(TODAY)
LAST = THIS.previous()
QUARTERS = [(LAST.start, LAST.end), (THIS.start, THIS.end)]


def noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def give(w, day: date, family=None, **scales):
    return answer(w, family, answers={**ANSWERS, **scales}, at=noon(day))


def test_family_feedback_per_period_counts_answers_of_4_and_5(fb):
    w = fb.w
    give(w, THIS.start, satisfaction=5, things_changed=5, key_worker_helpful=4)
    give(w, THIS.start, satisfaction=4, things_changed=3, key_worker_helpful=1)
    give(w, THIS.start, satisfaction=3, things_changed=4, key_worker_helpful=5)
    give(w, LAST.end, satisfaction=1, things_changed=1, key_worker_helpful=1)
    figures = selectors.family_feedback_figures(w.family.local_authority_id, QUARTERS)
    assert figures[selectors.RESPONSES] == {0: Value(1), 1: Value(3)}
    assert figures[selectors.SATISFIED] == {0: Value(0, 1), 1: Value(2, 3)}
    assert figures[selectors.CHANGED_A_LOT] == {0: Value(0, 1), 1: Value(2, 3)}
    assert figures[selectors.KEY_WORKER_HELPFUL] == {0: Value(0, 1), 1: Value(2, 3)}


def test_overlapping_periods_each_count_every_answer_in_them(fb):
    w = fb.w
    give(w, LAST.start)
    give(w, THIS.start)
    year = (LAST.start, THIS.end)
    figures = selectors.family_feedback_figures(w.family.local_authority_id, [*QUARTERS, year])
    assert [figures[selectors.RESPONSES][i].numerator for i in range(3)] == [1, 1, 2]


def test_a_period_with_no_answers_is_zero_and_no_periods_ask_nothing(fb):
    w = fb.w
    figures = selectors.family_feedback_figures(w.family.local_authority_id, QUARTERS)
    assert figures[selectors.SATISFIED] == {0: Value(0, 0), 1: Value(0, 0)}
    assert figures[selectors.SATISFIED][0].figure(Unit.PERCENT) is None
    with CaptureQueriesContext(connection) as queries:
        empty = selectors.family_feedback_figures(w.family.local_authority_id, [])
    assert len(queries) == 0 and empty[selectors.RESPONSES] == {}


def test_another_authoritys_family_feedback_is_not_counted(fb, other_authority):
    w = fb.w
    give(w, THIS.start)
    give(w, THIS.start, family=fb.other_family)
    fb.other_family.local_authority = other_authority
    fb.other_family.save(update_fields=["local_authority"])
    ours = selectors.family_feedback_figures(w.family.local_authority_id, QUARTERS)
    theirs = selectors.family_feedback_figures(other_authority.pk, QUARTERS)
    assert ours[selectors.RESPONSES][1] == Value(1)
    assert theirs[selectors.RESPONSES][1] == Value(1)


def test_key_player_feedback_counts_agreement_that_the_process_helps(fb, make_user):
    w = fb.w
    authority = w.family.local_authority
    for n, (period, helps) in enumerate([(THIS, 5), (THIS, 4), (THIS, 2), (LAST, 3)]):
        services.key_player_feedback_submit(
            actor=make_user(
                "key_worker", agency=w.agencies["early_help"], email=f"kw{n}@example.test"
            ),
            authority=authority,
            period=period,
            answered_as="key_worker",
            answers={**KEY_PLAYER_ANSWERS, "process_helps": helps},
        )
    figures = selectors.key_player_feedback_figures(authority.pk, QUARTERS)
    assert figures[selectors.RESPONSES] == {0: Value(1), 1: Value(3)}
    assert figures[selectors.POSITIVE_MEASURE] == {0: Value(0, 1), 1: Value(2, 3)}


def test_quality_figures_count_reviewed_cases_by_the_quarter_they_closed(fb, make_family):
    w = fb.w
    authority = w.family.local_authority
    days_this = (TODAY - THIS.start).days
    closed_families(w, make_family, [days_this, days_this, days_this])
    closed_families(w, make_family, [days_this + 5], name="Last quarter")
    sample = services.quality_sample_draw(
        actor=w.coordinator,
        authority=authority,
        period_start=LAST.start,
        period_end=THIS.end if THIS.end <= TODAY else TODAY,
        percent=100,
        seed=3,
    )
    cases = list(sample.cases.select_related("closure").order_by("closure__closed_on", "pk"))
    last, *this = cases
    ratings = [
        (last, "inadequate", "inadequate", "inadequate"),
        (this[0], "outstanding", "good", "requires_improvement"),
        (this[1], "good", "inadequate", "requires_improvement"),
    ]  # this[2] stays unreviewed
    for case, engagement, multi_agency, creativity in ratings:
        services.quality_case_review(
            actor=w.auditor,
            case=case,
            engagement=engagement,
            engagement_notes="",
            multi_agency=multi_agency,
            multi_agency_notes="",
            multi_agency_gaps="",
            creativity=creativity,
            creativity_notes="",
        )
    figures = selectors.quality_review_figures(authority.pk, QUARTERS)
    assert figures[selectors.REVIEWED] == {0: Value(1), 1: Value(2)}
    assert figures[selectors.ENGAGEMENT_GOOD] == {0: Value(0, 1), 1: Value(2, 2)}
    assert figures[selectors.MULTI_AGENCY_GOOD] == {0: Value(0, 1), 1: Value(1, 2)}
    assert figures[selectors.CREATIVITY_GOOD] == {0: Value(0, 1), 1: Value(0, 2)}


# --- a constant number of queries ----------------------------------------------------


def _count_queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def _quarters(count: int) -> list[tuple[date, date]]:
    periods = [THIS]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return [(p.start, p.end) for p in periods]


def _figures_calls(authority_id, periods):
    return [
        lambda: selectors.family_feedback_figures(authority_id, periods),
        lambda: selectors.key_player_feedback_figures(authority_id, periods),
        lambda: selectors.quality_review_figures(authority_id, periods),
    ]


def _bulk_feedback(w, count: int) -> None:
    """`count` family and key-player answers, made directly: the query budget is about
    reading them, and the services' own tests cover writing."""
    handover, _ = services.family_feedback_handover_start(
        actor=w.lead, family=w.family, occasion="review"
    )
    first = FamilyFeedback.objects.create(
        handover=handover,
        family=w.family,
        occasion="review",
        answered_on=TODAY,
        answered_at=timezone.now(),
        **ANSWERS,
    )
    for n in range(count - 1):
        h, _ = services.family_feedback_handover_start(
            actor=w.lead, family=w.family, occasion="review"
        )
        FamilyFeedback.objects.create(
            handover=h,
            family=w.family,
            occasion="review",
            answered_on=TODAY - timedelta(days=7 * n),
            answered_at=first.answered_at,
            **ANSWERS,
        )
    period = THIS
    for _ in range(count):
        KeyPlayerFeedback.objects.create(
            local_authority=w.family.local_authority,
            user=w.lead,
            answered_as="key_worker",
            period_start=period.start,
            period_end=period.end,
            answered_at=timezone.now(),
            **KEY_PLAYER_ANSWERS,
        )
        period = period.previous()


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("periods", [1, 4, 12])
def test_each_figures_selector_runs_one_query_whatever_the_rows_and_periods(
    fb, make_family, rows, periods
):
    w = fb.w
    _bulk_feedback(w, rows)
    closed_families(w, make_family, [10 + n for n in range(rows)])
    sample = services.quality_sample_draw(
        actor=w.coordinator,
        authority=w.family.local_authority,
        period_start=TODAY - timedelta(days=10 + rows),
        period_end=TODAY,
        percent=100,
        seed=1,
    )
    for case in sample.cases.all():
        services.quality_case_review(
            actor=w.coordinator,
            case=case,
            engagement="good",
            engagement_notes="",
            multi_agency="good",
            multi_agency_notes="",
            multi_agency_gaps="",
            creativity="good",
            creativity_notes="",
        )
    quarters = _quarters(periods)
    counts = [
        _count_queries(call) for call in _figures_calls(w.family.local_authority_id, quarters)
    ]
    assert counts == [1, 1, 1]
    figures = selectors.family_feedback_figures(w.family.local_authority_id, quarters)
    # The quarters do not overlap, so their counts add up to the answers in their span.
    in_span = FamilyFeedback.objects.filter(
        answered_on__gte=quarters[-1][0], answered_on__lte=quarters[0][1]
    )
    assert sum(v.numerator for v in figures[selectors.RESPONSES].values()) == in_span.count()
    reviewed = selectors.quality_review_figures(w.family.local_authority_id, quarters)
    assert sum(v.numerator for v in reviewed[selectors.REVIEWED].values()) == rows
