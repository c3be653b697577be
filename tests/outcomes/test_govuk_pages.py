"""Form pages in GOV.UK style: one "Error: " in the title, the error summary first in main,
GOV.UK wording and the date input."""

import re
from datetime import date

from django.urls import reverse

from outcomes.models import BudgetItem


def test_budget_error_has_one_title_prefix_and_the_summary_first(client, active):
    client.force_login(active.lead)
    url = reverse("outcomes:budget", args=[active.family.pk])
    response = client.post(
        url, {"spent_on-day": "31", "spent_on-month": "2", "spent_on-year": "2026", "amount": "20"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
    assert title.count("Error:") == 1 and title.startswith("Error: ")
    main = body[body.index('<main class="govuk-main-wrapper" id="main-content">') :]
    first = re.search(r"<(?!main)[a-z0-9]+[^>]*>", main[len("<main") :]).group(0)
    assert 'class="govuk-error-summary"' in first
    assert body.count('class="govuk-error-summary"') == 1
    assert "Date must be a real date" in body
    assert "Enter what the money is for" in body
    assert "This field is required." not in body


def test_budget_form_shows_day_month_and_year_boxes(client, active):
    client.force_login(active.lead)
    body = client.get(reverse("outcomes:budget", args=[active.family.pk])).content.decode()
    assert 'type="date"' not in body
    assert 'name="spent_on-day"' in body and 'name="spent_on-year"' in body


def test_budget_records_a_date_typed_in_the_boxes(client, active):
    client.force_login(active.lead)
    url = reverse("outcomes:budget", args=[active.family.pk])
    response = client.post(
        url,
        {
            "spent_on-day": "1",
            "spent_on-month": "1",
            "spent_on-year": "2026",
            "purpose": "Bus pass",
            "amount": "20",
        },
    )
    assert response.status_code == 302
    assert BudgetItem.objects.get(family=active.family).spent_on == date(2026, 1, 1)
