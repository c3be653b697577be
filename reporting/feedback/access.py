"""Who may do what with feedback and the case-quality sample (DESIGN.md §4).

- Family feedback is started by whoever may change the family (its lead professional, key
  workers and the coordinators of its authority: families.access.family_for_user with
  write=True); the hand-over page itself is reached only by its one-time link.
- Key-player feedback is given by key workers, panel chairs and panel members about the
  programme of an authority they work with.
- The quality sample names families, so only the programme team and the auditor of the
  authority see it and review its cases; only the programme team draws one (the manager
  may edit report cards but never sees names, reporting.access.sees_names).
Anyone else gets 404; a user who may see a page but not do what they sent gets 403.
"""

from typing import Any

from django.db.models import Q
from django.http import Http404

from eligibility.access import panels_visible_to
from families.access import family_record_for_user
from families.models import Family
from reporting import access as report_access
from reporting.feedback.models import KeyPlayerFeedback, QualitySample, QualitySampleCase
from tafcase.accounts.authority import acts_for, served_authority_ids, working_authority_id
from tafcase.accounts.models import PROGRAMME_TEAM_ROLES, LocalAuthority, Role
from tafcase.ids import record_id

QUALITY_REVIEWERS = (*PROGRAMME_TEAM_ROLES, Role.AUDITOR)
KEY_PLAYER_ROLES = (Role.KEY_WORKER, Role.PANEL_CHAIR, Role.PANEL_MEMBER)


# --- the case-quality sample ---------------------------------------------------------


def sees_quality_samples(user, authority_id: int | None) -> bool:
    return acts_for(user, authority_id, *QUALITY_REVIEWERS)


def can_draw_quality_sample(user, authority_id: int | None) -> bool:
    return report_access.can_edit_reports(user, authority_id) and report_access.sees_names(
        user, authority_id
    )


def quality_authority_id(user) -> int:
    """The working authority, if the user may see its quality samples; 404 otherwise."""
    authority_id = working_authority_id(user)
    if authority_id is None or not sees_quality_samples(user, authority_id):
        raise Http404("No quality samples here.")
    return authority_id


def quality_sample_for_user(user, sample_id: Any, *, write: bool) -> QualitySample:
    """A sample of the user's working authority (404 otherwise). There is nothing to
    change on a drawn sample, so `write` (reviewing its cases) asks no more than seeing."""
    sample = (
        QualitySample.objects.select_related("drawn_by", "local_authority")
        .filter(pk=record_id(sample_id))
        .first()
    )
    if sample is None or not sees_quality_samples(user, sample.local_authority_id):
        raise Http404("No such quality sample.")
    return sample


def quality_case_for_user(user, case_id: Any, *, write: bool) -> QualitySampleCase:
    """A sampled case, through its family's visibility and its sample's authority (404
    otherwise). Everyone who may see a sampled case may review it (`write`): the auditor
    too, for whom reviewing is the job, as with claims."""
    case = family_record_for_user(
        QualitySampleCase.objects.select_related(
            "sample", "closure", "reviewed_by", "family__lead_professional"
        ),
        user,
        case_id,
        write=False,
    )
    if not sees_quality_samples(user, case.sample.local_authority_id):
        raise Http404("No such case in a quality sample.")
    return case


# --- key-player feedback ---------------------------------------------------------------


def is_key_player(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_role(*KEY_PLAYER_ROLES)


def answers_as(user) -> list[str]:
    """What the user may answer as: key worker, panel member (a chair counts as a member),
    or both."""
    kinds: list[str] = []
    if user.has_role(Role.KEY_WORKER):
        kinds.append(KeyPlayerFeedback.AnsweredAs.KEY_WORKER)
    if user.has_role(Role.PANEL_CHAIR, Role.PANEL_MEMBER):
        kinds.append(KeyPlayerFeedback.AnsweredAs.PANEL_MEMBER)
    return kinds


def key_player_authorities(user) -> list[LocalAuthority]:
    """The authorities whose programme a key worker or panel member may give feedback on:
    the one they are working in; or, for someone who serves none (partners often work
    across authorities), their agency's, those of the families they lead or key-work and
    those of the panels they sit on."""
    if not is_key_player(user):
        return []
    working = working_authority_id(user)
    if working is not None:
        ids = {working}
    elif served_authority_ids(user):
        ids = set()  # several served and none chosen yet: the middleware asks first
    else:
        ids = set(
            Family.objects.filter(Q(lead_professional=user) | Q(key_workers=user))
            .values_list("local_authority_id", flat=True)
            .distinct()
        )
        ids |= set(panels_visible_to(user).values_list("local_authority_id", flat=True))
        if user.agency_id and user.agency.local_authority_id:
            ids.add(user.agency.local_authority_id)
    return list(LocalAuthority.objects.filter(pk__in=ids).order_by("name"))


def key_player_authorities_for_user(user) -> list[LocalAuthority]:
    """As key_player_authorities, but 404 when there are none: the page is not for them."""
    authorities = key_player_authorities(user)
    if not authorities:
        raise Http404("No feedback to give here.")
    return authorities
