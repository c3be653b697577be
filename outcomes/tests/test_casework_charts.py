"""The distance-travelled SVG: well-formed, accessible, escaped, deterministic."""

import logging

# The SVGs parsed here are produced by the code under test from literals in this file.
import xml.etree.ElementTree as ET

import pytest

from outcomes.casework import (
    APPENDIX_D,
    Domain,
    DomainSet,
    Profile,
    ScaleLevel,
    ScoreRecord,
    Subject,
    render_distance_chart,
    subject_progress,
)

SVG = "{http://www.w3.org/2000/svg}"
CHILD = Subject("c1", Profile.CHILD, "Jay")
FAMILY = Subject("family", Profile.FAMILY, "The Smith family")


def child_chart(occasions=3, **kwargs):
    records = [
        ScoreRecord("c1", domain.code, occasion, 1 + (index + occasion) % 5)
        for index, domain in enumerate(APPENDIX_D.for_profile(Profile.CHILD))
        for occasion in range(occasions)
    ]
    progress = subject_progress(APPENDIX_D, CHILD, records)
    return render_distance_chart(progress, APPENDIX_D.scale, **kwargs)


def parse(svg):
    return ET.fromstring(svg)  # noqa: S314 - our own output, see the import comment


def all_text(root):
    return [" ".join(el.itertext()) for el in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("occasions", [1, 2, 6])
def test_chart_is_well_formed_svg_with_an_accessible_name(occasions):
    root = parse(child_chart(occasions))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Jay: distance travelled"
    assert root.find(f"{SVG}title").text == "Jay: distance travelled"
    assert "Lower scores mean less need" in root.find(f"{SVG}desc").text


def test_chart_shows_every_domain_label_not_codes():
    root = parse(child_chart())
    shown = " ".join(all_text(root))
    for domain in APPENDIX_D.for_profile(Profile.CHILD):
        # Long labels wrap over lines; compare word by word in order.
        assert " ".join(domain.label.split()) in shown
    assert "child.general_health" not in shown


def test_chart_says_lower_is_better_in_plain_words():
    shown = all_text(parse(child_chart()))
    assert "Lower scores mean less need. Shorter bars are better." in shown


def test_every_bar_is_labelled_with_occasion_and_score_so_colour_is_not_needed():
    records = [
        ScoreRecord("family", "family.housing", 0, 4),
        ScoreRecord("family", "family.housing", 1, 2),
    ]
    svg = render_distance_chart(subject_progress(APPENDIX_D, FAMILY, records), APPENDIX_D.scale)
    shown = all_text(parse(svg))
    assert "B: 4" in shown
    assert "R1: 2" in shown
    assert "Better by 2" in shown
    assert "B = Baseline" in shown
    assert "R1 = Review 1" in shown


def test_more_need_found_and_missing_scores_are_spelt_out():
    records = [
        ScoreRecord("family", "family.housing", 0, 2),
        ScoreRecord("family", "family.housing", 1, 4, more_need_found=True),
    ]
    svg = render_distance_chart(subject_progress(APPENDIX_D, FAMILY, records), APPENDIX_D.scale)
    root = parse(svg)
    shown = " ".join(all_text(root))
    assert "More need found (up 2)" in shown
    assert "R1: 4 *" in shown
    assert "more need was found, not because things got worse" in shown
    assert "Not scored yet" in shown  # the other three family domains have no scores
    assert "B: not scored" not in shown  # ...shown once per domain, not once per occasion
    desc = root.find(f"{SVG}desc").text
    assert "Housing: Baseline 2, Review 1 4 (more need found). More need found (up 2)." in desc
    assert "Income, employment and finance: not scored yet." in desc


def test_text_is_escaped_in_labels_names_and_title():
    odd = DomainSet(
        code="odd",
        version=1,
        name="Odd",
        domains=(Domain("family.odd", 'Rent <arrears> & "fees"', Profile.FAMILY),),
        scale=(ScaleLevel(1, "Low <1>"), ScaleLevel(2, "High & rising")),
    )
    subject = Subject("family", Profile.FAMILY, "Smith & <Jones>")
    records = [ScoreRecord("family", "family.odd", 0, 2), ScoreRecord("family", "family.odd", 1, 1)]
    svg = render_distance_chart(subject_progress(odd, subject, records), odd.scale)
    assert "<arrears>" not in svg
    assert "<Jones>" not in svg
    root = parse(svg)
    shown = " ".join(all_text(root))
    assert 'Rent <arrears> & "fees"' in shown
    assert root.get("aria-label") == "Smith & <Jones>: distance travelled"
    assert "High & rising" in root.find(f"{SVG}desc").text


def test_same_input_gives_identical_output():
    assert child_chart() == child_chart()


def test_id_prefix_namespaces_ids_and_rejects_unsafe_values():
    root = parse(child_chart(id_prefix="jay-1"))
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert ids
    assert all(i.startswith("jay-1-") for i in ids)
    with pytest.raises(ValueError, match="id_prefix"):
        child_chart(id_prefix='x" onload="alert(1)')


@pytest.mark.parametrize("domains", [1, 6, 12])
def test_chart_fits_1_to_12_domains_with_6_occasions_inside_the_canvas(domains):
    records = [
        ScoreRecord("c1", domain.code, occasion, 5)
        for domain in APPENDIX_D.for_profile(Profile.CHILD)[:domains]
        for occasion in range(6)
    ]
    progress = subject_progress(APPENDIX_D, CHILD, records)
    trimmed = progress.__class__(
        subject=progress.subject,
        occasions=progress.occasions,
        domains=progress.domains[:domains],
        summary=progress.summary,
    )
    root = parse(render_distance_chart(trimmed, APPENDIX_D.scale))
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    for el in root.iter():
        if el.get("y") is not None:
            assert 0 <= float(el.get("y")) <= height
        if el.tag == f"{SVG}rect":
            assert float(el.get("x")) + float(el.get("width")) <= width
    assert len([t for t in all_text(root) if t.startswith("R5: ")]) == domains


def test_text_is_at_least_14_units_for_print():
    sizes = [int(el.get("font-size")) for el in parse(child_chart()).iter(f"{SVG}text")]
    assert min(sizes) >= 14


def test_uses_only_plain_svg_no_script_or_foreign_content():
    root = parse(child_chart())
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert tags <= {
        "svg",
        "title",
        "desc",
        "defs",
        "pattern",
        "path",
        "circle",
        "rect",
        "line",
        "text",
    }


@pytest.mark.parametrize(
    ("scores", "bar_labels", "change"),
    [
        ((None, 3), ["B: not scored", "R1: 3"], "One score so far"),
        ((4, None), ["B: 4", "R1: not scored"], "One score so far"),
        ((4, None, 2), ["B: 4", "R1: not scored", "R2: 2"], "Better by 2"),
    ],
)
def test_a_missed_occasion_is_labelled_not_scored(scores, bar_labels, change):
    records = [
        ScoreRecord("family", "family.housing", occasion, score)
        for occasion, score in enumerate(scores)
        if score is not None
    ]
    progress = subject_progress(APPENDIX_D, FAMILY, records, occasions=len(scores))
    shown = all_text(parse(render_distance_chart(progress, APPENDIX_D.scale)))
    assert [t for t in shown if t.startswith(("B:", "R1:", "R2:"))] == bar_labels
    assert change in " ".join(shown)  # the change column may wrap over two lines


def test_summary_sentence_leaves_out_zero_counts():
    records = [
        ScoreRecord("family", "family.housing", 0, 4),
        ScoreRecord("family", "family.housing", 1, 2),
    ]
    shown = " ".join(
        all_text(
            parse(
                render_distance_chart(
                    subject_progress(APPENDIX_D, FAMILY, records), APPENDIX_D.scale
                )
            )
        )
    )
    assert "Better in 1 of 4 areas, not enough scores yet in 3." in shown
    assert "worse in 0" not in shown


def test_weasyprint_renders_the_chart_without_warnings(caplog):
    weasyprint = pytest.importorskip("weasyprint")
    html = f"<html><body>{child_chart(6)}</body></html>"
    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf = weasyprint.HTML(string=html).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_more_need_flag_on_a_score_that_did_not_rise_gets_no_footnote():
    records = [
        ScoreRecord("family", "family.housing", 0, 4),
        ScoreRecord("family", "family.housing", 1, 3, more_need_found=True),
    ]
    svg = render_distance_chart(subject_progress(APPENDIX_D, FAMILY, records), APPENDIX_D.scale)
    shown = " ".join(all_text(parse(svg)))
    assert "R1: 3" in shown
    assert "*" not in shown
