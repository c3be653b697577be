"""A published card as CSV and PDF: the same frozen figures as its page (reporting.md §4),
suppressed in the same way for readers outside the programme team."""

import io
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone

from reporting.cards import selectors
from reporting.cards.models import PublishedCard
from tafcase import csv_safe, web
from tafcase.accounts.models import User
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record
from tafcase.documents.kinds import Progress

CSV_COLUMNS = (
    "section",
    "measure",
    "unit",
    "quarter",
    "kind",
    "figure",
    "numerator",
    "denominator",
)


def _audit(actor: User, ip: str | None, published: PublishedCard, what: str) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORTED,
        obj=published,
        ip=ip,
        summary=f"{published.figures['title']} card, {published.figures['period_label']}, "
        f"as {what}",
    )


def filename(published: PublishedCard, ext: str) -> str:
    return f"report-card-{published.card}-{published.period}-{published.pk}.{ext}"


def card_csv(published: PublishedCard, *, suppress: bool, actor: User, ip: str | None) -> bytes:
    out = io.StringIO()
    writer = csv_safe.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for title, rows in selectors.published_sections(published, suppress=suppress):
        for row in rows:
            unit = row.measure.unit.value
            for i, period in enumerate(row.periods):
                value = row.values[i]
                hidden = row.show(i).startswith("<")
                writer.writerow(
                    [
                        title,
                        row.measure.title,
                        unit,
                        period.label,
                        "actual",
                        row.show(i),
                        "" if value is None or hidden else value.numerator,
                        ""
                        if value is None or hidden or value.denominator is None
                        else value.denominator,
                    ]
                )
            for period, figure in row.forecast_rows:
                writer.writerow(
                    [title, row.measure.title, unit, period.label, "forecast", figure, "", ""]
                )
            if row.score.target is not None:
                writer.writerow(
                    [title, row.measure.title, unit, "", "target", row.target_shown, "", ""]
                )
    _audit(actor, ip, published, "CSV")
    return out.getvalue().encode("utf-8")


def cards_pdf(
    published: Sequence[PublishedCard],
    *,
    suppress: bool,
    actor: User,
    ip: str | None,
    progress: Progress | None = None,
) -> bytes:
    """A4 landscape, each card from a new page: the scorecard of every measure first,
    then a page for each headline measure with its turn-the-curve chart and, beneath, the
    story behind the curve. One card is a published card's PDF; several are a report
    pack."""
    cards = []
    for n, card in enumerate(published):
        if progress:
            progress(
                f"Reading {card.figures['title'].lower()}, {card.figures['period_label']}",
                5 + 60 * n // len(published),
            )
        sections = selectors.published_sections(card, suppress=suppress)
        for _title, rows in sections:
            for row in rows:
                if row.measure.headline:
                    row.chart = row.svg(id_prefix=f"{n}-")
        cards.append(
            {
                "published": card,
                "filter_words": selectors.filter_words(card.local_authority_id, card.filters),
                "sections": sections,
            }
        )
        _audit(actor, ip, card, "PDF" if len(published) == 1 else "PDF in a report pack")
    return web.render_pdf(
        None,
        "reporting/pdf/cards.html",
        {
            "programme_name": settings.PROGRAMME_NAME,
            "cards": cards,
            "title": pdf_title(published),
            "suppress": suppress,
            "generated_at": timezone.localtime(),
        },
        progress,
    )


def pdf_title(published: Sequence[PublishedCard]) -> str:
    if len(published) == 1:
        card = published[0]
        return f"{card.figures['title']} report card, {card.figures['period_label']}"
    return f"Report pack: {len(published)} report cards"


def pack_filename(published: Sequence[PublishedCard]) -> str:
    if len(published) == 1:
        return filename(published[0], "pdf")
    return f"report-pack-{'-'.join(str(p.pk) for p in published)}.pdf"
