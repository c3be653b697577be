from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from tafcase import home as home_panels
from tafcase.accounts import authority
from tafcase.accounts.forms import AuthorityChoiceForm
from tafcase.accounts.models import LocalAuthority, Role
from tafcase.tasks import BEAT_HEARTBEAT_KEY, ping


# The home page's fixed panels: ways in that have nothing to count. Each role's live
# panels, with counts of the records the user may open, are registered by the apps
# (tafcase.home) and shown before these.
@dataclass(frozen=True)
class Panel:
    heading: str
    text: str
    link: tuple[str, str] | None = None  # (link text, URL name)


# Key workers and panel members are asked for feedback each quarter (reporting.md §1).
KEY_PLAYER_FEEDBACK = Panel(
    "Your feedback on the programme",
    "Each quarter, tell us how well the programme works for you and the families.",
    ("Give feedback", "reporting:feedback:key-players"),
)

HOME_PANELS: dict[str, list[Panel]] = {
    Role.KEY_WORKER: [KEY_PLAYER_FEEDBACK],
    Role.PANEL_CHAIR: [KEY_PLAYER_FEEDBACK],
    Role.PANEL_MEMBER: [
        Panel(
            "Panel agendas",
            "The agendas of your authority's panels. Families appear by reference until "
            "they are shared with your agency.",
            ("Open panels", "eligibility:panels"),
        ),
        KEY_PLAYER_FEEDBACK,
    ],
    Role.COORDINATOR: [],
    Role.DATA_ANALYST: [],
    Role.MANAGER: [],
    Role.AUDITOR: [
        Panel(
            "Claims to sample",
            "Claims drawn for audit sampling, with their evidence: pass or fail each one.",
            ("Open claim windows", "claims:windows"),
        ),
    ],
    Role.PARTNER_PRACTITIONER: [
        Panel(
            "Nominate a family",
            "Put a family forward for the programme, with their consent.",
            ("Nominate a family", "eligibility:nomination-new"),
        ),
    ],
    Role.ADMINISTRATOR: [
        Panel(
            "Set up your council",
            "Your council's details, localities and agencies, and its users: add them one "
            "at a time or from a file, and send their invitations.",
            ("Set up your council", "council"),
        ),
        Panel(
            "Programme rules",
            "The programme framework in force, its parameters and local criteria, and "
            "every version.",
            ("Open the rulebook", "eligibility:frameworks"),
        ),
    ],
}


@login_required
def home(request):
    sections = [
        {
            "role": Role(role).label,
            "live": [
                {"heading": p.heading, "figures": p.figures(request.user), "link": p.link}
                for p in home_panels.live_panels(role)
            ],
            "panels": HOME_PANELS[role],
        }
        for role in Role
        if role in request.user.roles
    ]
    return render(request, "home/home.html", {"sections": sections})


@login_required
def choose_authority(request):
    """Users who serve several authorities say which one they are working in."""
    served = LocalAuthority.objects.filter(pk__in=authority.served_authority_ids(request.user))
    form = AuthorityChoiceForm(
        request.POST or None,
        authorities=served,
        initial={
            "authority": authority.working_authority_id(request.user),
            "next": request.GET.get("next", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        authority.choose(request, form.cleaned_data["authority"])
        following = form.cleaned_data["next"]
        safe = url_has_allowed_host_and_scheme(following, allowed_hosts={request.get_host()})
        return redirect(following if following and safe else "home")
    return render(
        request,
        "registration/simple_form.html",
        {
            "form": form,
            "heading": "Choose an authority",
            "intro": "You serve more than one authority. You see and change the records of "
            "one authority at a time.",
            "button": "Continue",
        },
    )


@never_cache
def health(request):
    """For load balancers and monitoring: is the database and Redis reachable?

    `?worker=1` also sends a task through the Celery worker and waits for its answer.
    Public, and reveals nothing but component status.
    """
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "error"
    try:
        cache.set("health", "ok", 10)
        checks["redis"] = "ok" if cache.get("health") == "ok" else "error"
    except Exception:
        checks["redis"] = "error"
    if request.GET.get("worker") and checks["redis"] == "ok":
        try:
            checks["worker"] = "ok" if ping.delay().get(timeout=10) == "pong" else "error"
        except Exception:
            checks["worker"] = "error"
        checks["beat_last_seen"] = cache.get(BEAT_HEARTBEAT_KEY) or "never"
    healthy = all(v == "ok" for k, v in checks.items() if k != "beat_last_seen")
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def _error(request, status: int, heading: str, paragraphs: list[str]):
    return render(
        request, "error.html", {"heading": heading, "paragraphs": paragraphs}, status=status
    )


def page_not_found(request, exception=None):
    return _error(
        request,
        404,
        "Page not found",
        [
            "If you typed the web address, check it is correct.",
            "If you followed a link to a family or record, it may not exist, or it may not be "
            "shared with your agency.",
        ],
    )


def permission_denied(request, exception=None):
    return _error(
        request,
        403,
        "You do not have permission to do this",
        [
            "Your role lets you see this information but not change it, or this action needs "
            "a role you do not hold.",
            f"If you think you need access, ask your {settings.PROGRAMME_NAME} administrator.",
        ],
    )


def bad_request(request, exception=None):
    return _error(
        request, 400, "Sorry, there is a problem with your request", ["Go back and try again."]
    )


def server_error(request):
    return render(request, "500.html", status=500)
