"""Synthetic casework for the demo families: assessments (Baseline and often Review 1),
plans with goals and actions, reviews, budget spend, and closures with follow-ups; then
their Payment by Results claims (outcomes.claims.demo)."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from families.models import Family, Membership
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

GOALS = [
    ("education", "Ria goes to school every day", "Attendance above 95% this term"),
    ("worklessness", "Lee finds paid work", "Job offer or 16 hours' work by the summer"),
    ("crime_asb", "No more trouble with the neighbours", "No ASB reports for six months"),
    ("health", "Feel calmer at home", "Attends talking therapy sessions"),
    ("domestic_abuse", "Everyone feels safe at home", "Safety plan in place and reviewed"),
]
ACTIONS = [
    "Meet the attendance officer",
    "Book the GP appointment",
    "Apply for the course",
    "Agree a morning routine",
    "Visit the food bank together",
]
SPEND = [
    ("School uniform", "45.00"),
    ("Bus pass", "20.00"),
    ("Bed and bedding", "310.00"),
    ("Gym membership", "60.00"),
    ("Cooker", "280.00"),
]


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
    for m in Membership.objects.filter(family__in=families, ended_on__isnull=True).exclude(
        role=Membership.Role.WIDER_FAMILY
    ):
        members.setdefault(m.family_id, []).append(m)
    assessments, reviews, goals, spends, closures = [], [], [], [], []
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
                family_view="We want things calmer at home.",
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
                    decisions="Plan reviewed; actions agreed.",
                    recorded_by=actor,
                )
            )
        for code, title, target in rng.sample(GOALS, 2):
            goals.append(
                Goal(
                    family=f,
                    title=title,
                    criterion=code,
                    target=target,
                    status=rng.choice(list(Goal.Status)),
                    created_by=actor,
                )
            )
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
                    goals=2,
                    goals_achieved=sum(g.status == Goal.Status.ACHIEVED for g in goals[-2:]),
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
    Action.objects.bulk_create(
        (
            Action(
                goal=g,
                description=rng.choice(ACTIONS),
                owner_person_id=members[g.family_id][0].person_id,
                due_on=today + timedelta(days=rng.randint(-20, 40)),
            )
            for g in goals
            if members.get(g.family_id)
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
