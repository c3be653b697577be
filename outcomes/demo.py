"""Synthetic casework for the demo families: assessments (Baseline and often Review 1),
plans with goals and actions, reviews, budget spend, and closures with follow-ups; then
their Payment by Results claims (outcomes.claims.demo)."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from families.models import Family, Membership, Person
from outcomes import casework, services
from outcomes.claims import demo as claims_demo
from outcomes.models import (
    Action,
    Assessment,
    BudgetItem,
    Closure,
    DomainScore,
    FollowUp,
    Goal,
    Review,
)
from outcomes.services import casework_settings
from tafcase import identity

# Goals in the family's words, each about one member of the family: "child" goals name a
# child of school age (any child if none is), "adult" goals a parent or other adult living
# there. (criterion, who, title, target, steps the member owns)
GOALS = [
    (
        "education",
        "child",
        "{name} goes to school every day",
        "Attendance above 95% this term",
        ["{name} and a parent meet the attendance officer", "Agree a morning routine with {name}"],
    ),
    (
        "education",
        "child",
        "{name} settles back into school after the exclusion",
        "No suspensions this term",
        ["{name} goes to the reintegration meeting", "{name} tries the lunchtime club"],
    ),
    (
        "worklessness",
        "adult",
        "{name} finds paid work",
        "Job offer or 16 hours' work by the summer",
        ["{name} goes to the jobs fair", "{name} updates the CV with the work coach"],
    ),
    (
        "worklessness",
        "adult",
        "{name} gets on top of the rent arrears",
        "Repayment plan kept for three months",
        ["{name} books the debt advice appointment", "{name} applies for the hardship fund"],
    ),
    (
        "crime_asb",
        "child",
        "{name} stays out of trouble with the neighbours",
        "No ASB reports for six months",
        ["{name} joins the youth club on Thursdays", "{name} agrees a curfew with the family"],
    ),
    (
        "health",
        "adult",
        "{name} feels calmer at home",
        "Attends talking therapy sessions",
        ["{name} books the GP appointment", "{name} self-refers to talking therapies"],
    ),
    (
        "health",
        "child",
        "{name} sleeps better and is less anxious",
        "Bedtime routine kept five nights a week",
        ["{name} and the school nurse make a sleep plan", "{name} tries the calm-down box"],
    ),
    (
        "domestic_abuse",
        "adult",
        "{name} and the children feel safe at home",
        "Safety plan in place and reviewed",
        ["{name} meets the domestic abuse worker", "{name} keeps the safety plan by the phone"],
    ),
    (
        "children_need_help",
        "child",
        "{name} has someone to talk to",
        "Weekly sessions with the mentor for a term",
        ["{name} meets the mentor", "{name} chooses an activity for the holidays"],
    ),
]
# The family's view at the baseline assessment, and what the first review decided.
FAMILY_VIEWS = [
    "We want things calmer at home.",
    "We want the kids in school and less shouting in the mornings.",
    "We're fed up of the police coming round. We want a fresh start.",
    "Money is the big worry. If we sorted the rent we could cope with the rest.",
    "We want to feel safe and have somebody on our side.",
    "We want help with the eldest; the younger ones are doing fine.",
]
REVIEW_DECISIONS = [
    "Plan reviewed; actions agreed.",
    "Good progress on school attendance; the attendance goal stays until the end of term.",
    "Housing arrears repayment on track; the housing officer steps back.",
    "New worry about the eldest's friends; the youth worker joins the team.",
    "Two goals achieved and closed; one new goal agreed with the family.",
    "Little change since the last review; visits increase to weekly for a month.",
]
SPEND = [
    ("School uniform", "45.00"),
    ("Bus pass", "20.00"),
    ("Bed and bedding", "310.00"),
    ("Gym membership", "60.00"),
    ("Cooker", "280.00"),
]


def _member_for(rng: random.Random, members: list[Membership], who: str, on: date) -> Person | None:
    """A member a goal can be about: a school-age child (else any child) for "child"
    goals, an adult for "adult" ones; None when the family has nobody to fit."""
    if who == "adult":
        fits = [m for m in members if m.role != Membership.Role.CHILD]
    else:
        children = [m for m in members if m.role == Membership.Role.CHILD]
        fits = [m for m in children if 5 <= identity.age_on(m.person.dob, on) <= 16] or children
    return rng.choice(fits).person if fits else None


def _goals(rng: random.Random, family: Family, members: list[Membership], start: date, actor):
    """Two of the family's goals, each with the member it is about and their first step."""
    made = []
    for code, who, title, target, steps in rng.sample(GOALS, 2):
        person = _member_for(rng, members, who, start)
        if person is None:
            continue
        goal = Goal(
            family=family,
            title=title.format(name=person.forename),
            criterion=code,
            target=target,
            status=rng.choice(list(Goal.Status)),
            created_by=actor,
        )
        made.append((goal, person, rng.choice(steps).format(name=person.forename)))
    return made


def seed(rng: random.Random, context: dict) -> None:
    authority = context["authority"]
    if Assessment.objects.filter(family__local_authority=authority).exists():
        return
    today = timezone.localdate()
    rules = casework_settings()
    families = list(
        Family.objects.filter(
            local_authority=authority, status__in=[Family.Status.ACTIVE, Family.Status.CLOSED]
        ).select_related("lead_professional")
    )
    members: dict[int, list] = {}
    for m in (
        Membership.objects.filter(family__in=families, ended_on__isnull=True)
        .exclude(role=Membership.Role.WIDER_FAMILY)
        .select_related("person")
        .order_by("pk")
    ):
        members.setdefault(m.family_id, []).append(m)
    assessments, reviews, goals, spends, closures = [], [], [], [], []
    goal_people: list[Person] = []
    goal_actions: list[str] = []
    for f in families:
        start = f.programme_start or today - timedelta(days=60)
        actor = f.lead_professional or context["users"]["coordinator"]
        assessments.append(
            Assessment(
                family=f,
                occasion=0,
                status="completed",
                started_on=start,
                completed_on=start + timedelta(days=21),
                created_by=actor,
                family_view=rng.choice(FAMILY_VIEWS),
            )
        )
        if (today - start).days > 50 and rng.random() < 0.7:
            held = start + timedelta(weeks=6)
            assessments.append(
                Assessment(
                    family=f,
                    occasion=1,
                    status="completed",
                    started_on=held,
                    completed_on=held,
                    created_by=actor,
                )
            )
            reviews.append(
                Review(
                    family=f,
                    held_on=held,
                    decisions=rng.choice(REVIEW_DECISIONS),
                    recorded_by=actor,
                )
            )
        plan = []
        for goal, person, step in _goals(rng, f, members.get(f.pk, []), start, actor):
            plan.append(goal)
            goals.append(goal)
            goal_people.append(person)
            goal_actions.append(step)
        if rng.random() < 0.5:
            purpose, amount = rng.choice(SPEND)
            amount = Decimal(amount)
            spends.append(
                BudgetItem(
                    family=f,
                    spent_on=start + timedelta(days=rng.randint(5, 40)),
                    purpose=purpose,
                    amount=amount,
                    needs_approval=bool(casework.spend_needs_approval(amount, rules)),
                    recorded_by=actor,
                )
            )
        if f.status == Family.Status.CLOSED and f.programme_end:
            closures.append(
                Closure(
                    family=f,
                    goals=len(plan),
                    goals_achieved=sum(g.status == Goal.Status.ACHIEVED for g in plan),
                    closed_on=f.programme_end,
                    reason=rng.choice(list(Closure.Reason)),
                    exit_plan="Universal services stay involved; family knows who to call.",
                    destination="Universal services",
                    closed_by=actor,
                )
            )
    assessments = Assessment.objects.bulk_create(assessments, batch_size=2000)
    scores = []
    for a in assessments:
        for domain in casework.APPENDIX_D.for_profile(casework.Profile.FAMILY):
            scores.append(
                DomainScore(
                    assessment=a,
                    person=None,
                    domain=domain.code,
                    score=max(1, rng.randint(2, 5) - a.occasion),
                )
            )
        for m in members.get(a.family_id, [])[:3]:
            profile = casework.Profile.CHILD if m.role == "child" else casework.Profile.ADULT
            for domain in casework.APPENDIX_D.for_profile(profile)[:4]:
                scores.append(
                    DomainScore(
                        assessment=a,
                        person_id=m.person_id,
                        domain=domain.code,
                        score=max(1, rng.randint(2, 5) - a.occasion),
                    )
                )
    DomainScore.objects.bulk_create(scores, batch_size=5000)
    services.assessment_means_store([a.pk for a in assessments])
    Review.objects.bulk_create(reviews, batch_size=2000)
    goals = Goal.objects.bulk_create(goals, batch_size=2000)
    Goal.members.through.objects.bulk_create(
        (
            Goal.members.through(goal_id=g.pk, person_id=p.pk)
            for g, p in zip(goals, goal_people, strict=True)
        ),
        batch_size=5000,
    )
    Action.objects.bulk_create(
        (
            Action(
                goal=g,
                description=description,
                owner_person=person,
                due_on=today + timedelta(days=rng.randint(-20, 40)),
            )
            for g, person, description in zip(goals, goal_people, goal_actions, strict=True)
        ),
        batch_size=5000,
    )
    BudgetItem.objects.bulk_create(spends, batch_size=2000)
    closures = Closure.objects.bulk_create(closures, batch_size=2000)
    FollowUp.objects.bulk_create(
        (
            FollowUp(
                closure=c,
                months_after=f.months_after,
                due_on=f.due_on,
                done_on=f.due_on if f.due_on < today and rng.random() < 0.7 else None,
                outcome="Still doing well." if f.due_on < today else "",
            )
            for c in closures
            for f in casework.closure_follow_ups(c.closed_on, rules)
        ),
        batch_size=5000,
    )
    context["stdout"].write(
        f"Casework: {len(assessments)} assessments, {len(scores)} scores, {len(goals)} goals, "
        f"{len(reviews)} reviews, {len(spends)} budget items, {len(closures)} closures."
    )
    claims_demo.seed(rng, context)
