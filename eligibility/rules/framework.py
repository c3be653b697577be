"""Programme frameworks as versioned data: criteria, parameters, result rules, amounts.

Nothing that rulebooks.md calls a parameter lives in the rule functions; they read it from
the :class:`Parameters` of the framework being evaluated. Every framework round-trips
through JSON (:meth:`Framework.to_dict` / :meth:`Framework.from_dict`) so a database row
can hold an administrator's edited version, and every edit makes a new version number so
each stored decision names exactly the rules it used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSONValue = Any  # a value json.dumps accepts; rule options are JSON by contract


@dataclass(frozen=True)
class Parameters:
    """Thresholds and windows; defaults are TF2015's. Months and weeks are whole numbers;
    percentages compare exactly (10% means 10 in 100 sessions meets, 9.99% does not)."""

    look_back_months: int = 12
    # Eligibility rule: national count needed, or a lower count plus a local criterion.
    min_national: int = 2
    min_national_with_local: int | None = None
    min_local: int = 0
    exclude_if_all_children_under_school_age: bool = False
    require_dependent_child_or_expectant: bool = False
    # Education.
    absence_measure: str = "overall"  # "overall" (authorised + unauthorised) or "unauthorised"
    absence_threshold_pct: float = 10.0
    attendance_terms: int = 3
    suspensions_threshold: int = 3
    out_of_work_benefits: tuple[str, ...] = (
        "JSA",
        "ESA",
        "IS",
        "IB",
        "UC_SEARCHING",
        "UC_PREPARING",
        "UC_NO_WORK_REQ",
    )
    # Results.
    baseline_months: int = 6
    sustain_months: int = 6
    asb_max_pct_of_baseline: float = 40.0
    youth_offending_max_pct_of_baseline: float = 67.0
    job_search_benefits: tuple[str, ...] = ("JSA", "UC_SEARCHING")
    employment_weeks_job_search: int = 26
    employment_window_job_search: int = 30
    employment_weeks_other: int = 13
    employment_window_other: int = 16
    consecutive_employment_weeks: int = 13
    # TF2012 attachment fee: share of the attachment amount by programme year from April.
    programme_start_year: int = 2015
    attachment_share_pct: tuple[int, ...] = (100,)

    def __post_init__(self) -> None:
        # Fail loudly on an administrator's edit that no rule could interpret.
        if self.absence_measure not in ("overall", "unauthorised"):
            raise ValueError(
                f"absence_measure must be overall or unauthorised: {self.absence_measure!r}"
            )
        if not self.attachment_share_pct:
            raise ValueError("attachment_share_pct needs at least one year")
        negative = [
            f.name
            for f in dataclasses.fields(self)
            if isinstance(getattr(self, f.name), int | float) and getattr(self, f.name) < 0
        ]
        if negative:
            raise ValueError(f"parameters cannot be negative: {', '.join(negative)}")

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            f.name: list(value) if isinstance(value := getattr(self, f.name), tuple) else value
            for f in dataclasses.fields(self)
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> Parameters:
        """Build from stored JSON; unknown names raise so a typo cannot silently no-op."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = set(data) - set(known)
        if unknown:
            raise ValueError(f"unknown parameters: {', '.join(sorted(unknown))}")
        # Stored JSON is loosely typed; __post_init__ rejects values no rule can use.
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in data.items()
        }
        return cls(**values)


#: Each parameter as the rulebook page labels it.
PARAMETER_LABELS: dict[str, str] = {
    "look_back_months": "Months of history the criteria look back over",
    "min_national": "National criteria a family must meet",
    "min_national_with_local": "National criteria needed alongside a local criterion",
    "min_local": "Local criteria a family must meet",
    "exclude_if_all_children_under_school_age": (
        "Exclude families whose children are all under school age"
    ),
    "require_dependent_child_or_expectant": "Require a dependent child or an expectant parent",
    "absence_measure": "Absence measure (overall or unauthorised)",
    "absence_threshold_pct": "School absence threshold (% of sessions)",
    "attendance_terms": "Terms of attendance looked at",
    "suspensions_threshold": "Suspensions that meet the education criterion",
    "out_of_work_benefits": "Out-of-work benefits",
    "baseline_months": "Months before attachment used as the baseline",
    "sustain_months": "Months a result must be sustained",
    "asb_max_pct_of_baseline": "Anti-social behaviour: highest level kept, as % of the baseline",
    "youth_offending_max_pct_of_baseline": (
        "Youth offending: highest level kept, as % of the baseline"
    ),
    "job_search_benefits": "Job-search benefits",
    "employment_weeks_job_search": "Weeks in work needed after job-search benefits",
    "employment_window_job_search": "Weeks those weeks in work must fall within (job search)",
    "employment_weeks_other": "Weeks in work needed after other benefits",
    "employment_window_other": "Weeks those weeks in work must fall within (other benefits)",
    "consecutive_employment_weeks": "Consecutive weeks in work for continuous employment",
    "programme_start_year": "Year the programme started",
    "attachment_share_pct": "Share of the attachment fee paid each programme year (%)",
}


@dataclass(frozen=True)
class RuleRef:
    """A named rule function with its options (JSON), e.g. ``health_need`` with
    ``{"needs": ["mental_health"], "who": "adult"}``."""

    rule: str
    options: Mapping[str, JSONValue] = field(default_factory=dict)

    def to_dict(self) -> dict[str, JSONValue]:
        return {"rule": self.rule, "options": dict(self.options)}

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> RuleRef:
        return cls(data["rule"], dict(data.get("options", {})))


@dataclass(frozen=True)
class CriterionSpec:
    """A headline problem, outcome or local criterion.

    Met when any of ``rules`` is met from data, or by recorded evidence coded with
    ``code`` or any of ``also_recorded``. ``outcome`` names the result rule that shows the
    problem has been turned around. Retired criteria stay in the data, so old decisions
    still read, but are no longer evaluated.
    """

    code: str
    label: str
    rules: tuple[RuleRef, ...] = ()
    also_recorded: tuple[str, ...] = ()
    outcome: RuleRef | None = None
    retired: bool = False

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "code": self.code,
            "label": self.label,
            "rules": [r.to_dict() for r in self.rules],
            "also_recorded": list(self.also_recorded),
            "outcome": self.outcome.to_dict() if self.outcome else None,
            "retired": self.retired,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> CriterionSpec:
        outcome = data.get("outcome")
        return cls(
            code=data["code"],
            label=data["label"],
            rules=tuple(RuleRef.from_dict(r) for r in data.get("rules", ())),
            also_recorded=tuple(data.get("also_recorded", ())),
            outcome=RuleRef.from_dict(outcome) if outcome else None,
            retired=bool(data.get("retired", False)),
        )


@dataclass(frozen=True)
class Framework:
    """One version of a programme rulebook.

    ``unconfirmed`` names parameters and amounts rulebooks.md marks "parameter: confirm",
    so the admin screen can flag them. ``results`` lists the result rules that apply and
    ``amounts`` their payment in whole pounds.
    """

    code: str
    version: int
    label: str
    national: tuple[CriterionSpec, ...]
    local: tuple[CriterionSpec, ...] = ()
    parameters: Parameters = field(default_factory=Parameters)
    results: tuple[str, ...] = ()
    amounts: Mapping[str, int] = field(default_factory=dict)
    unconfirmed: tuple[str, ...] = ()

    @property
    def active_national(self) -> tuple[CriterionSpec, ...]:
        return tuple(c for c in self.national if not c.retired)

    @property
    def active_local(self) -> tuple[CriterionSpec, ...]:
        return tuple(c for c in self.local if not c.retired)

    def with_parameters(self, **changes: JSONValue) -> Framework:
        """A new version with some parameters changed."""
        params = dataclasses.replace(self.parameters, **changes)
        return dataclasses.replace(self, version=self.version + 1, parameters=params)

    def with_local(self, spec: CriterionSpec) -> Framework:
        """A new version with ``spec`` added, or replacing the local criterion of its code."""
        if any(c.code == spec.code for c in self.local):
            local = tuple(spec if c.code == spec.code else c for c in self.local)
        else:
            local = (*self.local, spec)
        return dataclasses.replace(self, version=self.version + 1, local=local)

    def retire_local(self, code: str) -> Framework:
        """A new version in which local criterion ``code`` is retired."""
        spec = next((c for c in self.local if c.code == code), None)
        if spec is None:
            raise KeyError(code)
        return self.with_local(dataclasses.replace(spec, retired=True))

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "code": self.code,
            "version": self.version,
            "label": self.label,
            "national": [c.to_dict() for c in self.national],
            "local": [c.to_dict() for c in self.local],
            "parameters": self.parameters.to_dict(),
            "results": list(self.results),
            "amounts": dict(self.amounts),
            "unconfirmed": list(self.unconfirmed),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> Framework:
        return cls(
            code=data["code"],
            version=int(data["version"]),
            label=data["label"],
            national=tuple(CriterionSpec.from_dict(c) for c in data["national"]),
            local=tuple(CriterionSpec.from_dict(c) for c in data.get("local", ())),
            parameters=Parameters.from_dict(data.get("parameters", {})),
            results=tuple(data.get("results", ())),
            amounts={k: int(v) for k, v in data.get("amounts", {}).items()},
            unconfirmed=tuple(data.get("unconfirmed", ())),
        )


def _ref(rule: str, **options: JSONValue) -> RuleRef:
    return RuleRef(rule, options)


# Building blocks shared between frameworks, so TF2015 and SF2022 "as TF2015" stay equal.
_PROVEN_OFFENCE = _ref("proven_offence", who="any")
_ASB = _ref("asb_perpetrator")
_EDUCATION = _ref("education")
_CSC = _ref("social_care_status", statuses=["CIN", "CP", "LAC"])
_DEVELOPMENT = _ref("early_years_event", events=["development_concern"])
_BENEFIT = _ref("out_of_work_benefit")
_NEET = _ref("neet_at_date")
_DOMESTIC_ABUSE = _ref("domestic_abuse")

_CRIME_OUTCOME = _ref("crime_reduction", adult_offence_allowed=False)
_EDUCATION_OUTCOME = _ref("attendance_sustained")
_SAFE_OUTCOME = _ref("no_child_protection")
_WORK_OUTCOME = _ref("work_progress")
_DA_OUTCOME = _ref("no_domestic_abuse")
_RECORDED_OUTCOME = _ref("recorded_outcome")

TF2015 = Framework(
    code="TF2015",
    version=1,
    label="Expanded Troubled Families programme, 2015-20",
    national=(
        CriterionSpec(
            "crime_asb",
            "Parents or children involved in crime or anti-social behaviour",
            (_PROVEN_OFFENCE, _ASB),
            outcome=_CRIME_OUTCOME,
        ),
        CriterionSpec(
            "education",
            "Children not attending school regularly",
            (_EDUCATION,),
            outcome=_EDUCATION_OUTCOME,
        ),
        CriterionSpec(
            "children_need_help",
            "Children who need help",
            (_CSC, _DEVELOPMENT),
            outcome=_SAFE_OUTCOME,
        ),
        CriterionSpec(
            "worklessness",
            "Adults out of work or at risk of financial exclusion, "
            "young people at risk of worklessness",
            (_BENEFIT, _NEET, _ref("housing_event", events=["rent_arrears", "eviction_notice"])),
            outcome=_WORK_OUTCOME,
        ),
        CriterionSpec(
            "domestic_abuse",
            "Families affected by domestic violence and abuse",
            (_DOMESTIC_ABUSE,),
            outcome=_DA_OUTCOME,
        ),
        CriterionSpec(
            "health",
            "Parents and children with a range of health problems",
            (_ref("health_need"),),
            outcome=_RECORDED_OUTCOME,
        ),
    ),
    local=(
        CriterionSpec(
            "cp_step_down",
            "A child stepping down from a child protection plan to child in need",
            (_ref("cp_step_down", within_days=30),),
        ),
        CriterionSpec("cse_risk", "A child at risk of child sexual exploitation"),
        CriterionSpec(
            "two_year_funding",
            "A child aged 2 eligible for funded childcare",
            (_ref("early_years_event", events=["two_year_funding_eligible"], who="child"),),
        ),
        CriterionSpec(
            "parent_da_victim",
            "A parent recorded as a victim of domestic abuse",
            (_ref("domestic_abuse", roles=["victim"], who="adult"),),
        ),
        CriterionSpec(
            "parent_substance",
            "A parent misusing alcohol or drugs",
            (_ref("health_need", needs=["substance_misuse", "alcohol_misuse"], who="adult"),),
        ),
        CriterionSpec(
            "parent_mental_health",
            "A parent with mental health or emotional wellbeing concerns",
            (_ref("health_need", needs=["mental_health"], who="adult"),),
        ),
        CriterionSpec(
            "child_autism_adhd",
            "A child with an EHC plan for autism or ADHD",
            (_ref("health_need", needs=["autism_adhd_ehcp"], who="child"),),
        ),
    ),
    parameters=Parameters(),
    results=("attachment_fee", "sustained_progress", "continuous_employment"),
    amounts={"attachment_fee": 1000, "sustained_progress": 800, "continuous_employment": 800},
    unconfirmed=(
        "employment_weeks_job_search",
        "employment_window_job_search",
        "employment_weeks_other",
        "employment_window_other",
    ),
)

TF2012 = Framework(
    code="TF2012",
    version=1,
    label="Troubled Families phase 1, 2012-15",
    national=(
        CriterionSpec(
            "crime_asb",
            "Youth offending or anti-social behaviour",
            (_ref("proven_offence", who="child"), _ASB),
            outcome=_ref("crime_reduction", adult_offence_allowed=True),
        ),
        CriterionSpec(
            "education",
            "Children persistently absent or excluded from school",
            (_EDUCATION,),
            outcome=_ref("attendance_three_terms"),
        ),
        CriterionSpec("worklessness", "An adult on out-of-work benefits", (_BENEFIT,)),
    ),
    # The "high cost" filter is local: any local criterion counts. It ships as recorded
    # evidence only; an area adds data-driven criteria of its own.
    local=(CriterionSpec("high_cost", "High cost to the public purse (local filter)"),),
    parameters=Parameters(
        min_national=3,
        min_national_with_local=2,
        exclude_if_all_children_under_school_age=True,
        absence_measure="unauthorised",
        absence_threshold_pct=15.0,
        programme_start_year=2012,
        attachment_share_pct=(80, 60, 40),
    ),
    results=(
        "attachment_fee",
        "crime_education",
        "consecutive_employment",
        "progress_to_work",
    ),
    amounts={
        "attachment_fee": 4000,
        "crime_education": 700,
        "consecutive_employment": 800,
        "progress_to_work": 100,
    },
)

SF2022 = Framework(
    code="SF2022",
    version=1,
    label="Supporting Families, 2022-25",
    national=tuple(
        CriterionSpec(code, label, rules, also, outcome)
        for code, label, rules, also, outcome in (
            ("education", "Getting a good education", (_EDUCATION, _NEET), (), _EDUCATION_OUTCOME),
            ("early_years", "Good early years development", (_DEVELOPMENT,), (), None),
            (
                "health",
                "Improved mental and physical health",
                (
                    _ref(
                        "health_need",
                        needs=["mental_health", "physical_health", "autism_adhd_ehcp"],
                    ),
                ),
                (),
                None,
            ),
            (
                "substance_use",
                "Promoting recovery and reducing harm from substance use",
                (_ref("health_need", needs=["substance_misuse", "alcohol_misuse"]),),
                (),
                None,
            ),
            ("family_relationships", "Improved family relationships", (), (), None),
            (
                "safe_from_abuse",
                "Children safe from abuse and exploitation",
                (_CSC,),
                ("cse_risk",),
                _SAFE_OUTCOME,
            ),
            (
                "crime",
                "Crime prevention and tackling crime",
                (_PROVEN_OFFENCE, _ASB),
                (),
                _CRIME_OUTCOME,
            ),
            ("domestic_abuse", "Safe from domestic abuse", (_DOMESTIC_ABUSE,), (), _DA_OUTCOME),
            (
                "housing",
                "Secure housing",
                (
                    _ref(
                        "housing_event",
                        events=[
                            "eviction_notice",
                            "homeless_application",
                            "temporary_accommodation",
                        ],
                    ),
                ),
                (),
                None,
            ),
            (
                "financial_stability",
                "Financial stability",
                (_BENEFIT, _ref("housing_event", events=["rent_arrears"])),
                (),
                _WORK_OUTCOME,
            ),
        )
    ),
    parameters=Parameters(min_national=3, require_dependent_child_or_expectant=True),
    results=("family_outcome",),
    amounts={"family_outcome": 800},
    unconfirmed=("family_outcome",),
)

BUILT_IN: Mapping[str, Framework] = {f.code: f for f in (TF2015, TF2012, SF2022)}
DEFAULT_FRAMEWORK = TF2015
