"""Casework pages, reached from the family page. Access is families.access: the family's
workers and coordinators change things; everyone who can see the family can read; a TAF
partner may update their own agency's actions; anyone else gets 404."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from eligibility.selectors import criteria_choices
from families import access as family_access
from families import selectors as family_selectors
from families.views import audit_form_shown, family_form_page
from outcomes import access, casework, selectors, services
from outcomes.forms import (
    ActionForm,
    AmendForm,
    AssessmentForm,
    CaseworkFilterForm,
    CloseForm,
    FollowUpForm,
    GoalForm,
    ReviewForm,
    SpendForm,
    StatusForm,
    TierForm,
)
from outcomes.models import Assessment, Goal
from tafcase import csv_safe, web
from tafcase.accounts.authority import working_authority
from tafcase.accounts.models import Role
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_listed, audit_record, audit_viewed, client_ip
from tafcase.errors import StaleEdit


def _family(request, family_id, *, write: bool):
    return family_access.family_for_user(request.user, family_id, write=write)


# --- assessments and distance travelled -----------------------------------------------


@login_required
def assessments(request, family_id):
    family = _family(request, family_id, write=False)
    audit_viewed(request, family, family_id=family.pk)
    return render(
        request,
        "outcomes/assessments.html",
        {
            "family": family,
            "assessments": family.assessments.select_related("created_by"),
            "can_change": family_access.can_change_family(request.user, family),
        },
    )


@require_POST
@login_required
def assessment_start(request, family_id):
    family = _family(request, family_id, write=True)
    try:
        assessment = services.assessment_start(actor=request.user, family=family)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("outcomes:assessments", family.pk)
    return redirect("outcomes:assessment", family.pk, assessment.pk)


def _assessment(request, family_id, assessment_id, *, write: bool) -> Assessment:
    return family_access.in_family(
        access.assessment_for_user(request.user, assessment_id, write=write), family_id
    )


@login_required
def assessment_edit(request, family_id, assessment_id):
    """An open assessment's scoring form. A completed one is locked: it shows what was
    recorded, and changes go through an amendment with a reason (assessment_amend)."""
    assessment = _assessment(request, family_id, assessment_id, write=False)
    family = assessment.family
    may_change = family_access.can_change_family(request.user, family)
    completed = assessment.status == Assessment.Status.COMPLETED
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if completed:
            messages.error(
                request,
                f"{assessment} is completed, so nothing was changed. Amend it, giving the "
                "reason, to change it.",
            )
            return redirect("outcomes:assessment", family.pk, assessment.pk)
    subjects = selectors.subjects_for(family, timezone.localdate())
    if completed:
        return _assessment_page(request, assessment, subjects)
    existing = {
        (str(s.person_id) if s.person_id else selectors.FAMILY, s.domain): s
        for s in assessment.scores.all()
    }
    initial = {
        "version": assessment.version,
        "family_view": assessment.family_view,
        "strengths": assessment.strengths,
        "contributors": assessment.contributors,
        "no_formal_assessment": assessment.no_formal_assessment,
    }
    for (subject, domain), score in existing.items():
        initial[f"score-{subject}-{domain}"] = str(score.score)
        initial[f"why-{subject}-{domain}"] = score.rationale
        initial[f"more-{subject}-{domain}"] = score.more_need_found
    form = AssessmentForm(
        request.POST or None,
        initial=initial,
        subjects=subjects,
        occasion=assessment.occasion,
        previous=selectors.previous_scores(assessment) if assessment.occasion else None,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assessment_save(
                actor=request.user,
                assessment=assessment,
                expected_version=data["version"],
                scores=form.scores(),
                family_view=data["family_view"],
                strengths=data["strengths"],
                contributors=data["contributors"],
                no_formal_assessment=data["no_formal_assessment"],
                complete="complete" in request.POST,
            )
        except StaleEdit as stale:
            web.keep_typed_after_stale_edit([form], stale)
            status = 409
        except ValidationError as error:
            web.form_errors_from(form, error)
        else:
            messages.success(request, f"{assessment} saved.")
            return redirect("outcomes:assessments", family.pk)
    return _assessment_page(request, assessment, subjects, form=form, status=status)


def _assessment_page(request, assessment, subjects, *, form=None, amend_form=None, status=200):
    """The assessment page: the scoring form while open, else a read-only summary with
    the amend form; the amendment history either way."""
    family = assessment.family
    may_change = family_access.can_change_family(request.user, family)
    completed = assessment.status == Assessment.Status.COMPLETED
    if completed and may_change and amend_form is None:
        amend_form = AmendForm(initial={"version": assessment.version})
    if request.method == "GET":
        audit_viewed(request, assessment, family_id=family.pk)
    return render(
        request,
        "outcomes/assessment.html",
        {
            "family": family,
            "assessment": assessment,
            "form": form,
            "amend_form": amend_form if completed and may_change else None,
            "can_change": may_change and not completed,
            "summary": selectors.assessment_summary(assessment, subjects) if completed else None,
            "amendments": selectors.amendments_for(assessment, subjects),
            "scale": casework.APPENDIX_D.scale,
        },
        status=status,
    )


@require_POST
@login_required
def assessment_amend(request, family_id, assessment_id):
    assessment = _assessment(request, family_id, assessment_id, write=True)
    form = AmendForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_amend(
                actor=request.user,
                assessment=assessment,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            messages.error(request, str(stale))
            return redirect("outcomes:assessment", assessment.family_id, assessment.pk)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                # Not about the reason (the assessment is open again already): the page
                # shows the scoring form, so say it there.
                messages.error(request, " ".join(error.messages))
                return redirect("outcomes:assessment", assessment.family_id, assessment.pk)
            web.form_errors_from(form, error)
        else:
            messages.success(
                request,
                f"{assessment} reopened to amend. Change what needs correcting, then save "
                "and complete it again.",
            )
            return redirect("outcomes:assessment", assessment.family_id, assessment.pk)
    subjects = selectors.subjects_for(assessment.family, timezone.localdate())
    return _assessment_page(request, assessment, subjects, amend_form=form)


@login_required
def distance(request, family_id):
    family = _family(request, family_id, write=False)
    audit_viewed(request, family, family_id=family.pk)
    return render(
        request,
        "outcomes/distance.html",
        {
            "family": family,
            "charts": [(p, mark_safe(svg)) for p, svg in selectors.charts_for(family)],  # noqa: S308 - escaped by the chart renderer
        },
    )


def _pdf(request, family, template: str, context: dict, name: str) -> HttpResponse:
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORTED,
        obj=family,
        family_id=family.pk,
        ip=client_ip(request),
        summary=f"Printed {name}",
    )
    pdf = web.render_pdf(
        request,
        template,
        {
            "family": family,
            "programme_name": settings.PROGRAMME_NAME,
            "programme_contact": settings.PROGRAMME_CONTACT,
            "family_people": family_selectors.family_document_people(family),
            **context,
        },
    )
    return web.pdf_response(pdf, f"{name}-{family.reference}.pdf", inline=True)


@login_required
def distance_pdf(request, family_id):
    family = _family(request, family_id, write=False)
    charts = [(p, mark_safe(svg)) for p, svg in selectors.charts_for(family)]  # noqa: S308
    return _pdf(request, family, "outcomes/distance_pdf.html", {"charts": charts}, "progress")


# --- plan -----------------------------------------------------------------------------


@login_required
def plan(request, family_id):
    family = _family(request, family_id, write=False)
    audit_viewed(request, family, family_id=family.pk)
    can_change = family_access.can_change_family(request.user, family)
    goals = list(selectors.plan_for(family))
    for goal in goals:
        for action in goal.actions.all():
            action.can_update = access.can_update_action(request.user, action, family)
    return render(
        request,
        "outcomes/plan.html",
        {
            "family": family,
            "goals": goals,
            "can_change": can_change,
            "criteria": dict(criteria_choices(family.local_authority)),
            "statuses": Goal.Status.choices,
        },
    )


@login_required
def plan_pdf(request, family_id):
    family = _family(request, family_id, write=False)
    return _pdf(
        request,
        family,
        "outcomes/plan_pdf.html",
        {"goals": selectors.plan_for(family)},
        "family-plan",
    )


@login_required
def goal_add(request, family_id):
    family = _family(request, family_id, write=True)
    form = GoalForm(
        request.POST or None, family=family, criteria=criteria_choices(family.local_authority)
    )
    return family_form_page(
        request,
        family,
        form,
        lambda **data: services.goal_add(actor=request.user, family=family, **data),
        heading="Add a goal",
        button="Save goal",
        success="Goal added.",
        done="outcomes:plan",
    )


@login_required
def action_add(request, family_id, goal_id):
    goal = family_access.in_family(
        access.goal_for_user(request.user, goal_id, write=True), family_id
    )
    family = goal.family
    form = ActionForm(request.POST or None, family=family)
    return family_form_page(
        request,
        family,
        form,
        lambda **data: services.action_add(actor=request.user, goal=goal, **data),
        heading=f"Add an action to “{goal.title}”",
        button="Save action",
        success="Action added.",
        done="outcomes:plan",
    )


def _set_status(request, family, set_status, noun: str):
    """The plan's status buttons: a goal's or an action's status, at the version shown."""
    form = StatusForm(request.POST)

    def update():
        if not form.is_valid():
            raise ValidationError(f"Choose the {noun}'s status.")
        set_status(
            status=form.cleaned_data["status"], expected_version=form.cleaned_data["version"]
        )

    done = reverse("outcomes:plan", args=[family.pk])
    return web.post_action(request, update, success=f"{noun.capitalize()} updated.", done=done)


@require_POST
@login_required
def action_status(request, family_id, action_id):
    action = access.action_for_user(request.user, action_id, write=True)
    family = family_access.in_family(action.goal, family_id).family
    return _set_status(
        request,
        family,
        partial(services.action_set_status, actor=request.user, action=action),
        "action",
    )


@require_POST
@login_required
def goal_status(request, family_id, goal_id):
    goal = family_access.in_family(
        access.goal_for_user(request.user, goal_id, write=True), family_id
    )
    return _set_status(
        request,
        goal.family,
        partial(services.goal_set_status, actor=request.user, goal=goal),
        "goal",
    )


# --- reviews, tier, budget ------------------------------------------------------------


@login_required
def reviews(request, family_id):
    family = _family(request, family_id, write=False)
    audit_viewed(request, family, family_id=family.pk)
    return render(
        request,
        "outcomes/reviews.html",
        {
            "family": family,
            "reviews": family.reviews.prefetch_related("attendees").select_related("assessment"),
            "can_change": family_access.can_change_family(request.user, family),
        },
    )


@login_required
def review_add(request, family_id):
    family = _family(request, family_id, write=True)
    audit_form_shown(request, family, family_id=family.pk, heading="Record a review")
    form = ReviewForm(request.POST or None, family=family)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_record(actor=request.user, family=family, **form.cleaned_data)
        except ValidationError as error:
            web.form_errors_from(form, error)
        else:
            messages.success(request, "Review recorded.")
            if review.assessment:
                return redirect("outcomes:assessment", family.pk, review.assessment.pk)
            return redirect("outcomes:reviews", family.pk)
    return render(
        request,
        "families/form.html",
        {"form": form, "family": family, "heading": "Record a review", "button": "Save review"},
    )


@login_required
def tier_change(request, family_id):
    family = _family(request, family_id, write=True)
    form = TierForm(request.POST or None, initial={"to_tier": family.tier})
    return family_form_page(
        request,
        family,
        form,
        lambda **data: services.tier_change(actor=request.user, family=family, **data),
        heading="Change the tier of need",
        button="Change tier",
        success="Tier of need changed.",
    )


@login_required
def budget(request, family_id):
    family = _family(request, family_id, write=False)
    audit_viewed(request, family, family_id=family.pk)
    items, totals = selectors.budget_for(family)
    can_change = family_access.can_change_family(request.user, family)
    form = SpendForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                item = services.spend_record(actor=request.user, family=family, **form.cleaned_data)
            except ValidationError as error:
                web.form_errors_from(form, error)
            else:
                messages.success(
                    request,
                    f"£{item.amount} recorded"
                    + (
                        " and waiting for a coordinator's approval." if item.needs_approval else "."
                    ),
                )
                return redirect("outcomes:budget", family.pk)
    return render(
        request,
        "outcomes/budget.html",
        {
            "family": family,
            "items": items,
            "totals": totals,
            "form": form,
            "threshold": settings.BUDGET_APPROVAL_THRESHOLD,
            "can_approve": family_access.is_programme_team(request.user, family),
        },
    )


@require_POST
@login_required
def spend_approve(request, family_id, item_id):
    item = family_access.in_family(
        access.budget_item_for_user(request.user, item_id, write=True), family_id
    )
    family = item.family
    if not access.can_approve_spend(request.user, item):
        raise PermissionDenied
    return web.post_action(
        request,
        lambda: services.spend_approve(actor=request.user, item=item),
        success=f"£{item.amount} approved.",
        done=reverse("outcomes:budget", args=[family.pk]),
    )


# --- closure --------------------------------------------------------------------------


@login_required
def close(request, family_id):
    family = _family(request, family_id, write=True)
    check = services.case_close_check(family)
    form = CloseForm(
        request.POST or None,
        initial={"closed_on": timezone.localdate()},
        open_goals=bool(check.warning),
    )
    audit_form_shown(request, family, family_id=family.pk, heading="Close the case")
    return web.form_page(
        request,
        form,
        lambda **data: services.case_close(actor=request.user, family=family, **data),
        success="Case closed; follow-ups scheduled.",
        done=reverse("outcomes:closure", args=[family.pk]),
        template="outcomes/close.html",
        context={"family": family, "check": check},
    )


@login_required
def closure(request, family_id):
    family = _family(request, family_id, write=False)
    audit_viewed(request, family, family_id=family.pk)
    return render(
        request,
        "outcomes/closure.html",
        {
            "family": family,
            "closures": family.closures.select_related(
                "closed_by", "signed_off_by"
            ).prefetch_related("follow_ups"),
            "can_change": family_access.can_change_family(request.user, family),
            "can_sign_off": family_access.is_programme_team(request.user, family),
        },
    )


@require_POST
@login_required
def closure_sign_off(request, family_id, closure_id):
    item = family_access.in_family(
        access.closure_for_user(request.user, closure_id, write=True), family_id
    )
    family = item.family
    if not access.can_sign_off(request.user, item):
        raise PermissionDenied
    return web.post_action(
        request,
        lambda: services.closure_sign_off(actor=request.user, closure=item),
        success="Closure signed off.",
        done=reverse("outcomes:closure", args=[family.pk]),
    )


@login_required
def follow_up(request, family_id, follow_up_id):
    item = access.follow_up_for_user(request.user, follow_up_id, write=True)
    family = family_access.in_family(item.closure, family_id).family
    form = FollowUpForm(request.POST or None, initial={"done_on": timezone.localdate()})
    return family_form_page(
        request,
        family,
        form,
        lambda **data: services.follow_up_record(actor=request.user, follow_up=item, **data),
        heading=f"Follow-up {item.months_after} months after closure",
        button="Save follow-up",
        success="Follow-up recorded.",
        done="outcomes:closure",
    )


# --- dashboard ------------------------------------------------------------------------


PAGE_SIZE = 50


def _casework_due(request):
    """The filter form, the filters it gives and the rows they select, for the page and
    its CSV alike."""
    if not request.user.has_role(Role.KEY_WORKER, Role.COORDINATOR):
        raise PermissionDenied
    authority = working_authority(request.user)
    if authority is None and request.user.agency is not None:
        authority = request.user.agency.local_authority
    form = CaseworkFilterForm(request.GET or None, authority=authority)
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    return form, filters, selectors.casework_due(request.user, filters)


def _audit_due(request, rows, what: str, action: str = AuditEvent.Action.VIEWED) -> None:
    audit_listed(
        request,
        what=what,
        family_ids=[r.family.pk for r in rows],
        person_ids=[r.person_id for r in rows if r.person_id],
        action=action,
    )


@login_required
def dashboard(request):
    form, filters, records = _casework_due(request)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.due_rows(filters.kind, page.object_list)
    _audit_due(request, rows, "casework dashboard")
    counts = selectors.casework_due_counts(request.user, filters)
    query = request.GET.copy()
    query.pop("page", None)
    tabs = []
    for kind, label in selectors.DueKind.choices:
        query["kind"] = kind
        tabs.append(
            {"kind": kind, "label": label, "count": counts[kind], "query": query.urlencode()}
        )
    query["kind"] = filters.kind
    return render(
        request,
        "outcomes/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "kind_label": selectors.DueKind(filters.kind).label,
            "page": page,
            "rows": rows,
            "tabs": tabs,
            "csv_query": query.urlencode(),
        },
    )


@login_required
def dashboard_csv(request):
    _, filters, records = _casework_due(request)
    rows = selectors.due_rows(filters.kind, records)
    _audit_due(request, rows, "casework dashboard CSV", AuditEvent.Action.EXPORTED)
    today = timezone.localdate()
    label = selectors.DueKind(filters.kind).label
    header = ["Family reference", "Family", "Type", "What", "Who", "Due", "Overdue"]
    cells = (
        [
            r.family.reference,
            r.family.name,
            label,
            r.what,
            r.who,
            r.due_on.isoformat() if r.due_on else "",
            "Yes" if r.due_on and r.due_on < today else "No",
        ]
        for r in rows
    )
    filename = f"casework-due-{filters.kind}-{today}.csv"
    return web.csv_response(csv_safe.text([header, *cells]), filename)


def _waiting_list(request, records, *, template: str, what: str):
    """A paged list of records waiting for a coordinator, each with its `family`."""
    if not request.user.has_role(Role.KEY_WORKER, Role.COORDINATOR):
        raise PermissionDenied
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_listed(request, what=what, family_ids=[r.family_id for r in page])
    return render(request, template, {"page": page})


@login_required
def spend_awaiting(request):
    return _waiting_list(
        request,
        selectors.spend_awaiting_approval(request.user),
        template="outcomes/spend_awaiting.html",
        what="spend awaiting approval",
    )


@login_required
def closures_awaiting(request):
    return _waiting_list(
        request,
        selectors.closures_awaiting_sign_off(request.user),
        template="outcomes/closures_awaiting.html",
        what="closures awaiting sign-off",
    )
