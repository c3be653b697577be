"""The report cards on small hand-made data: every figure of the current quarter checked
by hand, suppression, the scorecard and forecast on the page, the story and target forms,
publishing a frozen snapshot, constant queries, and who may see and change what."""

import csv
import io
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from families.models import Family
from outcomes import services
from outcomes.models import Assessment, Closure, DomainScore, Goal
from reporting.cards import exports, selectors
from reporting.cards import services as card_services
from reporting.cards.measures import Card, Query, Slice
from reporting.cards.models import CurveStory, MeasureSetting, PublishedCard
from reporting.rules import Period
from tafcase.accounts.models import Role
from tafcase.audit.models import AuditEvent
from tafcase.documents import services as document_services
from tafcase.documents.models import Document
from tests.conftest import assert_pdf_pages_marked, pdf_pages, pdf_text
from tests.families.conftest import TODAY, World, make_family, world  # noqa: F401

pytestmark = pytest.mark.django_db

NOW = Period.containing(TODAY)
BEFORE = NOW.previous()


def _assess(family, occasion: int, on: date, scores: list[int], actor) -> None:
    a = Assessment.objects.create(
        family=family,
        occasion=occasion,
        status="completed",
        started_on=on,
        completed_on=on,
        created_by=actor,
    )
    DomainScore.objects.bulk_create(
        DomainScore(assessment=a, domain=f"d{i}", score=s) for i, s in enumerate(scores)
    )
    services.assessment_means_store([a.pk])


def _close(family, on: date, reason: str, goals: tuple[int, int], actor) -> None:
    achieved, total = goals
    for n in range(total):
        Goal.objects.create(
            family=family,
            title=f"Goal {n}",
            criterion="education",
            target="",
            status=Goal.Status.ACHIEVED if n < achieved else Goal.Status.NOT_ACHIEVED,
            created_by=actor,
        )
    Closure.objects.create(
        family=family,
        closed_on=on,
        reason=reason,
        exit_plan="Universal services.",
        closed_by=actor,
        goals=total,
        goals_achieved=achieved,
    )
    Family.objects.filter(pk=family.pk).update(status="closed", programme_end=on)


@pytest.fixture
def cards(world: World, make_family, make_user):  # noqa: F811
    """Four families: A and B attached last quarter, C and D this quarter (see above)."""
    w = world
    actor = w.coordinator
    fams = {}
    for name, start in (
        ("A", BEFORE.start),
        ("B", BEFORE.start),
        ("C", NOW.start),
        ("D", NOW.start),
    ):
        f = make_family(actor, name=f"Family {name}")
        Family.objects.filter(pk=f.pk).update(
            programme_start=start + timedelta(days=5),
            status="active",
            lead_professional=w.lead,
            tier=Family.Tier.HIGH_COMPLEX if name in "AB" else Family.Tier.MONITORING,
        )
        fams[name] = Family.objects.get(pk=f.pk)
    review_day = min(TODAY, NOW.start + timedelta(days=1))
    _assess(fams["A"], 0, BEFORE.start + timedelta(days=10), [4, 4], actor)
    _assess(fams["A"], 1, review_day, [2, 3], actor)
    _assess(fams["B"], 0, BEFORE.start + timedelta(days=10), [4, 4], actor)
    _assess(fams["B"], 1, review_day, [5, 5], actor)
    close_day = review_day
    _close(fams["B"], close_day, Closure.Reason.OUTCOMES_MET, (2, 2), actor)
    _close(fams["C"], close_day, Closure.Reason.STEPPED_UP, (1, 2), actor)
    _close(fams["D"], close_day, Closure.Reason.DISENGAGED, (0, 1), actor)
    w.manager = make_user(
        Role.MANAGER, agency=w.agencies["early_help"], email="manager@example.test"
    )
    w.fams = fams
    return w


def card_url(card="pathway"):
    return reverse("reporting:card", args=[card]) + f"?period={NOW.key}"


def figures(w, card=Card.PATHWAY, slice_=None, suppress=False) -> dict[str, str]:
    slice_ = slice_ or Slice()
    data = selectors.card_data(w.family.local_authority_id, card, NOW, slice_, suppress=suppress)
    return {row.code: row.actual_shown for _t, rows in data.sections for row in rows}


def test_every_pathway_figure_of_the_quarter_by_hand(cards):
    shown = figures(cards)
    assert shown["families"] == "4"  # A, B, C, D (the world's own family has no start)
    assert shown["attached"] == "2"  # C and D
    assert shown["assessments"] == "2"  # A's and B's reviews
    assert shown["improved"] == "50%"  # A improved, B did not
    assert shown["distance"] == "+0.2"  # (4 − 2.5) and (4 − 5): mean 0.25
    assert shown["wholly"] == "33%" and shown["partly"] == "33%"  # B; C
    assert shown["dropped_out"] == "33%"  # D
    assert shown["step_ups"] == "1"  # C


def test_multi_agency_counts_two_different_agencies_and_long_cases_six_months(cards):
    from families.models import Involvement

    f, agencies = cards.fams, cards.agencies
    day = NOW.start
    # A: the same agency twice (one place ended) is one agency; B: two agencies.
    Involvement.objects.create(
        family=f["A"], agency=agencies["police"], role="PCSO", started_on=day, ended_on=day
    )
    Involvement.objects.create(family=f["A"], agency=agencies["police"], role="PCSO")
    Involvement.objects.create(family=f["B"], agency=agencies["police"], role="PCSO")
    Involvement.objects.create(family=f["B"], agency=agencies["school"], role="Head")
    assert figures(cards)["multi_agency"] == "1"
    # C has been on the programme 183 days when it closes: one of the three closures.
    Family.objects.filter(pk=f["C"].pk).update(
        programme_start=Closure.objects.get(family=f["C"]).closed_on - timedelta(days=183)
    )
    assert figures(cards, Card.KEY_WORKER)["kw_six_months"] == "33%"


def test_last_quarter_is_on_the_card_too(cards):
    query = Query(cards.family.local_authority_id, [BEFORE, NOW])
    from reporting.cards.measures import families_attached, families_worked_with

    assert {i: v.numerator for i, v in families_attached(query).items()} == {0: 2, 1: 2}
    assert {i: v.numerator for i, v in families_worked_with(query).items()} == {0: 2, 1: 4}


def test_slices_narrow_the_families(cards):
    monitoring = figures(cards, slice_=Slice(tier=Family.Tier.MONITORING))
    assert monitoring["families"] == "2" and monitoring["step_ups"] == "1"
    assert monitoring["improved"] == "No data"


def test_the_key_worker_card_counts_families_with_a_lead_professional(cards):
    Family.objects.filter(pk=cards.fams["D"].pk).update(lead_professional=None)
    shown = figures(cards, Card.KEY_WORKER)
    assert shown["kw_families"] == "3"
    assert shown["kw_caseload"] == "+3.0"  # three families, one lead professional


def test_small_counts_are_suppressed_outside_the_programme_team(client, cards):
    client.force_login(cards.manager)
    page = client.get(card_url()).content.decode()
    assert "&lt;5" in page and "33%" not in page
    client.force_login(cards.coordinator)
    page = client.get(card_url()).content.decode()
    assert "33%" in page


def test_the_card_page_shows_the_sections_charts_and_scorecard(client, cards):
    client.force_login(cards.coordinator)
    page = client.get(card_url()).content.decode()
    for words in (
        "How much did we do?",
        "How well did we do it?",
        "Is anyone better off?",
        NOW.label,
        "Forecast if nothing changes",
        "Quarter before",
        'role="img"',
    ):
        assert words in page, words
    assert "Troubled" not in page


def test_a_card_costs_the_same_queries_for_few_and_many_families(client, cards, make_family):  # noqa: F811
    client.force_login(cards.coordinator)
    url = card_url()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(15):
        f = make_family(cards.coordinator, name=f"More {n}")
        Family.objects.filter(pk=f.pk).update(programme_start=NOW.start, status="active")
        _assess(f, 0, NOW.start, [3, 3], cards.coordinator)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_target_forecast_and_story_are_saved_and_shown(client, cards):
    client.force_login(cards.manager)
    url = reverse("reporting:measure", args=["pathway", "improved"]) + f"?period={NOW.key}"
    response = client.post(
        url, {"form": "setting", "setting-target": "60", "setting-forecast_0": "55"}
    )
    assert response.status_code == 302
    setting = MeasureSetting.objects.get(measure="improved")
    assert setting.target == 60 and setting.forecast == [55]
    response = client.post(
        url,
        {
            "form": "story",
            "story-period": NOW.key,
            "story-story": "Reviews came late.",
            "story-action_plan": "Book reviews at allocation.",
        },
    )
    assert response.status_code == 302
    client.force_login(cards.coordinator)  # sees the figures unsuppressed
    page = client.get(url).content.decode()
    assert "Reviews came late." in page and "Book reviews at allocation." in page
    assert "Target 60%" in page and "(variance -17%)" in page
    assert AuditEvent.objects.filter(object_type="reporting.curvestory").count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"form": "setting", "setting-target": "abc"},
        {"form": "setting", "setting-target": "-5"},
        {"form": "story", "story-period": NOW.key, "story-story": ""},
        {"form": "story", "story-period": "1999-Q1", "story-story": "Text"},
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_written(client, cards, data):
    client.force_login(cards.coordinator)
    url = reverse("reporting:measure", args=["pathway", "improved"])
    response = client.post(url, data)
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not MeasureSetting.objects.exists() and not CurveStory.objects.exists()


@pytest.mark.parametrize(
    "query", ["period=garbage", "locality=x", "tier=nonsense", "age_group=99", "period=2026-Q9"]
)
def test_bad_filters_are_shown_as_errors_not_server_errors(client, cards, query):
    client.force_login(cards.coordinator)
    response = client.get(reverse("reporting:card", args=["pathway"]) + "?" + query)
    assert response.status_code == 200 and "There is a problem" in response.content.decode()


def test_unknown_cards_measures_and_published_ids_are_404(client, cards):
    client.force_login(cards.coordinator)
    for url in (
        "/reports/cards/nope/",
        "/reports/cards/pathway/nope/",
        "/reports/cards/pathway/kw_families/",  # a key-worker measure on the wrong card
        "/reports/published/99999999999999999999999/",
        "/reports/published/12345/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_published_card_reopens_as_it_was(client, cards):
    client.force_login(cards.coordinator)
    response = client.post(reverse("reporting:publish", args=["pathway"]), {"period": NOW.key})
    published = PublishedCard.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{published.pk}/")
    before = client.get(response["Location"]).content.decode()
    assert "33%" in before
    # New data afterwards changes the live card, never the published one.
    _close(
        cards.fams["A"],
        min(TODAY, NOW.start + timedelta(days=1)),
        "outcomes_met",
        (1, 1),
        cards.coordinator,
    )
    assert figures(cards)["wholly"] == "50%"
    after = client.get(response["Location"])
    wholly = [r for _t, rows in after.context["sections"] for r in rows if r.code == "wholly"]
    assert wholly[0].actual_shown == "33%"
    assert published.code_version.endswith("measures-1")


def test_who_reaches_the_card_pages(client, cards, make_user):
    urls = [card_url(), reverse("reporting:measure", args=["pathway", "improved"])]
    for role in (Role.COORDINATOR, Role.DATA_ANALYST, Role.MANAGER, Role.AUDITOR):
        client.force_login(
            make_user(role, agency=cards.agencies["early_help"], email=f"{role}@reader.test")
        )
        for url in urls:
            assert client.get(url).status_code == 200, (role, url)
    for user in (cards.lead, cards.police, cards.school):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    client.force_login(cards.elsewhere)  # another authority's coordinator: their own figures
    assert figures_for(client, urls[0]) == "0"
    client.logout()
    response = client.get(urls[0])
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


def figures_for(client, url) -> str:
    page = client.get(url)
    data = page.context["data"]
    return next(r for _t, rows in data.sections for r in rows if r.code == "families").actual_shown


def test_the_auditor_reads_but_does_not_change(client, cards):
    client.force_login(cards.auditor)
    url = reverse("reporting:measure", args=["pathway", "improved"])
    assert client.post(url, {"form": "setting", "setting-target": "5"}).status_code == 403
    assert client.post(reverse("reporting:publish", args=["pathway"])).status_code == 403
    assert not MeasureSetting.objects.exists() and not PublishedCard.objects.exists()


def test_the_card_opens_on_the_latest_quarter_that_has_ended(client, cards):
    client.force_login(cards.coordinator)
    response = client.get(reverse("reporting:card", args=["pathway"]))
    assert response.context["data"].period == BEFORE
    assert f"{NOW.label} (so far)" in response.content.decode()


def test_counts_of_work_done_are_not_judged_better_or_worse(cards):
    data = selectors.card_data(
        cards.family.local_authority_id, Card.PATHWAY, NOW, Slice(), suppress=False
    )
    rows = {r.code: r for _t, section in data.sections for r in section}
    assert rows["families"].score.improving is None
    assert rows["families"].trend_shown == "Rising for 2 quarters"  # 0, 2, then 4
    assert rows["step_ups"].measure.higher_is_better is False


def _publish(client, w) -> PublishedCard:
    client.force_login(w.coordinator)
    client.post(reverse("reporting:publish", args=["pathway"]), {"period": NOW.key})
    return PublishedCard.objects.get()


def test_a_published_card_as_csv_and_pdf_shows_the_page_s_figures(client, cards):
    published = _publish(client, cards)
    CurveStory.objects.create(
        local_authority=cards.family.local_authority,
        measure="wholly",
        period=NOW.key,
        story="Goals were set too wide.",
        author=cards.coordinator,
    )
    response = client.get(reverse("reporting:published-csv", args=[published.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert tuple(rows[0]) == exports.CSV_COLUMNS
    wholly = [r for r in rows if r[1] == "Plans wholly achieved" and r[3] == NOW.label]
    assert wholly == [
        [
            "Is anyone better off?",
            "Plans wholly achieved",
            "%",
            NOW.label,
            "actual",
            "33%",
            "1",
            "3",
        ]
    ]
    asked = client.post(reverse("reporting:published-pdf", args=[published.pk]))
    document_id = resolve(asked["Location"]).kwargs["document_id"]
    built = document_services.document_build(document_id=document_id)
    assert built is not None and built.status == "ready"
    pdf = client.get(reverse("documents:file", args=[document_id])).content
    text = " ".join(pdf_text(pdf).split())
    for words in (
        "Whole pathway report card",
        NOW.label,
        "Plans wholly achieved",
        "33%",
        "How much did we do?",
        "Is anyone better off?",
        "Page 1 of",
    ):
        assert words in text, words
    assert "Troubled" not in text
    # Figures about no one family: OFFICIAL, not OFFICIAL-SENSITIVE.
    assert_pdf_pages_marked(pdf_pages(pdf), title="Whole pathway report card", marking="OFFICIAL")
    exported = AuditEvent.objects.filter(action="exported", object_type="reporting.publishedcard")
    assert exported.count() == 2


def test_the_manager_s_csv_is_suppressed_like_the_page(client, cards):
    published = _publish(client, cards)
    client.force_login(cards.manager)
    body = client.get(reverse("reporting:published-csv", args=[published.pk])).content.decode()
    wholly = [
        r
        for r in csv.reader(io.StringIO(body))
        if r[1] == "Plans wholly achieved" and r[3] == NOW.label
    ]
    assert wholly[0][5:] == ["<5", "", ""]


def test_published_outputs_are_404_to_outsiders_and_another_authority(client, cards):
    published = _publish(client, cards)
    urls = [
        ("get", reverse("reporting:published", args=[published.pk])),
        ("get", reverse("reporting:published-csv", args=[published.pk])),
        ("post", reverse("reporting:published-pdf", args=[published.pk])),
    ]
    for user in (cards.lead, cards.police, cards.elsewhere):
        client.force_login(user)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 404, (user, url)
    client.logout()
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


def test_how_well_reads_family_feedback_for_the_quarter(cards):
    from tests.reporting.feedback_fixtures import answer

    answer(cards)  # satisfaction 5, things changed 3, key worker 2
    answer(
        cards,
        answers={"satisfaction": 2, "plan_useful": 4, "things_changed": 5, "key_worker_helpful": 5},
    )
    pathway, key_worker = figures(cards), figures(cards, Card.KEY_WORKER)
    assert (pathway["satisfied"], pathway["changed"]) == ("50%", "50%")
    assert key_worker["kw_helpful"] == "50%"
    assert pathway["engagement"] == "No data"  # no quality sample reviewed


def test_the_key_worker_card_slices_by_the_key_worker(client, cards):
    from tafcase.accounts.models import User

    User.objects.filter(pk=cards.lead.pk).update(
        professional_background="youth_work", dedicated_key_worker=True
    )
    assert figures(cards, Card.KEY_WORKER, Slice(background="youth_work"))["kw_families"] == "4"
    assert figures(cards, Card.KEY_WORKER, Slice(background="health"))["kw_families"] == "0"
    assert figures(cards, Card.KEY_WORKER, Slice(dedicated="no"))["kw_families"] == "0"
    client.force_login(cards.coordinator)
    url = reverse("reporting:card", args=["key-worker"])
    page = client.get(url, {"period": NOW.key, "dedicated": "yes"})
    assert page.context["data"].slice.dedicated == "yes"
    assert "Dedicated key worker" in page.content.decode()
    # The whole-pathway card has no key-worker slices.
    assert "Dedicated key worker" not in client.get(card_url()).content.decode()
    bad = client.get(url, {"background": "astronaut"})
    assert bad.status_code == 200 and "There is a problem" in bad.content.decode()


def test_a_report_pack_is_one_pdf_of_the_chosen_cards_in_order(client, cards):
    client.force_login(cards.coordinator)
    client.post(reverse("reporting:publish", args=["key-worker"]), {"period": NOW.key})
    client.post(reverse("reporting:publish", args=["pathway"]), {"period": BEFORE.key})
    key_worker, pathway = PublishedCard.objects.order_by("pk")
    page = client.get(reverse("reporting:reports")).content.decode()
    assert "Make a report pack" in page and f'value="{pathway.pk}"' in page
    asked = client.post(reverse("reporting:pack"), {"published": [pathway.pk, key_worker.pk]})
    document_id = resolve(asked["Location"]).kwargs["document_id"]
    built = document_services.document_build(document_id=document_id)
    assert built is not None and built.status == "ready"
    assert built.title == "Report pack: 2 report cards"
    pdf = client.get(reverse("documents:file", args=[document_id])).content
    text = " ".join(pdf_text(pdf).split())
    first = text.index(f"Whole pathway report card, {BEFORE.label}")
    second = text.index(f"Key-worker element report card, {NOW.label}")
    assert first < second and "Page 1 of" in text
    packed = AuditEvent.objects.filter(action="exported", summary__endswith="PDF in a report pack")
    assert packed.count() == 2


def test_a_pack_of_the_same_card_twice_keeps_each_chart_s_ids_its_own(cards, caplog):
    published = [
        card_services.card_publish(
            actor=cards.coordinator,
            authority=cards.family.local_authority,
            card=Card.PATHWAY,
            period=period,
            slice_=Slice(),
        )
        for period in (BEFORE, NOW)
    ]
    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf = exports.cards_pdf(published, suppress=False, actor=cards.coordinator, ip=None)
    assert pdf.startswith(b"%PDF")
    # Two pathway cards draw the same charts: their titles must not share ids.
    assert not [r for r in caplog.records if "defined twice" in r.getMessage()]


def test_a_report_pack_needs_a_card_and_at_most_twelve(client, cards):
    client.force_login(cards.coordinator)
    client.post(reverse("reporting:publish", args=["pathway"]), {"period": NOW.key})
    published = PublishedCard.objects.get()
    empty = client.post(reverse("reporting:pack"), {})
    assert empty.status_code == 400
    assert "Select the cards for the report pack" in empty.content.decode()
    pack = reverse("reporting:pack")
    many = client.post(pack, {"published": range(published.pk, published.pk + 13)})
    assert many.status_code == 400 and "up to 12 cards" in many.content.decode()
    assert client.post(pack, {"published": "abc"}).status_code == 404
    assert client.post(pack, {"published": published.pk + 99}).status_code == 404
    assert client.get(pack).status_code == 405
    assert not Document.objects.exists()


def test_a_report_pack_of_someone_else_s_cards_is_404(client, cards):
    published = _publish(client, cards)
    for user in (cards.lead, cards.police, cards.elsewhere):
        client.force_login(user)
        response = client.post(reverse("reporting:pack"), {"published": [published.pk]})
        assert response.status_code == 404, user
    client.logout()
    response = client.post(reverse("reporting:pack"), {"published": [published.pk]})
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    assert not Document.objects.exists()


def _drill(client, code, card="pathway", **params):
    url = reverse("reporting:measure-families", args=[card, code])
    return client.get(url, {"period": NOW.key, **params})


def test_the_programme_team_drills_down_to_the_families_behind_a_figure(client, cards):
    client.force_login(cards.coordinator)
    f = cards.fams
    expected = {
        "improved": [(f["A"], True), (f["B"], False)],
        "wholly": [(f["B"], True), (f["C"], False), (f["D"], False)],
        "dropped_out": [(f["D"], True), (f["B"], False), (f["C"], False)],
        "step_ups": [(f["C"], True)],
        "attached": [(f["C"], True), (f["D"], True)],
    }
    for code, rows in expected.items():
        response = _drill(client, code)
        assert response.status_code == 200, code
        shown = sorted((fam.pk, fam.counted) for fam in response.context["page"])
        assert shown == sorted((fam.pk, counted) for fam, counted in rows), code
    # The figure and its families agree: 1 of the 2 reviewed improved, as the card says.
    assert figures(cards)["improved"] == "50%"
    page = _drill(client, "improved").content.decode()
    assert "Family A" in page and "Counted" in page
    listed = AuditEvent.objects.filter(summary__contains="families behind").latest("pk")
    assert sorted(listed.family_ids) == sorted([f["A"].pk, f["B"].pk])
    # Slices narrow the list as they narrow the card.
    sliced = _drill(client, "attached", tier=Family.Tier.HIGH_COMPLEX)
    assert sliced.context["page"].paginator.count == 0
    measure_page = client.get(reverse("reporting:measure", args=["pathway", "improved"]))
    assert "The families behind this figure" in measure_page.content.decode()


def test_drill_down_is_for_the_programme_team_only(client, cards):
    for user in (cards.manager, cards.auditor):
        client.force_login(user)
        assert _drill(client, "improved").status_code == 403, user
        page = client.get(reverse("reporting:measure", args=["pathway", "improved"]))
        assert "The families behind this figure" not in page.content.decode()
    for user in (cards.lead, cards.police):
        client.force_login(user)
        assert _drill(client, "improved").status_code == 404, user
    # Another authority's programme team sees its own authority's families, none of
    # these, and a family of ours is 404 to them.
    client.force_login(cards.elsewhere)
    response = _drill(client, "attached")
    assert response.status_code == 200 and response.context["page"].paginator.count == 0
    family_page = reverse("families:detail", args=[cards.fams["C"].pk])
    assert client.get(family_page).status_code == 404
    client.logout()
    response = _drill(client, "improved")
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


def test_drill_down_refuses_what_it_cannot_show(client, cards):
    client.force_login(cards.coordinator)
    assert _drill(client, "satisfied").status_code == 404  # feedback, not named families
    assert _drill(client, "no-such-measure").status_code == 404
    assert _drill(client, "kw_wholly", card="pathway").status_code == 404
    bad = _drill(client, "improved", period="2026-Q9", page="x")
    assert bad.status_code in (200, 400)
    assert (
        client.post(reverse("reporting:measure-families", args=["pathway", "improved"])).status_code
        == 405
    )


def test_the_chart_heading_says_the_trend_as_the_scorecard_does(cards):
    data = selectors.card_data(
        cards.family.local_authority_id, Card.PATHWAY, NOW, Slice(), suppress=False
    )
    rows = {r.code: r for _t, section in data.sections for r in section}
    families = rows["families"]
    assert families.trend_shown == "Rising for 2 quarters"
    assert "Families worked with: rising for 2 quarters" in families.svg()


def test_referrals_and_re_referrals_count_by_the_local_day_sent(cards):
    from zoneinfo import ZoneInfo

    from eligibility.models import Nomination

    london = ZoneInfo("Europe/London")
    f = cards.fams

    def nominate(family, when):
        Nomination.objects.create(
            local_authority=family.local_authority,
            family=family,
            route=Nomination.Route.REFERRAL,
            reason="Synthetic",
            submitted_at=when,
        )

    # Half past midnight on the quarter's first day, London time, is the day before in
    # UTC during summer time: it is this quarter's referral.
    first_minutes = datetime.combine(NOW.start, time(0, 30), tzinfo=london)
    nominate(f["A"], first_minutes)
    nominate(f["C"], datetime.combine(BEFORE.start + timedelta(days=3), time(12), tzinfo=london))
    # B's case closed on the review day; a nomination after that is a re-referral.
    closed_on = Closure.objects.get(family=f["B"]).closed_on
    nominate(f["B"], datetime.combine(closed_on + timedelta(days=1), time(9), tzinfo=london))
    nominate(f["D"], datetime.combine(NOW.start - timedelta(days=1), time(23, 59), tzinfo=london))
    now, before = figures(cards), _figures_for(cards, BEFORE)
    assert (now["referrals"], now["re_referrals"]) == ("2", "1")  # A and B; B again
    assert before["referrals"] == "2"  # C, and D a minute before midnight
    assert before["re_referrals"] == "0"


def _figures_for(w, period) -> dict[str, str]:
    data = selectors.card_data(
        w.family.local_authority_id, Card.PATHWAY, period, Slice(), suppress=False
    )
    return {row.code: row.actual_shown for _t, rows in data.sections for row in rows}
