"""Synthetic reporting data for the demo, built on what the earlier apps made."""

import random

from reporting.feedback import demo as feedback_demo


def seed(rng: random.Random, context: dict) -> None:
    feedback_demo.seed(rng, context)
