"""Reads for the report cards: every measure of a card over its history of periods, with
the scorecard columns, forecast, target and chart; the stories; published snapshots.
A card costs one query per measure plus two, whatever the data size."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet

from families.models import Family
from reporting.cards import charts
from reporting.cards.measures import (
    AGE_GROUPS,
    BY_CODE,
    CARD_TITLES,
    SECTION_TITLES,
    Card,
    Measure,
    Query,
    Section,
    Slice,
    measures_of,
)
from reporting.cards.models import CurveStory, MeasureSetting, PublishedCard
from reporting.rules import (
    SUPPRESS_BELOW,
    Period,
    Scorecard,
    Unit,
    Value,
    forecast,
    periods_ending,
    scorecard,
    shown,
)
from tafcase.accounts.models import Agency, Locality, ProfessionalBackground

HISTORY = 12  # quarters of history on a card: three years
AHEAD = 4  # quarters of forecast


def _counts(unit: Unit, values) -> list[float | None]:
    """What suppression looks at: the count itself, or a percentage's denominator."""
    return [
        None if v is None else (v.numerator if unit is Unit.COUNT else v.denominator)
        for v in values
    ]


@dataclass
class MeasureRow:
    measure: Measure
    periods: list[Period]
    values: list[Value | None]
    figures: list[float | None]
    score: Scorecard
    forecast: list[float]
    forecast_periods: list[Period]
    suppress: bool
    # The chart's SVG, drawn by the page for its headline measures (charts escape text).
    chart: str = ""
    # A published card's stories for its quarter.
    stories: list[dict] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.measure.code

    @property
    def period_label(self) -> str:
        return self.periods[-1].label

    @property
    def baseline_label(self) -> str:
        return self.periods[0].label

    @property
    def counts(self) -> list[float | None]:
        return _counts(self.measure.unit, self.values)

    def show(self, index: int) -> str:
        return shown(
            self.figures[index], self.measure.unit, suppress=self.suppress, count=self.counts[index]
        )

    @property
    def actual_shown(self) -> str:
        return self.show(len(self.figures) - 1)

    @property
    def prior_shown(self) -> str:
        return self.show(len(self.figures) - 2) if len(self.figures) > 1 else "No data"

    @property
    def target_shown(self) -> str:
        if self.score.target is None:
            return "Not set"
        return shown(self.score.target, self.measure.unit, suppress=False)

    @property
    def variance_shown(self) -> str:
        if self.score.variance is None:
            return "—"
        return f"{self.score.variance * 100:+.0f}%"

    @property
    def trend_shown(self) -> str:
        if self.score.trend is None:
            return "Not enough history"
        words = {"up": "Rising", "down": "Falling", "flat": "Level"}[self.score.trend]
        quality = {True: ", getting better", False: ", getting worse", None: ""}[
            self.score.improving
        ]
        periods = self.score.trend_periods
        return f"{words} for {periods} quarter{'s' * (periods != 1)}{quality}"

    @property
    def change_shown(self) -> str:
        change = self.score.change_since_baseline
        if change is None:
            return "—"
        if self.measure.unit is Unit.PERCENT:
            return f"{change:+.0f} points"
        if self.measure.unit is Unit.COUNT:
            return f"{change:+,.0f}"
        return f"{change:+.1f}"

    @property
    def table(self) -> list[tuple[Period, str, str]]:
        """(period, figure shown, what it is of) for the data-table alternative."""
        rows = []
        for i, period in enumerate(self.periods):
            value = self.values[i]
            of = ""
            if value is not None and value.denominator is not None and not self.suppress:
                of = f"{value.numerator:,.0f} of {value.denominator:,}"
                if self.measure.unit is Unit.NUMBER:
                    of = f"over {value.denominator:,}"
            rows.append((period, self.show(i), of))
        return rows

    @property
    def forecast_rows(self) -> list[tuple[Period, str]]:
        return [
            (p, shown(v, self.measure.unit, suppress=False))
            for p, v in zip(self.forecast_periods, self.forecast, strict=False)
        ]

    def svg(self, id_prefix: str = "") -> str:
        """The chart; `id_prefix` keeps its element ids unique where several cards share
        a document (a report pack)."""
        hidden = [
            None if self.suppress and c is not None and 0 < c < SUPPRESS_BELOW else f
            for f, c in zip(self.figures, self.counts, strict=True)
        ]
        curve = charts.Curve(
            title=self.measure.title,
            unit=self.measure.unit,
            labels=[p.short for p in self.periods],
            actual=hidden,
            forecast_labels=[p.short for p in self.forecast_periods[: len(self.forecast)]],
            forecast=self.forecast,
            target=self.score.target,
            improving=self.score.improving,
            trend=self.trend_shown,
        )
        return charts.curve_svg(curve, element_id=f"curve-{id_prefix}{self.code}")


@dataclass
class CardData:
    card: Card
    title: str
    period: Period
    slice: Slice
    sections: list[tuple[str, list[MeasureRow]]]

    @property
    def headlines(self) -> list[MeasureRow]:
        return [row for _title, rows in self.sections for row in rows if row.measure.headline]


def _settings(authority_id: int, codes: list[str]) -> dict[str, MeasureSetting]:
    return {
        s.measure: s
        for s in MeasureSetting.objects.filter(local_authority_id=authority_id, measure__in=codes)
    }


def measure_row(
    measure: Measure,
    query: Query,
    setting: MeasureSetting | None,
    *,
    suppress: bool,
) -> MeasureRow:
    found = measure.compute(query)
    values = [found.get(i) for i in range(len(query.periods))]
    figures = [None if v is None else v.figure(measure.unit) for v in values]
    if measure.unit is Unit.COUNT:  # a count with no rows is a real zero
        figures = [0.0 if f is None else f for f in figures]
        values = [Value(0) if v is None else v for v in values]
    target = setting.target if setting else None
    # Outside the programme team a suppressed figure must not show through the trend,
    # the change since baseline or the forecast either: they are worked from the rest.
    visible = [
        None if suppress and c is not None and 0 < c < SUPPRESS_BELOW else f
        for f, c in zip(figures, _counts(measure.unit, values), strict=True)
    ]
    ahead = forecast(visible, AHEAD)
    for i, edited in enumerate((setting.forecast if setting else [])[:AHEAD]):
        if edited is not None and i < len(ahead):
            ahead[i] = float(edited)
    last = query.periods[-1]
    later = [last]
    for _ in range(AHEAD):
        later.append(later[-1].next())
    return MeasureRow(
        measure=measure,
        periods=list(query.periods),
        values=values,
        figures=figures,
        score=scorecard(visible, target=target, higher_is_better=measure.higher_is_better),
        forecast=ahead,
        forecast_periods=later[1:],
        suppress=suppress,
    )


def card_data(
    authority_id: int, card: Card, period: Period, slice_: Slice, *, suppress: bool
) -> CardData:
    query = Query(
        authority_id,
        periods_ending(period, HISTORY),
        slice_,
        key_worker_only=card is Card.KEY_WORKER,
    )
    measures = measures_of(card)
    settings = _settings(authority_id, [m.code for m in measures])
    sections = []
    for section in Section:
        rows = [
            measure_row(m, query, settings.get(m.code), suppress=suppress)
            for m in measures
            if m.section is section
        ]
        sections.append((SECTION_TITLES[section], rows))
    return CardData(card, CARD_TITLES[card], period, slice_, sections)


def drill_families(
    authority_id: int, measure: Measure, period: Period, slice_: Slice
) -> QuerySet[Family]:
    """The named families behind a measure's figure for one period (the programme team's
    drill-down), those the figure counts first, then by name."""
    if measure.drill is None:
        return Family.objects.none()
    query = Query(authority_id, [period], slice_, key_worker_only=measure.card is Card.KEY_WORKER)
    return (
        measure.drill(query, period)
        .select_related("locality", "lead_professional")
        .order_by(F("counted").desc(), "name", "pk")
    )


def measure_data(
    authority_id: int, measure: Measure, period: Period, slice_: Slice, *, suppress: bool
) -> MeasureRow:
    query = Query(
        authority_id,
        periods_ending(period, HISTORY),
        slice_,
        key_worker_only=measure.card is Card.KEY_WORKER,
    )
    setting = _settings(authority_id, [measure.code]).get(measure.code)
    return measure_row(measure, query, setting, suppress=suppress)


def setting_for(authority_id: int, code: str) -> MeasureSetting | None:
    return MeasureSetting.objects.filter(local_authority_id=authority_id, measure=code).first()


def stories(authority_id: int, code: str) -> list[CurveStory]:
    rows = list(
        CurveStory.objects.filter(local_authority_id=authority_id, measure=code).select_related(
            "author"
        )
    )
    for row in rows:
        row.period_label = Period.from_key(row.period).label  # type: ignore[attr-defined]
    return rows


def slice_choices(authority_id: int) -> dict[str, list[tuple[Any, str]]]:
    """What a card can be sliced by, for its filter form."""
    return {
        "locality": [
            (loc.pk, loc.name)
            for loc in Locality.objects.filter(local_authority_id=authority_id).order_by("name")
        ],
        "tier": list(Family.Tier.choices),
        "age_group": [(key, label) for key, (label, _low, _high) in AGE_GROUPS.items()],
        "agency_kind": list(Agency.Kind.choices),
        "background": list(ProfessionalBackground.choices),
        "dedicated": [("yes", "Dedicated key workers"), ("no", "Key work alongside another role")],
    }


def published_cards(authority_id: int) -> QuerySet[PublishedCard]:
    return PublishedCard.objects.filter(local_authority_id=authority_id).select_related(
        "published_by"
    )


def measure_by_code(code: str) -> Measure | None:
    return BY_CODE.get(code)


# --- published snapshots ----------------------------------------------------------------


def row_to_json(row: MeasureRow, stories: dict[str, list[dict]]) -> dict:
    m = row.measure
    return {
        "code": m.code,
        "card": m.card.value,
        "section": m.section.value,
        "title": m.title,
        "unit": m.unit.value,
        "higher_is_better": m.higher_is_better,
        "headline": m.headline,
        "definition": m.definition,
        "periods": [p.key for p in row.periods],
        "values": [None if v is None else [v.numerator, v.denominator] for v in row.values],
        "forecast": row.forecast,
        "forecast_periods": [p.key for p in row.forecast_periods],
        "target": row.score.target,
        "stories": stories.get(m.code, []),
    }


def _frozen(_query: Query) -> dict:  # a published measure is never computed again
    return {}


def row_from_json(data: dict, *, suppress: bool) -> MeasureRow:
    unit = Unit(data["unit"])
    measure = Measure(
        code=data["code"],
        card=Card(data["card"]),
        section=Section(data["section"]),
        title=data["title"],
        unit=unit,
        higher_is_better=data["higher_is_better"],
        compute=_frozen,
        headline=data["headline"],
        definition=data["definition"],
    )
    values = [None if v is None else Value(v[0], v[1]) for v in data["values"]]
    figures = [None if v is None else v.figure(unit) for v in values]
    row = MeasureRow(
        measure=measure,
        periods=[Period.from_key(k) for k in data["periods"]],
        values=values,
        figures=figures,
        score=scorecard(figures, target=data["target"], higher_is_better=data["higher_is_better"]),
        forecast=data["forecast"],
        forecast_periods=[Period.from_key(k) for k in data["forecast_periods"]],
        suppress=suppress,
    )
    row.stories = data.get("stories", [])
    return row


def published_sections(published: PublishedCard, *, suppress: bool) -> list[tuple[str, list]]:
    return [
        (s["title"], [row_from_json(r, suppress=suppress) for r in s["rows"]])
        for s in published.figures["sections"]
    ]


def filter_words(authority_id: int, filters: dict) -> str:
    """A card's slices in words: "Abbey, High or complex needs"."""
    choices = slice_choices(authority_id)
    names = {"locality_id": "locality"}
    words = []
    for key, value in filters.items():
        labels = dict(choices.get(names.get(key, key), []))
        if key == "background":
            labels = {k: f"key workers from {v.lower()}" for k, v in labels.items()}
        label = labels.get(value, "")
        if label:
            words.append(f"nominated by {label.lower()}" if key == "agency_kind" else label)
    return ", ".join(words)
