"""Eligibility: evaluate every criterion of a framework and apply its eligibility rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .criteria import CriterionResult, evaluate_criterion
from .dates import Window
from .evidence import Household
from .framework import Framework, Parameters


@dataclass(frozen=True)
class PriorityInputs:
    """What the panel's default order uses, apart from its own likelihood rating."""

    local_criteria_met: int
    agencies_involved: int
    agencies: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "local_criteria_met": self.local_criteria_met,
            "agencies_involved": self.agencies_involved,
            "agencies": list(self.agencies),
        }


@dataclass(frozen=True)
class Decision:
    """A household's eligibility as of ``as_of`` under one framework version."""

    framework_code: str
    framework_version: int
    as_of: date
    national: tuple[CriterionResult, ...]
    local: tuple[CriterionResult, ...]
    eligible: bool
    rule: str
    priority: PriorityInputs

    @property
    def criteria(self) -> tuple[CriterionResult, ...]:
        return self.national + self.local

    @property
    def explanation(self) -> str:
        """The rule outcome then one line per criterion, for screens and letters."""
        return "\n".join([self.rule, *(c.explanation for c in self.criteria)])

    def to_dict(self) -> dict[str, object]:
        return {
            "framework": {"code": self.framework_code, "version": self.framework_version},
            "as_of": self.as_of.isoformat(),
            "eligible": self.eligible,
            "rule": self.rule,
            "national": [c.to_dict() for c in self.national],
            "local": [c.to_dict() for c in self.local],
            "priority": self.priority.to_dict(),
        }


def evaluate(household: Household, as_of: date, framework: Framework) -> Decision:
    """Evaluate ``household`` as of ``as_of`` against every active criterion of
    ``framework`` and its eligibility rule. Pure: same inputs, same decision."""
    params = framework.parameters
    national = tuple(
        evaluate_criterion(spec, household, as_of, params) for spec in framework.active_national
    )
    local = tuple(
        evaluate_criterion(spec, household, as_of, params, local=True)
        for spec in framework.active_local
    )
    eligible, rule = eligibility_rule(household, as_of, params, national, local)
    agencies = agencies_involved(household, Window.ending(as_of, params.look_back_months))
    priority = PriorityInputs(sum(c.met for c in local), len(agencies), agencies)
    return Decision(
        framework.code, framework.version, as_of, national, local, eligible, rule, priority
    )


def eligibility_rule(
    household: Household,
    as_of: date,
    params: Parameters,
    national: tuple[CriterionResult, ...],
    local: tuple[CriterionResult, ...],
) -> tuple[bool, str]:
    """Apply the framework's counting rule and exclusions; return (eligible, explanation)."""
    # Named by label: the explanation is shown to people as it is.
    met = [c.label for c in national if c.met]
    local_met = [c.label for c in local if c.met]
    n, total = len(met), len(national)
    rule = f"at least {params.min_national} of {total}"
    passes = n >= params.min_national
    if params.min_national_with_local is not None:
        rule += f", or {params.min_national_with_local} of {total} plus a local criterion"
        passes = passes or (n >= params.min_national_with_local and bool(local_met))
    failures = [] if passes else [f"meets too few of {total}"]
    if params.min_local:
        rule += f"; and at least {params.min_local} local criteria"
        if len(local_met) < params.min_local:
            failures.append(f"at least {params.min_local} local criteria are required")
    children = [m for m in household.members if m.is_child(as_of)]
    if params.exclude_if_all_children_under_school_age:
        rule += "; families whose children are all under school age are excluded"
        if children and all(m.is_under_school_age(as_of) for m in children):
            failures.append("all the children are under school age")
    if params.require_dependent_child_or_expectant:
        rule += "; and dependent children or an expectant parent"
        if not (children or any(m.expectant for m in household.members)):
            failures.append("there are no dependent children and no expectant parent")
    met_text = f"meets {n} of {total} ({'; '.join(met) or 'none'})"
    local_text = f"local criteria met: {'; '.join(local_met) or 'none'}"
    if failures:
        return (
            False,
            f"Not eligible: {met_text}; {local_text}; the rule is {rule}. "
            f"Not met because: {'; '.join(failures)}.",
        )
    return True, f"Eligible: {met_text}; {local_text}; the rule is {rule}."


def agencies_involved(household: Household, window: Window) -> tuple[str, ...]:
    """Distinct sending agencies of members' records in ``window``, plus TAF agencies.

    Period records (benefits, care episodes...) count when they overlap the window.
    """
    agencies = set(household.taf_agencies)
    members = {m.person_id for m in household.members}
    for r in household.records:
        if r.agency and r.person_id in members and window.overlaps(*r.span):
            agencies.add(r.agency)
    return tuple(sorted(agencies))
