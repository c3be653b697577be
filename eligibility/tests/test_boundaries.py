"""The boundaries the rulebook is most often argued about, one named test each."""

from datetime import date

from eligibility.rules import (
    SF2022,
    TF2012,
    TF2015,
    Household,
    Kind,
    Member,
    Nomination,
    Record,
    RecordedEvidence,
    evaluate,
    prioritise,
)

from .builders import PARENT, D, attendance, criterion, days, household, months, rec, terms


def test_absence_of_exactly_ten_percent_meets_education():
    assert criterion(TF2015, "education", household(*terms("C1", 6, 4))).met


def test_absence_of_nine_point_nine_nine_percent_does_not_meet_education():
    home = household(attendance("A1", "C1", "2025/26", "summer", 10000, 500, 499))
    result = criterion(TF2015, "education", home)
    assert not result.met
    assert "9.99%" in result.explanation


def test_unauthorised_absence_of_exactly_fifteen_percent_meets_tf2012_education():
    assert criterion(TF2012, "education", household(*terms("C1", 0, 15))).met
    assert not criterion(TF2012, "education", household(*terms("C1", 1, 14))).met


def test_record_dated_exactly_twelve_months_before_d_is_outside_the_look_back():
    home = household(rec(Kind.HEALTH, "H1", "P1", D - months(12), need="mental_health"))
    assert not criterion(TF2015, "health", home).met


def test_record_dated_a_day_inside_the_look_back_counts():
    home = household(rec(Kind.HEALTH, "H1", "P1", D - months(12) + days(1), need="mental_health"))
    assert criterion(TF2015, "health", home).met


def test_open_ended_benefit_is_ongoing_at_d():
    home = household(rec(Kind.BENEFITS, "B1", "P1", date(2019, 5, 1), None, benefit="ESA"))
    result = criterion(TF2015, "worklessness", home)
    assert result.met
    assert "ongoing" in result.explanation


def test_open_ended_care_episode_that_started_before_the_look_back_is_open_at_d():
    home = household(
        rec(Kind.CHILDRENS_SOCIAL_CARE, "K1", "C1", date(2019, 5, 1), None, status="LAC")
    )
    assert criterion(TF2015, "children_need_help", home).met


def test_child_turning_eighteen_on_d_is_an_adult():
    member = Member("X", date(2008, 8, 1), "child")
    assert member.is_adult(D) and not member.is_child(D)
    assert member.is_young_person(D)
    assert member.is_child(D - days(1))


def test_plain_strings_from_the_database_work_like_the_enums():
    home = Household(
        members=(Member("P1", date(1980, 1, 1), "parent_carer"),),
        records=(Record("asb", "X1", "P1", D - days(3), attributes={"role": "perpetrator"}),),
        recorded_evidence=(RecordedEvidence("R1", "health", D, "GP", "Anxiety", "P1", "need"),),
    )
    decision = evaluate(home, D, TF2015)
    assert {c.code for c in decision.national if c.met} == {"crime_asb", "health"}
    assert decision.eligible


def test_sf2022_expectant_parent_without_children_can_be_eligible():
    mother = Member("P1", date(1995, 1, 1), "parent_carer", "Lee", expectant=True)
    home = Household(
        members=(mother,),
        records=(
            rec(Kind.ASB, "X1", "P1", D - days(3), role="perpetrator"),
            rec(Kind.DOMESTIC_ABUSE, "D1", "P1", D - days(3), role="victim"),
            rec(Kind.HOUSING, "H1", "P1", D - days(3), event="eviction_notice"),
        ),
    )
    assert evaluate(home, D, SF2022).eligible
    assert not evaluate(Household((PARENT,), home.records), D, SF2022).eligible


def test_nomination_from_decision_carries_the_priority_inputs():
    home = household(
        rec(Kind.DOMESTIC_ABUSE, "D1", "P1", D - days(3), agency="Police", role="victim"),
        taf=frozenset({"School"}),
    )
    nomination = Nomination.from_decision("N1", D, evaluate(home, D, TF2015), likelihood=2)
    assert (nomination.local_criteria_met, nomination.agencies_involved) == (1, 2)
    assert prioritise([Nomination("N0", D, 0, 5, 3), nomination])[0] is nomination
