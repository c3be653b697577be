"""Family pages. Views parse, authorise, call one service or selector, and render."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from families import access, exports, selectors, services
from families.forms import (
    CaseloadFilterForm,
    ConsentForm,
    DateForm,
    FamilyForm,
    InvolvementForm,
    MemberEditForm,
    MembershipForm,
    NoteForm,
    PersonForm,
    SearchForm,
    TransitionForm,
)
from families.models import Family, Membership
from tafcase import csv_safe, web
from tafcase.accounts.authority import working_authority
from tafcase.accounts.models import Role
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_listed, audit_viewed
from tafcase.errors import StaleEdit

PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def audit_form_shown(request, record, *, family_id: int, heading: str, person_ids=()) -> None:
    """Opening a form about a family shows its details: audit the GET like a page view
    (a POST writes its own audit row through the service)."""
    if request.method == "GET":
        audit_viewed(
            request, record, family_id=family_id, person_ids=person_ids, summary=f"Form: {heading}"
        )


def family_form_page(
    request, family, form, save, *, heading, button, success, intro="", done="families:detail"
):
    """A form page about one family (tafcase.web.form_page); `done` is a URL name that
    takes the family's id. Opening it is audited as a view of the family."""
    audit_form_shown(request, family, family_id=family.pk, heading=heading)
    return web.form_page(
        request,
        form,
        save,
        success=success,
        done=reverse(done, args=[family.pk]),
        context={"family": family, "heading": heading, "button": button, "intro": intro},
    )


def _caseload(request):
    """The filter form and the families it selects, for the page and its CSV alike. A bad
    filter is a form error and is left out, so the list still shows something sensible."""
    # Key workers start from the families they work with; everyone else from all they see.
    default = "mine" if request.user.has_role(Role.KEY_WORKER) else "all"
    authority = working_authority(request.user)
    if authority is None and request.user.agency is not None:
        authority = request.user.agency.local_authority
    form = CaseloadFilterForm(request.GET or None, authority=authority)
    given: dict = {}
    if form.is_bound:
        form.is_valid()  # the valid filters land in cleaned_data, the rest in errors
        given = form.cleaned_data
    mine = (given.get("show") or default) == "mine"
    families = selectors.caseload(
        request.user,
        mine_only=mine,
        status=given.get("status") or "",
        worker=given.get("worker"),
        locality=given.get("locality"),
    )
    return form, mine, families


@login_required
def caseload(request):
    form, mine, families = _caseload(request)
    page = _page(request, families)
    audit_listed(request, what="caseload", family_ids=[f.pk for f in page])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "families/caseload.html",
        {
            "form": form,
            "page": page,
            "mine": mine,
            "csv_query": query.urlencode(),
            "can_create": request.user.has_role(Role.KEY_WORKER, Role.COORDINATOR),
        },
    )


@login_required
def caseload_csv(request):
    _, mine, families = _caseload(request)
    families = list(families)
    audit_listed(
        request,
        what="caseload CSV",
        family_ids=[f.pk for f in families],
        action=AuditEvent.Action.EXPORTED,
    )
    header = [
        "Reference",
        "Family",
        "Status",
        "Tier of need",
        "Lead professional",
        "Ward or locality",
        "Next review",
        "Last contact",
    ]
    rows = (
        [
            f.reference,
            f.name,
            f.get_status_display(),
            f.get_tier_display(),
            str(f.lead_professional or ""),
            str(f.locality or ""),
            f.next_review_due.isoformat() if f.next_review_due else "",
            f.last_contact.isoformat() if f.last_contact else "",
        ]
        for f in families
    )
    name = "my-families" if mine else "families"
    return web.csv_response(csv_safe.text([header, *rows]), f"{name}-{timezone.localdate()}.csv")


@login_required
def search(request):
    form = SearchForm(request.GET or None)
    page = None
    if form.is_valid() and form.cleaned_data["q"]:
        terms = form.cleaned_data["q"]
        page = _page(request, selectors.family_search(request.user, terms))
        audit_listed(request, what="family search", family_ids=[f.pk for f in page], terms=terms)
    return render(request, "families/search.html", {"form": form, "page": page})


@login_required
def family_create(request):
    authority = access.authority_for_new_family(request.user)
    form = FamilyForm(request.POST or None, local_authority=authority)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        family = services.family_open(actor=request.user, local_authority=authority, **data)
        messages.success(request, f"Family {family.reference} created. Add its members next.")
        return redirect("families:detail", family.pk)
    return render(
        request,
        "families/form.html",
        {"form": form, "heading": "Create a family", "button": "Create family"},
    )


@login_required
def family_detail(request, family_id):
    family = access.family_for_user(request.user, family_id, write=False)
    audit_viewed(request, family, family_id=family.pk)
    return render(
        request,
        "families/detail.html",
        {
            "family": family,
            **selectors.family_detail(request.user, family),
            "can_change": access.can_change_family(request.user, family),
            "can_change_status": access.can_change_status(request.user, family),
            "can_add_notes": access.can_add_notes(request.user, family),
            "show_identifiers": access.can_see_identifiers(request.user),
        },
    )


def _family_edit_form(family: Family, data=None) -> FamilyForm:
    initial = {name: getattr(family, name) for name in services.FAMILY_EDITABLE}
    form = FamilyForm(
        data, local_authority=family.local_authority, initial={**initial, "version": family.version}
    )
    del form.fields["tier"]  # tier changes go through panel decisions and re-banding
    return form


@login_required
def family_edit(request, family_id):
    family = access.family_for_user(request.user, family_id, write=True)

    def save(version, **fields):
        services.family_update(
            actor=request.user, family=family, expected_version=version or 0, **fields
        )

    return family_form_page(
        request,
        family,
        _family_edit_form(family, request.POST or None),
        save,
        heading="Change family details",
        button="Save changes",
        success="Family details saved.",
    )


@login_required
def family_transition(request, family_id):
    family = access.family_for_user(request.user, family_id, write=True)
    if not access.can_change_status(request.user, family):
        raise PermissionDenied
    allowed = sorted(services.MANUAL_TRANSITIONS[family.status])
    form = TransitionForm(request.POST or None, initial={"to_status": next(iter(allowed), None)})
    form.fields["to_status"].choices = [(s, Family.Status(s).label) for s in allowed]
    return family_form_page(
        request,
        family,
        form,
        partial(services.family_transition_by_hand, actor=request.user, family=family),
        heading="Change status",
        button="Change status",
        success="Status changed.",
    )


@login_required
def member_add(request, family_id):
    family = access.family_for_user(request.user, family_id, write=True)
    audit_form_shown(request, family, family_id=family.pk, heading="Add a family member")
    show_ids = access.can_see_identifiers(request.user)
    person_form = PersonForm(request.POST or None, show_identifiers=show_ids)
    membership_form = MembershipForm(request.POST or None)
    if request.method == "POST" and person_form.is_valid() and membership_form.is_valid():
        person_data = {k: v for k, v in person_form.cleaned_data.items() if k != "version"}
        services.member_add(
            actor=request.user, family=family, **membership_form.cleaned_data, **person_data
        )
        messages.success(request, f"{person_data['forename']} added to the family.")
        return redirect("families:detail", family.pk)
    return render(
        request,
        "families/member_form.html",
        {
            "family": family,
            "forms": [person_form, membership_form],
            "heading": "Add a family member",
            "button": "Add member",
        },
    )


@login_required
def member_edit(request, family_id, membership_id):
    membership = access.in_family(
        access.membership_for_user(request.user, membership_id, write=True), family_id
    )
    family = membership.family
    person = membership.person
    audit_form_shown(
        request,
        person,
        family_id=family.pk,
        person_ids=[person.pk],
        heading="Change a member's details",
    )
    show_ids = access.can_see_identifiers(request.user)
    person_form = PersonForm(
        request.POST or None,
        show_identifiers=show_ids,
        initial={
            **{n: getattr(person, n) for n in services.PERSON_FIELDS},
            "version": person.version,
        },
    )
    membership_form = MemberEditForm(
        request.POST or None,
        initial={n: getattr(membership, n) for n in services.MEMBERSHIP_EDITABLE},
    )
    status = 200
    if request.method == "POST" and person_form.is_valid() and membership_form.is_valid():
        person_data = {k: v for k, v in person_form.cleaned_data.items() if k != "version"}
        try:
            with transaction.atomic():
                services.person_update(
                    actor=request.user,
                    person=person,
                    family_id=family.pk,
                    expected_version=person_form.cleaned_data["version"] or 0,
                    **person_data,
                )
                services.membership_update(
                    actor=request.user, membership=membership, **membership_form.cleaned_data
                )
        except StaleEdit as stale:
            web.keep_typed_after_stale_edit([person_form, membership_form], stale)
            status = 409
        except ValidationError as error:
            web.form_errors_from(membership_form, error)
        else:
            messages.success(request, f"{person.forename}'s details saved.")
            return redirect("families:detail", family.pk)
    return render(
        request,
        "families/member_form.html",
        {
            "family": family,
            "forms": [person_form, membership_form],
            "heading": f"Change {person}'s details",
            "button": "Save changes",
        },
        status=status,
    )


@login_required
def consent_add(request, family_id):
    family = access.family_for_user(request.user, family_id, write=True)
    return family_form_page(
        request,
        family,
        ConsentForm(request.POST or None, family=family),
        partial(services.consent_record, actor=request.user, family=family),
        heading="Record consent",
        button="Record consent",
        success="Consent recorded.",
    )


@login_required
def consent_withdraw(request, family_id, consent_id):
    consent = access.in_family(
        access.consent_for_user(request.user, consent_id, write=True), family_id
    )
    family = consent.family
    form = DateForm(request.POST or None)
    form.fields["on"].label = "Date consent was withdrawn"

    def save(on):
        services.consent_withdraw(actor=request.user, consent=consent, withdrawn_on=on)

    return family_form_page(
        request,
        family,
        form,
        save,
        heading="Withdraw consent",
        button="Withdraw consent",
        success="Consent withdrawn. Agencies it covered no longer see this family.",
        intro=f"{consent.get_scope_display()}, given by {consent.given_by} on "
        f"{consent.given_on:%d %B %Y}.",
    )


@login_required
def involvement_add(request, family_id):
    family = access.family_for_user(request.user, family_id, write=True)
    return family_form_page(
        request,
        family,
        InvolvementForm(request.POST or None),
        partial(services.involvement_add, actor=request.user, family=family),
        heading="Add an agency to the Team Around the Family",
        button="Add agency",
        success="Agency added to the Team Around the Family.",
        intro="The agency sees this family only while consent to share with it is in force.",
    )


@login_required
def involvement_end(request, family_id, involvement_id):
    involvement = access.in_family(
        access.involvement_for_user(request.user, involvement_id, write=True), family_id
    )
    family = involvement.family
    form = DateForm(request.POST or None)
    form.fields["on"].label = "Date the agency left"

    def save(on):
        services.involvement_end(actor=request.user, involvement=involvement, ended_on=on)

    return family_form_page(
        request,
        family,
        form,
        save,
        heading=f"End {involvement.agency}'s involvement",
        button="End involvement",
        success=f"{involvement.agency} has left the Team Around the Family.",
    )


@login_required
@require_POST
def involvement_pause(request, family_id, involvement_id):
    involvement = access.in_family(
        access.involvement_for_user(request.user, involvement_id, write=True), family_id
    )
    family = involvement.family
    if involvement.ended_on is not None:
        raise Http404("That agency has left the Team Around the Family.")
    services.involvement_set_paused(
        actor=request.user, involvement=involvement, paused=not involvement.paused
    )
    messages.success(
        request, "Involvement paused." if involvement.paused else "Involvement resumed."
    )
    return redirect("families:detail", family.pk)


@login_required
def note_add(request, family_id):
    family = access.family_for_user(request.user, family_id, write=False)
    if not access.can_add_notes(request.user, family):
        raise PermissionDenied
    return family_form_page(
        request,
        family,
        NoteForm(request.POST or None, family=family),
        partial(services.note_add, actor=request.user, family=family),
        heading="Add a case note",
        button="Save note",
        success="Note added.",
    )


@login_required
def person_detail(request, person_id):
    person = access.person_for_user(request.user, person_id, write=False)
    audit_viewed(request, person, person_ids=[person.pk])
    memberships = Membership.objects.filter(
        person=person, family__in=access.families_visible_to(request.user)
    ).select_related("family")
    return render(
        request,
        "families/person.html",
        {
            "person": person,
            "memberships": memberships,
            "show_identifiers": access.can_see_identifiers(request.user),
            "can_export": access.can_export_person(request.user, person),
        },
    )


def _sar_export(request, person_id):
    person = access.person_for_user(request.user, person_id, write=False)
    if not access.can_export_person(request.user, person):
        raise PermissionDenied
    return person, exports.person_subject_access_export(actor=request.user, person=person)


@login_required
def person_sar_json(request, person_id):
    person, export = _sar_export(request, person_id)
    response = JsonResponse(export, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="subject-access-{person.pk}.json"'
    return response


@login_required
def person_sar_pdf(request, person_id):
    person, export = _sar_export(request, person_id)
    pdf = exports.subject_access_pdf(export, settings.PROGRAMME_NAME)
    return web.pdf_response(pdf, f"subject-access-{person.pk}.pdf", inline=False)
