"""The claim outputs (claims.md §4): the claim schedule a coordinator, internal audit and
the senior responsible officer sign, the evidence pack a spot check asks for, and the CSV
return. Callers pass a window or claims reached through outcomes.access; every export
writes an EXPORTED audit row naming the families in it.

Printed words use settings.PROGRAMME_NAME and framework codes, never a national
programme's name.
"""

import io
from collections.abc import Sequence
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe

from eligibility.rules.claims import Flag
from eligibility.rules.evidence import kind_name
from eligibility.selectors import criteria_choices
from outcomes import selectors as casework_selectors
from outcomes.claims import selectors
from outcomes.claims.models import Claim, ClaimWindow
from tafcase import csv_safe, web
from tafcase.accounts.models import User
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record
from tafcase.documents.kinds import Progress

RETURN_COLUMNS = (
    "la_code",
    "framework",
    "framework_version",
    "window",
    "cutoff_date",
    "claim_id",
    "family_ref",
    "attachment_date",
    "closure_date",
    "sustained_from",
    "sustained_to",
    "result_type",
    "needs_at_attachment",
    "needs_added",
    "outcome_per_need",
    "recorded_evidence_only",
    "discretionary",
    "amount_gbp",
    "validated_by",
    "validated_at",
    "audit_sampled",
    "audit_result",
    "audited_by",
    "audited_at",
    "status",
    "rejection_reason",
)

# Most claims an evidence pack holds: a national spot check asks for tens.
EVIDENCE_PACK_LIMIT = 100


def _framework_version(window: ClaimWindow) -> str:
    return str(window.framework.version) if window.framework else ""


def _iso(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _filename(window: ClaimWindow, what: str, ext: str) -> str:
    return f"{what}-{window.local_authority.code}-{window.framework_code}-{window.pk}.{ext}"


def _audit_export(
    actor: User, ip: str | None, window: ClaimWindow, family_ids: list[int], summary: str
) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORTED,
        obj=window,
        family_ids=family_ids,
        ip=ip,
        summary=summary,
    )


# --- the claim schedule ---------------------------------------------------------------


def schedule_filename(window: ClaimWindow) -> str:
    return _filename(window, "claim-schedule", "pdf")


# Claims laid out per part: WeasyPrint holds a part's boxes in memory, so the parts keep
# a long schedule's memory bounded (about 0.3 MB per row); each part starts a new page.
SCHEDULE_PART_ROWS = 400
SCHEDULE_PAGE = "size: A4 landscape; margin: 14mm 12mm 16mm;"


def schedule_pdf(
    window: ClaimWindow, *, actor: User, ip: str | None, progress: Progress | None = None
) -> bytes:
    """The window's claim schedule, A4 landscape: header, totals, one row per claim (all
    statuses, so what was rejected is on the record too) and the three sign-off blocks.
    Made by the worker (tafcase.documents) in parts of SCHEDULE_PART_ROWS claims, joined
    and numbered "Page X of Y"."""
    if progress:
        progress("Gathering the claims", 5)
    labels = dict(criteria_choices(window.local_authority))
    rows = list(selectors.claim_rows(selectors.window_claims(window), labels))
    _audit_export(
        actor,
        ip,
        window,
        [r.family_id for r in rows],
        f"Claim schedule of {window.name} as PDF ({len(rows)} claims)",
    )
    common = {
        "programme_name": settings.PROGRAMME_NAME,
        "page_css": SCHEDULE_PAGE,
        "numbered_later": True,  # web.numbered_pdf stamps "Page X of Y" on the whole
        "window": window,
        "framework_version": _framework_version(window),
        "summary": selectors.window_summary(window),
        "claim_count": len(rows),
        "sample_drawn": window.sampled_at is not None,
        "generated_at": timezone.localtime(),
    }
    starts = range(0, max(len(rows), 1), SCHEDULE_PART_ROWS)
    parts = []
    for n, start in enumerate(starts):
        part = rows[start : start + SCHEDULE_PART_ROWS]
        if progress and rows:
            progress(
                f"Laying out claims {start + 1} to {start + len(part)} of {len(rows)}",
                10 + 80 * n // len(starts),
            )
        parts.append(
            web.render_pdf(
                None,
                "claims/pdf/schedule.html",
                {**common, "rows": part, "first_part": n == 0, "last_part": n == len(starts) - 1},
            )
        )
    if progress:
        progress("Numbering the pages", 92)
    return web.numbered_pdf(parts, page_css=SCHEDULE_PAGE)


# --- the CSV return -------------------------------------------------------------------


def return_filename(window: ClaimWindow) -> str:
    return _filename(window, "claim-return", "csv")


def _outcome_per_need(row: selectors.ClaimRow) -> str:
    return ";".join(
        f"{o.get('code', '')}={'held' if o.get('holds') else 'not_held'}"
        for o in row.outcomes or []
    )


def _return_row(window: ClaimWindow, version: str, row: selectors.ClaimRow) -> list:
    return [
        window.local_authority.code,
        window.framework_code,
        version or row.framework_version,
        window.name,
        _iso(window.cutoff_date),
        row.reference,
        row.family_reference,
        _iso(row.attachment_date),
        _iso(row.closure_date),
        _iso(row.sustained_from),
        _iso(row.sustained_to),
        row.result_code,
        ";".join(row.needs_codes),
        ";".join(row.needs_added or []),
        _outcome_per_need(row),
        _yes_no(Flag.RECORDED_ONLY in row.flags),
        _yes_no(Flag.DISCRETIONARY in row.flags),
        row.amount,
        row.validated_by_name or "",
        _iso(row.validated_at),
        _yes_no(row.sampled),
        row.audit_result,
        row.audited_by_name or "",
        _iso(row.audited_at),
        row.status,
        row.rejection_reason,
    ]


def return_csv(window: ClaimWindow, *, actor: User, ip: str | None) -> bytes:
    """The window's CSV return, UTF-8, one row per claim; families by their pseudonymous
    reference; every cell through tafcase.csv_safe."""
    out = io.StringIO()
    writer = csv_safe.writer(out, lineterminator="\r\n")
    writer.writerow(RETURN_COLUMNS)
    version = _framework_version(window)
    family_ids = []
    for row in selectors.claim_rows(selectors.window_claims(window)):
        writer.writerow(_return_row(window, version, row))
        family_ids.append(row.family_id)
    _audit_export(
        actor,
        ip,
        window,
        family_ids,
        f"Claim return of {window.name} as CSV ({len(family_ids)} claims)",
    )
    return out.getvalue().encode("utf-8")


# --- the evidence pack ----------------------------------------------------------------


def _flag_words(flags: Sequence[str]) -> list[str]:
    return [Flag.LABELS.get(f, f) for f in flags]


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _dated(items: Sequence[dict]) -> list[dict]:
    """Snapshot entries with their evidence dates read back from ISO text and each
    evidence's dataset in words."""
    return [
        {
            **item,
            "evidence": [
                {
                    **ev,
                    "date": _date(ev.get("date")),
                    "dataset": kind_name(str(ev.get("kind", ""))),
                }
                for ev in item.get("evidence", [])
            ],
            "clears_on": _date(item.get("clears_on")),
        }
        for item in items
    ]


def _pack_entry(claim: Claim, casework: selectors.Casework, criteria: dict[str, str]) -> dict:
    snapshot = claim.snapshot or {}
    result = snapshot.get("result", {})
    charts = [
        (progress, mark_safe(svg))  # noqa: S308 - escaped by the chart renderer
        for progress, svg in casework_selectors.charts_for(casework.family)
    ]
    return {
        "claim": claim,
        "snapshot": snapshot,
        "needs": _dated(snapshot.get("needs_at_attachment", [])),
        "needs_added": [criteria.get(c, c) for c in snapshot.get("needs_added", [])],
        "case": snapshot.get("case", {}),
        "result": result,
        "outcomes": _dated(result.get("outcomes", [])),
        "result_evidence": _dated([result])[0]["evidence"] if result else [],
        "flags": _flag_words(claim.flags),
        "casework": casework,
        "goals": [(g, criteria.get(g.criterion, g.criterion)) for g in casework.goals],
        "charts": charts,
    }


def evidence_pack_filename(claims: Sequence[Claim]) -> str:
    if len(claims) == 1:
        return f"evidence-pack-{claims[0].reference}.pdf"
    return f"evidence-pack-{len(claims)}-claims.pdf"


def evidence_pack_pdf(
    claims: Sequence[Claim], *, actor: User, ip: str | None, progress: Progress | None = None
) -> bytes:
    """One section per claim answering a spot check's three questions: was the family
    eligible, was the work whole-family, is there evidence for the result. The needs,
    outcomes and evidence are the claim's frozen snapshot; the casework (assessments,
    plan, lead professional, Team Around the Family, reviews and the distance-travelled
    chart) is read from the family's records as they are now."""
    if progress:
        progress(f"Gathering the records of {len(claims)} claims", 5)
    casework = selectors.casework_for(claims)
    criteria: dict[int, dict[str, str]] = {}
    for claim in claims:
        if claim.local_authority_id not in criteria:
            criteria[claim.local_authority_id] = dict(criteria_choices(claim.local_authority))
    entries = [
        _pack_entry(c, casework[c.family_id], criteria[c.local_authority_id]) for c in claims
    ]
    for claim in claims:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.EXPORTED,
            obj=claim,
            family_id=claim.family_id,
            family_ids=[claim.family_id],
            ip=ip,
            summary=f"Evidence pack for {claim} as PDF",
        )
    return web.render_pdf(
        None,
        "claims/pdf/evidence_pack.html",
        {
            "programme_name": settings.PROGRAMME_NAME,
            "entries": entries,
            "generated_at": timezone.localtime(),
        },
        progress,
    )
