"""The national returns' pages and downloads: who reaches them (report readers of their
own authority; key workers and partners 404; signed out, sign-in), who changes anything
(those who may edit reports; the auditor 403), malformed input refused with nothing
written, small counts hidden from those who may not see names, and the CSV files."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from families.models import Family, Membership
from reporting.returns import services
from reporting.returns.models import (
    CostParameters,
    ReturnKind,
    ReturnSample,
    UnitCost,
    UnitCostVersion,
)
from tafcase.audit.models import AuditEvent
from tests.reporting.conftest import YEAR, YEAR_START, attach, partner_data

pytestmark = pytest.mark.django_db

FPD, CSC = ReturnKind.FAMILY_PROGRESS, ReturnKind.COST_SAVINGS
TODAY = timezone.localdate()


def draw(team, kind, percent=100, authority=None, actor=None):
    return services.return_sample_draw(
        actor=actor or team.coordinator,
        authority=authority or team.authority,
        kind=kind,
        year=YEAR,
        percent=percent,
        seed=3,
    )


@pytest.fixture
def drawn(team):
    """Three attached families with both samples drawn (100%), unit costs started and a
    data-match whose mothers' ASB incidents fall before attachment."""
    families = attach(team.authority, 3, start=date(YEAR, 4, 1))
    mothers = [Membership.objects.filter(family=f).order_by("pk").first().person for f in families]
    partner_data(
        team.authority,
        team.analyst,
        TODAY,
        [(m, "asb", date(YEAR, 3, 1), None, {"role": "perpetrator"}) for m in mothers],
    )
    services.unit_costs_start(actor=team.coordinator, authority=team.authority)
    draw(team, FPD)
    draw(team, CSC)
    return team


def read_pages(team):
    version = UnitCostVersion.objects.get(local_authority=team.authority)
    cost = version.costs.first()
    return [
        reverse("reporting:reports"),
        reverse("reporting:family-progress"),
        reverse("reporting:family-progress-year", args=[YEAR]),
        reverse("reporting:family-progress-csv", args=[YEAR]),
        reverse("reporting:cost-savings"),
        reverse("reporting:cost-savings-year", args=[YEAR]),
        reverse("reporting:cost-savings-csv", args=[YEAR]),
        reverse("reporting:unit-costs"),
        reverse("reporting:unit-costs-version", args=[version.number]),
    ], cost


# --- SECURITY: who reads ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "analyst", "manager", "auditor"])
def test_report_readers_of_the_authority_reach_every_page_and_download(client, drawn, who):
    client.force_login(getattr(drawn, who))
    pages, _ = read_pages(drawn)
    for url in pages:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["key_worker", "partner"])
def test_key_workers_and_partners_get_404_everywhere(client, drawn, who):
    client.force_login(getattr(drawn, who))
    pages, cost = read_pages(drawn)
    for url in [*pages, reverse("reporting:unit-cost-change", args=[cost.pk])]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("reporting:family-progress"), {}).status_code == 404
    assert not AuditEvent.objects.filter(action="exported").exists()


def test_signed_out_goes_to_sign_in(client, drawn):
    pages, cost = read_pages(drawn)
    change = reverse("reporting:unit-cost-change", args=[cost.pk])
    forms = [reverse("reporting:unit-cost-add"), change]
    for url in [*pages, *forms]:
        response = client.get(url)
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"], url
    response = client.post(reverse("reporting:family-progress"), {"year": YEAR, "percent": 50})
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


def test_another_authoritys_coordinator_sees_only_their_own_returns(client, drawn):
    other = attach(drawn.other, 2, start=date(YEAR, 5, 1), members=False)
    client.force_login(drawn.elsewhere)
    # This authority's sample and unit costs are not theirs to see.
    assert client.get(reverse("reporting:family-progress-year", args=[YEAR])).status_code == 404
    assert client.get(reverse("reporting:cost-savings-csv", args=[YEAR])).status_code == 404
    _, cost = read_pages(drawn)
    assert client.get(reverse("reporting:unit-cost-change", args=[cost.pk])).status_code == 404
    page = client.get(reverse("reporting:family-progress")).content.decode()
    assert "Not drawn yet" in page and "3 families" not in page
    costs = client.get(reverse("reporting:unit-costs")).content.decode()
    assert "There are no unit costs yet" in costs
    # Their own draw takes their own families only.
    response = client.post(reverse("reporting:family-progress"), {"year": YEAR, "percent": 100})
    assert response.status_code == 302
    theirs = ReturnSample.objects.get(local_authority=drawn.other)
    assert sorted(theirs.family_ids) == sorted(f.pk for f in other)


# --- SECURITY: who writes ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "manager"])
def test_those_who_may_edit_reports_draw_a_sample(client, team, who):
    attach(team.authority, 20, members=False)
    client.force_login(getattr(team, who))
    response = client.post(reverse("reporting:cost-savings"), {"year": YEAR, "percent": 25})
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:cost-savings-year", args=[YEAR])
    sample = ReturnSample.objects.get(kind=CSC)
    assert len(sample.family_ids) == 5 and sample.drawn_by == getattr(team, who)


def test_the_auditor_reads_but_gets_403_for_every_change(client, drawn):
    client.force_login(drawn.auditor)
    _, cost = read_pages(drawn)
    version = cost.version.number
    attempts = [
        (reverse("reporting:family-progress"), {"year": YEAR - 1, "percent": 50}),
        (reverse("reporting:cost-savings-year", args=[YEAR]), {"months_before": 6}),
        (reverse("reporting:unit-costs-start"), {}),
        (reverse("reporting:unit-cost-add"), {"version": version}),
        (reverse("reporting:unit-cost-change", args=[cost.pk]), {"version": version}),
        (reverse("reporting:unit-cost-remove", args=[cost.pk]), {"version": version}),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code == 403, url
    assert client.get(reverse("reporting:unit-cost-add")).status_code == 403
    assert UnitCostVersion.objects.count() == 1 and ReturnSample.objects.count() == 2
    assert CostParameters.objects.get().version == 1
    page = client.get(reverse("reporting:cost-savings-year", args=[YEAR])).content.decode()
    assert "Save the settings" not in page
    assert (
        "Draw the sample" not in client.get(reverse("reporting:family-progress")).content.decode()
    )


# --- malformed input --------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"year": YEAR, "percent": "ten"},
        {"year": YEAR, "percent": 9},
        {"year": YEAR, "percent": 101},
        {"year": YEAR, "percent": ""},
        {"year": 2099, "percent": 10},
        {"year": "last year", "percent": 10},
        {"year": YEAR - 5, "percent": 10},  # no families attached then
    ],
)
def test_a_bad_draw_is_a_form_error_and_draws_nothing(client, team, data):
    attach(team.authority, 20, members=False)
    client.force_login(team.coordinator)
    response = client.post(reverse("reporting:family-progress"), data)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not ReturnSample.objects.exists()


def test_drawing_a_year_already_drawn_is_refused(client, drawn):
    client.force_login(drawn.coordinator)
    response = client.post(reverse("reporting:family-progress"), {"year": YEAR, "percent": 50})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert ReturnSample.objects.filter(kind=FPD).get().percent == 100


@pytest.mark.parametrize(
    "values",
    [
        {"months_before": "twelve"},
        {"months_before": 0},
        {"months_after": 37},
        {"deadweight_percent": 101},
        {"attribution_percent": -5},
        {"attribution_percent": "1e3"},
        {"version": "x"},
    ],
)
def test_bad_calculator_settings_are_form_errors_and_change_nothing(client, drawn, values):
    client.force_login(drawn.coordinator)
    data = {
        "months_before": 12,
        "months_after": 12,
        "deadweight_percent": 20,
        "attribution_percent": 50,
        "version": 1,
        **values,
    }
    response = client.post(reverse("reporting:cost-savings-year", args=[YEAR]), data)
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert CostParameters.objects.get().version == 1


def test_good_calculator_settings_are_saved_and_shown(client, drawn):
    client.force_login(drawn.coordinator)
    url = reverse("reporting:cost-savings-year", args=[YEAR])
    data = {
        "months_before": 12,
        "months_after": 12,
        "deadweight_percent": 20,
        "attribution_percent": 50,
        "version": 1,
    }
    assert client.post(url, data).status_code == 302
    page = client.get(url).content.decode()
    assert "Deadweight 20%, attribution 50%" in page
    # Three ASB incidents before, none after, at £700: £2,100 gross, £840 adjusted.
    assert "£2,100.00" in page and "£840.00" in page
    stale = client.post(url, {**data, "deadweight_percent": 30})
    assert stale.status_code == 409
    assert CostParameters.objects.get().deadweight_percent == 20


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"value": "lots"}, "value"),
        ({"value": "0"}, "value"),
        ({"value": "-3"}, "value"),
        ({"value": "NaN"}, "value"),
        ({"value": "1.234"}, "value"),
        ({"price_year": "2024/26"}, "price_year"),
        ({"kind": "magic"}, "kind"),
        ({"cashable": "maybe"}, "cashable"),
        ({"measure": "fairy_visits"}, "measure"),
    ],
)
def test_a_bad_unit_cost_is_a_form_error_and_makes_no_version(client, drawn, bad, field):
    client.force_login(drawn.coordinator)
    data = {
        "measure": "asb_incident",
        "category": "Crime",
        "item": "Local patrol",
        "unit": "per incident",
        "value": "120.50",
        "price_year": "2024/25",
        "kind": "fiscal",
        "bearing_agency": "Council",
        "cashable": "no",
        "source": "Finance, 2025",
        "version": 1,
        **bad,
    }
    response = client.post(reverse("reporting:unit-cost-add"), data)
    assert response.status_code == 200
    assert f'id="id_{field}-error"' in response.content.decode()
    assert UnitCostVersion.objects.count() == 1


def test_editing_a_unit_cost_through_the_page_makes_a_version(client, drawn):
    client.force_login(drawn.analyst)
    cost = UnitCost.objects.get(measure="asb_incident")
    url = reverse("reporting:unit-cost-change", args=[cost.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(value="650.00", cashable="no")
    assert client.post(url, data).status_code == 302
    latest = UnitCostVersion.objects.order_by("-number").first()
    assert latest.number == 2 and latest.costs.get(measure="asb_incident").value == 650
    # The old row now belongs to an old version: its page sends the user to the table.
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("reporting:unit-costs")
    assert client.post(url, data).status_code == 409
    assert UnitCostVersion.objects.count() == 2


def test_a_malformed_version_or_year_is_a_bad_request_or_not_found(client, drawn):
    client.force_login(drawn.coordinator)
    url = reverse("reporting:cost-savings-year", args=[YEAR])
    assert client.get(url, {"costs": "first"}).status_code == 400
    assert client.get(url, {"costs": "99"}).status_code == 404
    csv_url = reverse("reporting:cost-savings-csv", args=[YEAR])
    assert client.get(csv_url, {"costs": "-1"}).status_code == 400
    assert client.get(reverse("reporting:family-progress-year", args=[YEAR + 1])).status_code == 404
    assert client.get("/reports/returns/family-progress/99999999999999999999/").status_code == 404
    cost = UnitCost.objects.first()
    remove = reverse("reporting:unit-cost-remove", args=[cost.pk])
    assert client.post(remove, {"version": "latest"}).status_code == 400
    assert UnitCostVersion.objects.count() == 1


# --- small counts -----------------------------------------------------------------------


def test_small_counts_show_as_under_5_to_those_who_may_not_see_names(client, drawn):
    client.force_login(drawn.coordinator)
    exact = client.get(reverse("reporting:family-progress-year", args=[YEAR])).content.decode()
    assert "Sampled 3 of 3 attached families (100%)" in exact
    client.force_login(drawn.auditor)
    hidden = client.get(reverse("reporting:family-progress-year", args=[YEAR])).content.decode()
    assert "Sampled &lt;5 of &lt;5 attached families" in hidden
    assert "Sampled 3 of 3" not in hidden
    costs = client.get(reverse("reporting:cost-savings-year", args=[YEAR])).content.decode()
    assert "&lt;5 families: 100% of the &lt;5 attached" in costs
    assert "the count cannot be worked back" in costs
    client.force_login(drawn.manager)
    listing = client.get(reverse("reporting:family-progress")).content.decode()
    assert "&lt;5 families (100%)" in listing


def test_the_calculator_shows_gross_and_adjusted_side_by_side_with_its_label(client, drawn):
    client.force_login(drawn.coordinator)
    page = client.get(reverse("reporting:cost-savings-year", args=[YEAR])).content.decode()
    assert "before/after change, not an impact estimate" in page
    assert ">Gross<" in page and ">Adjusted<" in page
    assert "Police and local authority" in page
    assert "Not counted: tafcase holds no data for this." in page


# --- the CSV files ------------------------------------------------------------------------


def _csv(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_family_progress_csv_is_pseudonymous_and_its_export_is_audited(client, drawn):
    client.force_login(drawn.auditor)
    response = client.get(reverse("reporting:family-progress-csv", args=[YEAR]))
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store"
    rows = _csv(response)
    families = Family.objects.filter(local_authority=drawn.authority)
    assert {r["family_ref"] for r in rows} == {f.reference for f in families}
    text = response.content.decode()
    assert "Surname" not in text and "Mum" not in text and "1990-05-01" not in text
    at_attachment = [r for r in rows if r["point"] == "attachment" and r["row_type"] == "family"]
    assert len(at_attachment) == 3 and all(r["asb_incidents"] == "1" for r in at_attachment)
    assert {r["housing_tenure"] for r in rows} == {""}
    event = AuditEvent.objects.get(action="exported")
    assert sorted(event.family_ids) == sorted(f.pk for f in families)
    assert event.actor == drawn.auditor


def test_cost_csv_neutralises_formulas_and_hides_small_counts(client, drawn):
    latest = UnitCostVersion.objects.get()
    services.unit_cost_add(
        actor=drawn.coordinator,
        authority=drawn.authority,
        version=latest.number,
        measure="asb_incident",
        category="Crime",
        item='=HYPERLINK("http://evil.example","click")',
        unit="per incident",
        value=Decimal("10.00"),
        price_year="2024/25",
        kind="fiscal",
        bearing_agency="+Council",
        cashable=False,
        source="@source",
    )
    client.force_login(drawn.coordinator)
    rows = _csv(client.get(reverse("reporting:cost-savings-csv", args=[YEAR])))
    evil = next(r for r in rows if "HYPERLINK" in r["item"])
    assert evil["item"].startswith("'=") and evil["bearing_agency"] == "'+Council"
    assert evil["source"].startswith("'@")
    assert {r["basis"] for r in rows} == {"before/after change, not an impact estimate"}
    asb = next(r for r in rows if r["item"].startswith("Anti-social"))
    assert (asb["events_before"], asb["events_after"], asb["gross_gbp"]) == ("3", "0", "2100.00")
    client.force_login(drawn.manager)
    hidden = _csv(client.get(reverse("reporting:cost-savings-csv", args=[YEAR])))
    asb = next(r for r in hidden if r["item"].startswith("Anti-social"))
    assert (asb["events_before"], asb["gross_gbp"], asb["adjusted_gbp"]) == ("<5", "", "")
    assert AuditEvent.objects.filter(action="exported").count() == 2


# --- query budgets ------------------------------------------------------------------------


def _queries(client, url):
    client.get(url)  # the first request of a session caches what every page needs
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["family-progress-year", "cost-savings-year"])
def test_return_pages_take_the_same_queries_for_2_or_25_families(client, team, name):
    services.unit_costs_start(actor=team.coordinator, authority=team.authority)
    client.force_login(team.coordinator)
    url = reverse(f"reporting:{name}", args=[YEAR])
    counts = []
    for n in (2, 25):
        ReturnSample.objects.all().delete()
        Family.objects.all().delete()
        families = attach(team.authority, n, start=YEAR_START, step_days=1)
        people = [m.person for m in Membership.objects.filter(family__in=families)]
        partner_data(
            team.authority,
            team.analyst,
            TODAY,
            [
                (p, "asb", YEAR_START - timedelta(days=9), None, {"role": "perpetrator"})
                for p in people
            ],
        )
        draw(team, FPD)
        draw(team, CSC)
        counts.append(_queries(client, url))
    assert counts[0] == counts[1], counts
