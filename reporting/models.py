"""The reporting app's models live in its parts; Django finds them through here."""

from reporting.cards.models import CurveStory, MeasureSetting, PublishedCard  # noqa: F401
from reporting.feedback.models import (  # noqa: F401
    FamilyFeedback,
    FeedbackHandover,
    KeyPlayerFeedback,
    QualitySample,
    QualitySampleCase,
)

# The national returns (reporting.returns).
from reporting.returns.models import (  # noqa: F401
    CostParameters,
    ReturnSample,
    UnitCost,
    UnitCostVersion,
)
