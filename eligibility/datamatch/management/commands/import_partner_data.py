"""Load partner files from a secure file drop: exits non-zero, printing every
row-numbered error, when a file breaks the contract (and loads nothing from it)."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from eligibility.datamatch import loading
from eligibility.datamatch.contract import KINDS
from tafcase.accounts import authority as working
from tafcase.accounts.models import Agency, LocalAuthority, Role, User


class Command(BaseCommand):
    help = "Validate and load partner CSV files of one kind from one agency."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--kind", required=True, choices=KINDS)
        parser.add_argument("--agency", required=True, help="the sending agency's name")
        parser.add_argument("--as-of", required=True, type=date.fromisoformat)
        parser.add_argument("--authority", help="authority code (default: the only one)")
        parser.add_argument(
            "--user", help="email of the data analyst recorded as loading it (default: first)"
        )
        parser.add_argument(
            "--valid-rows-only", action="store_true", help="load the valid rows of a bad file"
        )
        parser.add_argument(
            "--confirm-smaller",
            action="store_true",
            help="load a file even if it has no rows, or far fewer than the file it replaces",
        )

    def handle(
        self,
        *args,
        files,
        kind,
        agency,
        as_of,
        authority,
        user,
        valid_rows_only,
        confirm_smaller,
        **o,
    ):
        authority = authority_named(authority)
        try:
            sender = Agency.objects.get(name=agency)
        except Agency.DoesNotExist:
            raise CommandError(f"No agency called {agency!r}.") from None
        actor = analyst_of(authority, user)
        failed = 0
        for path in files:
            try:
                with path.open("rb") as stream:
                    outcome = loading.partner_file_import(
                        actor=actor,
                        local_authority=authority,
                        kind=kind,
                        agency=sender,
                        as_of=as_of,
                        stream=stream,
                        filename=path.name,
                        valid_rows_only=valid_rows_only,
                        confirm_smaller=confirm_smaller,
                    )
            except loading.ImportRejected as rejected:
                failed += 1
                self.stderr.write(
                    f"{path}: rejected, nothing loaded ({len(rejected.errors)} errors)"
                )
                self.stderr.write(loading.errors_csv(rejected.errors))
                continue
            except loading.ImportNeedsConfirmation as held:
                failed += 1
                self.stderr.write(
                    f"{path}: not loaded: {held.message} Use --confirm-smaller to load it."
                )
                continue
            imported = outcome.partner_import
            for warning in outcome.warnings:
                self.stdout.write(f"{path}: warning: {warning}")
            if outcome.duplicate:
                self.stdout.write(
                    f"{path}: already loaded on {imported.uploaded_at:%Y-%m-%d}; nothing changed"
                )
            else:
                self.stdout.write(
                    f"{path}: loaded {imported.loaded_rows} rows in {imported.load_seconds:.1f} s"
                    + (f"; {imported.rejected_rows} rejected" if imported.rejected_rows else "")
                )
        if failed:
            raise CommandError(f"{failed} of {len(files)} files rejected.")


def authority_named(code: str | None) -> LocalAuthority:
    authorities = LocalAuthority.objects.all()
    if code:
        authorities = authorities.filter(code=code)
    if authorities.count() != 1:
        raise CommandError("Name the authority with --authority CODE.")
    return authorities.get()


def analyst_of(authority: LocalAuthority, email: str | None) -> User:
    users = User.objects.filter(
        is_active=True, roles__overlap=[Role.DATA_ANALYST, Role.COORDINATOR], authorities=authority
    ).order_by("pk")
    if email:
        users = users.filter(email=email)
    user = users.first()
    if user is None:
        raise CommandError("No active data analyst or coordinator of this authority.")
    working.bind(user, authority.pk)  # the command works in the authority it was given
    return user
