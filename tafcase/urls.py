from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path, reverse_lazy
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from families.urls import people_urlpatterns
from tafcase import views
from tafcase.accounts import council_views
from tafcase.accounts import views as account_views
from tafcase.accounts.forms import LoginForm, ResetPasswordForm
from tafcase.api import api_root
from tafcase.audit import views as audit_views

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error

FORM_PAGE = "registration/simple_form.html"


account_urls = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        account_views.PasswordResetView.as_view(
            template_name=FORM_PAGE,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            extra_email_context={"programme_name": settings.PROGRAMME_NAME},
            extra_context={
                "heading": "Reset your password",
                "button": "Send reset link",
                "intro": "Enter the email address you sign in with. We will send "
                "you a link to choose a new password.",
            },
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name=FORM_PAGE,
            extra_context={
                "heading": "Check your email",
                "intro": "If an account uses that address, we have sent it a link "
                "to reset the password. The link works for 2 hours.",
            },
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name=FORM_PAGE,
            form_class=ResetPasswordForm,
            extra_context={"heading": "Choose a new password", "button": "Save password"},
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name=FORM_PAGE,
            extra_context={
                "heading": "Your password has been changed",
                "link": {"href": reverse_lazy("login"), "text": "Sign in"},
            },
        ),
        name="password_reset_complete",
    ),
    path(
        "invitation/<uidb64>/<token>/",
        council_views.InvitationAcceptView.as_view(),
        name="invitation",
    ),
    path("security/", account_views.security, name="account-security"),
    path("two-factor/", account_views.second_factor, name="two-factor"),
    path("two-factor/qr.svg", account_views.set_up_qr, name="two-factor-qr"),
    path("recovery-codes/", account_views.recovery_codes, name="recovery-codes"),
    path("api-tokens/", account_views.api_tokens, name="api-tokens"),
    re_path(
        r"^api-tokens/(?P<token_id>[0-9]{1,18})/revoke/$",
        account_views.api_token_revoke,
        name="api-token-revoke",
    ),
]

council_urls = [
    path("", council_views.overview, name="council"),
    path("details/", council_views.authority_edit, name="council-authority"),
    path("localities/add/", council_views.locality_add, name="council-locality-add"),
    re_path(
        r"^localities/(?P<locality_id>[0-9]{1,18})/$",
        council_views.locality_edit,
        name="council-locality",
    ),
    path("agencies/add/", council_views.agency_add, name="council-agency-add"),
    re_path(
        r"^agencies/(?P<agency_id>[0-9]{1,18})/$", council_views.agency_edit, name="council-agency"
    ),
    path("users/", council_views.users, name="council-users"),
    path("users/add/", council_views.user_add, name="council-user-add"),
    path("users/upload/", council_views.users_upload, name="council-users-upload"),
    re_path(
        r"^users/(?P<user_id>[0-9]{1,18})/invitation/$",
        council_views.invitation_resend,
        name="council-invitation",
    ),
]

# One sign-in door: the admin's own login page sends people to it.
admin.site.login = account_views.admin_sign_in  # type: ignore[method-assign]

api_urls = [
    path("", api_root, name="api-root"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(("families.api_urls", "api"))),
    path("", include(("eligibility.api_urls", "api"), namespace="eligibility-api")),
    path("", include(("eligibility.datamatch.api_urls", "api"), namespace="datamatch-api")),
    path("", include(("outcomes.api_urls", "api"), namespace="outcomes-api")),
    path("", include(("tafcase.documents.api_urls", "api"), namespace="documents-api")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("authority/", views.choose_authority, name="choose-authority"),
    path("account/", include(account_urls)),
    path("api/", include(api_urls)),
    path("families/", include("families.urls")),
    path("people/", include((people_urlpatterns, "people"))),
    path("", include("eligibility.urls")),
    path("data/", include("eligibility.datamatch.urls")),
    path("", include("outcomes.urls")),
    path("claims/", include("outcomes.claims.urls")),
    path("reports/", include("reporting.urls")),
    path("documents/", include("tafcase.documents.urls")),
    path("audit/", audit_views.audit_log, name="audit-log"),
    path("council/", include(council_urls)),
    path("admin/", admin.site.urls),
]
