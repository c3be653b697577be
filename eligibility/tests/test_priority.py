"""Panel prioritisation order."""

from datetime import date

import pytest

from eligibility.rules import Nomination, prioritise

JAN, FEB = date(2026, 1, 5), date(2026, 2, 5)


@pytest.mark.parametrize(
    ("nominations", "order"),
    [
        ([Nomination("a", JAN, 1, 9, 3), Nomination("b", FEB, 2, 1, 1)], ["b", "a"]),
        ([Nomination("a", JAN, 1, 2, 3), Nomination("b", FEB, 1, 3, 1)], ["b", "a"]),
        ([Nomination("a", JAN, 1, 3, 2), Nomination("b", FEB, 1, 3, 3)], ["b", "a"]),
        ([Nomination("a", FEB, 1, 3, 2), Nomination("b", JAN, 1, 3, 2)], ["b", "a"]),
        ([Nomination("a", JAN, 1, 3, None), Nomination("b", FEB, 1, 3, 1)], ["b", "a"]),
        ([Nomination("b", JAN, 0, 0), Nomination("a", JAN, 0, 0)], ["a", "b"]),
    ],
)
def test_order_is_local_criteria_then_agencies_then_likelihood_then_nomination_date(
    nominations, order
):
    assert [n.nomination_id for n in prioritise(nominations)] == order


@pytest.mark.parametrize("likelihood", [0, 4])
def test_likelihood_outside_one_to_three_is_rejected(likelihood):
    with pytest.raises(ValueError, match="1-3"):
        Nomination("a", JAN, 0, 0, likelihood)
