"""Payment-by-Results pages (claims.md): claim windows, their claims, each claim's rule
trace and the pipeline.

Access is outcomes.access: the programme team (coordinator, data analyst) of the window's
authority runs windows and sees everything; the auditor reads and decides the sample; the
manager (senior responsible officer) sees totals and declares, never a family's name;
anyone else gets 404. Read-only roles sending a change get 403."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from outcomes import access
from outcomes.claims import selectors, services
from outcomes.claims.forms import (
    AdjustForm,
    AuditForm,
    ClaimFilterForm,
    PaymentForm,
    RejectForm,
    SpotCheckForm,
    TargetForm,
    WindowOpenForm,
)
from outcomes.claims.models import Claim, ClaimRun, ClaimWindow
from tafcase import web
from tafcase.accounts.authority import working_authority_id
from tafcase.accounts.models import LocalAuthority
from tafcase.audit.services import audit_listed, audit_viewed

CLAIMS_PER_PAGE = 50


def _authority_id(request) -> int:
    """The working authority, if the user may see its claim windows; 404 otherwise."""
    authority_id = working_authority_id(request.user)
    if authority_id is None or not access.sees_claim_windows(request.user, authority_id):
        raise Http404("No claim windows here.")
    return authority_id


def _window_url(window: ClaimWindow) -> str:
    return reverse("claims:window", args=[window.pk])


def _claim_url(claim: Claim) -> str:
    return reverse("claims:claim", args=[claim.pk])


# --- windows --------------------------------------------------------------------------


@login_required
def windows(request):
    authority_id = _authority_id(request)
    can_run = access.can_run_claims(request.user, authority_id)
    if request.method == "POST" and not can_run:
        raise PermissionDenied
    form = WindowOpenForm(request.POST or None) if can_run else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            window = services.claim_window_open(
                actor=request.user,
                authority=LocalAuthority.objects.get(pk=authority_id),
                **form.cleaned_data,
            )
        except ValidationError as error:
            web.form_errors_from(form, error)
        else:
            messages.success(request, f"Claim window {window.name} opened.")
            return redirect(_window_url(window))
    # Windows carry no names: the list names no family.
    audit_listed(request, what="claim windows", family_ids=())
    return render(
        request,
        "claims/windows.html",
        {
            "windows": list(selectors.windows_for(request.user)),
            "form": form,
            "can_run": can_run,
            "sees_claims": access.sees_claims(request.user, authority_id),
        },
    )


@login_required
def window(request, window_id):
    window = access.claim_window_for_user(request.user, window_id, write=False)
    user, authority_id = request.user, window.local_authority_id
    sees_claims = access.sees_claims(user, authority_id)
    run = selectors.latest_run(window)
    context: dict[str, Any] = {
        "window": window,
        "framework_label": selectors.framework_label(window),
        "run": run,
        "run_going": run is not None
        and run.status in (ClaimRun.Status.QUEUED, ClaimRun.Status.RUNNING),
        "totals": services.window_totals(window),
        "counts": selectors.window_counts(window),
        "can_run": access.can_run_claims(user, authority_id),
        "can_audit": access.can_audit_claims(user, authority_id),
        "can_declare": access.can_declare(user, authority_id),
        "sees_claims": sees_claims,
        "Stage": ClaimWindow.Stage,
    }
    context["grand_total"] = {
        "claims": sum(row["claims"] for row in context["totals"]),
        "amount": sum(row["amount"] or 0 for row in context["totals"]),
    }
    family_ids: list[int] = []
    if sees_claims:
        # Managers never reach this: claims name families.
        filters = ClaimFilterForm(request.GET)
        chosen = filters.cleaned_data if filters.is_valid() else {}
        page = Paginator(
            selectors.claims_for_window(
                window, status=chosen.get("status", ""), only=chosen.get("only", "")
            ),
            CLAIMS_PER_PAGE,
        ).get_page(request.GET.get("page"))
        for claim in page:
            claim.flag_labels = selectors.flag_labels(claim.flags)
        family_ids = [claim.family_id for claim in page]
        context.update({"filters": filters, "page": page})
    audit_viewed(request, window, family_ids=family_ids)
    return render(request, "claims/window.html", context)


@login_required
def run_progress(request, window_id):
    """The latest run's progress for the window page to poll. Not audited: it shows
    counts only, and a page polling every few seconds would flood the audit log."""
    window = access.claim_window_for_user(request.user, window_id, write=False)
    run = selectors.latest_run(window)
    if run is None:
        raise Http404("No claim run yet.")
    return JsonResponse(
        {
            "status": run.status,
            "stage": run.get_status_display(),
            "percent": run.percent,
            "families_done": run.families_done,
            "families_total": run.families_total,
            "error": run.error,
        }
    )


def _window_action(request, window: ClaimWindow, act: Callable[[], Any], success: str):
    return web.post_action(request, act, success=success, done=_window_url(window))


@require_POST
@login_required
def run_start(request, window_id):
    window = access.claim_window_for_user(request.user, window_id, write=True)
    return _window_action(
        request,
        window,
        lambda: services.claim_run_start(actor=request.user, window=window),
        "Claim run started: this page shows its progress.",
    )


@require_POST
@login_required
def validate_all(request, window_id):
    window = access.claim_window_for_user(request.user, window_id, write=True)

    def validate() -> None:
        proposed = list(window.claims.filter(status=Claim.Status.PROPOSED).order_by("pk"))
        services.claims_validate(actor=request.user, window=window, claims=proposed)

    return _window_action(request, window, validate, "Every proposed claim is validated.")


@require_POST
@login_required
def sample_draw(request, window_id):
    window = access.claim_window_for_user(request.user, window_id, write=True)
    return _window_action(
        request,
        window,
        lambda: services.window_sample_draw(actor=request.user, window=window),
        "Audit sample drawn: internal audit can now check the sampled claims.",
    )


@require_POST
@login_required
def declare(request, window_id):
    window = access.claim_window_for_user(request.user, window_id, write=False)
    if not access.can_declare(request.user, window.local_authority_id):
        raise PermissionDenied
    return _window_action(
        request,
        window,
        lambda: services.window_declare(actor=request.user, window=window),
        "Window declared: the programme team can now submit it.",
    )


@require_POST
@login_required
def submit(request, window_id):
    window = access.claim_window_for_user(request.user, window_id, write=True)
    return _window_action(
        request,
        window,
        lambda: services.window_submit(actor=request.user, window=window),
        "Window submitted: its claims are claimed and the window is locked.",
    )


# --- one claim ------------------------------------------------------------------------


def _claim_page(request, claim: Claim, bound: dict[str, Form] | None = None) -> HttpResponse:
    user, authority_id = request.user, claim.local_authority_id
    stage, S = claim.window.stage, Claim.Status
    can_run = access.can_run_claims(user, authority_id)
    can_audit = access.can_audit_claims(user, authority_id)
    submitted = stage == ClaimWindow.Stage.SUBMITTED and claim.adjustment_of_id is None
    forms: dict[str, Form | None] = {
        "reject_form": RejectForm()
        if can_run and stage == ClaimWindow.Stage.OPEN and claim.status in (S.PROPOSED, S.VALIDATED)
        else None,
        "audit_form": AuditForm()
        if can_audit
        and stage == ClaimWindow.Stage.SAMPLED
        and claim.sampled
        and claim.status == S.VALIDATED
        else None,
        "payment_form": PaymentForm() if can_run and claim.status == S.SUBMITTED else None,
        "spot_check_form": SpotCheckForm()
        if can_run and submitted and claim.status in (S.SUBMITTED, S.PAID)
        else None,
        "adjust_form": AdjustForm(windows=selectors.open_windows_for_adjustment(claim))
        if can_run and submitted
        else None,
    }
    forms.update(bound or {})
    audit_viewed(request, claim, family_id=claim.family_id)
    return render(
        request,
        "claims/claim.html",
        {
            "claim": claim,
            "window": claim.window,
            "trace": selectors.claim_trace(claim),
            "history": selectors.claim_history(claim),
            "adjustments": list(claim.adjustments.select_related("window")),
            "can_validate": can_run
            and stage == ClaimWindow.Stage.OPEN
            and claim.status == S.PROPOSED,
            **forms,
        },
    )


@login_required
def claim(request, claim_id):
    return _claim_page(request, access.claim_for_user(request.user, claim_id, write=False))


def _claim_form(
    request, claim: Claim, name: str, form: Form, act: Callable[..., Any], success: str
) -> HttpResponse:
    """A form on the claim page: on success say so and show the claim again; otherwise
    show the page with the form's errors (a service's refusal among them)."""
    if form.is_valid():
        try:
            act(**form.cleaned_data)
        except ValidationError as error:
            web.form_errors_from(form, error)
        else:
            messages.success(request, success)
            return redirect(_claim_url(claim))
    return _claim_page(request, claim, {name: form})


@require_POST
@login_required
def claim_validate(request, claim_id):
    claim = access.claim_for_user(request.user, claim_id, write=True)
    return web.post_action(
        request,
        lambda: services.claim_validate(actor=request.user, claim=claim),
        success=f"{claim} validated.",
        done=_window_url(claim.window),
    )


@require_POST
@login_required
def claim_reject(request, claim_id):
    claim = access.claim_for_user(request.user, claim_id, write=True)
    return _claim_form(
        request,
        claim,
        "reject_form",
        RejectForm(request.POST),
        lambda reason: services.claim_reject(actor=request.user, claim=claim, reason=reason),
        f"{claim} rejected.",
    )


@require_POST
@login_required
def claim_audit(request, claim_id):
    claim = access.claim_for_user(request.user, claim_id, write=False)
    if not access.can_audit_claims(request.user, claim.local_authority_id):
        raise PermissionDenied
    return _claim_form(
        request,
        claim,
        "audit_form",
        AuditForm(request.POST),
        lambda decision, note: services.claim_audit_decide(
            actor=request.user, claim=claim, passed=decision == "pass", note=note
        ),
        f"Audit decision on {claim} recorded.",
    )


@require_POST
@login_required
def claim_payment(request, claim_id):
    claim = access.claim_for_user(request.user, claim_id, write=True)
    return _claim_form(
        request,
        claim,
        "payment_form",
        PaymentForm(request.POST),
        lambda paid_on: services.claim_payment_record(
            actor=request.user, claim=claim, paid_on=paid_on
        ),
        f"Payment of {claim} recorded.",
    )


@require_POST
@login_required
def claim_spot_check(request, claim_id):
    claim = access.claim_for_user(request.user, claim_id, write=True)
    return _claim_form(
        request,
        claim,
        "spot_check_form",
        SpotCheckForm(request.POST),
        lambda reason: services.claim_spot_check_reject(
            actor=request.user, claim=claim, reason=reason
        ),
        f"{claim} recorded as rejected at the national spot check.",
    )


@require_POST
@login_required
def claim_adjust(request, claim_id):
    claim = access.claim_for_user(request.user, claim_id, write=True)

    def adjust(amount: int, reason: str, window: int, idempotency_key: str | None) -> None:
        # The window's id came in the request body: it goes through the access helper too.
        target = access.claim_window_for_user(request.user, window, write=True)
        services.claim_adjust(
            actor=request.user,
            claim=claim,
            window=target,
            amount=amount,
            reason=reason,
            idempotency_key=idempotency_key,
        )

    return _claim_form(
        request,
        claim,
        "adjust_form",
        AdjustForm(request.POST, windows=selectors.open_windows_for_adjustment(claim)),
        adjust,
        f"Adjustment of {claim} recorded.",
    )


# --- the pipeline ---------------------------------------------------------------------


@login_required
def pipeline(request):
    """Counts against the target; the programme team sets the target here."""
    authority_id = _authority_id(request)
    can_set = access.can_run_claims(request.user, authority_id)
    if request.method == "POST" and not can_set:
        raise PermissionDenied
    numbers = selectors.pipeline(authority_id)
    if request.method == "GET":
        audit_listed(request, what="claims pipeline", family_ids=())
    context = {"pipeline": numbers}
    if not can_set:
        return render(request, "claims/pipeline.html", {**context, "form": None})
    authority = LocalAuthority.objects.get(pk=authority_id)
    form = TargetForm(request.POST or None, initial={"target": numbers.target})
    return web.form_page(
        request,
        form,
        lambda target: services.results_target_set(
            actor=request.user, authority=authority, target=target
        ),
        success="Results target saved.",
        done=reverse("claims:pipeline"),
        template="claims/pipeline.html",
        context=context,
    )
