"""Domain scores belong to a profile: the family's, a child's or an adult's."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from outcomes import selectors, services
from outcomes.models import Assessment, DomainScore

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(active) -> Assessment:
    return services.assessment_start(actor=active.lead, family=active.family)


def _patch(active, assessment, scores):
    api = APIClient()
    api.force_authenticate(active.lead)
    url = reverse("outcomes-api:assessment-detail", args=[assessment.pk])
    return api.patch(url, {"version": assessment.version, "scores": scores}, format="json")


@pytest.mark.parametrize(
    ("who", "domain"),
    [
        ("child", "adult.drug_alcohol_use"),
        ("parent", "child.general_health"),
        ("parent", "family.housing"),
        (None, "adult.physical_health"),
    ],
)
def test_score_for_a_domain_outside_the_members_profile_is_refused(active, assessment, who, domain):
    person = getattr(active, who).pk if who else None
    scores = [
        {"person": None, "domain": "family.housing", "score": 2},
        {"person": person, "domain": domain, "score": 3},
    ]
    response = _patch(active, assessment, scores)
    assert response.status_code == 400
    assert "is not scored for" in str(response.data)
    assert not DomainScore.objects.filter(assessment=assessment).exists()
    assessment.refresh_from_db()
    assert assessment.version == 1
    # Distance travelled still works.
    assert selectors.distance_for(active.family).subjects


def test_scores_on_the_right_profiles_are_saved(active, assessment):
    scores = [
        {"person": None, "domain": "family.housing", "score": 2},
        {"person": active.child.pk, "domain": "child.general_health", "score": 3},
        {"person": active.parent.pk, "domain": "adult.physical_health", "score": 4},
    ]
    assert _patch(active, assessment, scores).status_code == 200
    assert DomainScore.objects.filter(assessment=assessment).count() == 3


def test_a_stored_score_off_the_profile_no_longer_breaks_distance_travelled(active, assessment):
    # As left by earlier versions, which did not check the profile.
    DomainScore.objects.create(
        assessment=assessment, person=active.child, domain="adult.drug_alcohol_use", score=4
    )
    DomainScore.objects.create(assessment=assessment, person=None, domain="family.housing", score=2)
    distance = selectors.distance_for(active.family)
    family = next(p for p in distance.subjects if p.subject.key == selectors.FAMILY)
    assert any(d.baseline == 2 for d in family.domains)
    client = APIClient()
    client.force_authenticate(active.lead)
    url = reverse("outcomes-api:assessment-distance-travelled")
    assert client.get(url, {"family": active.family.pk}).status_code == 200
