"""Reads for the claims pages and the claim outputs, each starting from what the user may
see (a window or claims reached through outcomes.access)."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from eligibility.models import FrameworkVersion
from eligibility.rules import claims as claim_rules
from eligibility.rules.claims import Flag
from eligibility.rules.evidence import kind_name
from families.models import Family, Involvement
from outcomes import access
from outcomes.claims.models import Claim, ClaimRun, ClaimWindow, ResultsTarget, ResultTracking
from outcomes.models import Assessment, Closure, Goal, Review
from tafcase.audit.models import AuditEvent
from tafcase.references import reference_for

S = Claim.Status
# Claims that go forward to the declaration: validated, passed audit, claimed or paid.
GOING_FORWARD = [S.VALIDATED, S.AUDIT_PASSED, S.SUBMITTED, S.PAID]


def flag_labels(flags: list[str]) -> list[str]:
    return [Flag.LABELS.get(flag, flag.replace("_", " ").capitalize()) for flag in flags]


def framework_label(window: ClaimWindow) -> str:
    """The framework in words, with the version the window uses when it names one."""
    codes = dict(FrameworkVersion.Code.choices)
    label = codes.get(window.framework_code, window.framework_code)
    return f"{label}, version {window.framework.version}" if window.framework else label


def windows_for(user) -> list[ClaimWindow]:
    """The user's authority's windows, with their claim counts and the amount going forward."""
    going = Q(claims__status__in=GOING_FORWARD)
    windows: list[ClaimWindow] = list(
        access.claim_windows_visible_to(user)
        .select_related("framework")
        .annotate(
            claims_count=Count("claims"),
            proposed_count=Count("claims", filter=Q(claims__status=S.PROPOSED)),
            going_count=Count("claims", filter=going),
            going_amount=Sum("claims__amount", filter=going),
        )
    )
    for window in windows:
        window.framework_label = framework_label(window)  # type: ignore[attr-defined]
    return windows


def latest_run(window: ClaimWindow) -> ClaimRun | None:
    return window.runs.select_related("started_by").first()


def claims_for_window(window: ClaimWindow, *, status: str = "", only: str = "") -> QuerySet[Claim]:
    claims = window.claims.select_related("family", "validated_by", "audited_by").order_by(
        "family__pk", "result_code", "pk"
    )
    if status:
        claims = claims.filter(status=status)
    if only == "flagged":
        claims = claims.exclude(flags=[])
    elif only == "sampled":
        claims = claims.filter(sampled=True)
    return claims


def window_counts(window: ClaimWindow) -> dict[str, int]:
    """How many claims are in each status, and how many sampled claims wait for audit."""
    rows = dict(
        window.claims.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    waiting = window.claims.filter(sampled=True, status=S.VALIDATED).count()
    return {
        "proposed": rows.get(S.PROPOSED, 0),
        "total": sum(rows.values()),
        "audit_waiting": waiting,
        "by_status": [(S(code).label, n) for code, n in sorted(rows.items())],  # type: ignore[dict-item]
    }


def open_windows_for_adjustment(claim: Claim) -> QuerySet[ClaimWindow]:
    return ClaimWindow.objects.filter(
        local_authority_id=claim.local_authority_id,
        framework_code=claim.framework_code,
        stage=ClaimWindow.Stage.OPEN,
    ).exclude(pk=claim.window_id)


def _evidence(items: list[dict]) -> list[dict[str, Any]]:
    return [
        {
            "dataset": kind_name(str(e.get("kind", ""))),
            "record_id": e.get("record_id", ""),
            "date": _date(e.get("date")),
        }
        for e in items or []
    ]


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def claim_trace(claim: Claim) -> dict[str, Any]:
    """The rule trace of a claim from its frozen snapshot, ready for the page: dates as
    dates, datasets and flags in words."""
    snap = claim.snapshot or {}
    result = snap.get("result") or {}
    framework = snap.get("framework") or {}
    return {
        "framework_label": framework.get("label") or claim.framework_code,
        "framework_code": framework.get("code") or claim.framework_code,
        "framework_version": framework.get("version") or claim.framework_version,
        "cutoff_date": _date(snap.get("cutoff_date")),
        "needs": [
            {
                "label": need.get("label", need.get("code", "")),
                "explanation": need.get("explanation", ""),
                "evidence": _evidence(need.get("evidence", [])),
            }
            for need in snap.get("needs_at_attachment", [])
        ],
        "needs_added": snap.get("needs_added", []),
        "case": snap.get("case") or {},
        "explanation": result.get("explanation", ""),
        "outcomes": [
            {
                "label": o.get("label", o.get("code", "")),
                "holds": o.get("holds"),
                "explanation": o.get("explanation", ""),
                "evidence": _evidence(o.get("evidence", [])),
            }
            for o in result.get("outcomes", [])
        ],
        "result_evidence": _evidence(result.get("evidence", [])),
        "flags": flag_labels(claim.flags),
        "adjustment_reason": snap.get("reason", "") if claim.adjustment_of_id else "",
    }


# --- the pipeline dashboard -----------------------------------------------------------


@dataclass(frozen=True)
class Pipeline:
    attached: int
    in_progress: int
    in_progress_by_month: list[tuple[date | None, int]]
    claimable: int
    validated: int
    claimed: int
    paid: int
    adjusted: int
    adjusted_amount: int
    lapsed: int
    # Results payments (not attachment fees) claimed or paid, against the authority's target.
    results_claimed: int
    target: int | None

    @property
    def target_percent(self) -> int | None:
        if not self.target:
            return None
        return min(100, self.results_claimed * 100 // self.target)

    @property
    def still_needed(self) -> int | None:
        return None if self.target is None else max(0, self.target - self.results_claimed)


def pipeline(authority_id: int) -> Pipeline:
    """Counts only, no names: every step from attachment to payment for one authority."""
    RS = ResultTracking.Status
    # No ordering: the model's orders by family, which would join every family in. Both
    # counts are read from the status index alone: COUNT(*), not of a column it lacks.
    tracking = ResultTracking.objects.filter(local_authority_id=authority_id).order_by()
    by_status = dict(
        tracking.values_list("status").annotate(n=Count("*")).values_list("status", "n")
    )
    by_month = [
        (row["month"].date() if hasattr(row["month"], "date") else row["month"], row["n"])
        for row in tracking.filter(status=RS.IN_PROGRESS)
        .annotate(month=TruncMonth("could_first_be_met"))
        .values("month")
        .annotate(n=Count("*"))
        .order_by("month")
    ]
    claims = Claim.objects.filter(local_authority_id=authority_id)
    original = Q(adjustment_of__isnull=True)
    counts = claims.aggregate(
        validated=Count("pk", filter=original & Q(status__in=[S.VALIDATED, S.AUDIT_PASSED])),
        claimed=Count("pk", filter=original & Q(status=S.SUBMITTED)),
        paid=Count("pk", filter=original & Q(status=S.PAID)),
        adjusted=Count("pk", filter=Q(adjustment_of__isnull=False)),
        adjusted_amount=Sum("amount", filter=Q(adjustment_of__isnull=False)),
        results_claimed=Count(
            "pk",
            filter=original
            & Q(status__in=[S.SUBMITTED, S.PAID])
            & ~Q(result_code=claim_rules.ATTACHMENT_FEE),
        ),
    )
    return Pipeline(
        attached=Family.objects.filter(
            local_authority_id=authority_id, programme_start__isnull=False
        ).count(),
        in_progress=by_status.get(RS.IN_PROGRESS, 0),
        in_progress_by_month=by_month,
        claimable=by_status.get(RS.MET, 0),
        validated=counts["validated"],
        claimed=counts["claimed"],
        paid=counts["paid"],
        adjusted=counts["adjusted"],
        adjusted_amount=counts["adjusted_amount"] or 0,
        lapsed=by_status.get(RS.LAPSED, 0),
        results_claimed=counts["results_claimed"],
        target=ResultsTarget.objects.filter(local_authority_id=authority_id)
        .values_list("target", flat=True)
        .first(),
    )


# --- the family page's results section ------------------------------------------------


def family_page_results(user, family: Family) -> dict[str, Any]:
    """The family page's results: for the programme team and auditor of its authority and
    the family's own workers (access.sees_results); nothing for anyone else."""
    if family.programme_start is None or not access.sees_results(user, family):
        return {"family_results": []}
    rows = list(ResultTracking.objects.filter(family=family).order_by("framework_code", "code"))
    for row in rows:
        outcomes = (row.lapsed_because or {}).get("outcomes") or []
        row.lapse_reason = "; ".join(  # type: ignore[attr-defined]
            o.get("explanation") or o.get("label", "") for o in outcomes
        )
        row.lapsed_on = _date((row.lapsed_because or {}).get("on"))  # type: ignore[attr-defined]
    return {"family_results": rows}


def claim_history(claim: Claim) -> QuerySet[AuditEvent]:
    """What happened to a claim (validation, audit, payment, adjustment), oldest first,
    from the audit trail the services write."""
    return (
        AuditEvent.objects.filter(object_type=Claim._meta.label_lower, object_id=str(claim.pk))
        .exclude(action=AuditEvent.Action.VIEWED)
        .select_related("actor")
        .order_by("at", "pk")
    )


# --- the claim outputs: schedule, CSV return and evidence pack (claims.exports) --------
# The schedule and the return read every claim of a window in one query of plain values
# (no model instances, no per-row queries), streamed from the database in chunks, so
# thousands of claims cost a fixed number of queries.

CHUNK = 1000

# What each row of the schedule and the return reads. Only the parts of the frozen
# snapshot an output shows are fetched, as JSON key lookups in the same query.
_ROW_FIELDS = (
    "pk",
    "family_id",
    "result_code",
    "result_label",
    "amount",
    "attachment_date",
    "closure_date",
    "sustained_from",
    "sustained_to",
    "flags",
    "status",
    "sampled",
    "validated_at",
    "audited_at",
    "rejection_reason",
    "adjustment_of_id",
    "framework_version",
)
_ROW_ALIASES = {
    "validated_by_name": F("validated_by__full_name"),
    "audited_by_name": F("audited_by__full_name"),
    "needs_at_attachment": F("snapshot__needs_at_attachment"),
    "needs_added": F("snapshot__needs_added"),
    "outcomes": F("snapshot__result__outcomes"),
}


@dataclass(frozen=True)
class ClaimRow:
    """One claim as the schedule and the return show it."""

    pk: int
    family_id: int
    result_code: str
    result_label: str
    amount: int
    attachment_date: Any
    closure_date: Any
    sustained_from: Any
    sustained_to: Any
    flags: list[str]
    status: str
    sampled: bool
    validated_at: Any
    validated_by_name: str | None
    audited_at: Any
    audited_by_name: str | None
    rejection_reason: str
    adjustment_of_id: int | None
    framework_version: int
    needs_at_attachment: list[dict] | None
    needs_added: list[str] | None
    outcomes: list[dict] | None
    # The needs added after attachment in words (claim_rows' labels), for printing.
    needs_added_words: str = ""

    @property
    def reference(self) -> str:
        return f"CLM-{self.pk:06d}"

    @property
    def family_reference(self) -> str:
        return reference_for(self.family_id)

    @property
    def adjustment_of(self) -> str:
        return f"CLM-{self.adjustment_of_id:06d}" if self.adjustment_of_id else ""

    @property
    def needs_words(self) -> str:
        return ", ".join(n.get("label", n.get("code", "")) for n in self.needs_at_attachment or [])

    @property
    def needs_codes(self) -> list[str]:
        return [n.get("code", "") for n in self.needs_at_attachment or []]

    @property
    def status_label(self) -> str:
        return Claim.Status(self.status).label

    @property
    def audit_result(self) -> str:
        """passed, failed, awaiting (sampled, not yet decided) or blank (not sampled)."""
        if self.status == Claim.Status.AUDIT_FAILED:
            return "failed"
        # A passed claim keeps its auditor when submission moves it on to claimed.
        if self.audited_at is not None:
            return "passed"
        return "awaiting" if self.sampled else ""

    @property
    def goes_forward(self) -> bool:
        return self.status in GOING_FORWARD


def claim_rows(claims, labels: dict[str, str] | None = None) -> Iterator[ClaimRow]:
    """Each claim of a queryset as a ClaimRow, in claim order: one query, read in chunks.
    `labels` (criterion code to words) names the needs added after attachment."""
    rows = claims.order_by("pk").values(*_ROW_FIELDS, **_ROW_ALIASES)
    for row in rows.iterator(chunk_size=CHUNK):
        added = row["needs_added"] or []
        words = ", ".join((labels or {}).get(code, code) for code in added)
        yield ClaimRow(**row, needs_added_words=words)


def window_claims(window: ClaimWindow):
    return Claim.objects.filter(window=window)


@dataclass(frozen=True)
class WindowSummary:
    """The schedule's totals: what goes forward, by result, and what does not."""

    by_result: list[dict]
    claims: int
    amount: int
    not_forward: list[dict]
    sampled: int


def window_summary(window: ClaimWindow) -> WindowSummary:
    """Totals by result of the claims that go forward (validated, passed audit, claimed or
    paid, adjustments included), and counts of the rest by status: two queries."""
    claims = window_claims(window)
    by_result = [
        dict(row)
        for row in claims.filter(status__in=GOING_FORWARD)
        .values("result_code", "result_label")
        .annotate(claims=Count("pk"), amount=Sum("amount"))
        .order_by("result_code")
    ]
    rest = (
        claims.exclude(status__in=GOING_FORWARD)
        .values("status")
        .annotate(claims=Count("pk"))
        .order_by("status")
    )
    not_forward = [
        {"status": Claim.Status(row["status"]).label, "claims": row["claims"]} for row in rest
    ]
    return WindowSummary(
        by_result=by_result,
        claims=sum(r["claims"] for r in by_result),
        amount=sum(r["amount"] or 0 for r in by_result),
        not_forward=not_forward,
        sampled=claims.filter(sampled=True).count(),
    )


# --- the evidence pack: the family's casework, for a list of claims -------------------


@dataclass
class Casework:
    """The whole-family work behind a claim, read from the family's records."""

    family: Family
    lead_professional: str = ""
    assessments: list[Assessment] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    involvements: list[Involvement] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    closures: list[Closure] = field(default_factory=list)


def casework_for(claims: Sequence[Claim]) -> dict[int, Casework]:
    """Each claimed family's casework, loaded for all the families at once (a fixed number
    of queries whatever the number of claims)."""
    ids = list(dict.fromkeys(c.family_id for c in claims))
    families = Family.objects.filter(pk__in=ids).select_related("lead_professional")
    found = {
        f.pk: Casework(
            family=f,
            lead_professional=f.lead_professional.full_name if f.lead_professional else "",
        )
        for f in families
    }
    for a in Assessment.objects.filter(family_id__in=ids).order_by("started_on", "pk"):
        found[a.family_id].assessments.append(a)
    for g in Goal.objects.filter(family_id__in=ids).order_by("pk"):
        found[g.family_id].goals.append(g)
    for i in (
        Involvement.objects.filter(family_id__in=ids)
        .select_related("agency")
        .order_by("started_on", "agency__name")
    ):
        found[i.family_id].involvements.append(i)
    for r in (
        Review.objects.filter(family_id__in=ids)
        .prefetch_related("attendees")
        .order_by("held_on", "pk")
    ):
        found[r.family_id].reviews.append(r)
    for c in Closure.objects.filter(family_id__in=ids).order_by("closed_on", "pk"):
        found[c.family_id].closures.append(c)
    return found
