from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0007_assessment_amendments"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="baseline_mean",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=4, null=True),
        ),
        migrations.RunSQL(
            """
        UPDATE outcomes_assessment r SET baseline_mean = b.mean_score
        FROM outcomes_assessment b
        WHERE b.family_id = r.family_id AND b.occasion = 0 AND b.status = 'completed'
          AND r.occasion >= 1;
        """,
            migrations.RunSQL.noop,
        ),
    ]
