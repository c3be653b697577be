"""Synthetic feedback for the demo authority, through the services, from `rng` alone:
families' answers at their reviews and closures over the last three years of quarters,
key workers' and panel members' quarterly answers, key workers' professional
backgrounds, and a drawn and reviewed quality sample for each whole quarter. Answers
get a little better over time, so the cards' curves have something to show."""

import random
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from outcomes.models import Closure, Review
from reporting.feedback import access, services
from reporting.feedback.models import FamilyFeedback, KeyPlayerFeedback, Occasion, Rating
from reporting.feedback.questions import FAMILY_QUESTIONS, KEY_PLAYER_QUESTIONS
from reporting.rules import Period, periods_ending
from tafcase.accounts import services as account_services
from tafcase.accounts.models import ProfessionalBackground, Role

# Three years of whole quarters and the one running, so every card's chart has a history;
# the quality sample is drawn and reviewed for each whole quarter.
QUARTERS = 13
SAMPLED_QUARTERS = 12
FAMILY_SHARE = {Occasion.REVIEW: 0.45, Occasion.CLOSURE: 0.6}
DIFFERENCES = [
    "Having one person who knew our whole story.",
    "Someone came to school meetings with me.",
    "Help sorting out the rent arrears.",
    "The kids have a routine now.",
    "Being listened to and not judged.",
    "",
    "",
]
IMPROVEMENTS = [
    "More time for direct work with families.",
    "Quicker answers from housing.",
    "Panel papers earlier in the week.",
    "Joint visits with health visitors.",
    "",
    "",
]
RATINGS = [Rating.OUTSTANDING, Rating.GOOD, Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE]
RATING_WEIGHTS = [15, 50, 28, 7]


def _at(day: date, hour: int, now: datetime) -> datetime:
    return min(timezone.make_aware(datetime.combine(day, time(hour))), now)


def _scale(rng: random.Random, progress: float) -> int:
    """An answer from 1 to 5, mostly positive and more so as `progress` runs 0 → 1."""
    lift = 10 * progress
    return rng.choices([5, 4, 3, 2, 1], [30 + lift, 35 + lift, 18, 10 - lift / 2, 7 - lift / 2])[0]


def _rating(rng: random.Random) -> str:
    return rng.choices(RATINGS, RATING_WEIGHTS)[0]


def _family_feedback(rng: random.Random, authority, first: date, now: datetime) -> int:
    today = timezone.localdate(now)
    span = max((today - first).days, 1)
    occasions = [
        (Occasion.REVIEW, r.family, r.held_on, r, None)
        for r in Review.objects.filter(
            family__local_authority=authority, held_on__gte=first, held_on__lte=today
        )
        .select_related("family")
        .order_by("held_on", "pk")
    ] + [
        (Occasion.CLOSURE, c.family, c.closed_on, None, c)
        for c in Closure.objects.filter(
            family__local_authority=authority, closed_on__gte=first, closed_on__lte=today
        )
        .select_related("family")
        .order_by("closed_on", "pk")
    ]
    given = 0
    for occasion, family, day, review, closure in occasions:
        if rng.random() >= FAMILY_SHARE[occasion] or family.lead_professional_id is None:
            continue
        at = _at(day, 14, now) - timedelta(minutes=30)
        _, token = services.family_feedback_handover_start(
            actor=family.lead_professional,
            family=family,
            occasion=occasion,
            review=review,
            closure=closure,
            token=f"demo{rng.getrandbits(160):040x}",
            at=at,
        )
        progress = (day - first).days / span
        services.family_feedback_submit(
            token=token,
            answers={q.field: _scale(rng, progress) for q in FAMILY_QUESTIONS},
            answered_by=rng.choice(["adult", "adult", "adult", "young_person", ""]),
            biggest_difference=rng.choice(DIFFERENCES),
            at=at + timedelta(minutes=rng.randint(3, 20)),
        )
        given += 1
    return given


def _key_players(rng: random.Random, authority, quarters: list[Period], users, now) -> int:
    players = [u for u in users if access.is_key_player(u)]
    given = 0
    for index, quarter in enumerate(quarters):
        for user in players:
            if rng.random() >= 0.7:
                continue
            answered = quarter.end - timedelta(days=rng.randint(0, 20))
            services.key_player_feedback_submit(
                actor=user,
                authority=authority,
                period=quarter,
                answered_as=access.answers_as(user)[0],
                answers={q.field: _scale(rng, index / len(quarters)) for q in KEY_PLAYER_QUESTIONS},
                improvement=rng.choice(IMPROVEMENTS),
                at=_at(answered, 11, now),
            )
            given += 1
    return given


def _key_worker_details(rng: random.Random, users, administrator) -> None:
    for user in users:
        if user.has_role(Role.KEY_WORKER) and not user.professional_background:
            account_services.user_key_worker_details_set(
                actor=administrator,
                user=user,
                professional_background=rng.choice(list(ProfessionalBackground)),
                dedicated_key_worker=rng.random() < 0.6,
            )


def _quality_samples(
    rng: random.Random, authority, quarters: list[Period], users: dict, now
) -> tuple[int, int]:
    drawn = reviewed = 0
    reviewers = [users["coordinator"], users["auditor"]]
    for index, quarter in enumerate(quarters):
        try:
            sample = services.quality_sample_draw(
                actor=users["coordinator"],
                authority=authority,
                period_start=quarter.start,
                period_end=quarter.end,
                seed=rng.randrange(2**31),
                at=_at(quarter.end + timedelta(days=14), 10, now),
            )
        except ValidationError:  # nothing closed that quarter
            continue
        drawn += 1
        latest = index == len(quarters) - 1
        for case in sample.cases.order_by("pk"):
            if latest and rng.random() < 0.5:
                continue  # the newest sample is still being reviewed
            services.quality_case_review(
                actor=rng.choice(reviewers),
                case=case,
                engagement=_rating(rng),
                engagement_notes="Regular visits; the family's own words are in the plan.",
                multi_agency=_rating(rng),
                multi_agency_notes="School and health at every review.",
                multi_agency_gaps=rng.choice(["", "", "Housing not involved until late."]),
                creativity=_rating(rng),
                creativity_notes=rng.choice(["", "Used the budget for a family day out."]),
                at=_at(quarter.end + timedelta(days=rng.randint(20, 60)), 15, now),
            )
            reviewed += 1
    return drawn, reviewed


def seed(rng: random.Random, context: dict) -> None:
    authority = context["authority"]
    if (
        FamilyFeedback.objects.filter(family__local_authority=authority).exists()
        or KeyPlayerFeedback.objects.filter(local_authority=authority).exists()
    ):
        return
    now = timezone.now()
    current = Period.containing(timezone.localdate(now))
    quarters = periods_ending(current, QUARTERS)
    users = context["users"]
    _key_worker_details(rng, users.values(), users["admin"])
    families = _family_feedback(rng, authority, quarters[0].start, now)
    players = _key_players(rng, authority, quarters, users.values(), now)
    # Whole quarters only: the running one has not finished closing its cases.
    drawn, reviewed = _quality_samples(
        rng, authority, periods_ending(current.previous(), SAMPLED_QUARTERS), users, now
    )
    context["stdout"].write(
        f"Feedback: {families} family answers, {players} key-player answers, "
        f"{drawn} quality samples with {reviewed} cases reviewed."
    )
