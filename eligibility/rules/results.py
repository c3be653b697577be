"""Result rules: which payment-by-results claims an attached family can make, and when.

``results()`` returns one :class:`ResultStatus` per result rule of the framework. The
engine decides ``not_met`` (nothing to claim: no problem or claimant at attachment),
``in_progress`` (with the earliest date it could be met) or ``met``; ``claimed`` is set
by the claims service, never here. Which single results payment a family is paid when
more than one is met is the claims service's choice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .criteria import evaluate_criterion
from .dates import ONE_DAY, Window, fmt, months_after
from .employment import consecutive_employment, continuous_employment
from .evidence import EvidenceRef, Household, Purpose, cite
from .framework import CriterionSpec, Framework
from .outcomes import check_outcome
from .progress import OutcomeCheck, OutcomeContext, Progress


class Status(StrEnum):
    NOT_MET = "not_met"
    IN_PROGRESS = "in_progress"
    MET = "met"
    CLAIMED = "claimed"  # set by the claims service once a claim is made


@dataclass(frozen=True)
class CaseFacts:
    """Case-work facts SF2022 claims need, which partner data cannot show."""

    lead_practitioner: bool = False
    assessment: bool = False
    plan_covers_all_needs: bool = False
    closed_on: date | None = None


@dataclass(frozen=True)
class ResultStatus:
    """One result's status as of D, with per-problem outcomes and the evidence behind it."""

    code: str
    label: str
    status: Status
    amount: int
    could_first_be_met: date | None
    outcomes: tuple[OutcomeCheck, ...]
    evidence: tuple[EvidenceRef, ...]
    explanation: str

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "label": self.label,
            "status": self.status.value,
            "amount": self.amount,
            "could_first_be_met": (
                self.could_first_be_met.isoformat() if self.could_first_be_met else None
            ),
            "outcomes": [o.to_dict() for o in self.outcomes],
            "evidence": [e.to_dict() for e in self.evidence],
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class ResultContext:
    household: Household
    attachment: date
    as_of: date
    framework: Framework
    case: CaseFacts

    def outcome_context(self, anchor: date | None = None) -> OutcomeContext:
        return OutcomeContext(
            self.household,
            self.attachment,
            anchor or self.attachment,
            self.as_of,
            self.framework.parameters,
        )

    def present_at_attachment(self, codes: Sequence[str] | None = None) -> list[CriterionSpec]:
        """National criteria met as of A (evidence in the look-back to A)."""
        params = self.framework.parameters
        return [
            spec
            for spec in self.framework.active_national
            if (codes is None or spec.code in codes)
            and evaluate_criterion(spec, self.household, self.attachment, params).met
        ]

    def status(
        self,
        code: str,
        label: str,
        state: Status,
        when: date | None,
        checks: Iterable[OutcomeCheck],
        explanation: str,
    ) -> ResultStatus:
        """A result with its amount from the framework; ``when`` is kept only in progress."""
        checks = tuple(checks)
        return ResultStatus(
            code,
            label,
            state,
            self.framework.amounts.get(code, 0),
            when if state is Status.IN_PROGRESS else None,
            checks,
            tuple(e for c in checks for e in c.evidence),
            f"{label}: {state.value.replace('_', ' ')} — {explanation}",
        )


ResultRule = Callable[[ResultContext], ResultStatus]
RESULT_RULES: dict[str, ResultRule] = {}


def result_rule(code: str) -> Callable[[ResultRule], ResultRule]:
    def register(fn: ResultRule) -> ResultRule:
        RESULT_RULES[code] = fn
        return fn

    return register


def results(
    household: Household,
    attachment_date: date,
    as_of: date,
    framework: Framework,
    *,
    case: CaseFacts | None = None,
) -> list[ResultStatus]:
    """Every result rule of ``framework`` for a family attached on ``attachment_date``,
    as of ``as_of``. Evidence dated on or before attachment never counts towards a result;
    it is used only as the baseline."""
    ctx = ResultContext(household, attachment_date, as_of, framework, case or CaseFacts())
    return [RESULT_RULES[code](ctx) for code in framework.results]


def _all_outcomes(
    ctx: ResultContext,
    code: str,
    label: str,
    specs: Sequence[CriterionSpec],
    octx: OutcomeContext,
    or_recorded: bool = False,
) -> ResultStatus:
    """Met when every problem's outcome holds over a whole sustain window after the anchor."""
    checks = [check_outcome(spec, octx, or_recorded) for spec in specs]
    detail = " ".join(c.explanation for c in checks)
    window_open = months_after(octx.anchor, octx.params.sustain_months)
    if octx.full_period and all(c.holds for c in checks):
        return ctx.status(code, label, Status.MET, None, checks, detail)
    when = max([window_open, *(c.clears_on for c in checks if not c.holds and c.clears_on)])
    prefix = (
        "" if octx.full_period else f"the sustain period cannot end before {fmt(window_open)}. "
    )
    return ctx.status(code, label, Status.IN_PROGRESS, when, checks, prefix + detail)


@result_rule("attachment_fee")
def attachment_fee(ctx: ResultContext) -> ResultStatus:
    """Paid once when the family is attached; TF2012 pays a share that falls by
    programme year (years start in April)."""
    p = ctx.framework.parameters
    full = ctx.framework.amounts.get("attachment_fee", 0)
    a = ctx.attachment
    year = (a.year if a.month >= 4 else a.year - 1) - p.programme_start_year
    share = p.attachment_share_pct[min(max(year, 0), len(p.attachment_share_pct) - 1)]
    amount = full * share // 100
    label = "Attachment fee"
    text = f"attached on {fmt(a)}; £{amount:,}"
    text += f" ({share}% of £{full:,} in programme year {year + 1})." if share != 100 else "."
    state = Status.MET if a <= ctx.as_of else Status.IN_PROGRESS
    status = ctx.status("attachment_fee", label, state, a, (), text)
    return dataclasses.replace(status, amount=amount)


@result_rule("sustained_progress")
def sustained_progress(ctx: ResultContext) -> ResultStatus:
    """TF2015: every headline problem present at attachment has its outcome sustained."""
    label = "Significant and sustained progress"
    present = ctx.present_at_attachment()
    if not present:
        return ctx.status(
            "sustained_progress",
            label,
            Status.NOT_MET,
            None,
            (),
            "no headline problem at attachment.",
        )
    return _all_outcomes(ctx, "sustained_progress", label, present, ctx.outcome_context())


def _progress_result(ctx: ResultContext, code: str, label: str, progress: Progress) -> ResultStatus:
    check = OutcomeCheck(
        code,
        label,
        progress.holds,
        progress.evidence,
        "; ".join(progress.reasons) + ".",
        progress.clears_on,
    )
    if progress.holds:
        state = Status.MET
    elif progress.clears_on is None:
        state = Status.NOT_MET
    else:
        state = Status.IN_PROGRESS
    return ctx.status(code, label, state, progress.clears_on, (check,), check.explanation)


@result_rule("continuous_employment")
def continuous_employment_result(ctx: ResultContext) -> ResultStatus:
    progress = continuous_employment(
        ctx.household, ctx.attachment, ctx.as_of, ctx.framework.parameters
    )
    return _progress_result(ctx, "continuous_employment", "Continuous employment", progress)


@result_rule("consecutive_employment")
def consecutive_employment_result(ctx: ResultContext) -> ResultStatus:
    progress = consecutive_employment(
        ctx.household, ctx.attachment, ctx.as_of, ctx.framework.parameters
    )
    return _progress_result(ctx, "consecutive_employment", "Continuous employment", progress)


@result_rule("crime_education")
def crime_education(ctx: ResultContext) -> ResultStatus:
    """TF2012: crime/ASB and education outcomes, for whichever was present at attachment."""
    label = "Crime/ASB and education"
    present = ctx.present_at_attachment(("crime_asb", "education"))
    if not present:
        return ctx.status(
            "crime_education", label, Status.NOT_MET, None, (), "neither problem at attachment."
        )
    return _all_outcomes(ctx, "crime_education", label, present, ctx.outcome_context())


@result_rule("progress_to_work")
def progress_to_work(ctx: ResultContext) -> ResultStatus:
    """TF2012: recorded evidence, dated after attachment, that an adult joined the Work
    Programme or ESF provision."""
    label = "Progress to work"
    after = Window(ctx.attachment, ctx.as_of)
    statements = [
        s
        for s in ctx.household.statements(("progress_to_work",), Purpose.OUTCOME)
        if after.contains(s.date)
        and (member := ctx.household.member(s.person_id)) is not None
        and member.is_adult(s.date)
    ]
    progress = Progress(
        bool(statements),
        tuple(s.ref() for s in statements),
        tuple(f"{s.describe()} ({cite([s.ref()])}, flagged for audit sampling)" for s in statements)
        or (f"no recorded evidence about an adult from {after.describe()}",),
        None if statements else ctx.as_of + ONE_DAY,
    )
    return _progress_result(ctx, "progress_to_work", label, progress)


@result_rule("family_outcome")
def family_outcome(ctx: ResultContext) -> ResultStatus:
    """SF2022: lead practitioner, assessment and a plan covering every need are recorded,
    and every need present at attachment has a positive outcome (its rule or recorded
    evidence) held for the sustain period after the case closed."""
    label = "Successful family outcome"
    code = "family_outcome"
    needs = ctx.present_at_attachment()
    if not needs:
        return ctx.status(code, label, Status.NOT_MET, None, (), "no need at attachment.")
    case = ctx.case
    missing = [
        name
        for name, done in (
            ("a lead practitioner", case.lead_practitioner),
            ("a whole-family assessment", case.assessment),
            ("a plan covering every need", case.plan_covers_all_needs),
        )
        if not done
    ]
    months = ctx.framework.parameters.sustain_months
    if case.closed_on is None:
        missing.append("case closure")
        octx = ctx.outcome_context()
        checks = [check_outcome(spec, octx, or_recorded=True) for spec in needs]
        when = months_after(ctx.as_of, months)
        return ctx.status(
            code, label, Status.IN_PROGRESS, when, checks, f"still needs {', '.join(missing)}."
        )
    result = _all_outcomes(
        ctx, code, label, needs, ctx.outcome_context(max(case.closed_on, ctx.attachment)), True
    )
    if not missing:
        return result
    when = max(result.could_first_be_met or ctx.as_of, ctx.as_of + ONE_DAY)
    return ctx.status(
        code,
        label,
        Status.IN_PROGRESS,
        when,
        result.outcomes,
        f"still needs {', '.join(missing)}. {result.explanation}",
    )
