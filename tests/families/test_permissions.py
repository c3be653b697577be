"""SECURITY: every family page and endpoint, for every kind of user.

allowed: lead professional, TAF agency with consent, programme team;
404: TAF agency after consent is withdrawn, other agency;
login/401: anonymous; 403: a read-only role or a partner writing.
"""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from families import services
from tafcase.accounts.models import Role

pytestmark = pytest.mark.django_db

# (url name, kwargs from world, who may GET it). Write pages refuse partners with 403.
READ = "read"  # lead, TAF partner with consent, coordinator, auditor
WRITE = "write"  # lead and coordinator; partners and auditors 403
NOTE = "note"  # everyone who can see the family, except read-only roles
EXPORT = "export"  # programme team only
STATUS = "status"  # changes of status by hand: the family's coordinators only

PAGES = [
    ("families:detail", lambda w: {"family_id": w.family.pk}, READ),
    ("families:edit", lambda w: {"family_id": w.family.pk}, WRITE),
    ("families:transition", lambda w: {"family_id": w.family.pk}, STATUS),
    ("families:member-add", lambda w: {"family_id": w.family.pk}, WRITE),
    (
        "families:member-edit",
        lambda w: {"family_id": w.family.pk, "membership_id": w.membership.pk},
        WRITE,
    ),
    ("families:consent-add", lambda w: {"family_id": w.family.pk}, WRITE),
    (
        "families:consent-withdraw",
        lambda w: {"family_id": w.family.pk, "consent_id": w.consent.pk},
        WRITE,
    ),
    ("families:involvement-add", lambda w: {"family_id": w.family.pk}, WRITE),
    (
        "families:involvement-end",
        lambda w: {"family_id": w.family.pk, "involvement_id": w.involvement.pk},
        WRITE,
    ),
    ("families:note-add", lambda w: {"family_id": w.family.pk}, NOTE),
    ("people:person", lambda w: {"person_id": w.parent.pk}, READ),
    ("people:person-sar-json", lambda w: {"person_id": w.parent.pk}, EXPORT),
    ("people:person-sar-pdf", lambda w: {"person_id": w.parent.pk}, EXPORT),
]

EXPECTED = {  # user → status by kind of page
    "lead": {READ: 200, WRITE: 200, NOTE: 200, EXPORT: 403, STATUS: 403},
    "coordinator": {READ: 200, WRITE: 200, NOTE: 200, EXPORT: 200, STATUS: 200},
    "police": {READ: 200, WRITE: 403, NOTE: 200, EXPORT: 403, STATUS: 403},
    "auditor": {READ: 200, WRITE: 403, NOTE: 403, EXPORT: 403, STATUS: 403},
    "school": {READ: 404, WRITE: 404, NOTE: 404, EXPORT: 404, STATUS: 404},
    # A coordinator elsewhere whose agency is on this TAF is a partner here.
    "elsewhere": {READ: 200, WRITE: 403, NOTE: 200, EXPORT: 403, STATUS: 403},
    "other_coordinator": {READ: 404, WRITE: 404, NOTE: 404, EXPORT: 404, STATUS: 404},
    "panel_member": {READ: 200, WRITE: 403, NOTE: 403, EXPORT: 403, STATUS: 403},
}


@pytest.mark.parametrize("user_name", list(EXPECTED))
@pytest.mark.parametrize(("name", "kwargs", "kind"), PAGES, ids=[p[0] for p in PAGES])
def test_page_access(client, world, user_name, name, kwargs, kind):
    client.force_login(getattr(world, user_name))
    assert client.get(reverse(name, kwargs=kwargs(world))).status_code == EXPECTED[user_name][kind]


@pytest.mark.parametrize(("name", "kwargs", "kind"), PAGES, ids=[p[0] for p in PAGES])
def test_two_authority_coordinator_acts_only_in_the_authority_chosen(
    client, world, other_authority, name, kwargs, kind
):
    client.force_login(world.both)
    url = reverse(name, kwargs=kwargs(world))
    chooser = client.get(url)
    assert chooser.status_code == 302
    assert chooser["Location"].startswith(reverse("choose-authority"))
    client.post(reverse("choose-authority"), {"authority": world.family.local_authority_id})
    assert client.get(url).status_code == EXPECTED["coordinator"][kind]
    client.post(reverse("choose-authority"), {"authority": other_authority.pk})
    assert client.get(url).status_code == 404


def test_other_authority_coordinator_gets_404_on_close(client, world):
    client.force_login(world.other_coordinator)
    url = reverse("outcomes:close", kwargs={"family_id": world.family.pk})
    assert client.get(url).status_code == 404


def test_coordinator_on_another_authoritys_taf_cannot_edit_or_close(client, world):
    client.force_login(world.elsewhere)
    for name in ("families:edit", "outcomes:close"):
        url = reverse(name, kwargs={"family_id": world.family.pk})
        assert client.get(url).status_code == 403
    response = client.post(
        reverse("families:edit", kwargs={"family_id": world.family.pk}),
        {"name": "Hijacked", "version": world.family.version},
    )
    assert response.status_code == 403
    world.family.refresh_from_db()
    assert world.family.name == "Testing family"


def test_panel_member_cannot_add_case_notes(client, world):
    client.force_login(world.panel_member)
    url = reverse("families:note-add", kwargs={"family_id": world.family.pk})
    response = client.post(
        url, {"contact_type": "phone", "contact_date": "2026-01-05", "text": "x"}
    )
    assert response.status_code == 403
    assert world.family.notes.count() == 1


def test_key_worker_cannot_make_a_family_active_by_hand(client, world):
    client.force_login(world.lead)
    url = reverse("families:transition", kwargs={"family_id": world.family.pk})
    assert client.post(url, {"to_status": "nominated"}).status_code == 403
    api_response = api(world.lead).post(
        reverse("api:family-transition", args=[world.family.pk]), {"to_status": "nominated"}
    )
    assert api_response.status_code == 403
    world.family.refresh_from_db()
    assert world.family.status == "identified"


def test_coordinator_cannot_skip_screening_and_panel_by_hand(world):
    from django.core.exceptions import ValidationError

    services.family_transition_by_hand(
        actor=world.coordinator, family=world.family, to_status="screening"
    )
    with pytest.raises(ValidationError):
        services.family_transition_by_hand(
            actor=world.coordinator, family=world.family, to_status="eligible"
        )
    world.family.refresh_from_db()
    assert world.family.status == "screening"


def test_api_family_created_without_a_lead_is_led_by_its_key_worker_creator(world):
    response = api(world.lead).post(reverse("api:family-list"), {"name": "New family"})
    assert response.status_code == 201
    assert (
        api(world.lead).get(reverse("api:family-detail", args=[response.json()["id"]])).status_code
        == 200
    )


def test_api_refuses_a_lead_professional_of_another_authority(world, make_user, other_authority):
    stranger = make_user(
        Role.KEY_WORKER,
        agency=world.elsewhere.agency,
        email="kw-elsewhere@example.test",
        authorities=[other_authority],
    )
    response = api(world.coordinator).patch(
        reverse("api:family-detail", args=[world.family.pk]),
        {"lead_professional": stranger.pk, "version": world.family.version},
        format="json",
    )
    assert response.status_code == 400
    world.family.refresh_from_db()
    assert world.family.lead_professional == world.lead


def test_api_two_authority_user_must_say_which_authority(world, other_authority):
    from tafcase.accounts.services import api_token_create

    _, secret = api_token_create(user=world.both, name="Script", days=30, ip=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    url = reverse("api:family-detail", args=[world.family.pk])
    assert client.get(url).status_code == 400
    mine = world.family.local_authority
    assert client.get(url, HTTP_X_AUTHORITY=str(mine.pk)).status_code == 200
    assert client.get(url, HTTP_X_AUTHORITY=mine.code).status_code == 200
    assert client.get(url, HTTP_X_AUTHORITY=other_authority.code).status_code == 404
    assert client.get(url, HTTP_X_AUTHORITY="E00000000").status_code == 400


def test_api_other_authority_coordinator_gets_404(world):
    url = reverse("api:family-detail", args=[world.family.pk])
    assert api(world.other_coordinator).get(url).status_code == 404
    response = api(world.elsewhere).patch(url, {"name": "X", "version": 1}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "kwargs", "kind"), PAGES, ids=[p[0] for p in PAGES])
def test_taf_agency_gets_404_once_consent_is_withdrawn(client, world, name, kwargs, kind):
    services.consent_withdraw(
        actor=world.lead, consent=world.consent, withdrawn_on=timezone.localdate()
    )
    client.force_login(world.police)
    assert client.get(reverse(name, kwargs=kwargs(world))).status_code == 404


@pytest.mark.parametrize(("name", "kwargs", "kind"), PAGES, ids=[p[0] for p in PAGES])
def test_anonymous_is_sent_to_sign_in(client, world, name, kwargs, kind):
    response = client.get(reverse(name, kwargs=kwargs(world)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_pause_is_a_write(client, world):
    url = reverse(
        "families:involvement-pause",
        kwargs={"family_id": world.family.pk, "involvement_id": world.involvement.pk},
    )
    client.force_login(world.auditor)
    assert client.post(url).status_code == 403
    client.force_login(world.police)
    assert client.post(url).status_code == 403
    client.force_login(world.school)
    assert client.post(url).status_code == 404
    client.logout()
    assert client.post(url).status_code == 302
    client.force_login(world.lead)
    assert client.post(url).status_code == 302
    world.involvement.refresh_from_db()
    assert world.involvement.paused


@pytest.mark.parametrize("user_name", ["auditor", "police"])
def test_read_only_or_partner_posting_an_edit_changes_nothing(client, world, user_name):
    client.force_login(getattr(world, user_name))
    url = reverse("families:edit", kwargs={"family_id": world.family.pk})
    response = client.post(url, {"name": "Hijacked", "version": world.family.version})
    assert response.status_code == 403
    world.family.refresh_from_db()
    assert world.family.name == "Testing family"


def test_lists_show_only_visible_families(client, world, make_family):
    hidden = make_family(world.coordinator, name="Hidden family")
    for user, sees_hidden in [
        (world.lead, False),
        (world.police, False),
        (world.school, False),
        (world.coordinator, True),
    ]:
        client.force_login(user)
        page = client.get(reverse("families:caseload") + "?show=all").content.decode()
        assert (hidden.name in page) is sees_hidden
        assert (world.family.name in page) is (user != world.school)


def test_search_only_finds_visible_families(client, world):
    client.force_login(world.school)
    response = client.get(reverse("families:search"), {"q": "Testing"})
    assert response.context["page"].paginator.count == 0
    client.force_login(world.police)
    response = client.get(reverse("families:search"), {"q": "Testing"})
    assert response.context["page"].paginator.count == 1


def test_restricted_note_is_hidden_from_other_taf_agencies(client, world):
    services.note_add(
        actor=world.lead,
        family=world.family,
        contact_type="phone",
        contact_date=timezone.localdate(),
        text="Disclosure of abuse: restricted.",
        confidentiality="restricted",
    )
    url = reverse("families:detail", kwargs={"family_id": world.family.pk})
    client.force_login(world.police)
    assert "Disclosure of abuse" not in client.get(url).content.decode()
    client.force_login(world.lead)
    assert "Disclosure of abuse" in client.get(url).content.decode()


def test_restricted_note_is_visible_to_its_recording_agency(client, world):
    services.note_add(
        actor=world.police,
        family=world.family,
        contact_type="phone",
        contact_date=timezone.localdate(),
        text="Police intelligence: restricted.",
        confidentiality="restricted",
    )
    url = reverse("families:detail", kwargs={"family_id": world.family.pk})
    client.force_login(world.police)
    assert "Police intelligence" in client.get(url).content.decode()
    client.force_login(world.lead)  # the lead professional sees every note
    assert "Police intelligence" in client.get(url).content.decode()
    client.force_login(world.coordinator)
    assert "Police intelligence" not in client.get(url).content.decode()


def test_identifiers_are_shown_only_to_roles_that_need_them(client, world):
    url = reverse("people:person", kwargs={"person_id": world.parent.pk})
    client.force_login(world.lead)
    assert "9434765919" in client.get(url).content.decode()
    client.force_login(world.police)
    assert "9434765919" not in client.get(url).content.decode()


# --- API --------------------------------------------------------------------------------


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


API_DETAIL = [
    ("api:family-detail", lambda w: w.family.pk),
    ("api:person-detail", lambda w: w.parent.pk),
    ("api:note-detail", lambda w: w.note.pk),
]
API_LISTS = [
    "api:family-list",
    "api:person-list",
    "api:membership-list",
    "api:consent-list",
    "api:involvement-list",
    "api:note-list",
]


@pytest.mark.parametrize(
    ("user_name", "status"),
    [("lead", 200), ("police", 200), ("coordinator", 200), ("auditor", 200), ("school", 404)],
)
@pytest.mark.parametrize(("name", "pk"), API_DETAIL, ids=[d[0] for d in API_DETAIL])
def test_api_detail_access(world, user_name, status, name, pk):
    response = api(getattr(world, user_name)).get(reverse(name, args=[pk(world)]))
    assert response.status_code == status


@pytest.mark.parametrize(("name", "pk"), API_DETAIL, ids=[d[0] for d in API_DETAIL])
def test_api_detail_is_404_after_consent_is_withdrawn(world, name, pk):
    services.consent_withdraw(
        actor=world.lead, consent=world.consent, withdrawn_on=timezone.localdate()
    )
    assert api(world.police).get(reverse(name, args=[pk(world)])).status_code == 404


@pytest.mark.parametrize("name", API_LISTS)
def test_api_lists_filter_to_visible_families(world, name):
    assert api(world.school).get(reverse(name)).json()["count"] == 0
    assert api(world.police).get(reverse(name)).json()["count"] >= 1
    assert api().get(reverse(name)).status_code == 401


@pytest.mark.parametrize(("name", "pk"), API_DETAIL, ids=[d[0] for d in API_DETAIL])
def test_api_detail_anonymous_is_401(world, name, pk):
    assert api().get(reverse(name, args=[pk(world)])).status_code == 401


def _api_writes(w):
    family = w.family.pk
    return [
        ("post", reverse("api:family-list"), {"name": "New family"}),
        ("patch", reverse("api:family-detail", args=[family]), {"name": "X", "version": 1}),
        ("post", reverse("api:family-transition", args=[family]), {"to_status": "nominated"}),
        (
            "patch",
            reverse("api:person-detail", args=[w.parent.pk]),
            {"forename": "X", "version": 1},
        ),
        (
            "post",
            reverse("api:membership-list"),
            {"family": family, "role": "child", "person": {"forename": "A", "surname": "B"}},
        ),
        (
            "post",
            reverse("api:consent-list"),
            {
                "family": family,
                "given_by": w.parent.pk,
                "given_on": "2026-01-01",
                "scope": "participation",
            },
        ),
        ("post", reverse("api:consent-withdraw", args=[w.consent.pk]), {"on": "2026-11-01"}),
        (
            "post",
            reverse("api:involvement-list"),
            {
                "family": family,
                "agency": w.agencies["school"].pk,
                "role": "School",
                "started_on": "2026-01-01",
            },
        ),
        ("post", reverse("api:involvement-end", args=[w.involvement.pk]), {"on": "2026-11-01"}),
        ("post", reverse("api:involvement-pause", args=[w.involvement.pk]), {"paused": True}),
        (
            "post",
            reverse("api:note-list"),
            {
                "family": family,
                "contact_type": "phone",
                "contact_date": "2026-01-01",
                "text": "Hello",
            },
        ),
    ]


@pytest.mark.parametrize("reader", ["auditor", "panel_member"])
@pytest.mark.parametrize("index", range(11))
def test_api_read_only_role_writing_is_403(world, index, reader):
    method, url, data = _api_writes(world)[index]
    response = getattr(api(getattr(world, reader)), method)(url, data, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("outsider", ["school", "other_coordinator"])
@pytest.mark.parametrize("index", range(1, 11))
def test_api_other_agency_or_authority_writing_is_404(world, index, outsider):
    method, url, data = _api_writes(world)[index]
    response = getattr(api(getattr(world, outsider)), method)(url, data, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("index", range(11))
def test_api_anonymous_writing_is_401(world, index):
    method, url, data = _api_writes(world)[index]
    assert getattr(api(), method)(url, data, format="json").status_code == 401


@pytest.mark.parametrize("index", [1, 2, 3, 4, 5, 6, 7, 8, 9])
def test_api_partner_changing_the_family_is_403(world, index):
    method, url, data = _api_writes(world)[index]
    assert getattr(api(world.police), method)(url, data, format="json").status_code == 403


def test_api_partner_can_add_a_note(world):
    _, url, data = _api_writes(world)[10]
    assert api(world.police).post(url, data, format="json").status_code == 201


def test_managers_read_report_cards_not_family_records(client, world, make_user):
    manager = make_user("manager", agency=world.agencies["early_help"])
    client.force_login(manager)
    url = reverse("families:detail", kwargs={"family_id": world.family.pk})
    assert client.get(url).status_code == 404
