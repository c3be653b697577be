"""The screening benchmark's synthetic partner records exercise the rules."""

import random
from datetime import date

from eligibility import rules
from eligibility.management.commands.bench_screening import partner_records


def test_partner_records_cover_school_age_children_and_adults():
    as_of = date(2026, 11, 1)
    household = rules.Household(
        members=(
            rules.Member("1", date(1985, 1, 1), rules.Relationship.PARENT_CARER),
            rules.Member("2", date(2014, 6, 1), rules.Relationship.CHILD),
        )
    )
    records = partner_records(random.Random(1), household, as_of)
    attendance = [r for r in records if r.kind == rules.Kind.SCHOOL_ATTENDANCE]
    assert len(attendance) == 3 and {r.person_id for r in attendance} == {"2"}
    decision = rules.evaluate(
        rules.Household(household.members, records), as_of, rules.DEFAULT_FRAMEWORK
    )
    assert len(decision.national) == 6
    assert partner_records(random.Random(1), household, as_of) == records
