"""Nomination, screening, panel and rulebook pages. Views parse, authorise, call one
service or selector, and render; access rules live in eligibility.access."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from eligibility import access, exports, selectors, services
from eligibility.forms import (
    AgendaAddForm,
    AttendanceForm,
    AuthorityForm,
    DecisionForm,
    EvidenceForm,
    FrameworkSwitchForm,
    LocalCriterionForm,
    MoveForm,
    NominationForm,
    PanelForm,
    ParametersForm,
    RateForm,
    ScreeningForm,
    criterion_forms,
    member_forms,
)
from eligibility.models import AgendaItem, FrameworkVersion, Nomination
from families import access as family_access
from families.access import families_visible_to
from tafcase import csv_safe, web
from tafcase.accounts.models import Role
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_listed, audit_viewed

PAGE_SIZE = 50


def _visible_family_ids(user, family_ids) -> set[int]:
    return set(families_visible_to(user).filter(pk__in=family_ids).values_list("pk", flat=True))


# --- nominations ----------------------------------------------------------------------


def _nominations(request):
    """What the list shows (`stage` in the query), the user's visible nominations and
    those it selects, in list order, for the page and its CSV alike."""
    nominations = access.nominations_visible_to(request.user)
    show = request.GET.get("stage", "open")
    if show == "open":
        listed = nominations.filter(stage__in=Nomination.OPEN_STAGES)
    elif show == "overrides":
        listed = selectors.overridden(nominations)
    elif show in Nomination.Stage.values:
        listed = nominations.filter(stage=show)
    else:
        listed = nominations
    return show, nominations, selectors.with_list_columns(listed).order_by("stage_changed_at", "pk")


@login_required
def nomination_list(request):
    show, nominations, listed = _nominations(request)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_listed(request, what="nominations", family_ids=[n.family_id for n in page])
    query = request.GET.copy()
    query.pop("page", None)
    team = request.user.has_role(Role.COORDINATOR, Role.DATA_ANALYST, Role.AUDITOR)
    return render(
        request,
        "eligibility/nomination_list.html",
        {
            "page": page,
            "progress": {n.pk for n in page if access.sees_progress(request.user, n)},
            "queue": selectors.nomination_queue(nominations) if team else None,
            "overrides": selectors.overridden(nominations).count() if team else None,
            "stages": Nomination.Stage.choices,
            "show": show,
            "now": timezone.now(),
            "csv_query": query.urlencode(),
        },
    )


@login_required
def nomination_list_csv(request):
    """Every nomination the list shows with the same `stage`, not one page. A referrer
    who may not follow a nomination's progress gets the receipt the page shows them."""
    show, _, listed = _nominations(request)
    nominations = list(listed)
    audit_listed(
        request,
        what="nominations CSV",
        family_ids=[n.family_id for n in nominations],
        action=AuditEvent.Action.EXPORTED,
    )
    today = timezone.localdate()
    rows: list[list] = [
        [
            "Nomination",
            "Family reference",
            "Route",
            "Nominating agency",
            "Stage",
            "Submitted",
            "Days at this stage",
        ]
    ]
    for n in nominations:
        submitted = timezone.localdate(n.submitted_at).isoformat() if n.submitted_at else ""
        if access.sees_progress(request.user, n):
            rows.append(
                [
                    n.reference,
                    n.family.reference,
                    n.get_route_display(),
                    n.referrer_agency.name if n.referrer_agency else "",
                    n.get_stage_display(),
                    submitted,
                    (today - timezone.localdate(n.stage_changed_at)).days,
                ]
            )
        else:
            rows.append(
                [n.reference, "Sent by you", n.get_route_display(), "", "Received", submitted, ""]
            )
    # The file is named after what it holds; `stage` is the user's text, never put in a header.
    known = show in ("open", "overrides", *Nomination.Stage.values)
    filename = f"nominations-{show if known else 'all'}-{today}.csv"
    return web.csv_response(csv_safe.text(rows), filename)


@login_required
def nomination_new(request):
    """Any practitioner nominates a family. Partners of agencies that serve several
    authorities say which council the family lives in (the first step)."""
    if access.needs_authority_choice(request.user):
        if not access.may_nominate(request.user):
            raise PermissionDenied
        step = AuthorityForm(request.GET or None)
        if not step.is_valid():
            return render(
                request,
                "eligibility/form.html",
                {
                    "form": step,
                    "method": "get",
                    "heading": "Which council does the family live in?",
                    "button": "Continue",
                    "back": ("eligibility:nominations", None, "nominations"),
                },
            )
        chosen = step.cleaned_data["local_authority"]
    else:
        chosen = None
    authority = access.authority_for_nomination(request.user, chosen)
    criteria = selectors.criteria_choices(authority)
    data = request.POST if request.method == "POST" else None
    form = NominationForm(data)
    members = member_forms(data)
    claimed = criterion_forms(data, criteria)
    if data is not None:
        valid = all([form.is_valid(), *(f.is_valid() for f in (*members, *claimed))])
        described = [f.cleaned_data for f in members if f.described]
        if valid and not described:
            form.add_error(None, "Add at least one member of the family.")
            valid = False
        if valid:
            try:
                nomination = services.nomination_submit(
                    actor=request.user,
                    local_authority=authority,
                    route=Nomination.Route.REFERRAL,
                    members=described,
                    criteria=[f.cleaned_data for f in claimed if f.cleaned_data.get("code")],
                    **form.cleaned_data,
                )
            except ValidationError as error:
                web.form_errors_from(form, error)
            else:
                messages.success(
                    request,
                    f"Nomination {nomination.reference} received by the single point of access.",
                )
                return redirect("eligibility:nomination", nomination.pk)
    return render(
        request,
        "eligibility/nomination_form.html",
        {"form": form, "members": members, "claimed": claimed},
    )


@login_required
def nomination_detail(request, nomination_id):
    nomination = access.nomination_for_user(request.user, nomination_id, write=False)
    audit_viewed(request, nomination, family_id=nomination.family_id)
    sees_family = bool(_visible_family_ids(request.user, [nomination.family_id]))
    if not access.sees_progress(request.user, nomination):
        return render(request, "eligibility/nomination_receipt.html", {"nomination": nomination})
    screening = nomination.screenings.select_related("framework", "decided_by").first()
    return render(
        request,
        "eligibility/nomination_detail.html",
        {
            "nomination": nomination,
            "criteria_names": dict(selectors.criteria_choices(nomination.family.local_authority)),
            "sees_family": sees_family,
            "members": nomination.family.memberships.select_related("person")
            if sees_family
            else (),
            "evidence": selectors.evidence_for(nomination) if sees_family else (),
            "screening": screening if sees_family else None,
            "can_screen": access.can_screen(request.user, nomination)
            and nomination.stage == Nomination.Stage.SUBMITTED,
            "can_add_evidence": access.can_add_evidence(request.user, nomination) and sees_family,
            "other_nominations": nomination.family.nominations.exclude(pk=nomination.pk)
            if sees_family
            else (),
        },
    )


@login_required
def evidence_add(request, nomination_id):
    nomination = access.nomination_for_user(request.user, nomination_id, write=False)
    if not access.can_add_evidence(request.user, nomination):
        raise PermissionDenied
    family = nomination.family
    if request.method == "GET":
        audit_viewed(request, nomination, family_id=family.pk, summary="Form: Add evidence")
    form = EvidenceForm(
        request.POST or None,
        family=family,
        criteria=selectors.criteria_choices(nomination.local_authority),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_record(
                actor=request.user, family=family, nomination=nomination, **form.cleaned_data
            )
        except ValidationError as error:
            web.form_errors_from(form, error)
        else:
            messages.success(request, "Evidence recorded.")
            return redirect("eligibility:nomination", nomination.pk)
    return render(
        request,
        "eligibility/form.html",
        {
            "form": form,
            "heading": "Add evidence",
            "button": "Save evidence",
            "back": ("eligibility:nomination", nomination.pk, nomination.reference),
        },
    )


@login_required
def nomination_screen(request, nomination_id):
    nomination = access.nomination_for_user(request.user, nomination_id, write=True)
    decision = selectors.screening_preview(nomination, timezone.localdate())
    form = ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            screening = services.nomination_screen(
                actor=request.user, nomination=nomination, **form.cleaned_data
            )
        except ValidationError as error:
            web.form_errors_from(form, error)
        else:
            messages.success(
                request, f"{nomination.reference} screened: {screening.get_outcome_display()}."
            )
            return redirect("eligibility:nomination", nomination.pk)
    audit_viewed(request, nomination, family_id=nomination.family_id)
    return render(
        request,
        "eligibility/screen.html",
        {
            "nomination": nomination,
            "decision": decision,
            "framework": selectors.framework_in_force(nomination.local_authority),
            "form": form,
            "known_families": selectors.known_families_like(nomination)
            if nomination.stage == Nomination.Stage.SUBMITTED
            else (),
        },
    )


@require_POST
@login_required
def nomination_merge(request, nomination_id):
    """The coordinator decides that a nominated family is one the programme knows."""
    nomination = access.nomination_for_user(request.user, nomination_id, write=True)
    into = family_access.family_for_user(request.user, request.POST.get("into"), write=True)
    try:
        nomination = services.nomination_merge(actor=request.user, nomination=nomination, into=into)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("eligibility:screen", nomination.pk)
    messages.success(
        request,
        f"{nomination.reference} is now about {into.reference}: "
        f"{nomination.get_stage_display().lower()}.",
    )
    return redirect("eligibility:nomination", nomination.pk)


# --- panels ---------------------------------------------------------------------------


@login_required
def panel_list(request):
    if not request.user.has_role(*access.PANEL_ROLES, Role.COORDINATOR, Role.AUDITOR):
        raise PermissionDenied
    panels = access.panels_visible_to(request.user)
    today = timezone.localdate()
    upcoming = panels.filter(meets_on__gte=today).order_by("meets_on", "pk")
    # Meetings only, no families: audited so that every list a user opens is on record.
    audit_listed(request, what="panels", family_ids=())
    return render(
        request,
        "eligibility/panel_list.html",
        {
            "upcoming": upcoming,
            "past": panels.filter(meets_on__lt=today)[:20],
            "next_panel": upcoming.first(),
            "can_create": access.can_create_panel(request.user),
        },
    )


@login_required
def panel_new(request):
    authority = access.authority_for_new_panel(request.user)
    form = PanelForm(request.POST or None, local_authority=authority)
    if request.method == "POST" and form.is_valid():
        try:
            panel = services.panel_create(
                actor=request.user, local_authority=authority, **form.cleaned_data
            )
        except ValidationError as error:
            web.form_errors_from(form, error)
        else:
            messages.success(request, f"{panel} created.")
            return redirect("eligibility:panel", panel.pk)
    return render(
        request,
        "eligibility/form.html",
        {
            "form": form,
            "heading": "Set up a panel meeting",
            "button": "Create panel",
            "back": ("eligibility:panels", None, "panels"),
        },
    )


@login_required
def panel_detail(request, panel_id):
    panel = access.panel_for_user(request.user, panel_id, write=False)
    items = list(selectors.agenda(panel))
    family_ids = [i.nomination.family_id for i in items]
    visible = access.named_on_agenda(request.user, panel, family_ids)
    shared = _visible_family_ids(request.user, family_ids)
    audit_viewed(request, panel, family_ids=family_ids)
    present = panel.agencies_present.all()
    return render(
        request,
        "eligibility/panel_detail.html",
        {
            "panel": panel,
            "rows": [
                (i, i.nomination.family_id in visible, i.nomination.family_id in shared)
                for i in items
            ],
            "can_run": access.can_run_panel(request.user, panel),
            "present": present,
            "quorate": len(present) >= panel.quorum,
            "members": panel.member_agencies.order_by("name"),
            "attendance": AttendanceForm(panel=panel, initial={"agencies": present}),
            "waiting": selectors.nominations_waiting_for(panel).count(),
            "likelihoods": [*AgendaItem.Likelihood.choices, ("", "Not rated")],
        },
    )


def _panel_action(request, panel_id, action, success: str):
    panel = access.panel_for_user(request.user, panel_id, write=True)
    return web.post_action(
        request,
        lambda: action(panel),
        success=success,
        done=reverse("eligibility:panel", args=[panel.pk]),
    )


@login_required
def panel_build(request, panel_id):
    """The chair or a coordinator chooses which eligible nominations go on the agenda."""
    panel = access.panel_for_user(request.user, panel_id, write=True)
    waiting = selectors.nominations_waiting_for(panel)
    # Bound on every POST, so sending nothing ticked is an error rather than a blank form.
    form = AgendaAddForm(request.POST if request.method == "POST" else None, waiting=waiting)
    if request.method == "POST" and form.is_valid():
        chosen = [n.pk for n in form.cleaned_data["nominations"]]
        try:
            added = services.agenda_build(actor=request.user, panel=panel, nomination_ids=chosen)
        except ValidationError as error:
            web.form_errors_from(form, error)
        else:
            messages.success(
                request,
                f"{added} {'nomination' if added == 1 else 'nominations'} added to the agenda "
                "in priority order.",
            )
            return redirect("eligibility:panel", panel.pk)
    nominations = list(waiting)
    family_ids = [n.family_id for n in nominations]
    named = access.named_on_agenda(request.user, panel, family_ids)
    if request.method == "GET":
        audit_viewed(request, panel, family_ids=family_ids, summary="Form: choose nominations")
    return render(
        request,
        "eligibility/agenda_add.html",
        {
            "panel": panel,
            "form": form,
            "chosen": form.chosen_ids() if form.is_bound else set(),
            "rows": [(n, n.family_id in named, *selectors.priority_facts(n)) for n in nominations],
        },
    )


@require_POST
@login_required
def panel_sort(request, panel_id):
    return _panel_action(
        request,
        panel_id,
        lambda panel: services.agenda_sort(actor=request.user, panel=panel),
        "Agenda put in priority order.",
    )


@require_POST
@login_required
def panel_attendance(request, panel_id):
    def record(panel):
        form = AttendanceForm(request.POST, panel=panel)
        if not form.is_valid():
            raise ValidationError("Choose member agencies of the panel.")
        services.panel_record_attendance(
            actor=request.user, panel=panel, agencies=list(form.cleaned_data["agencies"])
        )

    return _panel_action(request, panel_id, record, "Attendance recorded.")


def _item_for(request, panel_id, item_id):
    item = access.agenda_item_for_user(request.user, item_id, write=True)
    if item.panel_id != family_access.record_id(panel_id):
        raise Http404("No agenda item found.")
    return item


def _audit_item_form(request, item, heading: str) -> None:
    if request.method == "GET":
        audit_viewed(request, item, family_id=item.nomination.family_id, summary=f"Form: {heading}")


@require_POST
@login_required
def item_rate(request, panel_id, item_id):
    """Rate the likelihood of turnaround. The agenda's script asks for JSON and stays on
    the page; without JavaScript the form posts and comes back to the agenda."""
    item = _item_for(request, panel_id, item_id)
    form = RateForm(request.POST)

    def rate(panel):
        if not form.is_valid():
            raise ValidationError(form.errors["likelihood"])
        services.agenda_rate(actor=request.user, item=item, **form.cleaned_data)

    if "application/json" in request.headers.get("Accept", ""):
        try:
            rate(item.panel)
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        return JsonResponse(
            {"likelihood": item.likelihood, "label": item.get_likelihood_display() or "Not rated"}
        )
    return _panel_action(request, panel_id, rate, f"Rated {item.nomination.reference}.")


@login_required
def item_move(request, panel_id, item_id):
    item = _item_for(request, panel_id, item_id)
    _audit_item_form(request, item, "Move on the agenda")
    form = MoveForm(request.POST or None, initial={"to_position": item.position})
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_move(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            web.form_errors_from(form, error)
        else:
            messages.success(request, f"{item.nomination.reference} moved.")
            return redirect("eligibility:panel", panel_id)
    return render(
        request,
        "eligibility/form.html",
        {
            "form": form,
            "heading": f"Move {item.nomination.reference} on the agenda",
            "intro": "The agenda is in priority order. Say why this family should be "
            "heard earlier or later.",
            "button": "Move",
            "back": ("eligibility:panel", panel_id, "the agenda"),
        },
    )


@login_required
def item_decide(request, panel_id, item_id):
    item = _item_for(request, panel_id, item_id)
    _audit_item_form(request, item, "Record the panel's decision")
    candidates = selectors.lead_candidates(item.panel.local_authority)
    form = DecisionForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_decide(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            web.form_errors_from(form, error)
        else:
            messages.success(request, f"Decision recorded for {item.nomination.reference}.")
            return redirect("eligibility:panel", panel_id)
    visible = bool(access.named_on_agenda(request.user, item.panel, [item.nomination.family_id]))
    return render(
        request,
        "eligibility/decide.html",
        {"form": form, "item": item, "sees_family": visible, "candidates": candidates},
    )


@login_required
def panel_minutes(request, panel_id):
    panel = access.panel_for_user(request.user, panel_id, write=False)
    return web.pdf_response(
        exports.minutes_pdf(request, panel), f"panel-{panel.meets_on}.pdf", inline=False
    )


# --- rulebooks ------------------------------------------------------------------------


def _framework_row(request) -> FrameworkVersion:
    authority = access.authority_for_rulebook(request.user)
    return services.framework_ensure(actor=request.user, authority=authority)


@login_required
def frameworks(request):
    row = _framework_row(request)
    framework = row.framework
    forms_by_action = {
        "switch": FrameworkSwitchForm(
            initial={"code": row.code}, choices=FrameworkVersion.Code.choices
        ),
        "parameters": ParametersForm(parameters=framework.parameters.to_dict()),
        "local": LocalCriterionForm(),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        data = request.POST
        try:
            if action == "switch":
                form = forms_by_action["switch"] = FrameworkSwitchForm(
                    data, choices=FrameworkVersion.Code.choices
                )
                if form.is_valid():
                    services.framework_activate(
                        actor=request.user, authority=row.local_authority, **form.cleaned_data
                    )
                    return _saved(request, "Framework switched.")
            elif action == "parameters":
                form = forms_by_action["parameters"] = ParametersForm(
                    data, parameters=framework.parameters.to_dict()
                )
                if form.is_valid():
                    changes = form.changes()
                    if not form.errors:
                        services.framework_set_parameters(
                            actor=request.user, row=row, changes=changes
                        )
                        return _saved(request, "Parameters saved as a new version.")
            elif action == "local":
                form = forms_by_action["local"] = LocalCriterionForm(data)
                if form.is_valid():
                    services.framework_save_local(actor=request.user, row=row, **form.cleaned_data)
                    return _saved(request, "Local criterion saved as a new version.")
            elif action == "retire":
                services.framework_retire_local(
                    actor=request.user, row=row, code=data.get("code", "")
                )
                return _saved(request, "Local criterion retired in a new version.")
        except ValidationError as error:
            target = forms_by_action.get(action) or forms_by_action["local"]
            web.form_errors_from(target, error)
    return render(
        request,
        "eligibility/frameworks.html",
        {
            "row": row,
            "framework": framework,
            "versions": FrameworkVersion.objects.filter(local_authority=row.local_authority)
            .select_related("created_by")
            .order_by("-created_at")[:30],
            **forms_by_action,
        },
    )


def _saved(request, text):
    messages.success(request, text)
    return redirect("eligibility:frameworks")
