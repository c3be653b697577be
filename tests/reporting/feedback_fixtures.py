"""Fixtures for the feedback tests: the outcomes `team` (the families `world` with its
family active, two more attached families, a second coordinator and a manager), with a
review recorded for the family, closed families to sample, and helpers to answer.

tests/reporting/conftest.py makes `fb` a fixture of every reporting test; test modules
import the helpers."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from families.models import Family
from outcomes import services as outcome_services
from outcomes.models import Closure, Review
from reporting.feedback import services
from reporting.rules import Period
from tests.families.conftest import TODAY, World

ANSWERS = {"satisfaction": 5, "plan_useful": 4, "things_changed": 3, "key_worker_helpful": 2}
KEY_PLAYER_ANSWERS = {
    "process_helps": 4,
    "agencies_work_together": 3,
    "panel_decisions": 5,
    "support": 2,
}


@dataclass
class Feedback:
    w: World
    review: Review
    other_family: Family
    other_review: Review


@pytest.fixture
def fb(team: World, make_family) -> Feedback:
    w = team
    review = outcome_services.review_record(
        actor=w.lead, family=w.family, held_on=TODAY, decisions="Plan agreed."
    )
    other = make_family(w.coordinator, name="Other family")
    other_review = Review.objects.create(
        family=other, held_on=TODAY, decisions="Other plan.", recorded_by=w.coordinator
    )
    return Feedback(w=w, review=review, other_family=other, other_review=other_review)


def closed_families(w: World, make_family, days_ago: list[int], *, name="Closed") -> list[Closure]:
    """Families of the world's authority, each closed `days_ago` days before today."""
    closures = []
    for n, days in enumerate(days_ago):
        family = make_family(w.coordinator, n_members=0, name=f"{name} {n}")
        Family.objects.filter(pk=family.pk).update(status=Family.Status.CLOSED)
        closures.append(
            Closure.objects.create(
                family=family,
                closed_on=TODAY - timedelta(days=days),
                reason=Closure.Reason.OUTCOMES_MET,
                exit_plan="Universal services.",
                closed_by=w.coordinator,
            )
        )
    return closures


def hand_over(w: World, family=None, **kw):
    return services.family_feedback_handover_start(
        actor=w.lead, family=family or w.family, occasion=kw.pop("occasion", "review"), **kw
    )


def answer(w: World, family=None, answers=None, **kw):
    _, token = hand_over(w, family, **{k: v for k, v in kw.items() if k in ("occasion", "at")})
    return services.family_feedback_submit(
        token=token, answers=answers or ANSWERS, **{k: v for k, v in kw.items() if k == "at"}
    )


def period_of(day: date) -> Period:
    return Period.containing(day)
