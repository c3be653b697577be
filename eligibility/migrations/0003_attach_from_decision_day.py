"""Families accepted at a panel dated after the decision was recorded were attached from
the panel's date. Attach them from the day the decision was recorded instead."""

from django.db import migrations
from django.utils import timezone


def attach_from_decision_day(apps, schema_editor):
    AgendaItem = apps.get_model("eligibility", "AgendaItem")
    Family = apps.get_model("families", "Family")
    accepted = AgendaItem.objects.filter(decision="accept", decided_at__isnull=False).values_list(
        "nomination__family_id", "panel__meets_on", "decided_at"
    )
    for family_id, meets_on, decided_at in accepted.iterator():
        decided_on = timezone.localtime(decided_at).date()
        if meets_on > decided_on:
            # Only rows still carrying the panel's date: a later correction is kept.
            Family.objects.filter(pk=family_id, programme_start=meets_on).update(
                programme_start=decided_on
            )


class Migration(migrations.Migration):
    dependencies = [
        ("eligibility", "0002_agenda_likelihood_labels"),
        ("families", "0002_note_child_seen_alone"),
    ]

    operations = [migrations.RunPython(attach_from_decision_day, migrations.RunPython.noop)]
