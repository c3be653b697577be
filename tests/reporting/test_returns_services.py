"""Drawing samples, the calculator's settings and the versioned unit-cost table: what
each service writes, what it refuses (and then writes nothing), and its audit rows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from reporting.returns import rules, services
from reporting.returns.models import (
    CostParameters,
    ReturnKind,
    ReturnSample,
    UnitCost,
    UnitCostVersion,
)
from reporting.returns.unit_costs import DEFAULT_UNIT_COSTS
from tafcase.audit.models import AuditEvent
from tafcase.errors import Conflict, StaleEdit
from tests.reporting.conftest import YEAR, YEAR_END, YEAR_START, attach

pytestmark = pytest.mark.django_db

FPD, CSC = ReturnKind.FAMILY_PROGRESS, ReturnKind.COST_SAVINGS


def draw(team, kind=FPD, year=YEAR, percent=10, seed=99):
    return services.return_sample_draw(
        actor=team.coordinator,
        authority=team.authority,
        kind=kind,
        year=year,
        percent=percent,
        seed=seed,
    )


# --- samples --------------------------------------------------------------------------


def test_a_sample_takes_its_share_of_the_years_attached_families_only(team):
    in_year = attach(team.authority, 30, members=False)
    attach(team.authority, 5, start=YEAR_START - timedelta(days=20), members=False)
    attach(team.authority, 5, start=YEAR_END + timedelta(days=1), members=False)
    attach(team.other, 5, members=False)
    sample = draw(team)
    assert sample.population == 30 and sample.percent == 10 and sample.seed == 99
    assert len(sample.family_ids) == 3
    assert set(sample.family_ids) <= {f.pk for f in in_year}
    assert sample.family_ids == rules.draw_sample([f.pk for f in in_year], percent=10, seed=99)
    event = AuditEvent.objects.get(object_type="reporting.returnsample")
    assert event.action == "created" and event.family_ids == sample.family_ids
    assert "seed 99" in event.summary and event.actor == team.coordinator


def test_a_year_ending_on_31_march_includes_that_day(team):
    last_day = attach(team.authority, 1, start=YEAR_END, members=False)
    sample = draw(team, percent=100)
    assert sample.family_ids == [last_day[0].pk]


def test_a_second_draw_for_the_same_return_and_year_is_refused(team):
    attach(team.authority, 10, members=False)
    draw(team)
    with pytest.raises(Conflict):
        draw(team, seed=1)
    assert ReturnSample.objects.count() == 1


def test_each_return_has_its_own_sample_and_the_calculator_its_settings(team):
    attach(team.authority, 10, members=False)
    draw(team, FPD)
    csc = draw(team, CSC, percent=25)
    assert ReturnSample.objects.count() == 2
    assert CostParameters.objects.get(sample=csc).months_before == 12
    assert not CostParameters.objects.exclude(sample=csc).exists()


@pytest.mark.parametrize(
    ("kind", "percent", "field"),
    [(FPD, 9, "percent"), (FPD, 101, "percent"), (CSC, 24, "percent"), (CSC, 0, "percent")],
)
def test_a_sample_below_the_returns_minimum_is_refused(team, kind, percent, field):
    attach(team.authority, 10, members=False)
    with pytest.raises(ValidationError) as refused:
        draw(team, kind, percent=percent)
    assert field in refused.value.message_dict
    assert not ReturnSample.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize("year", [1999, 2011, rules.programme_year_of(YEAR_END) + 10])
def test_a_year_outside_the_programme_is_refused(team, year):
    with pytest.raises(ValidationError) as refused:
        draw(team, year=year)
    assert "year" in refused.value.message_dict
    assert not ReturnSample.objects.exists()


def test_a_year_with_no_attached_families_is_refused(team):
    with pytest.raises(ValidationError, match="No families were attached"):
        draw(team)
    assert not ReturnSample.objects.exists()


# --- the calculator's settings --------------------------------------------------------


def _settings(team):
    attach(team.authority, 4, members=False)
    return draw(team, CSC, percent=50).cost_parameters


def change(team, parameters, version=1, **values):
    values = {
        "months_before": 12,
        "months_after": 12,
        "deadweight_percent": 0,
        "attribution_percent": 100,
        **values,
    }
    return services.cost_parameters_change(
        actor=team.manager, parameters=parameters, version=version, **values
    )


def test_changing_the_settings_is_audited_with_what_changed(team):
    parameters = _settings(team)
    changed = change(team, parameters, deadweight_percent=25, attribution_percent=60)
    assert (changed.deadweight_percent, changed.attribution_percent, changed.version) == (
        25,
        60,
        2,
    )
    event = AuditEvent.objects.get(action="updated")
    assert event.changes == {"deadweight_percent": [0, 25], "attribution_percent": [100, 60]}
    assert event.actor == team.manager


def test_saving_the_same_settings_writes_nothing(team):
    parameters = _settings(team)
    change(team, parameters)
    assert CostParameters.objects.get().version == 1
    assert not AuditEvent.objects.filter(action="updated").exists()


def test_settings_saved_from_an_old_version_are_refused(team):
    parameters = _settings(team)
    change(team, parameters, deadweight_percent=10)
    with pytest.raises(StaleEdit) as stale:
        change(team, parameters, version=1, deadweight_percent=30)
    assert stale.value.current_version == 2
    assert CostParameters.objects.get().deadweight_percent == 10


@pytest.mark.parametrize(
    "values",
    [
        {"months_before": 0},
        {"months_after": 37},
        {"deadweight_percent": 101},
        {"attribution_percent": -1},
    ],
)
def test_impossible_settings_are_refused(team, values):
    parameters = _settings(team)
    with pytest.raises(ValidationError) as refused:
        change(team, parameters, **values)
    assert set(values) <= set(refused.value.message_dict)
    assert CostParameters.objects.get().version == 1


# --- unit costs -----------------------------------------------------------------------


ROW = {
    "measure": "asb_incident",
    "category": "Crime",
    "item": "Local ASB team visit",
    "unit": "per incident",
    "value": Decimal("123.45"),
    "price_year": "2024/25",
    "kind": "fiscal",
    "bearing_agency": "Council",
    "cashable": False,
    "source": "Our finance team, 2025",
}


def test_the_first_table_is_the_illustrative_defaults_each_with_source_and_price_year(team):
    version = services.unit_costs_start(actor=team.coordinator, authority=team.authority)
    costs = list(version.costs.all())
    assert version.number == 1 and len(costs) == len(DEFAULT_UNIT_COSTS) >= 10
    for cost in costs:
        assert "illustrative default" in cost.source.lower() and cost.price_year
        assert cost.value > 0
    assert {c.kind for c in costs} >= {"fiscal", "social"}
    assert AuditEvent.objects.get(object_type="reporting.unitcostversion").action == "created"


def test_starting_twice_is_refused(team):
    services.unit_costs_start(actor=team.coordinator, authority=team.authority)
    with pytest.raises(StaleEdit):
        services.unit_costs_start(actor=team.coordinator, authority=team.authority)
    assert UnitCostVersion.objects.count() == 1


def test_editing_a_row_makes_a_new_version_and_keeps_the_old(team):
    first = services.unit_costs_start(actor=team.coordinator, authority=team.authority)
    row = first.costs.get(measure="asb_incident")
    second = services.unit_cost_change(
        actor=team.coordinator,
        authority=team.authority,
        version=1,
        cost_id=row.pk,
        **{**services.cost_values(row), "value": Decimal("750.00"), "price_year": "2024/25"},
    )
    assert second.number == 2
    assert first.costs.get(measure="asb_incident").value == Decimal("700.00")
    assert second.costs.get(measure="asb_incident").value == Decimal("750.00")
    assert second.costs.count() == first.costs.count()
    event = AuditEvent.objects.filter(object_type="reporting.unitcostversion").first()
    assert event.changes == {"value": ["700.00", "750.00"], "price_year": ["2019/20", "2024/25"]}


def test_adding_and_removing_rows_make_versions_too(team):
    first = services.unit_costs_start(actor=team.coordinator, authority=team.authority)
    second = services.unit_cost_add(
        actor=team.coordinator, authority=team.authority, version=1, **ROW
    )
    added = second.costs.get(item="Local ASB team visit")
    third = services.unit_cost_remove(
        actor=team.coordinator, authority=team.authority, version=2, cost_id=added.pk
    )
    counts = [v.costs.count() for v in (first, second, third)]
    assert counts == [len(DEFAULT_UNIT_COSTS), len(DEFAULT_UNIT_COSTS) + 1, len(DEFAULT_UNIT_COSTS)]


def test_an_edit_from_an_old_version_is_refused(team):
    first = services.unit_costs_start(actor=team.coordinator, authority=team.authority)
    services.unit_cost_add(actor=team.coordinator, authority=team.authority, version=1, **ROW)
    with pytest.raises(StaleEdit) as stale:
        services.unit_cost_add(
            actor=team.coordinator, authority=team.authority, version=1, **{**ROW, "item": "B"}
        )
    assert stale.value.current_version == 2
    old_row = first.costs.first()
    with pytest.raises(StaleEdit):
        services.unit_cost_change(
            actor=team.coordinator,
            authority=team.authority,
            version=2,
            cost_id=old_row.pk,
            **ROW,
        )
    assert UnitCostVersion.objects.count() == 2


def test_another_authoritys_row_is_not_in_this_table(team):
    services.unit_costs_start(actor=team.coordinator, authority=team.authority)
    theirs = services.unit_costs_start(actor=team.elsewhere, authority=team.other)
    with pytest.raises(StaleEdit):
        services.unit_cost_remove(
            actor=team.coordinator,
            authority=team.authority,
            version=1,
            cost_id=theirs.costs.first().pk,
        )
    assert theirs.costs.count() == len(DEFAULT_UNIT_COSTS)


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"value": Decimal("0")}, "value"),
        ({"value": Decimal("-5")}, "value"),
        ({"value": Decimal("1.005")}, "value"),
        ({"value": Decimal("NaN")}, "value"),
        ({"price_year": "2024/26"}, "price_year"),
        ({"kind": "magic"}, "kind"),
        ({"measure": "fairy_visits"}, "measure"),
        ({"item": "   "}, "item"),
    ],
)
def test_a_bad_row_is_refused_and_no_version_is_made(team, bad, field):
    services.unit_costs_start(actor=team.coordinator, authority=team.authority)
    with pytest.raises(ValidationError) as refused:
        services.unit_cost_add(
            actor=team.coordinator, authority=team.authority, version=1, **{**ROW, **bad}
        )
    assert field in refused.value.message_dict
    assert UnitCostVersion.objects.count() == 1 and UnitCost.objects.count() == len(
        DEFAULT_UNIT_COSTS
    )


def test_saving_a_row_unchanged_makes_no_version(team):
    first = services.unit_costs_start(actor=team.coordinator, authority=team.authority)
    row = first.costs.first()
    same = services.unit_cost_change(
        actor=team.coordinator,
        authority=team.authority,
        version=1,
        cost_id=row.pk,
        **services.cost_values(row),
    )
    assert same == first and UnitCostVersion.objects.count() == 1
