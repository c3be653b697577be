from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tafcase.accounts import services
from tafcase.accounts.models import Agency, ApiToken, LocalAuthority, Role, User
from tafcase.audit.services import client_ip

# Device secrets and recovery codes are never shown on a page: administrators reset a
# user's two-factor sign-in from the user list instead.
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "two_factor_for_everyone"]
    search_fields = ["name", "code"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "local_authority"]
    list_filter = ["kind", "local_authority"]
    search_fields = ["name"]
    exclude = ["group"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            obj.pk = services.agency_create(
                name=obj.name, kind=obj.kind, local_authority=obj.local_authority
            ).pk


class UserAdminForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = User
        fields = [
            "email",
            "full_name",
            "agency",
            "roles",
            "authorities",
            "is_active",
            "professional_background",
            "dedicated_key_worker",
        ]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminForm
    ordering = ["full_name"]
    list_display = ["full_name", "email", "agency", "roles", "is_active", "locked_until"]
    list_filter = ["agency__kind", "is_active"]
    search_fields = ["full_name", "email"]
    # No password field: the stored hash never appears on a page; "Set a password" opens
    # the admin's own form, which asks for the new one twice.
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password_link"]}),
        ("Organisation and roles", {"fields": ["agency", "roles", "authorities"]}),
        (
            "Key-worker details",
            {"fields": ["professional_background", "dedicated_key_worker"]},
        ),
        ("Status", {"fields": ["is_active", "locked_until", "last_login"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "full_name", "agency", "roles", "password1", "password2"]}),
    ]
    readonly_fields = ["password_link", "last_login"]
    filter_horizontal = ["authorities"]
    actions = ["reset_two_factor"]

    @admin.display(description="Password")
    def password_link(self, obj):
        if obj.pk is None:
            return ""
        url = reverse("admin:auth_user_password_change", args=[obj.pk])
        return format_html('<a href="{}">Set a password</a>', url)

    @admin.action(description="Reset two-factor sign-in (the user sets up a new app)")
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            services.two_factor_reset(user=user, actor=request.user, ip=client_ip(request))
        messages.success(request, f"Two-factor sign-in reset for {queryset.count()} users.")

    def save_model(self, request, obj, form, change):
        # The access as stored, read before anything is saved (authorities are saved
        # later, in save_related, which writes the audit row once they are).
        stored = User.objects.get(pk=obj.pk) if change else None
        form.access_before = services.user_access(stored) if stored else None
        form.details_before = services.user_key_worker_details(stored) if stored else None
        super().save_model(request, obj, form, change)
        # Membership of the agency's group is what row-level permissions hang on.
        obj.groups.set([obj.agency.group] if obj.agency else [])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.user_access_audit(
            actor=request.user,
            user=form.instance,
            before=getattr(form, "access_before", None),
            ip=client_ip(request),
        )
        # A new user's details are part of its creation; only changes are audited.
        if change:
            services.user_key_worker_details_audit(
                actor=request.user,
                user=form.instance,
                before=getattr(form, "details_before", None),
                ip=client_ip(request),
            )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by their users (Account → API tokens); administrators see and
    revoke them, never their secrets (only a digest is stored)."""

    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__email", "prefix"]
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "revoked_at"]
    exclude = ["digest", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(token=token, actor=request.user, ip=client_ip(request))
        messages.success(request, "Tokens revoked.")
