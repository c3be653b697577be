"""API tokens moved from DRF's authtoken app (secret stored in the clear, no expiry) to
accounts.ApiToken. The old table is dropped: its keys must stop working, and its foreign
key to users would otherwise block deleting a user."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_sign_in_throttle_api_tokens_two_factor")]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
    ]
