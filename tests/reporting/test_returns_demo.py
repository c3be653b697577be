"""The demo seeds the national returns through their services: the unit-cost table, one
sample of each return for the last programme year that is over, and adjusted settings;
seeding again changes nothing."""

import io
import random

import pytest

from families import demo as families_demo
from reporting import demo
from reporting.returns import rules
from reporting.returns.models import CostParameters, ReturnSample, UnitCost, UnitCostVersion
from reporting.returns.unit_costs import DEFAULT_UNIT_COSTS
from tafcase import demo as tafcase_demo
from tafcase.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_demo_seeds_unit_costs_and_both_samples_once():
    rng = random.Random(7)
    context = {"families": 120, "stdout": io.StringIO()}
    tafcase_demo.seed(rng, context)
    families_demo.seed(rng, context)
    demo.seed(rng, context)
    authority = context["authority"]
    assert UnitCost.objects.filter(version__local_authority=authority).count() == len(
        DEFAULT_UNIT_COSTS
    )
    fpd = ReturnSample.objects.get(local_authority=authority, kind="fpd")
    csc = ReturnSample.objects.get(local_authority=authority, kind="csc")
    assert fpd.year == csc.year
    assert len(fpd.family_ids) == rules.sample_size(fpd.population, 10)
    assert len(csc.family_ids) == rules.sample_size(csc.population, 25)
    settings = CostParameters.objects.get(sample=csc)
    assert (settings.deadweight_percent, settings.attribution_percent) == (25, 60)
    assert AuditEvent.objects.filter(object_type="reporting.returnsample").count() == 2
    assert "National returns" in context["stdout"].getvalue()
    demo.seed(rng, context)
    assert ReturnSample.objects.count() == 2 and UnitCostVersion.objects.count() == 1
