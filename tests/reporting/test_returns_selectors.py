"""What the returns read: the Family Progress Data rows from case and partner records at
each point, the calculator's event counts in SQL (windows exactly as the rules draw
them), and query counts that do not grow with the sample."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from eligibility.rules.dates import months_after
from families.models import Family, Involvement, Membership
from reporting.returns import rules, selectors, services
from reporting.returns.models import ReturnKind, ReturnSample
from tests.reporting.conftest import YEAR, YEAR_START, attach, partner_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _people(family):
    members = Membership.objects.filter(family=family).select_related("person").order_by("pk")
    mum, son = (m.person for m in members)
    return mum, son


def _draw(team, kind, percent=100):
    return services.return_sample_draw(
        actor=team.coordinator,
        authority=team.authority,
        kind=kind,
        year=YEAR,
        percent=percent,
        seed=5,
    )


# --- Family Progress Data -------------------------------------------------------------


@pytest.fixture
def progress(team):
    """One attached family: mum on JSA from before attachment until between the 6- and
    12-month points, her son an ASB perpetrator two months before attachment; the police
    on the TAF from attachment. Offending was never imported."""
    (family,) = attach(team.authority, 1, start=YEAR_START + timedelta(days=10))
    attached = family.programme_start
    mum, son = _people(family)
    Involvement.objects.create(
        family=family, agency=team.partner.agency, role="Police", started_on=attached
    )
    partner_data(
        team.authority,
        team.analyst,
        TODAY,
        [
            (
                mum,
                "benefits",
                attached - timedelta(days=100),
                months_after(attached, 9),
                {"benefit": "JSA"},
            ),
            (son, "asb", attached - timedelta(days=60), None, {"role": "perpetrator"}),
        ],
    )
    sample = _draw(team, ReturnKind.FAMILY_PROGRESS)
    return family, selectors.family_progress(sample, TODAY)


def _row(progress, point, row_type="family", member_no=""):
    return next(
        r
        for r in progress.rows
        if r["point"] == point and r["row_type"] == row_type and r["member_no"] == member_no
    )


def test_family_progress_rows_at_each_point_from_partner_and_case_records(progress):
    family, result = progress
    assert result.families == 1 and result.points_reached == {
        "attachment": 1,
        "6_months": 1,
        "12_months": 1,
    }
    assert len(result.rows) == 3 * 3  # a family row and two member rows at three points
    at, six, twelve = (_row(result, p) for p in ("attachment", "6_months", "12_months"))
    assert at["family_ref"] == family.reference and at["adults"] == "1" and at["children"] == "1"
    assert at["agencies_involved"] == "1"
    assert (at["out_of_work_benefit"], six["out_of_work_benefit"]) == ("yes", "yes")
    assert twelve["out_of_work_benefit"] == "no"
    assert (at["asb_incidents"], six["asb_incidents"]) == ("1", "0")
    assert _row(result, "attachment", "member", "2")["asb_incidents"] == "1"
    assert _row(result, "attachment", "member", "1")["asb_incidents"] == "0"
    assert at["criteria_met"].isdigit()


def test_kinds_never_imported_are_blank_not_nought(progress):
    _, result = progress
    assert {r["proven_offences"] for r in result.rows} == {""}
    assert {r["housing_events"] for r in result.rows} == {""}
    assert set(result.data_as_of) == {"benefits", "asb"}


def test_no_row_holds_a_name_a_date_of_birth_or_a_person_id(progress):
    family, result = progress
    mum, son = _people(family)
    text = ",".join(v for r in result.rows for v in r.values())
    for secret in (mum.forename, mum.surname, son.surname, "1990-05-01", "2014-09-01"):
        assert secret not in text
    # Members are numbered within the family, not by their record's id.
    assert {r["member_no"] for r in result.rows} == {"", "1", "2"}
    assert str(mum.pk) not in {r["member_no"] for r in result.rows}


def test_family_progress_reads_in_the_same_number_of_queries_for_1_or_12_families(team):
    def queries(n):
        Family.objects.all().delete()
        families = attach(team.authority, n, start=YEAR_START)
        people = [p for f in families for p in _people(f)]
        partner_data(
            team.authority,
            team.analyst,
            TODAY,
            [
                (p, "asb", YEAR_START - timedelta(days=5), None, {"role": "perpetrator"})
                for p in people
            ],
        )
        ReturnSample.objects.all().delete()
        sample = _draw(team, ReturnKind.FAMILY_PROGRESS)
        sample = selectors.sample_of(team.authority.pk, ReturnKind.FAMILY_PROGRESS, YEAR)
        with CaptureQueriesContext(connection) as ctx:
            result = selectors.family_progress(sample, TODAY)
        assert result.families == n
        return len(ctx.captured_queries)

    one, twelve = queries(1), queries(12)
    assert one == twelve, (one, twelve)
    assert one <= 12


# --- the Cost Saving Calculator: event counts -----------------------------------------


@pytest.mark.parametrize(
    ("attached", "before", "after"),
    [
        (date(YEAR, 6, 15), 12, 12),
        # Month ends: 31 May less 3 months is the end of February; 31 January plus one
        # month the end of February too.
        (date(YEAR, 5, 31), 3, 1),
        (date(YEAR + 1, 1, 31), 1, 1),
        (date(YEAR + 1, 3, 31), 13, 11),
    ],
)
def test_sql_windows_are_the_rules_windows_to_the_day(team, attached, before, after):
    (family,) = attach(team.authority, 1, start=attached)
    mum, _ = _people(family)
    b, a = rules.before_after_windows(attached, months_before=before, months_after=after)
    days = [b.start, b.start + timedelta(days=1), attached, attached + timedelta(days=1)]
    days += [a.end, a.end + timedelta(days=1)]
    run = partner_data(
        team.authority,
        team.analyst,
        TODAY,
        [(mum, "asb", d, None, {"role": "perpetrator"}) for d in days],
    )
    counts = selectors.event_counts(run, [family.pk], months_before=before, months_after=after)
    expected = (sum(b.contains(d) for d in days), sum(a.contains(d) for d in days))
    assert expected == (2, 2)
    assert counts == {"asb_incident": expected}


def test_counts_follow_each_measures_attribute_and_the_familys_own_attachment(team):
    first, second = attach(team.authority, 2, start=date(YEAR, 6, 1), step_days=200)
    mum, son = _people(first)
    # The son also belongs to the second family (attached 200 days later), which is not
    # counted: his events are placed against the first family's attachment only.
    Membership.objects.create(
        family=second, person=son, role=Membership.Role.CHILD, started_on=date(YEAR, 1, 1)
    )
    run = partner_data(
        team.authority,
        team.analyst,
        TODAY,
        [
            (mum, "asb", date(YEAR, 5, 1), None, {"role": "perpetrator"}),
            (mum, "asb", date(YEAR, 5, 2), None, {"role": "victim"}),
            (son, "school_exclusions", date(YEAR, 3, 1), None, {"exclusion_type": "suspension"}),
            (son, "school_exclusions", date(YEAR, 9, 1), None, {"exclusion_type": "suspension"}),
            (son, "school_exclusions", date(YEAR, 10, 1), None, {"exclusion_type": "permanent"}),
            (son, "childrens_social_care", date(YEAR, 7, 1), None, {"status": "CP"}),
            (son, "offending", date(YEAR, 7, 1), None, {"proven": "N"}),
        ],
    )
    counts = selectors.event_counts(run, [first.pk], months_before=12, months_after=12)
    assert counts == {
        "asb_incident": (1, 0),
        "suspension": (1, 1),
        "permanent_exclusion": (0, 1),
        "child_protection_plan": (0, 1),
    }


def test_a_member_who_left_before_attachment_is_not_counted(team):
    (family,) = attach(team.authority, 1, start=date(YEAR, 6, 1))
    mum, son = _people(family)
    Membership.objects.filter(family=family, person=son).update(
        started_on=date(YEAR - 1, 1, 1), ended_on=date(YEAR, 5, 1)
    )
    run = partner_data(
        team.authority,
        team.analyst,
        TODAY,
        [
            (son, "asb", date(YEAR, 4, 1), None, {"role": "perpetrator"}),
            (mum, "asb", date(YEAR, 4, 1), None, {"role": "perpetrator"}),
        ],
    )
    assert selectors.event_counts(run, [family.pk], months_before=12, months_after=12) == {
        "asb_incident": (1, 0)
    }


def test_cost_calculation_counts_only_families_whose_period_after_is_in_the_data(team):
    early, _late = attach(team.authority, 2, start=date(YEAR, 4, 1), step_days=300)
    mum, _ = _people(early)
    # Data taken 12 months after the early family's attachment: the late one must wait.
    partner_data(
        team.authority,
        team.analyst,
        date(YEAR + 1, 4, 1),
        [
            (mum, "asb", date(YEAR, 1, 10), None, {"role": "perpetrator"}),
            (mum, "asb", date(YEAR, 2, 10), None, {"role": "perpetrator"}),
            (mum, "asb", date(YEAR, 6, 10), None, {"role": "perpetrator"}),
        ],
    )
    services.unit_costs_start(actor=team.coordinator, authority=team.authority)
    sample = _draw(team, ReturnKind.COST_SAVINGS)
    services.cost_parameters_change(
        actor=team.coordinator,
        parameters=sample.cost_parameters,
        version=1,
        months_before=12,
        months_after=12,
        deadweight_percent=20,
        attribution_percent=50,
    )
    sample = selectors.sample_of(team.authority.pk, ReturnKind.COST_SAVINGS, YEAR)
    calc = selectors.cost_calculation(sample, selectors.latest_unit_cost_version(team.authority.pk))
    assert (calc.cohort, calc.counted, calc.waiting) == (2, 1, 1)
    assert calc.counted_ids == [early.pk]
    asb = next(r for r in calc.rows if r.cost.measure == "asb_incident")
    assert (asb.line.before, asb.line.after, asb.line.gross) == (2, 1, Decimal("700.00"))
    assert asb.line.adjusted == Decimal("280.00")
    unpriced = [r for r in calc.rows if not r.cost.measure]
    assert unpriced and all(r.line is None for r in unpriced)
    assert calc.total.gross == Decimal("700.00") and calc.total.adjusted == Decimal("280.00")
    police = next(t for t in calc.by_agency if t.key == "Police and local authority")
    assert police.gross == Decimal("700.00")


def test_cost_calculation_without_a_data_match_counts_nobody(team):
    attach(team.authority, 3, start=date(YEAR, 4, 1))
    sample = _draw(team, ReturnKind.COST_SAVINGS)
    calc = selectors.cost_calculation(sample, None)
    assert (calc.cohort, calc.counted, calc.rows) == (3, 0, [])


def test_cost_calculation_reads_in_the_same_number_of_queries_for_1_or_30_families(team):
    services.unit_costs_start(actor=team.coordinator, authority=team.authority)
    version = selectors.latest_unit_cost_version(team.authority.pk)

    def queries(n):
        Family.objects.all().delete()
        ReturnSample.objects.all().delete()
        families = attach(team.authority, n, start=date(YEAR, 4, 1), step_days=1)
        partner_data(
            team.authority,
            team.analyst,
            TODAY,
            [
                (p, kind, date(YEAR, 3, 1), None, attrs)
                for f in families
                for p in _people(f)
                for kind, attrs in (
                    ("asb", {"role": "perpetrator"}),
                    ("housing", {"event": "eviction_notice"}),
                )
            ],
        )
        _draw(team, ReturnKind.COST_SAVINGS)
        sample = selectors.sample_of(team.authority.pk, ReturnKind.COST_SAVINGS, YEAR)
        with CaptureQueriesContext(connection) as ctx:
            calc = selectors.cost_calculation(sample, version)
        asb = next(r for r in calc.rows if r.cost.measure == "asb_incident")
        assert calc.counted == n and asb.line.before == 2 * n
        return len(ctx.captured_queries)

    one, thirty = queries(1), queries(30)
    assert one == thirty, (one, thirty)
    assert one <= 5
