from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tafcase import backups
from tafcase.management.commands.backup import media_root


class Command(BaseCommand):
    help = (
        "Restore the database and uploaded files from an archive made by `backup`. "
        "Stop the web server and Celery first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that already holds data",
        )
        parser.add_argument(
            "--database-url",
            help="restore into this database instead of the configured one "
            "(for example a scratch database, to check a backup)",
        )

    def handle(self, *args, archive: Path, force: bool, database_url: str | None, **options):
        if database_url:
            database = backups.Database.from_url(database_url)
        else:
            database = backups.Database.from_settings(connection.settings_dict)
            # Our own idle connection would hold no locks, but close it all the same.
            connection.close()
        try:
            result = backups.restore(
                archive=archive, database=database, media_root=media_root(), force=force
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{n} {label}" for label, n in result.row_counts.items())
        self.stdout.write(
            f"Restored {database.name} from {archive} (made {result.manifest['created_at']}): "
            f"{counts}; {result.media_files} uploaded files; in {result.seconds:.1f}s."
        )
        if result.unapplied_migrations:
            self.stdout.write(
                f"{result.unapplied_migrations} migrations of this code are newer than the "
                "backup: run `manage.py migrate`."
            )
        if result.unknown_migrations:
            self.stderr.write(
                f"The backup has {result.unknown_migrations} migrations this code does not "
                "know: it was made by a newer version of tafcase."
            )
