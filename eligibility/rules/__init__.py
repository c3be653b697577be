"""The programme rulebook engine: eligibility, results and prioritisation as pure functions.

No Django and no ORM here: dataclasses in, dataclasses out (house style, rule 4). A service
such as ``nomination_screen`` or ``claim_run_start`` does the I/O around it:

1. load the active framework version row and rebuild it with ``Framework.from_dict(row.data)``
   (or start from ``BUILT_IN["TF2015"]``, the default);
2. load the household's members, their linked partner records, recorded evidence and TAF
   agencies, and build a :class:`Household` of :class:`Member`, :class:`Record` and
   :class:`RecordedEvidence` values;
3. call ``evaluate(household, as_of, framework)`` for a :class:`Decision` (per-criterion
   results with evidence and plain-English explanations, eligible yes/no with the rule,
   priority inputs), and for attached families
   ``results(household, attachment_date, as_of, framework, case=CaseFacts(...))``;
4. persist ``decision.to_dict()`` / ``status.to_dict()`` inside the service's transaction,
   with ``framework_code`` and ``framework_version``, so every stored decision can be
   explained, audited and re-run against the exact rules it used.

Administrators edit a framework through ``with_parameters``, ``with_local`` and
``retire_local``; each edit returns a new version and ``to_dict()`` is what gets stored.
The panel orders nominations with :func:`prioritise` (``Nomination.from_decision``).
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
