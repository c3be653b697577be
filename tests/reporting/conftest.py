"""The fixtures the reporting tests share: the families `world`, the outcomes `team`
built on it, and the feedback tests' `fb` (tests/reporting/feedback_fixtures.py)."""

from tests.families.conftest import make_family, world  # noqa: F401
from tests.outcomes.conftest import active, team  # noqa: F401
from tests.reporting.feedback_fixtures import fb  # noqa: F401
