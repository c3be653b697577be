from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from tafcase.accounts import services
from tafcase.accounts.models import Agency, LocalAuthority, Role, User
from tafcase.audit.services import client_ip


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
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
        fields = ["email", "full_name", "agency", "roles", "authorities", "is_active"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminForm
    ordering = ["full_name"]
    list_display = ["full_name", "email", "agency", "roles", "is_active", "locked_until"]
    list_filter = ["agency__kind", "is_active"]
    search_fields = ["full_name", "email"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        ("Organisation and roles", {"fields": ["agency", "roles", "authorities"]}),
        ("Status", {"fields": ["is_active", "locked_until", "failed_login_count", "last_login"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "full_name", "agency", "roles", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "failed_login_count"]
    filter_horizontal = ["authorities"]

    def save_model(self, request, obj, form, change):
        # The access as stored, read before anything is saved (authorities are saved
        # later, in save_related, which writes the audit row once they are).
        form.access_before = services.user_access(User.objects.get(pk=obj.pk)) if change else None
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
