"""The reports pages: thin views over reporting.selectors and services."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from reporting import access


@login_required
def reports(request):
    access.report_authority_id(request.user)
    return render(request, "reporting/reports.html", {})
