"""The audit tests read what every app shows, so they use every app's worlds."""

from tests.datamatch.conftest import load, team  # noqa: F401
from tests.datamatch.test_pages_and_api import finished_run  # noqa: F401
from tests.eligibility.conftest import eligible, nominate, panel, pw  # noqa: F401
from tests.families.conftest import make_family, world  # noqa: F401
from tests.outcomes.conftest import active  # noqa: F401
