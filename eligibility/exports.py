"""Panel minutes as a PDF a chair can sign. Families the reader may not see appear by
reference only, as on the agenda page."""

from django.template.loader import render_to_string
from weasyprint import HTML

from eligibility import selectors
from families.access import families_visible_to
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record, client_ip


def minutes_pdf(request, panel) -> bytes:
    items = list(selectors.agenda(panel))
    visible = set(
        families_visible_to(request.user)
        .filter(pk__in=[i.nomination.family_id for i in items])
        .values_list("pk", flat=True)
    )
    html = render_to_string(
        "eligibility/minutes_pdf.html",
        {
            "panel": panel,
            "rows": [(i, i.nomination.family_id in visible) for i in items],
            "members": panel.member_agencies.order_by("name"),
            "present": panel.agencies_present.order_by("name"),
        },
        request=request,
    )
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORTED,
        obj=panel,
        ip=client_ip(request),
        summary=f"Minutes of the {panel} as PDF",
    )
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
