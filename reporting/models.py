"""Reporting's models live with the part of the app that owns them; Django finds them
through here."""

# The national returns (reporting.returns).
from reporting.returns.models import (  # noqa: F401
    CostParameters,
    ReturnSample,
    UnitCost,
    UnitCostVersion,
)
