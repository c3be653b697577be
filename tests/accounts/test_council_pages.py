import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tafcase.accounts import council, services
from tafcase.accounts.models import Agency, Locality, Role, User
from tafcase.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PAGES = [
    "council",
    "council-authority",
    "council-locality-add",
    "council-agency-add",
    "council-users",
    "council-user-add",
    "council-users-upload",
]


@pytest.fixture
def agency(make_agency):
    return make_agency("Testshire Early Help")


@pytest.fixture
def admin(make_user, agency):
    return make_user(Role.ADMINISTRATOR, agency=agency)


@pytest.fixture
def locality(authority):
    return Locality.objects.create(local_authority=authority, name="North")


@pytest.fixture
def elsewhere(other_authority, make_user):
    """Another authority's agency, locality, administrator and invited user."""
    agency = services.agency_create(
        name="Elsewhere Help", kind=Agency.Kind.LA_EARLY_HELP, local_authority=other_authority
    )
    return {
        "agency": agency,
        "locality": Locality.objects.create(local_authority=other_authority, name="Far"),
        "admin": make_user(
            Role.ADMINISTRATOR,
            agency=agency,
            email="admin@elsewhere.test",
            authorities=[other_authority],
        ),
        "user": services.user_create(
            email="invited@elsewhere.test",
            full_name="Invited Elsewhere",
            agency=agency,
            roles=[Role.KEY_WORKER],
            password=None,
            authorities=[other_authority],
        ),
    }


def invited(authority, agency, email="new@testshire.test"):
    return council.users_import(
        actor=None,
        authority=authority,
        rows=[council.UserRow(None, email, "New Person", "Key worker", agency.name)],
    ).invited[0]


# --- SECURITY: who reaches the pages ---


@pytest.mark.parametrize("page", PAGES)
def test_administrator_reaches_every_page(client, admin, page):
    client.force_login(admin)
    assert client.get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", [Role.KEY_WORKER, Role.COORDINATOR, Role.MANAGER])
def test_other_roles_get_403(client, make_user, agency, page, role):
    client.force_login(make_user(role, agency=agency))
    assert client.get(reverse(page)).status_code == 403
    assert client.post(reverse(page), {"name": "Changed"}).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(client, page):
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_read_only_role_cannot_resend_an_invitation(client, make_user, agency, authority):
    user = invited(authority, agency)
    client.force_login(make_user(Role.AUDITOR, agency=agency))
    assert client.post(reverse("council-invitation", args=[user.pk])).status_code == 403


def test_another_authoritys_records_are_404(client, admin, elsewhere):
    client.force_login(admin)
    assert (
        client.get(reverse("council-locality", args=[elsewhere["locality"].pk])).status_code == 404
    )
    assert client.get(reverse("council-agency", args=[elsewhere["agency"].pk])).status_code == 404
    response = client.post(
        reverse("council-agency", args=[elsewhere["agency"].pk]),
        {"name": "Taken", "kind": Agency.Kind.POLICE},
    )
    assert response.status_code == 404
    assert (
        client.post(reverse("council-invitation", args=[elsewhere["user"].pk])).status_code == 404
    )
    assert Agency.objects.get(pk=elsewhere["agency"].pk).name == "Elsewhere Help"


def test_another_authoritys_administrator_sees_only_their_own_council(client, admin, elsewhere):
    client.force_login(elsewhere["admin"])
    page = client.get(reverse("council")).content.decode()
    assert "Elsewhere Council" in page and "Testshire" not in page
    users = client.get(reverse("council-users")).content.decode()
    assert "Invited Elsewhere" in users and admin.email not in users


def test_navigation_offers_the_section_to_administrators_only(client, admin, key_worker):
    client.force_login(admin)
    assert "Set up your council" in client.get(reverse("home")).content.decode()
    client.force_login(key_worker)
    assert "Set up your council" not in client.get(reverse("home")).content.decode()


# --- What the pages do ---


def test_authority_details_are_saved_and_audited(client, admin, authority):
    client.force_login(admin)
    response = client.post(
        reverse("council-authority"),
        {"name": "Testshire County Council", "two_factor_for_everyone": "on"},
    )
    assert response.status_code == 302
    authority.refresh_from_db()
    assert authority.name == "Testshire County Council" and authority.two_factor_for_everyone
    event = AuditEvent.objects.get(object_type="accounts.localauthority", action="updated")
    assert event.actor == admin and set(event.changes) == {"name", "two_factor_for_everyone"}


def test_a_blank_name_is_a_form_error(client, admin):
    client.force_login(admin)
    response = client.post(reverse("council-authority"), {"name": ""})
    assert response.status_code == 400
    assert "Enter the council&#x27;s name" in response.content.decode()


def test_localities_are_added_and_renamed(client, admin, authority):
    client.force_login(admin)
    assert client.post(reverse("council-locality-add"), {"name": "North"}).status_code == 302
    locality = Locality.objects.get(local_authority=authority)
    again = client.post(reverse("council-locality-add"), {"name": "north"})
    assert again.status_code == 400 and "already has a locality" in again.content.decode()
    assert (
        client.post(
            reverse("council-locality", args=[locality.pk]), {"name": "Northern"}
        ).status_code
        == 302
    )
    locality.refresh_from_db()
    assert locality.name == "Northern"
    assert AuditEvent.objects.filter(object_type="accounts.locality", actor=admin).count() == 2


def test_agencies_are_added_and_changed(client, admin, authority):
    client.force_login(admin)
    response = client.post(
        reverse("council-agency-add"), {"name": "Testshire Police", "kind": "police"}
    )
    assert response.status_code == 302
    agency = Agency.objects.get(name="Testshire Police")
    assert agency.local_authority == authority and agency.group.name == "agency:Testshire Police"
    bad = client.post(reverse("council-agency-add"), {"name": "X", "kind": "spies"})
    assert bad.status_code == 400 and "Choose the kind of agency" in bad.content.decode()
    client.post(
        reverse("council-agency", args=[agency.pk]),
        {"name": "Testshire Constabulary", "kind": "police"},
    )
    agency.refresh_from_db()
    assert agency.name == "Testshire Constabulary"
    assert agency.group.name == "agency:Testshire Constabulary"


def test_a_user_added_on_the_page_is_invited(
    client, admin, agency, authority, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("council-user-add"),
            {
                "email": "Kim.Keyworker@testshire.test",
                "full_name": "Kim Keyworker",
                "roles": [Role.KEY_WORKER, Role.PANEL_MEMBER],
                "agency": agency.pk,
            },
        )
    assert response.status_code == 302
    kim = User.objects.get(email="kim.keyworker@testshire.test")
    assert kim.roles == [Role.KEY_WORKER, Role.PANEL_MEMBER]
    assert list(kim.authorities.all()) == [authority]
    assert [m.to for m in mail.outbox] == [["kim.keyworker@testshire.test"]]
    assert AuditEvent.objects.filter(
        actor=admin, object_id=str(kim.pk), action="invitation_sent"
    ).exists()


def test_adding_with_another_authoritys_agency_is_a_form_error(client, admin, elsewhere):
    client.force_login(admin)
    response = client.post(
        reverse("council-user-add"),
        {
            "email": "x@testshire.test",
            "full_name": "X Person",
            "roles": [Role.KEY_WORKER],
            "agency": elsewhere["agency"].pk,
        },
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="x@testshire.test").exists()


def test_an_uploaded_file_uses_the_same_checks_and_saves_nothing_when_wrong(client, admin, agency):
    client.force_login(admin)
    bad = SimpleUploadedFile(
        "users.csv",
        b"email,full name,roles,agency\n"
        b"a@testshire.test,A Person,Key worker,Testshire Early Help\n"
        b"b@testshire.test,B Person,Wizard,Testshire Early Help\n",
    )
    response = client.post(reverse("council-users-upload"), {"file": bad})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Row 3: “Wizard” is not a role." in page and "Nothing was saved" in page
    assert not User.objects.filter(email__endswith="@testshire.test").exists()


def test_an_uploaded_file_adds_and_updates_users(
    client, admin, agency, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    no_agency = SimpleUploadedFile("u.csv", b"Email,Name,Role\na@testshire.test,A,Key worker\n")
    refused = client.post(reverse("council-users-upload"), {"file": no_agency})
    assert refused.status_code == 400 and "missing: agency" in refused.content.decode()
    rows = (
        "\ufeffemail,full name,roles,agency\n"
        "a@testshire.test,A Person,Key worker; Coordinator,Testshire Early Help\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("council-users-upload"), {"file": SimpleUploadedFile("u.csv", rows)}
        )
    assert response.status_code == 302
    assert User.objects.get(email="a@testshire.test").roles == [Role.KEY_WORKER, Role.COORDINATOR]
    assert len(mail.outbox) == 1


def test_an_administrator_cannot_take_away_their_own_administrator_role(client, admin, agency):
    client.force_login(admin)
    rows = (
        "email,full name,roles,agency\n"
        f"{admin.email},{admin.full_name},Key worker,{agency.name}\n"
        "a@testshire.test,A Person,Key worker,Testshire Early Help\n"
    ).encode()
    response = client.post(
        reverse("council-users-upload"), {"file": SimpleUploadedFile("u.csv", rows)}
    )
    assert response.status_code == 400
    assert "Row 2: This is your own account: keep the Administrator role." in (
        response.content.decode()
    )
    admin.refresh_from_db()
    assert admin.roles == [Role.ADMINISTRATOR]
    assert not User.objects.filter(email="a@testshire.test").exists()
    # Keeping it, with another role beside it, is saved.
    rows = (
        "email,full name,roles,agency\n"
        f"{admin.email},{admin.full_name},Administrator; Coordinator,{agency.name}\n"
    ).encode()
    response = client.post(
        reverse("council-users-upload"), {"file": SimpleUploadedFile("u.csv", rows)}
    )
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.roles == [Role.ADMINISTRATOR, Role.COORDINATOR]


def test_a_file_that_is_not_utf8_is_a_form_error(client, admin):
    client.force_login(admin)
    upload = SimpleUploadedFile("users.csv", "email,full name\nZoë\n".encode("utf-16"))
    response = client.post(reverse("council-users-upload"), {"file": upload})
    assert response.status_code == 400 and "UTF-8" in response.content.decode()


def test_users_list_is_paged_and_offers_resending_to_the_invited(client, admin, agency, authority):
    for number in range(55):
        invited(authority, agency, email=f"person{number:02}@testshire.test")
    client.force_login(admin)
    first = client.get(reverse("council-users")).content.decode()
    assert "Page 1 of 2" in first and "Resend invitation" in first
    assert "Page 2 of 2" in client.get(reverse("council-users"), {"page": 2}).content.decode()
    assert client.get(reverse("council-users"), {"page": "x"}).status_code == 200


def test_resending_sends_a_new_link_and_is_audited(
    client, admin, agency, authority, django_capture_on_commit_callbacks
):
    user = invited(authority, agency)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("council-invitation", args=[user.pk]))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert AuditEvent.objects.filter(
        actor=admin, action="invitation_sent", object_id=str(user.pk)
    ).exists()


def test_resending_to_someone_with_a_password_sends_nothing(client, admin, make_user, agency):
    signed_up = make_user(Role.KEY_WORKER, agency=agency)
    client.force_login(admin)
    response = client.post(reverse("council-invitation", args=[signed_up.pk]), follow=True)
    assert "already chosen a password" in response.content.decode()
    assert mail.outbox == []


def test_resending_needs_post(client, admin, agency, authority):
    user = invited(authority, agency)
    client.force_login(admin)
    assert client.get(reverse("council-invitation", args=[user.pk])).status_code == 405


def test_users_list_costs_the_same_queries_for_one_row_and_fifty(client, admin, agency, authority):
    client.force_login(admin)
    client.get(reverse("council-users"))  # the session and the working authority, warmed
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("council-users")).status_code == 200
    for number in range(49):
        invited(authority, agency, email=f"person{number:02}@testshire.test")
    with CaptureQueriesContext(connection) as fifty:
        page = client.get(reverse("council-users")).content.decode()
    assert page.count("Resend invitation") == 49
    assert len(fifty) == len(one)


def test_invitations_are_emailed_by_the_worker_once_saved(
    authority, agency, django_capture_on_commit_callbacks, monkeypatch
):
    from tafcase.accounts import tasks

    queued: list[int] = []
    monkeypatch.setattr(tasks.invitation_email, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        user = invited(authority, agency)
    # Saving queues the email for the worker; nothing is sent during the request.
    assert queued == [user.pk] and not mail.outbox
    tasks.invitation_email(user.pk)  # the worker
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    # A queued invitation whose user has chosen a password since sends nothing.
    user.set_password("chosen-already-1")
    user.save()
    tasks.invitation_email(user.pk)
    assert len(mail.outbox) == 1
