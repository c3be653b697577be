from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from tafcase import backups, embedded

DEFAULT_FOLDER = embedded.VAR / "backups"


def media_root() -> Path | None:
    return Path(settings.MEDIA_ROOT) if settings.MEDIA_ROOT else None


class Command(BaseCommand):
    help = (
        "Back up the database and uploaded files into one archive "
        f"(by default a new file in {DEFAULT_FOLDER})."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="the archive to write, or a folder (an existing one, or a name ending in /) "
            "to write a dated archive into",
        )

    def handle(self, *args, output: str | None, **options):
        destination = Path(output) if output else DEFAULT_FOLDER
        if not output or output.endswith("/") or destination.is_dir():
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            destination = destination / f"tafcase-{stamp}.tar.gz"
        if destination.exists():
            raise CommandError(f"{destination} already exists; choose another name.")
        try:
            result = backups.backup(
                database=backups.Database.from_settings(connection.settings_dict),
                destination=destination,
                media_root=media_root(),
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{n} {label}" for label, n in result.manifest["row_counts"].items())
        self.stdout.write(
            f"Backed up {result.manifest['database']} ({counts}) and {result.media_files} "
            f"uploaded files to {result.path} ({result.size / 1e6:.1f} MB) "
            f"in {result.seconds:.1f}s."
        )
