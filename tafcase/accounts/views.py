"""Sign-in's second step, setting up two-factor sign-in, recovery codes and API tokens."""

from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from tafcase.accounts import access, services, two_factor
from tafcase.accounts.forms import ApiTokenForm, CodeForm, PasswordResetForm
from tafcase.accounts.models import ApiToken
from tafcase.audit.services import client_ip

# Recovery codes made in one request, shown once by the next.
_NEW_CODES = "new_recovery_codes"


def _next_page(request, following: str) -> str:
    safe = url_has_allowed_host_and_scheme(following, allowed_hosts={request.get_host()})
    return following if following and safe else reverse("home")


def admin_sign_in(request, extra_context=None):
    """The admin's own sign-in page is replaced by the one door everyone uses."""
    following = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({'next': following})}")


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


@login_required
def second_factor(request):
    """Enter a code; or, for a user with no app yet, set one up (required or chosen)."""
    user = request.user
    following = request.POST.get("next") or request.GET.get("next", "")
    if two_factor.is_verified(request):
        return redirect(_next_page(request, following))
    has_app = user_has_device(user, confirmed=True)
    form = CodeForm(request.POST or None, recovery=has_app, initial={"next": following})
    ip = client_ip(request)
    status = 200
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        wait = services.sign_in_wait_minutes(email=user.email, ip=ip)
        if wait:
            form.add_error(
                "code", f"Too many wrong codes. Wait {wait} minutes before you try again."
            )
            status = 429
        elif has_app:
            device = services.second_factor_verify(user=user, code=code, ip=ip)
            if device is not None:
                django_otp.login(request, device)
                return redirect(_next_page(request, following))
            form.add_error("code", "The code is not correct. Enter the code your app shows now.")
        else:
            device = services.two_factor_device_for_set_up(user=user)
            codes = services.two_factor_confirm(user=user, device=device, code=code, ip=ip)
            if codes is not None:
                django_otp.login(request, device)
                request.session[_NEW_CODES] = codes
                return redirect(f"{reverse('recovery-codes')}?{urlencode({'next': following})}")
            form.add_error("code", "The code is not correct. Enter the code your app shows now.")
    if has_app:
        return render(request, "registration/second_factor.html", {"form": form}, status=status)
    device = services.two_factor_device_for_set_up(user=user)
    return render(
        request,
        "registration/two_factor_set_up.html",
        {
            "form": form,
            "required": two_factor.required_for(user),
            "secret": _grouped(b32encode(device.bin_key).decode()),
        },
        status=status,
    )


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
def set_up_qr(request):
    """The QR code of the app being set up, as SVG (no inline image data for the CSP)."""
    if user_has_device(request.user, confirmed=True):
        return HttpResponse(status=404)
    device = services.two_factor_device_for_set_up(user=request.user)
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return HttpResponse(image.to_string(), content_type="image/svg+xml")


@login_required
def recovery_codes(request):
    """Shows codes just made, once; or offers to make a new set."""
    if not two_factor.is_verified(request):
        return redirect("two-factor")
    if request.method == "POST":
        request.session[_NEW_CODES] = services.recovery_codes_replace(
            user=request.user, ip=client_ip(request)
        )
        return redirect("recovery-codes")
    codes = request.session.pop(_NEW_CODES, None)
    return render(
        request,
        "registration/recovery_codes.html",
        {"codes": codes, "next": _next_page(request, request.GET.get("next", ""))},
    )


@login_required
def security(request):
    user = request.user
    now = timezone.now()
    return render(
        request,
        "registration/security.html",
        {
            "has_app": user_has_device(user, confirmed=True),
            "required": two_factor.required_for(user),
            "token_count": ApiToken.objects.filter(
                user=user, revoked_at__isnull=True, expires_at__gt=now
            ).count(),
        },
    )


@login_required
def api_tokens(request):
    """The user's own API tokens: make one (its secret shown once), see and revoke them."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, secret = services.api_token_create(
            user=request.user, ip=client_ip(request), **form.cleaned_data
        )
        return render(
            request, "registration/api_token_made.html", {"token": token, "secret": secret}
        )
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "registration/api_tokens.html", {"form": form, "tokens": tokens})


@login_required
@require_POST
def api_token_revoke(request, token_id: int):
    token = access.api_token_for_user(request.user, int(token_id), write=True)
    services.api_token_revoke(token=token, actor=request.user, ip=client_ip(request))
    messages.success(request, f"The token “{token.name}” is revoked.")
    return redirect("api-tokens")
