"""Synthetic nominations, screening decisions and panels for the demo authority.

Families the families demo left part-way along the journey get the nomination that put
them there: recorded evidence for two or three criteria, a real rulebook decision for
those already screened, and the next three fortnightly panels with their agendas.
"""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from eligibility import rules, selectors
from eligibility.models import (
    AgendaItem,
    FrameworkVersion,
    Nomination,
    PanelMeeting,
    RecordedEvidence,
    Screening,
)
from families.models import Family
from tafcase.accounts.models import Agency, Role

S = Family.Status
STAGE_FOR = {
    S.NOMINATED: Nomination.Stage.SUBMITTED,
    S.SCREENING: Nomination.Stage.SUBMITTED,
    S.ELIGIBLE: Nomination.Stage.ELIGIBLE,
    S.AWAITING_PANEL: Nomination.Stage.ON_AGENDA,
    S.NOT_ELIGIBLE: Nomination.Stage.NOT_ELIGIBLE,
    # Families on the programme, or closed, were nominated and accepted before they were
    # attached, so the reports count nominations over the whole history.
    S.ACTIVE: Nomination.Stage.ACCEPTED,
    S.CLOSED: Nomination.Stage.ACCEPTED,
}
SCREENED = (S.ELIGIBLE, S.AWAITING_PANEL, S.NOT_ELIGIBLE, S.ACTIVE, S.CLOSED)
EVIDENCE = {
    "crime_asb": ("Northshire Police", "Two ASB reports in the last six months about the eldest."),
    "education": ("Schools and Attendance", "Attendance 84% over the last three terms."),
    "children_need_help": ("Children's Social Care", "Child in need plan since the spring."),
    "worklessness": ("Jobcentre Plus", "Parent on Universal Credit, searching for work."),
    "domestic_abuse": ("Northshire Police", "Domestic incident reported; MARAC referral."),
    "health": ("Community Health", "Parent referred to talking therapies for anxiety."),
    "parent_mental_health": ("Community Health", "Parent with low mood, GP involved."),
    "parent_da_victim": ("Family Action", "Mother disclosed domestic abuse to the worker."),
}
NATIONAL = (
    "crime_asb",
    "education",
    "children_need_help",
    "worklessness",
    "domestic_abuse",
    "health",
)
LOCAL = ("parent_mental_health", "parent_da_victim")
# A few screenings go against the rulebook's recommendation, each with the practitioner's
# reason (a council overrides rarely, and says why).
OVERRIDE_SHARE = 0.05
OVERRIDES_TO_ELIGIBLE = [
    "School and health both report escalating concerns not yet in the partner data; "
    "the coordinator agreed the family meets the programme's intent.",
    "New domestic abuse disclosure this week, confirmed by the police partner; "
    "the next data-match will show it.",
    "Eldest child excluded twice since the last attendance return; evidence from the school.",
]
OVERRIDES_TO_NOT_ELIGIBLE = [
    "Children's social care are leading under a child protection plan; a key worker "
    "would duplicate their work.",
    "The family moved out of the borough last week; referred to their new council.",
    "The family declined whole-family support after the screening call.",
]


WORRIES = {
    "crime_asb": "police call-outs to the home",
    "education": "school attendance",
    "children_need_help": "the children's needs at home",
    "worklessness": "money and nobody in the house working",
    "domestic_abuse": "domestic abuse",
    "health": "a parent's health",
    "parent_mental_health": "a parent's low mood",
    "parent_da_victim": "the mother's safety",
}


def _worries(codes: list[str]) -> str:
    phrases = [WORRIES[c] for c in codes]
    return phrases[0] if len(phrases) == 1 else f"{', '.join(phrases[:-1])} and {phrases[-1]}"


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(15)))


def _codes(rng: random.Random, status: str) -> list[str]:
    """The criteria a nomination's evidence shows: enough for the rulebook's two national
    criteria when the family went on to be found eligible, one otherwise; or, for the
    few overridden screenings, the other way round."""
    if status in SCREENED:
        eligible = status != S.NOT_ELIGIBLE
        eligible ^= rng.random() < OVERRIDE_SHARE
    else:  # not screened yet: some will be found eligible, some not
        eligible = rng.random() < 0.7
    national = rng.choice((2, 2, 3)) if eligible else rng.choice((0, 1, 1))
    local = rng.sample(LOCAL, rng.choice((0, 0, 1)))
    return sorted(rng.sample(NATIONAL, national) + local) or [rng.choice(LOCAL)]


def seed(rng: random.Random, context: dict) -> None:
    authority = context["authority"]
    if Nomination.objects.filter(local_authority=authority).exists():
        return
    users = context["users"]
    coordinator, chair = users["coordinator"], users["chair"]
    today = timezone.localdate()
    row = FrameworkVersion.objects.create(
        local_authority=authority,
        code=rules.DEFAULT_FRAMEWORK.code,
        version=rules.DEFAULT_FRAMEWORK.version,
        data=rules.DEFAULT_FRAMEWORK.to_dict(),
        is_active=True,
        change_summary="Built-in rules",
        created_by=users["admin"],
    )
    families = list(
        Family.objects.filter(local_authority=authority, status__in=list(STAGE_FOR)).order_by("pk")
    )
    referrers = [
        u for u in users.values() if u.has_role(Role.PARTNER_PRACTITIONER, Role.KEY_WORKER)
    ]
    nominations, evidence = [], []
    for family in families:
        referrer = rng.choice(referrers)
        if family.programme_start:
            submitted = _at(family.programme_start - timedelta(days=rng.randint(14, 56)))
        else:
            submitted = timezone.now() - timedelta(days=rng.randint(2, 40))
        submitted -= timedelta(hours=rng.randint(0, 9))
        data_route = rng.random() < 0.3
        codes = _codes(rng, family.status)
        nominations.append(
            Nomination(
                local_authority=authority,
                family=family,
                route=Nomination.Route.DATA if data_route else Nomination.Route.REFERRAL,
                stage=STAGE_FOR[family.status],
                referrer=coordinator if data_route else referrer,
                referrer_agency=(coordinator if data_route else referrer).agency,
                reason="Identified by the quarterly data-match."
                if data_route
                else f"Worried about {_worries(codes)}.",
                believed_criteria=sorted(codes),
                consent_given_on=None if data_route else submitted.date(),
                submitted_at=submitted,
                stage_changed_at=_at(family.programme_start)
                if family.programme_start
                else submitted + timedelta(days=rng.randint(0, 2)),
            )
        )
        for code in codes:
            source, text = EVIDENCE[code]
            evidence.append(
                RecordedEvidence(
                    family=family,
                    criterion=code,
                    evidence_date=submitted.date() - timedelta(days=rng.randint(5, 120)),
                    source=source,
                    text=text,
                    recorded_by=coordinator,
                )
            )
    nominations = Nomination.objects.bulk_create(nominations, batch_size=2000)
    RecordedEvidence.objects.bulk_create(evidence, batch_size=5000)

    screened = [n for n in nominations if n.stage != Nomination.Stage.SUBMITTED]
    households = selectors.households_for([n.family for n in screened], today)
    screenings = []
    for n in screened:
        # Families attached long ago were screened a few days after their nomination.
        as_of = min(today, n.submitted_at.date() + timedelta(days=rng.randint(1, 7)))
        decision = rules.evaluate(households[n.family_id], as_of, row.framework)
        eligible = n.stage != Nomination.Stage.NOT_ELIGIBLE
        screenings.append(
            Screening(
                nomination=n,
                framework=row,
                as_of=as_of,
                decision=decision.to_dict(),
                rulebook_eligible=decision.eligible,
                outcome="eligible" if eligible else "not_eligible",
                override_reason=""
                if decision.eligible == eligible
                else rng.choice(OVERRIDES_TO_ELIGIBLE if eligible else OVERRIDES_TO_NOT_ELIGIBLE),
                onward_route="" if eligible else rng.choice(list(Screening.OnwardRoute)[:4]),
                decided_by=coordinator,
                decided_at=min(timezone.now(), _at(as_of)),
            )
        )
    Screening.objects.bulk_create(screenings, batch_size=2000)

    k = Agency.Kind
    kinds = (k.LA_EARLY_HELP, k.POLICE, k.HEALTH, k.EDUCATION, k.CHILDRENS_SOCIAL_CARE)
    panel_agencies = [a for a in context["agencies"] if a.kind in kinds]
    panels = []
    for week in (1, 3, 5):
        panel = PanelMeeting.objects.create(
            local_authority=authority,
            meets_on=today + timedelta(days=7 * week - today.weekday() + 2),
            chair=chair,
            quorum=3,
            created_by=coordinator,
        )
        panel.member_agencies.set(panel_agencies)
        panels.append(panel)
    decisions = {s.nomination_id: s.decision for s in screenings}
    waiting = [n for n in nominations if n.stage == Nomination.Stage.ON_AGENDA]
    ranked = rules.prioritise(
        rules.Nomination(
            str(n.pk),
            n.submitted_at.date(),
            decisions[n.pk]["priority"]["local_criteria_met"],
            decisions[n.pk]["priority"]["agencies_involved"],
        )
        for n in waiting
    )
    per_panel = -(-len(ranked) // len(panels)) or 1
    AgendaItem.objects.bulk_create(
        AgendaItem(
            panel=panels[i // per_panel],
            nomination_id=int(r.nomination_id),
            position=i % per_panel + 1,
            local_criteria_met=r.local_criteria_met,
            agencies_involved=r.agencies_involved,
        )
        for i, r in enumerate(ranked)
    )
    context["stdout"].write(
        f"Created {len(nominations)} nominations ({len(screenings)} screened) and "
        f"{len(panels)} panels with {len(ranked)} families on their agendas."
    )
