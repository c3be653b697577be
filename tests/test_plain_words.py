"""Codes on screen become words: datasets, evidence, audit objects, rulebook parameters,
data-match explanations."""

from datetime import date

import pytest

from eligibility.datamatch.models import KIND_CHOICES
from eligibility.datamatch.selectors import match_in_words
from eligibility.forms import ParametersForm
from eligibility.rules.evidence import EvidenceRef, cite, kind_name
from eligibility.rules.framework import Parameters
from tafcase.audit.models import AuditEvent


def test_datasets_are_named_in_words():
    names = dict(KIND_CHOICES)
    assert names["asb"] == "Anti-social behaviour"
    assert names["neet"] == "Not in education, employment or training"
    assert names["school_attendance"] == "School attendance"
    assert kind_name("recorded_evidence") == "Recorded evidence"


def test_evidence_is_cited_by_dataset_name_and_singular_for_one_record():
    refs = [
        EvidenceRef(kind="recorded_evidence", record_id="1141", date=date(2026, 1, 5)),
        EvidenceRef(kind="asb", record_id="A1", date=date(2026, 1, 5)),
        EvidenceRef(kind="asb", record_id="A2", date=date(2026, 2, 5)),
    ]
    assert cite(refs) == "Recorded evidence record 1141; Anti-social behaviour records A1, A2"


@pytest.mark.parametrize(
    "object_type, object_id, label",
    [
        ("datamatch.reviewitem", "71", "Data-match review item 71"),
        ("families.family", "5", "Family FF-000005"),
        ("caseload", "", "Caseload"),
    ],
)
def test_audit_objects_are_named_in_words(object_type, object_id, label):
    assert AuditEvent(object_type=object_type, object_id=object_id).object_label == label


def test_audit_changes_are_in_words():
    event = AuditEvent(
        object_type="families.family",
        family_id=5,
        changes={
            "status": ["active", "closed"],
            "programme_end": [None, "2026-12-01"],
            "name": ["A family", "B family"],
            "key_workers": [[], ["Sam"]],
            "consent_given": [True, False],
        },
    )
    assert event.family_reference == "FF-000005"
    assert event.changes_in_words == [
        ("Status", "Active", "Closed"),
        ("Programme end", "–", "1 December 2026"),
        ("Name", "A family", "B family"),
        ("Key workers", "–", "Sam"),
        ("Consent given", "Yes", "No"),
    ]


def test_every_rulebook_parameter_has_a_label():
    form = ParametersForm(parameters=Parameters().to_dict())
    labels = [str(f.label) for f in form.fields.values()]
    assert "Anti-social behaviour: highest level kept, as % of the baseline" in labels
    assert not [label for label in labels if "pct" in label or "_" in label]


def test_a_probabilistic_match_reads_as_a_sentence_without_weights():
    candidate = {
        "match_weight": 4.2,
        "match_probability": 0.948,
        "explanation": [
            {"comparison": "prior", "level": "chance that two records…", "match_weight": -13.91},
            {"comparison": "dob", "level": "date of birth: exact match", "match_weight": 9.1},
            {"comparison": "postcode", "level": "postcode: different", "match_weight": -2.5},
        ],
    }
    words = match_in_words(candidate)
    assert words.startswith("About 95% likely to be the same person.")
    assert "Details that agree: date of birth: exact match." in words
    assert "Details that count against: postcode: different." in words
    assert "13.91" not in words and "chance" not in words


def test_an_identifier_match_says_so():
    candidate = {
        "match_weight": None,
        "match_probability": None,
        "explanation": [{"comparison": "nhs_number", "level": "nhs_number: identical on both"}],
    }
    assert match_in_words(candidate).startswith("Suggested because of an identifier")
