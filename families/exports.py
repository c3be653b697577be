"""Subject access: what tafcase holds about one person, and nothing about anyone else.

The export holds only what the exporting user may see (DESIGN.md §4): records of families
they cannot see, and restricted notes they may not read, are left out and counted under
"withheld" by the agency that holds them. Notes are included when they are linked to the
person; a note about several people is included whole, so the information governance
officer must still redact other people's details before release (the PDF says so). The
access log lists every read of the person's records, views of their families' pages
included.
"""

from collections import Counter
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils.text import capfirst

from families.access import families_visible_to, note_visibility_filter
from families.models import CaseNote, Consent, Family, Membership, Person
from tafcase import web
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record


def _withheld(notes, visible_notes, families, visible_families) -> list[dict]:
    """What the export leaves out, counted by the agency that holds it."""
    counts: Counter[str] = Counter()
    for note in notes.exclude(pk__in=visible_notes.values("pk")).select_related("author_agency"):
        counts[note.author_agency.name if note.author_agency else "Not recorded"] += 1
    hidden_families = families.exclude(pk__in=visible_families.values("pk")).count()
    rows = [
        {"agency": agency, "records": f"{n} case note{'' if n == 1 else 's'}"}
        for agency, n in sorted(counts.items())
    ]
    if hidden_families:
        rows.append(
            {
                "agency": "Other authorities or teams",
                "records": f"{hidden_families} famil{'y' if hidden_families == 1 else 'ies'}",
            }
        )
    return rows


@transaction.atomic
def person_subject_access_export(*, actor, person: Person) -> dict:
    visible_families = families_visible_to(actor)
    memberships = Membership.objects.filter(
        person=person, family__in=visible_families
    ).select_related("family")
    consents = Consent.objects.filter(given_by=person, family__in=visible_families).select_related(
        "family", "agency"
    )
    all_notes = CaseNote.objects.filter(people=person)
    notes = (
        all_notes.filter(family__in=visible_families)
        .filter(note_visibility_filter(actor))
        .select_related("family", "author_agency")
    )
    family_ids = list(Membership.objects.filter(person=person).values_list("family_id", flat=True))
    # Reads of the family count as reads of the person: its pages, and the lists, searches
    # and printouts that showed it (family_ids, one row per page).
    family_reads = [AuditEvent.Action.VIEWED, AuditEvent.Action.EXPORTED]
    events = (
        AuditEvent.objects.filter(
            Q(person_ids__contains=[person.pk])
            | Q(family_id__in=family_ids, action__in=family_reads)
            | Q(family_ids__overlap=family_ids, action__in=family_reads)
        )
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
        "withheld": _withheld(
            all_notes,
            notes,
            Family.objects.filter(pk__in=family_ids),
            visible_families.filter(pk__in=family_ids),
        ),
        "record_access": [
            {
                "when": e.at.isoformat(),
                "action": e.get_action_display(),
                "agency": e.actor_agency.name if e.actor_agency else None,
                "record": e.object_label,
            }
            for e in events
        ],
    }
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORTED,
        obj=person,
        family_ids=[m.family_id for m in memberships],
        person_ids=[person.pk],
        summary="Subject access export",
    )
    return export


def subject_access_pdf(export: dict, programme_name: str) -> bytes:
    labels = {
        **{f.name: capfirst(f.verbose_name) for f in Person._meta.fields},
        "id": "Record number",
    }
    person = dict(export["person"])
    if person["dob"]:  # ISO in the export's data; a date in words on the page
        person["dob"] = f"{date.fromisoformat(person['dob']):%-d %B %Y}"
    person_rows = [(labels.get(key, key), value) for key, value in person.items()]
    return web.render_pdf(
        None,
        "families/sar_pdf.html",
        {"export": export, "person_rows": person_rows, "programme_name": programme_name},
    )
