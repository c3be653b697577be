"""Feedback and case-quality pages: thin views over reporting.feedback's selectors and
services, authorised through reporting.feedback.access and families.access.

The family questionnaire is answered on a tablet in the family's home, so the hand-over
must not let the family reach the case. What happens, and why:

1. The worker (anyone who may change the family) opens "Family feedback" from the family
   page, says what the feedback is about and presses "Hand over the device".
2. That makes a one-time link (services.family_feedback_handover_start: a random secret
   in the URL, only its digest stored, expiring after two hours) and SIGNS THE WORKER OUT
   on this device before showing it. Hiding the case on the page is not enough while the
   browser holds a signed-in session: the address bar, the back button or a bookmark
   would lead straight back to it. Signed out, every other page asks for a password, and
   the back button re-fetches (every page is sent with Cache-Control: no-store) and gets
   the sign-in page.
3. The questionnaire page (and its thank-you page) use their own layout: the programme's
   name and the questions, no navigation, no account bar, no family name, nothing that
   links to the case.
4. After answering, the thank-you page asks the family to hand the device back. Its
   "Return to the case" link needs the worker to sign in again; it then opens the
   family page, if the person signing in may see that family (else 404).
5. The link works once: a second submission, a reload after it, or a link past its
   time shows "This link has already been used or has expired" and saves nothing.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from families.access import family_for_user, in_family
from outcomes.access import closure_for_user, review_for_user
from reporting import access as report_access
from reporting.feedback import access, rules, selectors, services
from reporting.feedback.forms import (
    FamilyFeedbackForm,
    HandoverStartForm,
    KeyPlayerFeedbackForm,
    QualityReviewForm,
    QualitySampleForm,
)
from reporting.feedback.models import FeedbackHandover, Occasion
from reporting.rules import Period, Unit, periods_ending, shown
from tafcase import web
from tafcase.accounts.models import LocalAuthority
from tafcase.audit.services import audit_listed, audit_viewed, client_ip

SUMMARY_QUARTERS = 4


# --- the summary for report readers ------------------------------------------------------


@login_required
@require_GET
def summary(request):
    """The last four quarters' feedback and quality figures, for report readers; small
    counts are shown as "<5" outside the programme team (reporting.md §4)."""
    authority_id = report_access.report_authority_id(request.user)
    quarters = periods_ending(Period.containing(timezone.localdate()), SUMMARY_QUARTERS)
    dates = [(q.start, q.end) for q in quarters]
    suppress = not report_access.sees_names(request.user, authority_id)
    family = selectors.family_feedback_figures(authority_id, dates)
    players = selectors.key_player_feedback_figures(authority_id, dates)
    quality = selectors.quality_review_figures(authority_id, dates)

    def row(label, figures, measure, unit):
        cells = []
        for index in range(len(quarters)):
            value = figures[measure][index]
            cells.append(
                shown(value.figure(unit), unit, suppress=suppress, count=value.denominator)
            )
        return {"label": label, "cells": cells}

    P, C, s = Unit.PERCENT, Unit.COUNT, selectors
    rows = [
        row("Families who gave feedback", family, s.RESPONSES, C),
        row("Satisfied with the help they got", family, s.SATISFIED, P),
        row("Things changed a lot or quite a lot", family, s.CHANGED_A_LOT, P),
        row("Found their key worker helpful", family, s.KEY_WORKER_HELPFUL, P),
        row("Key workers and panel members who gave feedback", players, s.RESPONSES, C),
        row("Agree the process helps them support families", players, s.POSITIVE_MEASURE, P),
        row("Closed cases reviewed for quality", quality, s.REVIEWED, C),
        row("Engagement with the family good or better", quality, s.ENGAGEMENT_GOOD, P),
        row("Multi-agency support good or better", quality, s.MULTI_AGENCY_GOOD, P),
        row("Creativity good or better", quality, s.CREATIVITY_GOOD, P),
    ]
    return render(
        request,
        "reporting/feedback/summary.html",
        {
            "quarters": quarters,
            "rows": rows,
            "sees_samples": access.sees_quality_samples(request.user, authority_id),
        },
    )


# --- family feedback -----------------------------------------------------------------


def _occasion(request, family, value: str):
    """(occasion, review, closure) from a start form's choice; the ids in it go through
    the same access helpers as any other (404 for one that is not this family's)."""
    kind, _, record = value.partition("-")
    if not record:
        return kind, None, None
    if kind == Occasion.REVIEW:
        review = in_family(review_for_user(request.user, record, write=False), family.pk)
        return kind, review, None
    closure = in_family(closure_for_user(request.user, record, write=False), family.pk)
    return kind, None, closure


@login_required
def family_feedback_start(request, family_id):
    family = family_for_user(request.user, family_id, write=True)
    occasions = selectors.feedback_occasions(family)
    wanted = request.GET.get("for", "")
    form = HandoverStartForm(
        request.POST or None,
        occasions=occasions,
        initial={"occasion": wanted if wanted in dict(occasions) else None},
    )
    if request.method == "POST" and form.is_valid():
        occasion, review, closure = _occasion(request, family, form.cleaned_data["occasion"])
        try:
            _, token = services.family_feedback_handover_start(
                actor=request.user, family=family, occasion=occasion, review=review, closure=closure
            )
        except ValidationError as error:
            web.form_errors_from(form, error)
        else:
            # See the module docstring: the device goes to the family signed out.
            logout(request)
            return redirect("reporting:feedback:answer", token=token)
    audit_viewed(request, family, family_id=family.pk, summary="Family feedback page")
    return render(
        request,
        "reporting/feedback/start.html",
        {"family": family, "form": form, "given": selectors.family_feedback_given(family)},
    )


def _unavailable(request):
    return render(request, "reporting/feedback/unavailable.html", status=404)


@require_http_methods(["GET", "POST"])
def family_feedback_answer(request, token):
    """The hand-over page: no sign-in, the one-time link is the key (module docstring)."""
    try:
        services.handover_open(token)
    except services.HandoverUnavailable:
        return _unavailable(request)
    form = FamilyFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_feedback_submit(
                token=token,
                answers=form.answers(),
                answered_by=form.cleaned_data["answered_by"],
                biggest_difference=form.cleaned_data["biggest_difference"],
                ip=client_ip(request),
            )
        except services.HandoverUnavailable:
            return _unavailable(request)
        except ValidationError as error:
            web.form_errors_from(form, error)
        else:
            return redirect("reporting:feedback:thanks", token=token)
    return render(request, "reporting/feedback/answer.html", {"form": form})


def _answered(token: str) -> FeedbackHandover:
    handover = FeedbackHandover.objects.filter(
        token_digest=services.handover_digest(token), used_at__isnull=False
    ).first()
    if handover is None:
        raise Http404("No such questionnaire.")
    return handover


@require_GET
def family_feedback_thanks(request, token):
    try:
        _answered(token)
    except Http404:
        return _unavailable(request)
    return render(request, "reporting/feedback/thanks.html", {"token": token})


@login_required
@require_GET
def family_feedback_return(request, token):
    """Back to the case after a hand-over: the worker has signed in again; the family page
    opens only for someone who may see the family."""
    handover = _answered(token)
    family = family_for_user(request.user, handover.family_id, write=False)
    return redirect("families:detail", family.pk)


# --- key-player feedback ---------------------------------------------------------------


@login_required
def key_player_feedback(request):
    authorities = access.key_player_authorities_for_user(request.user)
    form = KeyPlayerFeedbackForm(
        request.POST or None,
        authorities=authorities,
        periods=rules.key_player_periods(timezone.localdate()),
        roles=access.answers_as(request.user),
    )

    def save(**_):
        services.key_player_feedback_submit(
            actor=request.user,
            authority=form.chosen_authority(),
            period=form.chosen_period(),
            answered_as=form.chosen_role(),
            answers=form.answers(),
            improvement=form.cleaned_data["improvement"],
        )

    return web.form_page(
        request,
        form,
        save,
        success="Thank you: your feedback has been saved.",
        done=reverse("home"),
        template="reporting/feedback/key_players.html",
        context={"given": selectors.key_player_feedback_given(request.user)},
    )


# --- the case-quality sample -----------------------------------------------------------


@login_required
@require_GET
def quality_samples(request):
    authority_id = access.quality_authority_id(request.user)
    return render(
        request,
        "reporting/feedback/samples.html",
        {
            "samples": selectors.quality_samples(authority_id),
            "can_draw": access.can_draw_quality_sample(request.user, authority_id),
        },
    )


@login_required
def quality_sample_draw(request):
    authority_id = access.quality_authority_id(request.user)
    if not access.can_draw_quality_sample(request.user, authority_id):
        raise PermissionDenied
    form = QualitySampleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sample = services.quality_sample_draw(
                actor=request.user,
                authority=LocalAuthority.objects.get(pk=authority_id),
                **form.cleaned_data,
            )
        except ValidationError as error:
            web.form_errors_from(form, error)
        else:
            drawn = sample.cases.count()
            messages.success(
                request,
                f"Quality sample drawn: {drawn} of {sample.closed_cases} closed "
                f"case{'s' if sample.closed_cases != 1 else ''}.",
            )
            return redirect("reporting:feedback:sample", sample.pk)
    return render(request, "reporting/feedback/draw.html", {"form": form})


@login_required
@require_GET
def quality_sample(request, sample_id):
    sample = access.quality_sample_for_user(request.user, sample_id, write=False)
    cases = selectors.quality_sample_cases(sample)
    audit_listed(request, what="quality sample", family_ids=[c.family_id for c in cases])
    return render(request, "reporting/feedback/sample.html", {"sample": sample, "cases": cases})


@login_required
def quality_case(request, case_id):
    case = access.quality_case_for_user(request.user, case_id, write=request.method == "POST")
    done = reverse("reporting:feedback:sample", args=[case.sample_id])
    context = {"case": case, "sample": case.sample, "family": case.family}
    if case.reviewed:
        if request.method == "POST":
            messages.error(request, "This case has already been reviewed.")
            return redirect(request.path)
        audit_viewed(request, case, family_id=case.family_id)
        return render(request, "reporting/feedback/case.html", context)
    form = QualityReviewForm(request.POST or None)
    if request.method == "GET":
        audit_viewed(request, case, family_id=case.family_id)
    return web.form_page(
        request,
        form,
        lambda **data: services.quality_case_review(actor=request.user, case=case, **data),
        success="Review saved.",
        done=done,
        template="reporting/feedback/case.html",
        context=context,
    )
