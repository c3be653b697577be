"""Active families allocated before allocation set the first review have no next review
date, so the caseload showed none while the casework list counted them overdue. Give each
one the date the schedule rules give: one review interval after its latest review, or
after attachment if it has had none. Data only; nothing to undo."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.db.models import Max


def schedule_missing(apps, schema_editor):
    Family = apps.get_model("families", "Family")
    interval = timedelta(weeks=settings.CASEWORK_REVIEW_WEEKS)
    missing = Family.objects.filter(
        status="active", next_review_due__isnull=True, programme_start__isnull=False
    ).annotate(last_review=Max("reviews__held_on"))
    for family in missing.iterator():
        Family.objects.filter(pk=family.pk).update(
            next_review_due=(family.last_review or family.programme_start) + interval
        )


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0005_stored_means_and_plan_at_closure"),
        ("families", "0002_note_child_seen_alone"),
    ]

    operations = [migrations.RunPython(schedule_missing, migrations.RunPython.noop)]
