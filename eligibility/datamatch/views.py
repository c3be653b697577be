"""Partner data and data-match pages, for data analysts and coordinators."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from eligibility.datamatch import access, loading, selectors, services, validate
from eligibility.datamatch.forms import ReviewForm, RunForm, UploadForm
from eligibility.datamatch.models import (
    DatamatchRun,
    HouseholdResult,
    PartnerImport,
    ReviewItem,
)
from families.models import Person
from tafcase import csv_safe, web
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_listed, audit_record, audit_viewed, client_ip

# Rows whose errors a page lists (every error of each); the rest are counted.
ROWS_SHOWN = 200
# What a reviewer compares, side by side: the record as sent, and each candidate.
IDENTITY_ROWS = [
    ("First name", "forename"),
    ("Last name", "surname"),
    ("Date of birth", "dob"),
    ("Sex", "sex"),
    ("Postcode", "postcode"),
    ("UPN", "upn"),
    ("NI number", "nino"),
    ("NHS number", "nhs_number"),
    ("PNC id", "pnc_id"),
    ("Council person id", "la_person_id"),
]


@login_required
def imports(request):
    authority = access.authority_for(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, local_authority=authority)
    rejected = smaller = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = loading.partner_file_import(
                actor=request.user,
                local_authority=authority,
                kind=data["kind"],
                agency=data["agency"],
                as_of=data["as_of"],
                stream=data["file"],
                filename=data["file"].name,
                valid_rows_only=data["valid_rows_only"],
                confirm_smaller=data["confirm_smaller"],
            )
        except loading.ImportRejected as error:
            rejected = error
        except loading.ImportNeedsConfirmation as held:
            smaller = held
        else:
            imported = outcome.partner_import
            if outcome.duplicate:
                messages.info(
                    request, f"This file was already loaded ({imported}). Nothing changed."
                )
            else:
                rows = "1 row" if imported.loaded_rows == 1 else f"{imported.loaded_rows:,} rows"
                messages.success(request, f"Loaded {rows}: {imported}.")
            return redirect("datamatch:import", imported.pk)
    listed = PartnerImport.objects.filter(local_authority=authority).select_related("agency")
    return render(
        request,
        "datamatch/imports.html",
        {
            "form": form,
            "imports": listed[:100],
            "rejected": rejected,
            "rejected_errors": (
                validate.errors_of_first_rows(rejected.errors, ROWS_SHOWN) if rejected else ()
            ),
            "rows_shown": ROWS_SHOWN,
            "smaller": smaller,
            "smaller_file_percent": round(loading.SMALLER_FILE_RATIO * 100),
        },
        status=400 if rejected or smaller else 200,
    )


def _import_for(request, import_id) -> PartnerImport:
    return access.partner_import_for_user(request.user, import_id, write=False)


@login_required
def import_detail(request, import_id):
    imported = _import_for(request, import_id)
    audit_viewed(request, imported)
    return render(
        request,
        "datamatch/import_detail.html",
        {
            "imported": imported,
            "errors": validate.errors_of_first_rows(imported.errors, ROWS_SHOWN),
        },
    )


@login_required
def import_rejected_csv(request, import_id):
    imported = _import_for(request, import_id)
    if not imported.rejected_csv:
        raise Http404("No rejected rows.")
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORTED,
        obj=imported,
        ip=client_ip(request),
        summary=f"Rejected rows of {imported} as CSV",
    )
    # Rewritten on the way out as well, so files stored before cells were neutralised at
    # import are safe to open in a spreadsheet too (neutralising is idempotent).
    body = csv_safe.neutralise_csv_text(imported.rejected_csv)
    return web.csv_response(body, f"rejected-{imported.pk}.csv")


@login_required
def runs(request):
    authority = access.authority_for(request.user)
    form = RunForm(request.POST or None, initial={"as_of": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        run = services.run_start(
            actor=request.user, local_authority=authority, as_of=form.cleaned_data["as_of"]
        )
        messages.success(request, f"{run} queued.")
        return redirect("datamatch:run", run.pk)
    return render(
        request,
        "datamatch/runs.html",
        {
            "form": form,
            "runs": DatamatchRun.objects.filter(local_authority=authority)[:50],
            "review_open": selectors.review_queue(authority).count(),
        },
    )


def _run_for(request, run_id) -> DatamatchRun:
    return access.datamatch_run_for_user(request.user, run_id, write=False)


@login_required
def run_detail(request, run_id):
    run = _run_for(request, run_id)
    newly = (
        run.households.filter(newly_eligible=True).select_related("family")
        if run.status == DatamatchRun.Status.SUCCEEDED
        else HouseholdResult.objects.none()
    )
    shown = list(newly[:200])
    # The household results on the page, with the people and families they name.
    audit_viewed(
        request,
        run,
        family_ids=[h.family_id for h in shown],
        person_ids=[p for h in shown for p in h.person_ids],
    )
    return render(
        request,
        "datamatch/run_detail.html",
        {
            "run": run,
            "rates": selectors.link_rates(run) if run.finished else (),
            "sources": selectors.run_sources(run),
            "newly": shown,
            "newly_count": newly.count(),
            "split": selectors.eligible_split(run)
            if run.status == DatamatchRun.Status.SUCCEEDED
            else None,
            "review_open": run.reviews.filter(status=ReviewItem.Status.OPEN).count(),
        },
    )


@login_required
def run_progress(request, run_id):
    run = _run_for(request, run_id)
    return JsonResponse(
        {
            "status": run.status,
            "stage": run.stage,
            "percent": run.percent,
            "counts": run.counts,
            "error": run.error,
        }
    )


@require_POST
@login_required
def household_nominate(request, household_id):
    household = access.household_result_for_user(request.user, household_id, write=True)
    if not household.newly_eligible:
        raise Http404("That household is not newly eligible.")
    try:
        nomination = services.nomination_from_household(actor=request.user, household=household)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("datamatch:run", household.run_id)
    messages.success(request, f"Nomination {nomination.reference} created (data identification).")
    return redirect("eligibility:nomination", nomination.pk)


@login_required
def review_queue(request):
    authority = access.authority_for(request.user)
    items = selectors.review_queue(authority)
    shown = list(items[:200])
    audit_listed(
        request,
        what="data-match review queue",
        family_ids=(),
        person_ids=[p for item in shown for p in item.shown_person_ids],
    )
    return render(request, "datamatch/review_queue.html", {"items": shown, "count": items.count()})


@login_required
def review_item(request, item_id):
    item = access.review_item_for_user(request.user, item_id, write=request.method == "POST")
    authority = item.run.local_authority
    people = {
        p.pk: p
        for p in Person.objects.filter(
            pk__in=[c["person_id"] for c in item.candidates], local_authority=authority
        )
    }
    candidates = [
        ({**c, "in_words": selectors.match_in_words(c)}, people[c["person_id"]])
        for c in item.candidates
        if c["person_id"] in people
    ]
    form = ReviewForm(request.POST or None, people=[p for _, p in candidates])
    if request.method == "POST" and form.is_valid() and item.status == ReviewItem.Status.OPEN:
        choice = form.cleaned_data["choice"]
        person = None
        if choice == "other":
            person = Person.objects.filter(
                pk=form.cleaned_data["other_person"], local_authority=authority
            ).first()
            if person is None:
                form.add_error("other_person", "There is no person with that id.")
        elif choice != "none":
            person = people[int(choice)]
        if not form.errors:
            services.review_decide(actor=request.user, item=item, person=person)
            messages.success(request, "Decision saved; later runs will remember it.")
            nxt = selectors.review_queue(authority).first()
            return (
                redirect("datamatch:review-item", nxt.pk) if nxt else redirect("datamatch:review")
            )
    audit_viewed(request, item, person_ids=list(people))
    terms = request.GET.get("q", "")
    found = list(selectors.people_search(authority, terms))
    if terms:
        audit_listed(
            request,
            what="people search (data-match review)",
            family_ids=(),
            person_ids=[p.pk for p in found],
            terms=terms,
        )
    comparison = [
        (label, getattr(item.record, name), [getattr(p, name, None) for _, p in candidates])
        for label, name in IDENTITY_ROWS
    ]
    return render(
        request,
        "datamatch/review_item.html",
        {
            "item": item,
            "candidates": candidates,
            "comparison": comparison,
            "form": form,
            "q": terms,
            "found": found,
        },
    )
