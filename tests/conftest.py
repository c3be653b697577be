import subprocess

import pytest

from tafcase.accounts import services
from tafcase.accounts.models import Agency, LocalAuthority, Role

PASSWORD = "correct-horse-battery"


def pdf_text(pdf: bytes, *, layout: bool = False) -> str:
    """The text of a PDF, via poppler's pdftotext (never skipped: install poppler-utils);
    pages end with a form feed. `layout` keeps a table's cells on their row's line."""
    return subprocess.run(
        ["pdftotext", *(["-layout"] if layout else []), "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()


def pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text, laid out (pdftotext ends every page with a form feed)."""
    return pdf_text(pdf, layout=True).split("\f")[:-1]


def assert_pdf_pages_marked(pages: list[str], *, title: str, marking: str) -> None:
    """Every page carries the document's title in its header, its marking and "Page x of
    y" in its footer."""
    assert pages
    for number, page in enumerate(pages, start=1):
        header, footer = page.lstrip().split("\n", 1)[0], page.rstrip().rsplit("\n", 1)[-1]
        assert title in header, (number, header)
        assert footer.split()[:1] == [marking], (number, footer)
        assert footer.endswith(f"Page {number} of {len(pages)}"), (number, footer)


@pytest.fixture(autouse=True)
def _invitations_sent_in_process(monkeypatch):
    """Invitations are emailed by the Celery worker; tests send them in their own process
    (test_accounts checks the task is what is queued)."""
    from tafcase.accounts import tasks

    monkeypatch.setattr(tasks.invitation_email, "delay", tasks.invitation_email)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing is not what the tests test, and the real hasher takes ~0.3 s a user.
    Live servers run in the test process, so browser tests see this too."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _second_factor_only_where_tested(settings):
    """Most tests sign in with force_login and test what a page does, not how its user
    signed in; tests/test_two_factor.py turns the production roles back on."""
    settings.TWO_FACTOR_REQUIRED_ROLES = []


@pytest.fixture
def authority(db):
    return LocalAuthority.objects.create(name="Testshire Council", code="E99000099")


@pytest.fixture
def other_authority(db):
    return LocalAuthority.objects.create(name="Elsewhere Council", code="E99000098")


@pytest.fixture
def make_agency(authority):
    def make(name: str = "Early Help", kind: str = Agency.Kind.LA_EARLY_HELP, la=authority):
        return services.agency_create(name=name, kind=kind, local_authority=la)

    return make


@pytest.fixture
def make_user(make_agency, authority):
    """make_user(role, agency=None, email=None): a signed-up user of one role."""
    agencies: dict[str, Agency] = {}

    def make(*roles: str, agency: Agency | None = None, email: str | None = None, authorities=None):
        if agency is None:
            agency = agencies.get("default") or make_agency()
            agencies["default"] = agency
        email = email or f"{'-'.join(roles) or 'norole'}-{agency.pk}@example.test"
        serves = authorities if authorities is not None else [authority]
        return services.user_create(
            email=email,
            full_name=f"Test {' '.join(roles)}",
            agency=agency,
            roles=list(roles),
            password=PASSWORD,
            authorities=serves,
        )

    return make


@pytest.fixture
def key_worker(make_user):
    return make_user(Role.KEY_WORKER)


@pytest.fixture
def administrator(make_user):
    return make_user(Role.ADMINISTRATOR)
