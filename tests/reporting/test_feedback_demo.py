"""The demo seed gives the feedback pages and figures something to show: answers across
three years of quarters, key players' answers, and reviewed quality samples."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Max, Min
from django.utils import timezone

from reporting.feedback.models import (
    FamilyFeedback,
    FeedbackHandover,
    KeyPlayerFeedback,
    QualitySampleCase,
)
from reporting.rules import Period, periods_ending
from tafcase.accounts.models import User

# The feedback tests build on the outcomes `team` (the families world), which
# replaces the returns tests' own `team` from tests/reporting/conftest.py here.
from tests.families.conftest import make_family, world  # noqa: F401
from tests.outcomes.conftest import active, team  # noqa: F401
from tests.reporting.feedback_fixtures import fb  # noqa: F401

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_feedback_over_three_years_through_the_services():
    out = io.StringIO()
    call_command("seed_demo", families=300, stdout=out)
    assert "Feedback:" in out.getvalue()
    answers = FamilyFeedback.objects.all()
    assert answers.count() > 20
    assert (
        answers.filter(occasion="review").exists() and answers.filter(occasion="closure").exists()
    )
    span = answers.aggregate(first=Min("answered_on"), last=Max("answered_on"))
    assert (span["last"] - span["first"]).days > 365
    # Every answer came through a spent hand-over link.
    assert FeedbackHandover.objects.filter(used_at__isnull=True).count() == 0
    assert FeedbackHandover.objects.count() == answers.count()
    quarters = {
        Period.containing(d)
        for d in KeyPlayerFeedback.objects.values_list("period_start", flat=True)
    }
    # Family and key-player answers and reviewed quality samples in each of the twelve
    # whole quarters before the one running, so every card's chart has three years.
    whole = set(periods_ending(Period.containing(timezone.localdate()).previous(), 12))
    assert quarters >= whole
    answered = {Period.containing(d) for d in answers.values_list("answered_on", flat=True)}
    assert answered >= whole
    reviewed = QualitySampleCase.objects.filter(reviewed_at__isnull=False)
    sampled = {
        Period.containing(d) for d in reviewed.values_list("sample__period_start", flat=True)
    }
    assert len(sampled & whole) >= 10
    assert (
        User.objects.exclude(professional_background="")
        .filter(roles__contains=["key_worker"])
        .exists()
    )
    before = FamilyFeedback.objects.count()
    call_command("seed_demo", families=300, stdout=out)
    assert FamilyFeedback.objects.count() == before
