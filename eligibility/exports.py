"""Panel minutes as a PDF a chair can sign. Families appear by name only to those
the agenda names them to (eligibility.access.named_on_agenda)."""

from eligibility import access, selectors
from tafcase import web
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record, client_ip


def minutes_pdf(request, panel) -> bytes:
    items = list(selectors.agenda(panel))
    visible = access.named_on_agenda(request.user, panel, [i.nomination.family_id for i in items])
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORTED,
        obj=panel,
        family_ids=[i.nomination.family_id for i in items],
        ip=client_ip(request),
        summary=f"Minutes of the {panel} as PDF",
    )
    return web.render_pdf(
        request,
        "eligibility/minutes_pdf.html",
        {
            "panel": panel,
            "rows": [(i, i.nomination.family_id in visible) for i in items],
            "members": panel.member_agencies.order_by("name"),
            "present": panel.agencies_present.order_by("name"),
        },
    )
