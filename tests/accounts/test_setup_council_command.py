import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from tafcase.accounts import council, services
from tafcase.accounts.models import Agency, LocalAuthority, Locality, Role, User
from tafcase.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

SAMPLE = Path(council.__file__).parent / "sample_users.csv"
AGENCIES = "Testshire Early Help:Local authority early help,Testshire Police:Police"


def set_up(users: Path | None = SAMPLE, **options) -> str:
    out = StringIO()
    arguments = {
        "name": "Testshire Council",
        "code": "E99000099",
        "localities": "North,South",
        "agencies": AGENCIES,
        **options,
    }
    if users is not None:
        arguments["users"] = str(users)
    call_command("setup_council", stdout=out, **arguments)
    return out.getvalue()


def write_csv(tmp_path, text: str) -> Path:
    path = tmp_path / "users.csv"
    path.write_text(text, encoding="utf-8")
    return path


def link_path(message) -> str:
    return re.search(r"http://[^/]+(/account/invitation/\S+/)", message.body).group(1)


def test_fresh_database_gets_authority_localities_agencies_and_users(
    django_capture_on_commit_callbacks,
):
    assert not LocalAuthority.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        out = set_up()
    authority = LocalAuthority.objects.get(code="E99000099")
    assert authority.name == "Testshire Council"
    assert sorted(authority.localities.values_list("name", flat=True)) == ["North", "South"]
    police = Agency.objects.get(name="Testshire Police")
    assert police.kind == Agency.Kind.POLICE and police.local_authority == authority
    assert User.objects.count() == 4
    sam = User.objects.get(email="sam.sample@testshire.example")
    assert sam.roles == [Role.COORDINATOR, Role.PANEL_CHAIR]
    assert sam.agency.name == "Testshire Early Help"
    assert list(sam.authorities.all()) == [authority]
    assert sam.groups.filter(pk=sam.agency.group_id).exists()
    assert not sam.has_usable_password()
    assert User.objects.get(email="jo.placeholder@testshire.example").roles == [Role.ADMINISTRATOR]
    assert "Testshire Council (E99000099): set up." in out
    assert "Users: 4 invited, 0 updated, 0 unchanged." in out
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INVITATION_SENT).count() == 4


def test_no_demo_data_is_made():
    set_up(users=None)
    assert LocalAuthority.objects.count() == 1
    assert not User.objects.exists()


def test_each_new_user_is_emailed_a_link_that_sets_a_password_once(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        set_up()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        User.objects.values_list("email", flat=True)
    )
    message = next(m for m in mail.outbox if m.to == ["alex.example@testshire.example"])
    assert "7 days" in message.body
    path = link_path(message)
    page = client.get(path, follow=True)
    assert "Choose your password" in page.content.decode()
    new = "a-long-synthetic-passphrase-9"
    response = client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert User.objects.get(email="alex.example@testshire.example").check_password(new)
    client.cookies.clear()
    used = client.get(path, follow=True)
    assert "has expired or been used" in used.content.decode()


def test_an_invitation_link_stops_working_after_seven_days(client, monkeypatch):
    set_up()
    user = User.objects.get(email="alex.example@testshire.example")
    link = council.invitation_link(user)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert council.invitation_tokens.check_token(user, token)
    later = timezone.now() + timedelta(days=council.INVITATION_DAYS, hours=1)
    monkeypatch.setattr(council.invitation_tokens, "_now", lambda: later.replace(tzinfo=None))
    assert not council.invitation_tokens.check_token(user, token)


def test_a_password_reset_token_is_not_an_invitation(client):
    set_up()
    user = User.objects.get(email="alex.example@testshire.example")
    assert not council.invitation_tokens.check_token(user, default_token_generator.make_token(user))


def test_running_again_updates_and_never_duplicates(tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        set_up()
    mail.outbox.clear()
    changed = write_csv(
        tmp_path,
        SAMPLE.read_text().replace("Alex Example,Key worker", "Alex Example-Smith,Manager"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        out = set_up(users=changed, localities="North,South,East")
    assert "Users: 0 invited, 1 updated, 3 unchanged." in out
    assert "Localities: 1 added (East), 2 already there." in out
    assert LocalAuthority.objects.count() == 1
    assert Locality.objects.count() == 3
    assert Agency.objects.count() == 2
    assert User.objects.count() == 4
    alex = User.objects.get(email="alex.example@testshire.example")
    assert (alex.full_name, alex.roles) == ("Alex Example-Smith", [Role.MANAGER])
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        out = set_up(users=changed, localities="North,South,East")
    assert "Users: 0 invited, 0 updated, 4 unchanged." in out


def test_a_file_with_any_wrong_row_writes_nothing_and_lists_every_problem(tmp_path):
    bad = write_csv(
        tmp_path,
        "email,full name,roles,agency\n"
        "good@testshire.example,Good Person,Key worker,Testshire Police\n"
        "not-an-email,Some One,Key worker,Testshire Police\n"
        "other@testshire.example,,Keyworker,Nowhere Agency\n"
        "third@testshire.example,Third Person,Chief,Testshire Police\n"
        "good@testshire.example,Good Again,Key worker,Testshire Police\n",
    )
    with pytest.raises(CommandError) as failed:
        set_up(users=bad)
    message = str(failed.value)
    assert "Nothing was saved" in message
    assert "Row 3: “not-an-email” is not an email address." in message
    assert "Row 4: Enter the person's full name. Testshire Council has no agency" in message
    assert "Row 5: “Chief” is not a role." in message
    assert "Row 6: good@testshire.example is also on row 2." in message
    assert "Row 2" not in message.replace("on row 2", "")
    assert not LocalAuthority.objects.exists()
    assert not Agency.objects.exists()
    assert not User.objects.exists()
    assert mail.outbox == []


def test_a_file_without_the_needed_columns_is_refused(tmp_path):
    with pytest.raises(CommandError, match="missing: roles, agency"):
        set_up(users=write_csv(tmp_path, "email,name\na@testshire.example,A Person\n"))
    assert not LocalAuthority.objects.exists()


def test_a_user_of_another_authority_is_not_taken_over(tmp_path, make_user, other_authority):
    elsewhere = services.agency_create(
        name="Elsewhere Help", kind=Agency.Kind.LA_EARLY_HELP, local_authority=other_authority
    )
    make_user(Role.KEY_WORKER, agency=elsewhere, email="alex.example@testshire.example")
    with pytest.raises(CommandError, match="already has an account with another authority"):
        set_up()
    assert User.objects.get(email="alex.example@testshire.example").agency == elsewhere


def test_a_wrong_ons_code_is_refused():
    with pytest.raises(CommandError, match="is not an ONS code"):
        set_up(users=None, code="TESTSHIRE")
    assert not LocalAuthority.objects.exists()


def test_agencies_can_come_from_a_file(tmp_path):
    agencies = tmp_path / "agencies.csv"
    agencies.write_text("name,kind\nTestshire Schools,School or education\nHelp Trust,\n")
    set_up(users=None, agencies=str(agencies))
    assert dict(Agency.objects.values_list("name", "kind")) == {
        "Testshire Schools": Agency.Kind.EDUCATION,
        "Help Trust": Agency.Kind.OTHER,
    }


def test_an_unknown_agency_kind_is_refused_in_plain_words():
    with pytest.raises(CommandError, match="“Fire” is not a kind of agency"):
        set_up(users=None, agencies="Testshire Fire:Fire")


@pytest.mark.parametrize(
    "text, words",
    [
        ("email,full name,roles,agency\n\x00,a,b,c\n", "is not a CSV file"),
        ("", "The file is empty"),
        ("email,full name,roles,agency\n\n", "has no users"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_in_plain_words(tmp_path, text, words):
    with pytest.raises(CommandError, match=words):
        set_up(users=write_csv(tmp_path, text))
    assert not LocalAuthority.objects.exists()


def test_a_huge_cell_is_quoted_only_in_part(tmp_path):
    huge = write_csv(
        tmp_path, "email,full name,roles,agency\n" + "x" * 100_000 + ",A,Key worker,B\n"
    )
    with pytest.raises(CommandError) as failed:
        set_up(users=huge)
    assert "“" + "x" * 59 + "…” is not an email address" in str(failed.value)
    assert len(str(failed.value)) < 400


def test_an_overlong_email_is_a_row_error(tmp_path):
    long_email = "a" * 250 + "@testshire.example"
    bad = write_csv(
        tmp_path,
        f"email,full name,roles,agency\n{long_email},A Person,Key worker,Testshire Police\n",
    )
    with pytest.raises(CommandError, match=r"Row 2: .* is not an email address"):
        set_up(users=bad)


def test_a_mail_server_that_fails_leaves_the_users_saved_for_a_resend(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(council, "send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        set_up()
    assert User.objects.count() == 4
    assert "could not be sent" in caplog.text
    assert "@" not in caplog.text.split("Traceback")[0]
