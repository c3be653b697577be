from django import forms
from django.contrib.auth import forms as auth_forms

from tafcase.accounts import services
from tafcase.accounts.models import Agency, Role, User
from tafcase.audit.services import client_ip
from tafcase.forms import GovukFormMixin


class LoginForm(GovukFormMixin, auth_forms.AuthenticationForm):
    """Email and password, with lockout after repeated failures."""

    username = forms.EmailField(
        label="Email address",
        # No autofocus: it would move keyboard and screen reader users past the skip
        # link and the page heading (GOV.UK Design System: avoid autofocus).
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    error_messages = {
        "invalid_login": "Enter a correct email address and password.",
        "inactive": "This account has been deactivated.",
        # The same words for every email typed, an account's or not.
        "throttled": "There have been too many attempts to sign in from here. Wait "
        "%(minutes)s before you try again, or reset your password.",
        "locked": "This account is locked. Ask an administrator to unlock it.",
    }

    def clean(self):
        email = (self.cleaned_data.get("username") or "").lower()
        self.cleaned_data["username"] = email
        ip = client_ip(self.request) if self.request else None
        if email:
            wait = services.sign_in_wait_minutes(email=email, ip=ip)
            if wait:
                raise forms.ValidationError(
                    self.error_messages["throttled"],
                    code="throttled",
                    params={"minutes": _minutes(wait)},
                )
        try:
            super().clean()
        except forms.ValidationError:
            if email:
                user = User.objects.filter(email=email).first()
                services.sign_in_failed(email=email, ip=ip, user=user)
            raise
        # With a field missing (or invalid) there is no user to sign in: the field
        # errors say what to fix.
        if self.user_cache is not None:
            services.sign_in_succeeded(user=self.user_cache, ip=ip)
        return self.cleaned_data

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.is_locked():
            raise forms.ValidationError(self.error_messages["locked"], code="locked")


def _minutes(count: int) -> str:
    return "1 minute" if count == 1 else f"{count} minutes"


class PasswordResetForm(GovukFormMixin, auth_forms.PasswordResetForm):
    """Sends at most PASSWORD_RESET_LIMIT links an hour for an email address, and
    PASSWORD_RESET_ADDRESS_LIMIT from one address; says the same for any email."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_email(self):
        email = self.cleaned_data["email"]
        ip = client_ip(self.request) if self.request else None
        wait = services.password_reset_requested(email=email, ip=ip)
        if wait:
            raise forms.ValidationError(
                "You have asked for too many reset links. Wait %(minutes)s and try again.",
                code="throttled",
                params={"minutes": _minutes(wait)},
            )
        return email


class ResetPasswordForm(GovukFormMixin, auth_forms.SetPasswordForm):
    def save(self, commit=True):
        user = super().save(commit=commit)
        services.sign_in_throttles_clear(user=user)
        return user


class CodeForm(GovukFormMixin, forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
        error_messages={"required": "Enter the code"},
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, recovery: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = (
            "The 6-digit code shown in your authenticator app, or one of your recovery codes."
            if recovery
            else "The 6-digit code your authenticator app shows for this service."
        )
        if recovery:
            self.fields["code"].widget.attrs.pop("inputmode")


class ApiTokenForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=80,
        help_text="What the token is for, so you can tell your tokens apart.",
        error_messages={"required": "Enter a name for the token"},
    )
    days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(7, "7 days"), (30, "30 days"), (90, "90 days"), (365, "1 year")],
        initial=90,
        error_messages={"required": "Choose when the token expires"},
    )


class AuthorityChoiceForm(forms.Form):
    authority = forms.TypedChoiceField(
        label="Which authority are you working in?",
        help_text="You can change this at any time from the top of the page.",
        widget=forms.RadioSelect,
        coerce=int,
        error_messages={"required": "Choose the authority you are working in."},
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].choices = [(a.pk, a.name) for a in authorities]


# --- Set up your council ---


class AuthorityForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Name", max_length=120, error_messages={"required": "Enter the council's name"}
    )
    two_factor_for_everyone = forms.BooleanField(
        label="Ask every user for a second factor",
        required=False,
        help_text="Administrators and the programme team always give one.",
    )


class LocalityForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the locality",
        max_length=120,
        help_text="A ward, area or team patch, as it appears on reports.",
        error_messages={"required": "Enter the name of the locality"},
    )


class AgencyForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the agency",
        max_length=160,
        error_messages={"required": "Enter the name of the agency"},
    )
    kind = forms.ChoiceField(
        label="Kind of agency",
        choices=[("", "Choose a kind"), *Agency.Kind.choices],
        error_messages={
            "required": "Choose the kind of agency",
            "invalid_choice": "Choose the kind of agency",
        },
    )


class CouncilUserForm(GovukFormMixin, forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter the full name"}
    )
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one role",
            "invalid_choice": "Choose roles from the list",
        },
    )
    agency = forms.TypedChoiceField(
        label="Agency",
        coerce=int,
        error_messages={
            "required": "Choose the agency the person works for",
            "invalid_choice": "Choose the agency the person works for",
        },
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "Choose an agency")] + [
            (agency.pk, agency.name) for agency in agencies
        ]


# Big enough for several thousand users; anything larger is not a users file.
USERS_FILE_MAX_BYTES = 2 * 1024 * 1024


class UsersUploadForm(GovukFormMixin, forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        help_text="Columns: email, full name, roles, agency (and optionally authority). "
        "Separate several roles with a semicolon.",
        error_messages={"required": "Choose a CSV file", "empty": "The file is empty"},
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > USERS_FILE_MAX_BYTES:
            raise forms.ValidationError("The file must be smaller than 2 MB")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The file must be a CSV saved as UTF-8 (in Excel: CSV UTF-8)"
            ) from None
