"""Subject access: everything tafcase holds about one person, and nothing about anyone else.

Notes are included when they are linked to the person; a note about several people is
included whole, so the information governance officer must still redact other people's
details before release (the PDF says so).
"""

from django.db import transaction
from django.utils.text import capfirst

from families.models import CaseNote, Consent, Membership, Person
from tafcase import web
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record


@transaction.atomic
def person_subject_access_export(*, actor, person: Person) -> dict:
    memberships = Membership.objects.filter(person=person).select_related("family")
    consents = Consent.objects.filter(given_by=person).select_related("family", "agency")
    notes = CaseNote.objects.filter(people=person).select_related("family", "author_agency")
    events = (
        AuditEvent.objects.filter(person_ids__contains=[person.pk])
        .select_related("actor", "actor_agency")
        .order_by("at")
    )
    export = {
        "person": {
            "id": person.pk,
            "forename": person.forename,
            "surname": person.surname,
            "dob": person.dob and person.dob.isoformat(),
            "sex": person.get_sex_display(),
            "ethnicity": person.get_ethnicity_display(),
            **{name: getattr(person, name) for name in Person.IDENTIFIER_FIELDS},
        },
        "family_memberships": [
            {
                "family": m.family.reference,
                "role": m.get_role_display(),
                "lives_in_household": m.lives_in_household,
                "started_on": m.started_on.isoformat(),
                "ended_on": m.ended_on and m.ended_on.isoformat(),
                "in_care": m.in_care,
                "in_custody": m.in_custody,
                "no_contact_for_safety": m.no_contact_for_safety,
            }
            for m in memberships
        ],
        "consents_given": [
            {
                "family": c.family.reference,
                "scope": c.get_scope_display(),
                "agency": c.agency.name if c.agency else None,
                "given_on": c.given_on.isoformat(),
                "withdrawn_on": c.withdrawn_on and c.withdrawn_on.isoformat(),
            }
            for c in consents
        ],
        "case_notes": [
            {
                "family": n.family.reference,
                "date": n.contact_date.isoformat(),
                "contact_type": n.get_contact_type_display(),
                "recorded_by_agency": n.author_agency.name if n.author_agency else None,
                "text": n.text,
            }
            for n in notes
        ],
        "record_access": [
            {
                "when": e.at.isoformat(),
                "action": e.get_action_display(),
                "agency": e.actor_agency.name if e.actor_agency else None,
                "record": e.object_type,
            }
            for e in events
        ],
    }
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORTED,
        obj=person,
        person_ids=[person.pk],
        summary="Subject access export",
    )
    return export


def subject_access_pdf(export: dict, programme_name: str) -> bytes:
    labels = {
        **{f.name: capfirst(f.verbose_name) for f in Person._meta.fields},
        "id": "Record number",
    }
    person_rows = [(labels.get(key, key), value) for key, value in export["person"].items()]
    return web.render_pdf(
        None,
        "families/sar_pdf.html",
        {"export": export, "person_rows": person_rows, "programme_name": programme_name},
    )
