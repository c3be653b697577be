"""Writes for rulebooks, nominations, screening and panels. Each runs in one transaction
and writes its audit rows; the family's lifecycle moves only through family_transition."""

import dataclasses
from collections.abc import Collection, Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from eligibility import rules, selectors
from eligibility.models import (
    AgendaItem,
    FrameworkVersion,
    Nomination,
    PanelMeeting,
    RecordedEvidence,
    Screening,
)
from families import services as family_services
from families.models import Consent, Family
from tafcase import identity
from tafcase.accounts.models import Agency, LocalAuthority, User
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record
from tafcase.idempotency.services import idempotency_claim, idempotency_record

A = AuditEvent.Action
S = Family.Status
Stage = Nomination.Stage

# --- frameworks -----------------------------------------------------------------------


def _framework_save(*, actor, authority, framework: rules.Framework, summary: str):
    FrameworkVersion.objects.filter(local_authority=authority, is_active=True).update(
        is_active=False
    )
    row = FrameworkVersion.objects.create(
        local_authority=authority,
        code=framework.code,
        version=framework.version,
        data=framework.to_dict(),
        is_active=True,
        change_summary=summary,
        created_by=actor,
    )
    audit_record(actor=actor, action=A.CREATED, obj=row, summary=f"{row}: {summary}")
    return row


@transaction.atomic
def framework_ensure(*, actor, authority: LocalAuthority) -> FrameworkVersion:
    """The authority's active framework row, creating the built-in default on first use."""
    row = selectors.active_framework(authority)
    if row is None:
        framework = rules.DEFAULT_FRAMEWORK
        row = _framework_save(
            actor=actor, authority=authority, framework=framework, summary="Built-in rules"
        )
    return row


@transaction.atomic
def framework_activate(*, actor, authority: LocalAuthority, code: str) -> FrameworkVersion:
    """Make a framework active: its latest version here, or the built-in one."""
    latest = (
        FrameworkVersion.objects.select_for_update()
        .filter(local_authority=authority, code=code)
        .order_by("-version")
        .first()
    )
    if latest is None:
        return _framework_save(
            actor=actor, authority=authority, framework=rules.BUILT_IN[code], summary="Built-in"
        )
    FrameworkVersion.objects.filter(local_authority=authority, is_active=True).update(
        is_active=False
    )
    latest.is_active = True
    latest.save(update_fields=["is_active"])
    audit_record(actor=actor, action=A.UPDATED, obj=latest, summary=f"Activated {latest}")
    return latest


def _framework_edit(*, actor, row: FrameworkVersion, edit, summary: str) -> FrameworkVersion:
    if not row.is_active:
        raise ValidationError("Only the active framework can be edited.")
    try:
        framework = edit(row.framework)
    except (ValueError, TypeError, KeyError) as error:
        raise ValidationError(f"That change is not valid: {error}") from None
    latest = (
        FrameworkVersion.objects.filter(
            local_authority=row.local_authority, code=row.code
        ).aggregate(v=Max("version"))["v"]
        or 0
    )
    framework = dataclasses.replace(framework, version=latest + 1)
    return _framework_save(
        actor=actor, authority=row.local_authority, framework=framework, summary=summary
    )


@transaction.atomic
def framework_set_parameters(
    *, actor, row: FrameworkVersion, changes: dict[str, Any]
) -> FrameworkVersion:
    current = row.framework.parameters.to_dict()
    changed = {k: v for k, v in changes.items() if current.get(k) != v}
    if not changed:
        raise ValidationError("Nothing was changed.")
    summary = "Changed " + ", ".join(f"{k} to {v}" for k, v in changed.items())
    return _framework_edit(
        actor=actor, row=row, edit=lambda f: f.with_parameters(**changed), summary=summary
    )


@transaction.atomic
def framework_save_local(*, actor, row: FrameworkVersion, code: str, label: str):
    """Add a local criterion (met by recorded evidence) or relabel an existing one."""
    existing = next((c for c in row.framework.local if c.code == code), None)
    if any(c.code == code for c in row.framework.national):
        raise ValidationError({"code": "That code is a national criterion."})
    spec = (
        dataclasses.replace(existing, label=label, retired=False)
        if existing
        else rules.CriterionSpec(code, label)
    )
    verb = "Changed" if existing else "Added"
    return _framework_edit(
        actor=actor,
        row=row,
        edit=lambda f: f.with_local(spec),
        summary=f"{verb} local criterion {code}",
    )


@transaction.atomic
def framework_retire_local(*, actor, row: FrameworkVersion, code: str) -> FrameworkVersion:
    return _framework_edit(
        actor=actor,
        row=row,
        edit=lambda f: f.retire_local(code),
        summary=f"Retired local criterion {code}",
    )


# --- evidence -------------------------------------------------------------------------


@transaction.atomic
def evidence_record(
    *,
    actor,
    family: Family,
    criterion: str,
    evidence_date: date,
    source: str,
    text: str,
    person=None,
    purpose: str = RecordedEvidence.Purpose.NEED,
    nomination: Nomination | None = None,
) -> RecordedEvidence:
    codes = {code for code, _ in selectors.criteria_choices(family.local_authority)}
    if criterion not in codes:
        raise ValidationError({"criterion": "Choose a criterion of the programme in force."})
    if evidence_date > timezone.localdate():
        raise ValidationError({"evidence_date": "The date of the evidence cannot be in future."})
    if person is not None and not family.memberships.filter(person=person).exists():
        raise ValidationError({"person": "Choose a member of the family."})
    evidence = RecordedEvidence.objects.create(
        family=family,
        person=person,
        criterion=criterion,
        purpose=purpose,
        evidence_date=evidence_date,
        source=source,
        text=text,
        nomination=nomination,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=A.CREATED,
        obj=evidence,
        family_id=family.pk,
        person_ids=[person.pk] if person else [],
        summary=f"Recorded evidence for {criterion}",
    )
    return evidence


# --- nominations ----------------------------------------------------------------------


def _set_stage(nomination: Nomination, stage: str) -> None:
    nomination.stage = stage
    nomination.stage_changed_at = timezone.now()
    nomination.save(update_fields=["stage", "stage_changed_at"])


def _nomination_check(
    *,
    route: str,
    members: list[dict],
    criteria: Sequence[dict],
    consent_given_on: date | None,
    consent_given_by: int | None,
    family: Family | None,
) -> None:
    """ValidationError unless a nomination's parts fit together (nomination_submit)."""
    if not members and family is None:
        raise ValidationError("Add at least one member of the family.")
    if route == Nomination.Route.REFERRAL and (
        consent_given_on is None or consent_given_by is None
    ):
        raise ValidationError(
            "The family's consent is needed before they can be nominated. Record who agreed "
            "and when."
        )
    if consent_given_by is not None and not 0 <= consent_given_by < len(members):
        raise ValidationError({"consent_given_by": "Choose the member who gave consent."})
    if consent_given_by is not None and consent_given_on is None:
        raise ValidationError({"consent_given_on": "Enter the date the family agreed."})
    for c in criteria:
        if c.get("member") is not None and not 0 <= c["member"] < len(members):
            raise ValidationError({"criteria": "Each criterion's member must be one described."})


@transaction.atomic
def nomination_submit(
    *,
    actor,
    local_authority: LocalAuthority,
    route: str,
    family_name: str,
    members: list[dict],
    reason: str,
    criteria: Sequence[dict] = (),
    address_line_1: str = "",
    town: str = "",
    postcode: str = "",
    consent_given_on: date | None = None,
    consent_given_by: int | None = None,
    family: Family | None = None,
    idempotency_key: str | None = None,
) -> Nomination:
    """Put a family forward; a referral needs the family's consent (004). ``members`` are
    dicts of person fields plus ``role``; ``criteria`` are dicts of ``code``,
    ``evidence_date``, ``text`` and an optional ``member`` index; ``consent_given_by`` is
    the index of the member who agreed. ``family`` is given by the data-match, which
    already knows the household.

    A referral always starts a family record of its own and touches no other: whether it
    is a family the programme already knows is the coordinator's decision at screening
    (nomination_merge), so nothing a nominator submits reveals or changes a family they
    cannot see (DESIGN.md §4).

    A nomination sent again with the same ``idempotency_key`` by the same user makes
    nothing new and returns the first one (tafcase.idempotency)."""
    _nomination_check(
        route=route,
        members=members,
        criteria=criteria,
        consent_given_on=consent_given_on,
        consent_given_by=consent_given_by,
        family=family,
    )
    earlier = idempotency_claim(user=actor, key=idempotency_key, model=Nomination)
    if earlier is not None:
        return earlier
    if family is None:
        family = family_services.family_create(
            actor=actor,
            local_authority=local_authority,
            name=family_name,
            address_line_1=address_line_1,
            town=town,
            postcode=postcode,
        )
    status_before = family.status
    people = _members_add(actor=actor, family=family, members=members)
    nomination = Nomination.objects.create(
        local_authority=local_authority,
        family=family,
        route=route,
        referrer=actor,
        referrer_agency=actor.agency,
        reason=reason,
        believed_criteria=sorted({c["code"] for c in criteria}),
        consent_given_on=consent_given_on,
        consent_given_by=people[consent_given_by] if consent_given_by is not None else None,
        family_status_before=status_before,
        is_re_referral=status_before in (S.CLOSED, S.NOT_ELIGIBLE),
    )
    if nomination.consent_given_by is not None:
        assert consent_given_on is not None  # checked with consent_given_by above
        family_services.consent_record(
            actor=actor,
            family=family,
            given_by=nomination.consent_given_by,
            given_on=consent_given_on,
            scope=Consent.Scope.PARTICIPATION,
        )
    for c in criteria:
        member = c.get("member")
        evidence_record(
            actor=actor,
            family=family,
            criterion=c["code"],
            evidence_date=c["evidence_date"],
            source=_source(actor),
            text=c["text"],
            person=people[member] if member is not None else None,
            nomination=nomination,
        )
    if status_before == S.ACTIVE:
        _set_stage(nomination, Stage.ALREADY_ALLOCATED)
    elif status_before in (S.NOMINATED, S.SCREENING, S.ELIGIBLE, S.AWAITING_PANEL):
        _set_stage(nomination, Stage.MERGED)
    else:
        nomination.family = family_services.family_transition(
            actor=actor,
            family=family,
            to_status=S.NOMINATED,
            reason=f"Nominated ({nomination.get_route_display().lower()}) as {nomination}",
        )
    audit_record(
        actor=actor,
        action=A.CREATED,
        obj=nomination,
        family_id=family.pk,
        summary=f"Nomination {nomination} ({nomination.get_stage_display()})",
    )
    idempotency_record(user=actor, key=idempotency_key, obj=nomination)
    return nomination


def _source(actor) -> str:
    return f"{actor.get_full_name() or actor.email}, {actor.agency.name if actor.agency else ''}"


def _members_add(*, actor, family: Family, members: list[dict]) -> list:
    """The Person for each described member: one already in the family when the same
    person is recognised, otherwise a new member."""
    known = list(family.memberships.select_related("person"))
    people = []
    for fields in members:
        fields = dict(fields)
        role = fields.pop("role")
        person = next(
            (m.person for m in known if _same_person(m.person, fields)),
            None,
        )
        if person is None:
            person = family_services.member_add(
                actor=actor, family=family, role=role, **fields
            ).person
        people.append(person)
    return people


def _same_person(person, fields: dict) -> bool:
    for name in ("upn", "nino", "nhs_number", "la_person_id"):
        value = identity.normalise_identifier(name, fields.get(name) or "")
        if value and value == getattr(person, name):
            return True
    return (
        bool(fields.get("dob"))
        and person.dob == fields["dob"]
        and person.forename.lower() == fields["forename"].strip().lower()
        and person.surname.lower() == fields["surname"].strip().lower()
    )


def _same_person_record(known, other) -> bool:
    fields = {"forename": other.forename, "surname": other.surname, "dob": other.dob}
    fields |= {name: getattr(other, name) for name in ("upn", "nino", "nhs_number", "la_person_id")}
    return _same_person(known, fields)


@transaction.atomic
def nomination_merge(*, actor, nomination: Nomination, into: Family) -> Nomination:
    """The coordinator's decision, at screening, that a referred family is one the
    programme already knows. The referral's members join the known family (a person
    recognised there is kept once), its consent and evidence move with it, and the family
    record the referral started is removed. A closed or not-eligible family is nominated
    again as a re-referral; an active one is passed to its lead professional; one with an
    open nomination gains this one's evidence."""
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    started = Family.objects.select_for_update().get(pk=nomination.family_id)
    into = Family.objects.select_for_update().get(pk=into.pk)
    if nomination.stage != Stage.SUBMITTED:
        raise ValidationError("Only a nomination awaiting screening can be merged.")
    if into.pk == started.pk or into.local_authority_id != nomination.local_authority_id:
        raise ValidationError("Choose another family of this authority.")
    if started.nominations.exclude(pk=nomination.pk).exists() or started.status != S.NOMINATED:
        raise ValidationError("This nomination's family is already known to the programme.")
    status_before = into.status
    same_as = family_services.family_merge_members(
        actor=actor, source=started, into=into, same_person=_same_person_record
    )
    for duplicate_id, person_id in same_as.items():
        RecordedEvidence.objects.filter(person_id=duplicate_id).update(person_id=person_id)
        Nomination.objects.filter(consent_given_by_id=duplicate_id).update(
            consent_given_by_id=person_id
        )
    RecordedEvidence.objects.filter(family=started).update(family=into)
    nomination.family = into
    nomination.family_status_before = status_before
    nomination.is_re_referral = status_before in (S.CLOSED, S.NOT_ELIGIBLE)
    nomination.save(update_fields=["family", "family_status_before", "is_re_referral"])
    family_services.family_discard_merged(
        actor=actor, source=started, into=into, duplicates=list(same_as)
    )
    if status_before == S.ACTIVE:
        _set_stage(nomination, Stage.ALREADY_ALLOCATED)
    elif status_before in (S.NOMINATED, S.SCREENING, S.ELIGIBLE, S.AWAITING_PANEL):
        _set_stage(nomination, Stage.MERGED)
    elif status_before in (S.CLOSED, S.NOT_ELIGIBLE, S.IDENTIFIED):
        family_services.family_transition(
            actor=actor, family=into, to_status=S.NOMINATED, reason=f"Re-referred as {nomination}"
        )
    audit_record(
        actor=actor,
        action=A.UPDATED,
        obj=nomination,
        family_id=into.pk,
        summary=f"Nomination {nomination} merged with the known family {into.reference}",
    )
    return nomination


# --- screening ------------------------------------------------------------------------


@transaction.atomic
def nomination_screen(
    *,
    actor,
    nomination: Nomination,
    outcome: str,
    override_reason: str = "",
    onward_route: str = "",
    onward_detail: str = "",
    as_of: date | None = None,
) -> Screening:
    """Record the coordinator's screening decision beside the rulebook's. Disagreeing with
    the rulebook needs a reason; a family found not eligible needs an onward route."""
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if nomination.stage != Stage.SUBMITTED:
        raise ValidationError(
            f"This nomination is {nomination.get_stage_display().lower()}; it cannot be "
            "screened again."
        )
    as_of = as_of or timezone.localdate()
    row = framework_ensure(actor=actor, authority=nomination.local_authority)
    household = selectors.households_for([nomination.family], as_of)[nomination.family_id]
    decision = rules.evaluate(household, as_of, row.framework)
    eligible = outcome == Screening.Outcome.ELIGIBLE
    errors = {}
    if eligible != decision.eligible and not override_reason.strip():
        errors["override_reason"] = "Say why you disagree with the rulebook's decision."
    if not eligible and not onward_route:
        errors["onward_route"] = "Choose where the family's support will come from instead."
    if onward_route == Screening.OnwardRoute.OTHER and not onward_detail.strip():
        errors["onward_detail"] = "Say which service."
    if errors:
        raise ValidationError(errors)
    screening = Screening.objects.create(
        nomination=nomination,
        framework=row,
        as_of=as_of,
        decision=decision.to_dict(),
        rulebook_eligible=decision.eligible,
        outcome=outcome,
        override_reason=override_reason.strip(),
        onward_route="" if eligible else onward_route,
        onward_detail="" if eligible else onward_detail,
        decided_by=actor,
    )
    family = nomination.family
    if family.status != S.SCREENING:
        family_services.family_transition(actor=actor, family=family, to_status=S.SCREENING)
    reason = f"Screened under {row}" + (" (override)" if screening.overridden else "")
    nomination.family = family_services.family_transition(
        actor=actor,
        family=family,
        to_status=S.ELIGIBLE if eligible else S.NOT_ELIGIBLE,
        reason=reason if eligible else f"{reason}; onward: {screening.get_onward_route_display()}",
    )
    _set_stage(nomination, Stage.ELIGIBLE if eligible else Stage.NOT_ELIGIBLE)
    audit_record(
        actor=actor,
        action=A.CREATED,
        obj=screening,
        family_id=family.pk,
        summary=f"Screened {nomination}: {screening.get_outcome_display()}"
        + (" (override)" if screening.overridden else ""),
    )
    return screening


# --- panels ---------------------------------------------------------------------------


@transaction.atomic
def panel_create(
    *,
    actor,
    local_authority: LocalAuthority,
    meets_on: date,
    chair: User,
    member_agencies: list[Agency],
    quorum: int,
) -> PanelMeeting:
    if not selectors.panel_chairs_of(local_authority).filter(pk=chair.pk).exists():
        raise ValidationError(
            {"chair": "The chair must be a panel chair or coordinator of this authority."}
        )
    allowed = set(selectors.agencies_for(local_authority).values_list("pk", flat=True))
    if any(agency.pk not in allowed for agency in member_agencies):
        raise ValidationError(
            {"member_agencies": "Choose agencies of this authority or that serve it."}
        )
    if quorum > len(member_agencies):
        raise ValidationError({"quorum": "The quorum cannot be more than the member agencies."})
    panel = PanelMeeting.objects.create(
        local_authority=local_authority,
        meets_on=meets_on,
        chair=chair,
        quorum=quorum,
        created_by=actor,
    )
    panel.member_agencies.set(member_agencies)
    audit_record(actor=actor, action=A.CREATED, obj=panel, summary=f"Created {panel}")
    return panel


@transaction.atomic
def panel_record_attendance(*, actor, panel: PanelMeeting, agencies: list[Agency]) -> None:
    members = set(panel.member_agencies.values_list("pk", flat=True))
    if any(a.pk not in members for a in agencies):
        raise ValidationError({"agencies": "Only member agencies of the panel can be present."})
    panel.agencies_present.set(agencies)
    audit_record(
        actor=actor,
        action=A.UPDATED,
        obj=panel,
        summary=f"Recorded attendance: {len(agencies)} agencies",
    )


@transaction.atomic
def agenda_build(
    *, actor, panel: PanelMeeting, nomination_ids: Collection[int] | None = None
) -> int:
    """Add the chosen eligible nominations waiting for a panel (every one when
    ``nomination_ids`` is None) in the default priority order (local criteria met,
    agencies involved, likelihood, date), after what is there. A chosen nomination that is
    no longer waiting (put on another agenda meanwhile) refuses the whole choice."""
    waiting_now = Nomination.objects.select_for_update(of=("self",)).filter(
        pk__in=selectors.nominations_waiting_for(panel).values("pk")
    )
    if nomination_ids is not None:
        chosen = set(nomination_ids)
        if not chosen:
            raise ValidationError({"nominations": "Choose at least one nomination to add."})
        waiting_now = waiting_now.filter(pk__in=chosen)
    waiting = list(waiting_now.select_related("family").prefetch_related("screenings"))
    if nomination_ids is not None and len(waiting) != len(chosen):
        raise ValidationError(
            {"nominations": "Some of the chosen nominations are no longer waiting for a panel."}
        )
    ranked = rules.prioritise(
        rules.Nomination(str(n.pk), n.submitted_at.date(), *selectors.priority_facts(n))
        for n in waiting
    )
    by_id = {str(n.pk): n for n in waiting}
    position = panel.items.aggregate(p=Max("position"))["p"] or 0
    for ranked_nomination in ranked:
        nomination = by_id[ranked_nomination.nomination_id]
        position += 1
        AgendaItem.objects.create(
            panel=panel,
            nomination=nomination,
            position=position,
            local_criteria_met=ranked_nomination.local_criteria_met,
            agencies_involved=ranked_nomination.agencies_involved,
        )
        if nomination.family.status == S.ELIGIBLE:
            family_services.family_transition(
                actor=actor,
                family=nomination.family,
                to_status=S.AWAITING_PANEL,
                reason=f"On the agenda of the {panel}",
            )
        _set_stage(nomination, Stage.ON_AGENDA)
    audit_record(
        actor=actor, action=A.UPDATED, obj=panel, summary=f"Agenda: added {len(ranked)} families"
    )
    return len(ranked)


@transaction.atomic
def agenda_sort(*, actor, panel: PanelMeeting) -> None:
    """Put the undecided items back into the default priority order, using the panel's
    likelihood ratings."""
    items = list(panel.items.select_for_update().select_related("nomination"))
    undecided = [i for i in items if not i.decision]
    by_id = {str(i.pk): i for i in undecided}
    ranked = rules.prioritise(
        rules.Nomination(
            str(i.pk),
            i.nomination.submitted_at.date(),
            i.local_criteria_met,
            i.agencies_involved,
            i.likelihood,
        )
        for i in undecided
    )
    start = max((i.position for i in items if i.decision), default=0)
    _renumber(items=[by_id[r.nomination_id] for r in ranked], start=start)
    audit_record(actor=actor, action=A.UPDATED, obj=panel, summary="Agenda sorted by priority")


def _renumber(*, items: list[AgendaItem], start: int) -> None:
    # Positions are not unique in the database, so a renumber never collides mid-way.
    for offset, item in enumerate(items, start=1):
        if item.position != start + offset:
            item.position = start + offset
            item.save(update_fields=["position"])


@transaction.atomic
def agenda_move(*, actor, item: AgendaItem, to_position: int, reason: str) -> None:
    """Move an item on the agenda; the panel must say why it departs from the order."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why this family is being moved."})
    items = list(item.panel.items.select_for_update().order_by("position", "pk"))
    moving = next(i for i in items if i.pk == item.pk)
    items.remove(moving)
    index = min(max(to_position, 1), len(items) + 1) - 1
    items.insert(index, moving)
    moving.reorder_reason = reason.strip()
    moving.save(update_fields=["reorder_reason"])
    _renumber(items=items, start=0)
    audit_record(
        actor=actor,
        action=A.UPDATED,
        obj=moving,
        family_id=moving.nomination.family_id,
        summary=f"Moved to position {index + 1}: {reason.strip()}",
    )


@transaction.atomic
def agenda_rate(*, actor, item: AgendaItem, likelihood: int | None) -> AgendaItem:
    if likelihood is not None and not 1 <= likelihood <= 3:
        raise ValidationError({"likelihood": "Rate the likelihood from 1 (low) to 3 (high)."})
    item.likelihood = likelihood
    item.save(update_fields=["likelihood"])
    audit_record(
        actor=actor,
        action=A.UPDATED,
        obj=item,
        family_id=item.nomination.family_id,
        summary=f"Likelihood of turnaround rated {likelihood}",
    )
    return item


def _acceptance_errors(
    errors: dict[str, str],
    *,
    panel: PanelMeeting,
    family: Family,
    level: str,
    lead_professional: User | None,
    allow_over_capacity: bool,
) -> bool:
    """Add what stops the panel accepting the family to `errors`; True when the lead
    professional would go over capacity."""
    over = False
    if not level:
        errors["level"] = "Choose the level of support."
    candidate = next(
        (
            c
            for c in selectors.lead_candidates(panel.local_authority)
            if c.user == lead_professional
        ),
        None,
    )
    if candidate is None:
        errors["lead_professional"] = "Choose a key worker of this authority."
    elif level and candidate.would_exceed(level):
        over = True
        if not allow_over_capacity:
            errors["lead_professional"] = (
                f"This would take {candidate.label.split(':')[0]} over capacity "
                f"({candidate.weighted + selectors.caseload_weight(level):.1f} of "
                f"{candidate.capacity:.0f}). Choose someone else, or confirm."
            )
    if not family.consents.filter(
        scope=Consent.Scope.PARTICIPATION, withdrawn_on__isnull=True
    ).exists():
        errors["decision"] = (
            "The family's consent to take part is not recorded. Record it on the family "
            "page before accepting."
        )
    return over


@transaction.atomic
def agenda_decide(
    *,
    actor,
    item: AgendaItem,
    decision: str,
    reasons: str,
    level: str = "",
    lead_professional: User | None = None,
    referred_to: str = "",
    allow_over_capacity: bool = False,
) -> AgendaItem:
    """The panel's decision on one family. Accepting allocates the lead professional,
    sets the attachment date (the day the decision is recorded, never the panel's date,
    which may still be ahead) and makes the family active; a lead
    professional is never taken over capacity without the chair saying so."""
    item = AgendaItem.objects.select_for_update().select_related("panel").get(pk=item.pk)
    panel = item.panel
    nomination = item.nomination
    family = Family.objects.get(pk=nomination.family_id)
    if item.decision:
        raise ValidationError("The panel has already decided about this family.")
    present = panel.agencies_present.count()
    if present < panel.quorum:
        raise ValidationError(
            f"The panel is not quorate: {present} of the {panel.quorum} agencies needed are "
            "recorded as present."
        )
    D = AgendaItem.Decision
    errors: dict[str, str] = {}
    if not reasons.strip():
        errors["reasons"] = "Give the panel's reasons."
    over = False
    if decision == D.ACCEPT:
        over = _acceptance_errors(
            errors,
            panel=panel,
            family=family,
            level=level,
            lead_professional=lead_professional,
            allow_over_capacity=allow_over_capacity,
        )
    if decision == D.REFER and not referred_to.strip():
        errors["referred_to"] = "Say which service the family is referred to."
    if errors:
        raise ValidationError(errors)
    item.decision = decision
    item.reasons = reasons.strip()
    item.decided_by = actor
    item.decided_at = timezone.now()
    if decision == D.ACCEPT:
        item.level = level
        item.lead_professional = lead_professional
        item.over_capacity = over
        _allocate(actor=actor, family=family, item=item)
        _set_stage(nomination, Stage.ACCEPTED)
    elif decision == D.DEFER:
        _set_stage(nomination, Stage.ELIGIBLE)
    else:
        item.referred_to = referred_to.strip() if decision == D.REFER else ""
        family_services.family_transition(
            actor=actor,
            family=family,
            to_status=S.NOT_ELIGIBLE,
            reason=f"{item.get_decision_display()} at the {panel}: {item.reasons}",
        )
        _set_stage(nomination, Stage.DECLINED if decision == D.DECLINE else Stage.REFERRED)
    item.save()
    audit_record(
        actor=actor,
        action=A.UPDATED,
        obj=item,
        family_id=family.pk,
        summary=f"Panel decision for {nomination}: {item.get_decision_display()}"
        + (" (over capacity)" if over else ""),
    )
    return item


def _allocate(*, actor, family: Family, item: AgendaItem) -> None:
    lead = item.lead_professional
    assert lead is not None  # agenda_decide accepts only with a lead professional
    attached_on = timezone.localtime(item.decided_at).date()
    family = family_services.family_set_case_fields(
        actor=actor,
        family=family,
        summary=f"Allocated at the {item.panel}",
        tier=item.level,
        lead_professional=lead,
        # Attached from the day the decision is recorded: a panel set up for a later date
        # must not put the family on the programme from a day that has not come yet.
        programme_start=attached_on,
        # The first review falls one review interval after attachment; each review held
        # then sets the next (outcomes.services.review_record).
        next_review_due=attached_on + timedelta(weeks=settings.CASEWORK_REVIEW_WEEKS),
    )
    family_services.family_set_key_workers(
        actor=actor, family=family, key_workers=[lead, *family.key_workers.exclude(pk=lead.pk)]
    )
    family_services.family_transition(
        actor=actor,
        family=family,
        to_status=S.ACTIVE,
        reason=f"Accepted at the {item.panel} ({item.get_level_display()}); lead "
        f"professional {lead.get_full_name() or lead.email}",
    )
