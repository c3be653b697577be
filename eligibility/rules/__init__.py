"""The programme rulebook engine: eligibility, results and prioritisation as pure functions.

No Django here. A service uses it like this::

    framework = Framework.from_dict(active_version.data)   # or BUILT_IN["TF2015"]
    household = Household(members=..., records=..., recorded_evidence=..., taf_agencies=...)
    decision = evaluate(household, as_of, framework)         # criteria, eligible, priority
    Screening.objects.create(..., framework_code=decision.framework_code,
                             framework_version=decision.framework_version,
                             eligible=decision.eligible, data=decision.to_dict())
    statuses = results(household, attachment_date, as_of, framework, case=CaseFacts(...))

The service loads linked partner records and recorded evidence from the database, builds a
:class:`Household`, calls the engine and persists the returned dataclasses' ``to_dict()``
together with the framework code and version, so every stored decision can be explained
and re-run. Parameters and local criteria are data on the :class:`Framework`; editing them
(``with_parameters``, ``with_local``, ``retire_local``) yields a new version.
"""

from .criteria import CriterionResult, evaluate_criterion
from .decision import Decision, PriorityInputs, evaluate
from .evidence import (
    EvidenceRef,
    Household,
    Kind,
    Member,
    Purpose,
    Record,
    RecordedEvidence,
    Relationship,
    attendance_record,
)
from .framework import (
    BUILT_IN,
    DEFAULT_FRAMEWORK,
    SF2022,
    TF2012,
    TF2015,
    CriterionSpec,
    Framework,
    Parameters,
    RuleRef,
)
from .priority import Nomination, prioritise, priority_key
from .progress import OutcomeCheck
from .results import CaseFacts, ResultStatus, Status, results

__all__ = [
    "BUILT_IN",
    "DEFAULT_FRAMEWORK",
    "SF2022",
    "TF2012",
    "TF2015",
    "CaseFacts",
    "CriterionResult",
    "CriterionSpec",
    "Decision",
    "EvidenceRef",
    "Framework",
    "Household",
    "Kind",
    "Member",
    "Nomination",
    "OutcomeCheck",
    "Parameters",
    "PriorityInputs",
    "Purpose",
    "Record",
    "RecordedEvidence",
    "Relationship",
    "ResultStatus",
    "RuleRef",
    "Status",
    "attendance_record",
    "evaluate",
    "evaluate_criterion",
    "prioritise",
    "priority_key",
    "results",
]
