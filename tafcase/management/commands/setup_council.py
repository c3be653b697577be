import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tafcase.accounts import council
from tafcase.accounts.models import Agency


class Command(BaseCommand):
    help = (
        "Set up a council: its authority (found by ONS code, so it is safe to run again), "
        "localities, agencies and, from a CSV file, its users, who are each emailed an "
        "invitation to choose a password. Makes no demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--name", required=True, help='the council\'s name, e.g. "Testshire Council"'
        )
        parser.add_argument("--code", required=True, help="its ONS code, e.g. E99000099")
        parser.add_argument(
            "--localities", default="", help='localities separated by commas, e.g. "North,South"'
        )
        parser.add_argument(
            "--agencies",
            default="",
            help="a CSV file with the columns name and kind, or a list separated by commas "
            'of name or name:kind, e.g. "Testshire Early Help:Local authority early help,'
            'Testshire Police:Police" (kind is Other when left out)',
        )
        parser.add_argument(
            "--users",
            type=Path,
            help="a CSV file of users: email, full name, roles, agency (and optionally "
            "authority). Several roles are separated by semicolons.",
        )

    def handle(self, *args, name, code, localities, agencies, users, **options):
        agency_list = _agencies(agencies)
        text = _read(Path(users)) if users else None
        try:
            rows = council.users_from_csv(text) if text is not None else []
            with transaction.atomic():
                done = council.council_set_up(
                    name=name,
                    code=code,
                    localities=localities.split(","),
                    agencies=agency_list,
                )
                saved = council.users_import(actor=None, authority=done.authority, rows=rows)
        except ValidationError as error:
            raise CommandError(
                "Nothing was saved:\n" + "\n".join(f"  {message}" for message in error.messages)
            ) from None
        self._summary(done, saved if rows else None)

    def _summary(self, done: council.CouncilSetUp, saved: council.UsersSaved | None) -> None:
        authority = done.authority
        state = "set up" if done.authority_created else "already set up"
        lines = [f"{authority.name} ({authority.code}): {state}."]
        lines.append(_counted("Localities", done.localities_added, done.localities_kept))
        lines.append(_counted("Agencies", done.agencies_added, done.agencies_kept))
        if saved is not None:
            lines.append(
                f"Users: {len(saved.invited)} invited, {len(saved.updated)} updated, "
                f"{len(saved.unchanged)} unchanged."
            )
            if saved.invited:
                lines.append(
                    f"Each new user has been emailed a link to choose a password; it works "
                    f"for {council.INVITATION_DAYS} days."
                )
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))


def _counted(what: str, added: list[str], kept: list[str]) -> str:
    line = f"{what}: {len(added)} added"
    if added:
        line += f" ({', '.join(added)})"
    return line + f", {len(kept)} already there."


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not a CSV file saved as UTF-8.") from None


def _agencies(value: str) -> list[tuple[str, str]]:
    """(name, kind) pairs from a CSV file of name,kind or a list of name[:kind]."""
    if not value.strip():
        return []
    path = Path(value)
    if path.is_file():
        reader = csv.DictReader(_read(path).splitlines())
        fields = {(f or "").strip().lower(): f for f in reader.fieldnames or []}
        if "name" not in fields:
            raise CommandError(f"{path} needs a first row naming the columns name and kind.")
        pairs = [
            (row[fields["name"]] or "", row.get(fields.get("kind", ""), "") or "") for row in reader
        ]
    else:
        pairs = [item.partition(":")[::2] for item in value.split(",")]
    agencies = []
    for name, kind_words in pairs:
        if not name.strip():
            continue
        kind = council.agency_kind_from_words(kind_words)
        if kind is None:
            raise CommandError(
                f"“{kind_words.strip()}” is not a kind of agency (for {name.strip()}). Use one "
                f"of: {', '.join(str(label) for label in Agency.Kind.labels)}."
            )
        agencies.append((name.strip(), kind))
    return agencies
