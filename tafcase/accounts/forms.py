from django import forms
from django.contrib.auth import forms as auth_forms

from tafcase.accounts import services
from tafcase.accounts.models import User
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
        "locked": "This account is locked after too many failed attempts to sign in. "
        "Try again later, or reset your password.",
    }

    def clean(self):
        email = (self.cleaned_data.get("username") or "").lower()
        self.cleaned_data["username"] = email
        user = User.objects.filter(email=email).first()
        ip = client_ip(self.request) if self.request else None
        if user is not None and user.is_locked():
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            super().clean()
        except forms.ValidationError:
            if user is not None:
                services.user_login_failed(user=user, ip=ip)
            raise
        # With a field missing (or invalid) there is no user to sign in: the field
        # errors say what to fix.
        if self.user_cache is not None:
            services.user_login_succeeded(user=self.user_cache, ip=ip)
        return self.cleaned_data


class PasswordResetForm(GovukFormMixin, auth_forms.PasswordResetForm):
    pass


class ResetPasswordForm(GovukFormMixin, auth_forms.SetPasswordForm):
    def save(self, commit=True):
        user = super().save(commit=commit)
        services.user_unlock(user=user)
        return user


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
