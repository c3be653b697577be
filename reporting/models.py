"""The reporting app's models live in its parts; Django finds them through here."""

from reporting.cards.models import CurveStory, MeasureSetting, PublishedCard  # noqa: F401
