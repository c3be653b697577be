"""Writes for the report cards: a measure's target and forecast, the story behind a curve,
and publishing a card as a frozen snapshot. Each in one transaction with its audit row."""

from dataclasses import asdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reporting.cards import selectors
from reporting.cards.measures import Card, Measure, Slice
from reporting.cards.models import CurveStory, MeasureSetting, PublishedCard
from reporting.rules import Period
from tafcase.accounts.models import LocalAuthority, User
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record

# Bumped when a measure's definition changes, so a published card says which it used.
MEASURES_VERSION = 1


@transaction.atomic
def measure_setting_save(
    *,
    actor: User,
    authority: LocalAuthority,
    measure: Measure,
    target: float | None,
    forecast: list[float | None],
) -> MeasureSetting:
    previous = (
        MeasureSetting.objects.select_for_update()
        .filter(local_authority=authority, measure=measure.code)
        .first()
    )
    before = (previous.target, previous.forecast) if previous else (None, [])
    if before == (target, forecast):
        return previous  # type: ignore[return-value]
    row, _ = MeasureSetting.objects.update_or_create(
        local_authority=authority,
        measure=measure.code,
        defaults={
            "target": target,
            "forecast": forecast,
            "set_by": actor,
            "set_at": timezone.now(),
        },
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATED,
        obj=row,
        summary=f"Target and forecast of “{measure.title}” set",
        changes={"target": [before[0], target], "forecast": [before[1], forecast]},
    )
    return row


@transaction.atomic
def curve_story_add(
    *,
    actor: User,
    authority: LocalAuthority,
    measure: Measure,
    period: Period,
    story: str,
    partners: str = "",
    what_works: str = "",
    action_plan: str = "",
) -> CurveStory:
    row = CurveStory.objects.create(
        local_authority=authority,
        measure=measure.code,
        period=period.key,
        story=story.strip(),
        partners=partners.strip(),
        what_works=what_works.strip(),
        action_plan=action_plan.strip(),
        author=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        obj=row,
        summary=f"Story behind the curve of “{measure.title}”, {period.label}",
    )
    return row


@transaction.atomic
def card_publish(
    *, actor: User, authority: LocalAuthority, card: Card, period: Period, slice_: Slice
) -> PublishedCard:
    """Freeze the card as it stands: every figure unsuppressed (readers outside the
    programme team see small counts suppressed when it is shown), the forecast, target and
    each measure's stories for the period."""
    data = selectors.card_data(authority.pk, card, period, slice_, suppress=False)
    stories: dict[str, list[dict]] = {}
    for story in CurveStory.objects.filter(local_authority=authority, period=period.key):
        stories.setdefault(story.measure, []).append(
            {
                "story": story.story,
                "partners": story.partners,
                "what_works": story.what_works,
                "action_plan": story.action_plan,
                "author": story.author.full_name,
                "written_at": story.written_at.isoformat(),
            }
        )
    figures = {
        "title": data.title,
        "period_label": period.label,
        "sections": [
            {"title": title, "rows": [selectors.row_to_json(r, stories) for r in rows]}
            for title, rows in data.sections
        ],
    }
    published = PublishedCard.objects.create(
        local_authority=authority,
        card=card.value,
        period=period.key,
        filters=slice_.as_dict(),
        code_version=f"{settings.SPECTACULAR_SETTINGS['VERSION']}/measures-{MEASURES_VERSION}",
        figures=figures,
        published_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        obj=published,
        summary=f"Published the {data.title} card for {period.label}",
        changes={"filters": [None, asdict(slice_)]},
    )
    return published
