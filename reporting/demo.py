"""Demo data for the reports: feedback, key-player answers and quality samples
(reporting.feedback.demo); the demo authority's unit-cost table from the illustrative
defaults, and a Family Progress Data and Cost Saving Calculator sample drawn for the last
programme year with attached families, through the services as a coordinator would.

The synthetic partner data (eligibility.datamatch.demo) invents its own residents, so
few of its records belong to the demo families: the returns' partner columns are mostly
blank and the calculator counts few events. That is what the pages are for: they say so.
"""

import random

from django.utils import timezone

from reporting.feedback import demo as feedback_demo
from reporting.returns import rules, selectors, services
from reporting.returns.models import ReturnKind, ReturnSample, UnitCostVersion

#: The calculator's demo settings: an adjustment, so gross and adjusted differ.
DEMO_DEADWEIGHT, DEMO_ATTRIBUTION = 25, 60


def seed(rng: random.Random, context: dict) -> None:
    feedback_demo.seed(rng, context)
    _returns_seed(rng, context)


def _returns_seed(rng: random.Random, context: dict) -> None:
    authority = context["authority"]
    coordinator = context["users"]["coordinator"]
    if not UnitCostVersion.objects.filter(local_authority=authority).exists():
        services.unit_costs_start(actor=coordinator, authority=authority)
    if ReturnSample.objects.filter(local_authority=authority).exists():
        return
    years = selectors.attached_by_year(authority.pk)
    current = rules.programme_year_of(timezone.localdate())
    # The latest year that is over, so its families are well past attachment; else the
    # latest year with anyone attached.
    year = next((y for y in years if y < current), next(iter(years), None))
    if year is None:
        return
    services.return_sample_draw(
        actor=coordinator,
        authority=authority,
        kind=ReturnKind.FAMILY_PROGRESS,
        year=year,
        percent=rules.FPD_MIN_PERCENT,
        seed=rng.randrange(2**31),
    )
    cost_sample = services.return_sample_draw(
        actor=coordinator,
        authority=authority,
        kind=ReturnKind.COST_SAVINGS,
        year=year,
        percent=rules.CSC_MIN_PERCENT,
        seed=rng.randrange(2**31),
    )
    parameters = cost_sample.cost_parameters
    services.cost_parameters_change(
        actor=coordinator,
        parameters=parameters,
        version=parameters.version,
        months_before=parameters.months_before,
        months_after=parameters.months_after,
        deadweight_percent=DEMO_DEADWEIGHT,
        attribution_percent=DEMO_ATTRIBUTION,
    )
    context["stdout"].write(
        f"National returns: unit costs, and samples for {rules.programme_year_label(year)}: "
        f"{len(cost_sample.family_ids)} families for the Cost Saving Calculator."
    )
