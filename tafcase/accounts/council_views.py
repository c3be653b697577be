"""The "Set up your council" pages, for an authority's administrators."""

from functools import partial

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from tafcase import web
from tafcase.accounts import access, council
from tafcase.accounts.forms import (
    AgencyForm,
    AuthorityForm,
    CouncilUserForm,
    LocalityForm,
    ResetPasswordForm,
    UsersUploadForm,
)
from tafcase.accounts.models import Agency, Role
from tafcase.accounts.selectors import users_of_authority
from tafcase.audit.services import audit_viewed, client_ip

USERS_PAGE_SIZE = 50
FORM_PAGE = "accounts/council_form.html"


def _form_page(request, form, *, heading: str, button: str, status: int = 200, **extra):
    context = {"form": form, "heading": heading, "button": button, **extra}
    return render(request, FORM_PAGE, context, status=400 if form.errors else status)


@login_required
def overview(request):
    authority = access.council_for_user(request.user, write=False)
    return render(
        request,
        "accounts/council.html",
        {
            "authority": authority,
            "localities": authority.localities.all(),
            "agencies": Agency.objects.filter(local_authority=authority),
            "user_count": users_of_authority(authority).count(),
        },
    )


def _save_page(request, form, save, *, saved: str, heading: str, button: str, **extra):
    """A council form page: a valid POST is saved by `save` (a council service, given
    the actor, their address and the form's data), whose refusal shows on the form; once
    saved, back to the council page with `saved` (formatted with the form's data)."""
    if request.method == "POST" and form.is_valid():
        try:
            save(actor=request.user, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as error:
            web.form_errors_from(form, error)
        else:
            messages.success(request, saved.format(**form.cleaned_data))
            return redirect("council")
    return _form_page(request, form, heading=heading, button=button, **extra)


@login_required
def authority_edit(request):
    authority = access.council_for_user(request.user, write=True)
    initial = {"name": authority.name, "two_factor_for_everyone": authority.two_factor_for_everyone}
    return _save_page(
        request,
        AuthorityForm(request.POST or None, initial=initial),
        partial(council.authority_update, authority=authority),
        saved="The council's details are saved.",
        heading="Council details",
        button="Save",
        intro=f"ONS code {authority.code}.",
    )


@login_required
def locality_add(request):
    authority = access.council_for_user(request.user, write=True)
    return _save_page(
        request,
        LocalityForm(request.POST or None),
        partial(council.locality_add, authority=authority),
        saved="Locality {name} added.",
        heading="Add a locality",
        button="Add locality",
    )


@login_required
def locality_edit(request, locality_id: int):
    locality = access.locality_for_user(request.user, int(locality_id), write=True)
    return _save_page(
        request,
        LocalityForm(request.POST or None, initial={"name": locality.name}),
        partial(council.locality_rename, locality=locality),
        saved="Locality saved.",
        heading=f"Change {locality.name}",
        button="Save",
    )


@login_required
def agency_add(request):
    authority = access.council_for_user(request.user, write=True)
    return _save_page(
        request,
        AgencyForm(request.POST or None),
        partial(council.agency_add, authority=authority),
        saved="Agency {name} added.",
        heading="Add an agency",
        button="Add agency",
    )


@login_required
def agency_edit(request, agency_id: int):
    agency = access.agency_for_user(request.user, int(agency_id), write=True)
    return _save_page(
        request,
        AgencyForm(request.POST or None, initial={"name": agency.name, "kind": agency.kind}),
        partial(council.agency_update, agency=agency),
        saved="Agency saved.",
        heading=f"Change {agency.name}",
        button="Save",
    )


@login_required
def users(request):
    authority = access.council_for_user(request.user, write=False)
    page = Paginator(users_of_authority(authority), USERS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit_viewed(request, authority, summary=f"Users of the council, page {page.number}")
    labels = dict(Role.choices)
    rows = [
        {
            "user": user,
            "roles": ", ".join(labels.get(role, role) for role in user.roles),
            "invited": council.invitation_pending(user),
        }
        for user in page
    ]
    return render(
        request, "accounts/council_users.html", {"authority": authority, "page": page, "rows": rows}
    )


def _users_saved_message(saved: council.UsersSaved) -> str:
    parts = [
        f"{len(saved.invited)} invited",
        f"{len(saved.updated)} updated",
        f"{len(saved.unchanged)} unchanged",
    ]
    return "Users saved: " + ", ".join(parts) + "."


@login_required
def user_add(request):
    authority = access.council_for_user(request.user, write=True)
    agencies = Agency.objects.filter(local_authority=authority)
    form = CouncilUserForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agency = next(a for a in agencies if a.pk == data["agency"])
        row = council.UserRow(
            row=None,
            email=data["email"],
            full_name=data["full_name"],
            roles=";".join(data["roles"]),
            agency=agency.name,
        )
        try:
            saved = council.users_import(
                actor=request.user, authority=authority, rows=[row], ip=client_ip(request)
            )
        except ValidationError as error:
            web.form_errors_from(form, error)
        else:
            messages.success(request, _users_saved_message(saved))
            return redirect("council-users")
    return _form_page(
        request,
        form,
        heading="Add a user",
        button="Add user",
        intro="They get an email with a link to choose their password. "
        f"The link works for {council.INVITATION_DAYS} days.",
        back=reverse("council-users"),
    )


@login_required
def users_upload(request):
    authority = access.council_for_user(request.user, write=True)
    form = UsersUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            rows = council.users_from_csv(form.cleaned_data["file"])
            saved = council.users_import(
                actor=request.user, authority=authority, rows=rows, ip=client_ip(request)
            )
        except ValidationError as error:
            form.add_error("file", "Nothing was saved. Correct the file and upload it again")
            form.add_error(None, error)
        else:
            messages.success(request, _users_saved_message(saved))
            return redirect("council-users")
    return _form_page(
        request,
        form,
        heading="Upload users",
        button="Upload file",
        intro="Each new user gets an email with a link to choose their password. People "
        "already on the list are updated. If any row is wrong, nothing is saved.",
        upload=True,
        back=reverse("council-users"),
    )


@login_required
@require_POST
def invitation_resend(request, user_id: int):
    account = access.account_for_user(request.user, int(user_id), write=True)
    try:
        council.invitation_send(actor=request.user, user=account, ip=client_ip(request))
    except ValidationError:
        messages.error(request, f"{account.full_name} has already chosen a password.")
    else:
        messages.success(request, f"A new invitation is on its way to {account.email}.")
    return redirect("council-users")


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The invitation link: choose a password, once, within INVITATION_DAYS."""

    token_generator = council.invitation_tokens
    reset_url_token = "choose-password"  # noqa: S105 - a URL segment, not a secret
    form_class = ResetPasswordForm
    template_name = "registration/simple_form.html"
    success_url = reverse_lazy("password_reset_complete")
    extra_context = {"heading": "Choose your password", "button": "Save password"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context.get("validlink"):
            context["heading"] = "This invitation link has expired or been used"
            context["intro"] = "Ask your administrator to send a new invitation."
        return context
