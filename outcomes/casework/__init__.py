"""The pure core of key-worker casework: no models, no database, no Django.

Everything here is plain functions over frozen dataclasses, so the rules can be tested
directly and reused by services, selectors, Celery tasks and reports alike.

How services will use it:

- **Assessment domains.** The domain set in force is configuration: a service loads the
  stored set (``DomainSet.from_dict(row.definition)``) or falls back to :data:`APPENDIX_D`,
  and forms offer ``domain_set.for_profile(Profile.CHILD)`` etc. Scores are stored against
  the stable ``Domain.code`` and the set's version, never the label.
- **Distance travelled.** A selector loads a family's scores as :class:`ScoreRecord` rows and
  its family/members as :class:`Subject` rows, then calls :func:`distance_travelled`. Reports
  aggregate the returned :class:`Summary` objects across families.
- **Charts.** Views and the PDF renderer call :func:`render_distance_chart` with one
  :class:`SubjectProgress` and ``domain_set.scale`` and mark the result safe: every piece of
  text in it is escaped here.
- **Schedule.** A service builds :class:`CaseworkSettings` from the council's settings and
  passes it to :func:`next_review_due` (when a review is held), :func:`closure_follow_ups`
  (when closing a case) and :func:`check_spends` / :func:`spend_needs_approval` (when
  recording spend). The casework due list turns :func:`due_bounds` and
  :func:`long_open_attached_by` into SQL filters, so it can page and count in the
  database; pages word a due date through the ``due`` template filter.
"""

from outcomes.casework.charts import change_in_words, render_distance_chart
from outcomes.casework.distance import (
    FAMILY_SUBJECT,
    Direction,
    DistanceTravelled,
    DomainProgress,
    OccasionScore,
    ScoreRecord,
    Subject,
    SubjectProgress,
    Summary,
    distance_travelled,
    domain_progress,
    subject_progress,
    summarise,
)
from outcomes.casework.domains import (
    APPENDIX_D,
    Domain,
    DomainSet,
    Profile,
    ScaleLevel,
    member_profile,
    occasion_code,
    occasion_label,
)
from outcomes.casework.schedule import (
    DEFAULT_SETTINGS,
    OVER_FAMILY_LIMIT,
    OVER_SPEND_THRESHOLD,
    CaseworkSettings,
    ClosureCheck,
    FollowUp,
    Spend,
    SpendCheck,
    add_months,
    check_spends,
    closure_check,
    closure_follow_ups,
    due_bounds,
    family_spend_totals,
    long_open_attached_by,
    next_review_due,
    review_due_dates,
    spend_needs_approval,
)

__all__ = [
    "APPENDIX_D",
    "DEFAULT_SETTINGS",
    "FAMILY_SUBJECT",
    "OVER_FAMILY_LIMIT",
    "OVER_SPEND_THRESHOLD",
    "CaseworkSettings",
    "ClosureCheck",
    "Direction",
    "DistanceTravelled",
    "Domain",
    "DomainProgress",
    "DomainSet",
    "FollowUp",
    "OccasionScore",
    "Profile",
    "ScaleLevel",
    "ScoreRecord",
    "Spend",
    "SpendCheck",
    "Subject",
    "SubjectProgress",
    "Summary",
    "add_months",
    "change_in_words",
    "check_spends",
    "closure_check",
    "closure_follow_ups",
    "distance_travelled",
    "domain_progress",
    "due_bounds",
    "family_spend_totals",
    "long_open_attached_by",
    "member_profile",
    "next_review_due",
    "occasion_code",
    "occasion_label",
    "render_distance_chart",
    "review_due_dates",
    "spend_needs_approval",
    "subject_progress",
    "summarise",
]
