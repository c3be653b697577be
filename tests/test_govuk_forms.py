"""The GOV.UK form layer (tafcase.forms): the date input, error wording and control markup."""

from datetime import date

import pytest
from django import forms
from django.urls import reverse

from outcomes.forms import AssessmentForm
from tafcase.accounts.models import Role
from tafcase.fields import EventDateField
from tafcase.forms import GovukForm


class ReviewDateForm(GovukForm):
    reviewed_on = EventDateField(label="Date of review")
    reason = forms.CharField(label="Reason", max_length=10)
    score = forms.ChoiceField(label="Score", choices=[("", "---------"), ("1", "One")])
    count = forms.IntegerField(label="Number of visits", required=False)


def bind(**data):
    return ReviewDateForm(data={"reason": "x", "score": "1", **data})


@pytest.mark.parametrize(
    "data",
    [
        {"reviewed_on-day": "25", "reviewed_on-month": "11", "reviewed_on-year": "2026"},
        {"reviewed_on-day": " 25 ", "reviewed_on-month": "Nov", "reviewed_on-year": "2026"},
        {"reviewed_on": "25 11 2026"},
        {"reviewed_on": "25/11/2026"},
        {"reviewed_on": "2026-11-25"},
    ],
)
def test_date_input_accepts_typed_dates(data):
    form = bind(**data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["reviewed_on"] == date(2026, 11, 25)


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"reviewed_on-day": "31", "reviewed_on-month": "2", "reviewed_on-year": "2026"},
            "Date of review must be a real date",
        ),
        (
            {"reviewed_on-day": "3", "reviewed_on-month": "", "reviewed_on-year": "2026"},
            "Date of review must include a month",
        ),
        (
            {"reviewed_on-day": "", "reviewed_on-month": "", "reviewed_on-year": "2026"},
            "Date of review must include a day and month",
        ),
        (
            {"reviewed_on-day": "3", "reviewed_on-month": "4", "reviewed_on-year": "26"},
            "Year must include 4 numbers",
        ),
        (
            {"reviewed_on-day": "x", "reviewed_on-month": "4", "reviewed_on-year": "2026"},
            "Date of review must be a real date",
        ),
        (
            {"reviewed_on-day": "", "reviewed_on-month": "", "reviewed_on-year": ""},
            "Enter date of review",
        ),
        ({"reviewed_on": "tomorrow"}, "Date of review must be a real date"),
    ],
)
def test_date_input_errors_use_govuk_wording(data, message):
    form = bind(**data)
    assert not form.is_valid()
    assert form.errors["reviewed_on"] == [message]


def test_date_input_renders_three_boxes_in_a_fieldset_and_keeps_what_was_typed():
    form = bind(**{"reviewed_on-day": "31", "reviewed_on-month": "2", "reviewed_on-year": "2026"})
    form.is_valid()
    html = form["reviewed_on"].as_field_group()
    assert '<fieldset class="govuk-fieldset" role="group"' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Date of review' in html
    assert 'type="date"' not in html
    for part, value in (("day", "31"), ("month", "2"), ("year", "2026")):
        assert f'name="reviewed_on-{part}"' in html
        assert f'value="{value}"' in html
    # The error summary links to #id_reviewed_on: the day box carries that id.
    assert 'id="id_reviewed_on" name="reviewed_on-day"' in html
    assert "govuk-input--error" in html


def test_an_unbound_date_shows_its_initial_value():
    form = ReviewDateForm(initial={"reviewed_on": date(2026, 12, 1)})
    html = form["reviewed_on"].as_field_group()
    assert 'value="1"' in html and 'value="12"' in html and 'value="2026"' in html


def test_stock_messages_become_govuk_wording():
    form = ReviewDateForm(data={"reason": "far too long a reason", "count": "many"})
    assert not form.is_valid()
    assert form.errors["score"] == ["Select a score"]
    assert form.errors["reason"] == ["Reason must be 10 characters or fewer"]
    assert form.errors["count"] == ["Number of visits must be a whole number"]
    form = ReviewDateForm(data={"score": "9"})
    form.is_valid()
    assert form.errors["reason"] == ["Enter a reason"]
    assert form.errors["score"] == ["Select a score from the list"]
    assert "This field is required." not in str(form.errors)


def test_a_forms_own_message_wins():
    class OwnWords(GovukForm):
        reason = forms.CharField(label="Reason", error_messages={"required": "Say why"})

    form = OwnWords(data={})
    form.is_valid()
    assert form.errors["reason"] == ["Say why"]


def test_select_placeholder_is_words_not_dashes():
    html = ReviewDateForm()["score"].as_widget()
    assert "---------" not in html
    assert ">Select a score</option>" in html


def test_controls_carry_govuk_classes_and_link_hint_and_error():
    form = ReviewDateForm(data={})
    form.is_valid()
    html = str(form)
    assert 'class="govuk-select govuk-select--error"' in html
    assert 'class="govuk-input govuk-input--error"' in html
    assert 'aria-describedby="id_reason-error"' in html


def test_controls_added_after_set_up_get_govuk_classes():
    """The assessment form adds its score and reason fields in __init__, after the base
    form is set up: they still render with the GOV.UK classes."""
    form = AssessmentForm(subjects=[], occasion=0)
    form.fields["score-x"] = forms.ChoiceField(label="Score", choices=[("1", "1")])
    form.fields["why-x"] = forms.CharField(label="Reason")
    form.fields["more-x"] = forms.BooleanField(label="More", required=False)
    assert 'class="govuk-select"' in form["score-x"].as_widget()
    assert 'class="govuk-input"' in form["why-x"].as_widget()
    assert 'class="govuk-checkboxes__input"' in form["more-x"].as_widget()


def test_audit_log_filters_by_dates_typed_in_boxes_and_refuses_unreal_ones(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    url = reverse("audit-log")
    ok = client.get(url, {"date_from-day": "1", "date_from-month": "12", "date_from-year": "2026"})
    assert ok.status_code == 200 and 'value="12"' in ok.content.decode()
    bad = client.get(url, {"date_from-day": "30", "date_from-month": "2", "date_from-year": "2026"})
    body = bad.content.decode()
    assert bad.status_code == 200 and "From must be a real date" in body
    assert "<title>Error: " in body
