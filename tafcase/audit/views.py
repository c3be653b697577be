from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from tafcase.accounts.models import Role
from tafcase.audit.selectors import audit_search
from tafcase.forms import GovukDateField, GovukForm

AUDIT_ROLES = (Role.AUDITOR, Role.ADMINISTRATOR)


class AuditSearchForm(GovukForm):
    actor = forms.CharField(label="User email", required=False)
    family = forms.CharField(
        label="Family reference", required=False, help_text="For example, FF-000123"
    )
    person = forms.IntegerField(label="Person id", required=False, min_value=1)
    date_from = GovukDateField(label="From", required=False)
    date_to = GovukDateField(label="To", required=False)


@login_required
def audit_log(request):
    if not request.user.has_role(*AUDIT_ROLES):
        raise PermissionDenied
    form = AuditSearchForm(request.GET or None)
    events = audit_search(**form.cleaned_data) if form.is_valid() else audit_search()
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"form": form, "page": page})
