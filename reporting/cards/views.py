"""Report card pages: the card (live, for a quarter and slices), one measure with its
turn-the-curve chart, target, forecast and stories, publishing, and published cards."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from reporting import access
from reporting.cards import documents, exports, selectors, services
from reporting.cards.forms import CardFilterForm, SettingForm, StoryForm
from reporting.cards.measures import CARD_TITLES, Card
from tafcase import web
from tafcase.accounts.models import LocalAuthority
from tafcase.audit.services import audit_listed, audit_viewed, client_ip

FAMILIES_PAGE = 50


def _card(value: str) -> Card:
    try:
        return Card(value)
    except ValueError:
        raise Http404("No such card.") from None


def _draw(rows) -> None:
    """Each headline measure's turn-the-curve chart."""
    for row in rows:
        row.chart = mark_safe(row.svg())  # noqa: S308 - the renderer escapes its text


@login_required
def card(request, card):
    authority_id = access.report_authority_id(request.user)
    which = _card(card)
    form = CardFilterForm(
        request.GET or None, authority_id=authority_id, key_worker_card=which is Card.KEY_WORKER
    )
    period, slice_ = form.period_and_slice()
    suppress = not access.sees_names(request.user, authority_id)
    data = selectors.card_data(authority_id, which, period, slice_, suppress=suppress)
    _draw(data.headlines)
    audit_listed(request, what=f"{data.title} report card, {period.label}", family_ids=())
    return render(
        request,
        "reporting/card.html",
        {
            "data": data,
            "form": form,
            "query": request.GET.urlencode(),
            "can_edit": access.can_edit_reports(request.user, authority_id),
            "suppress": suppress,
        },
    )


def _measure(card: Card, code: str):
    measure = selectors.measure_by_code(code)
    if measure is None or measure.card is not card:
        raise Http404("No such measure.")
    return measure


@login_required
def measure(request, card, code):
    authority_id = access.report_authority_id(request.user)
    which = _card(card)
    found = _measure(which, code)
    can_edit = access.can_edit_reports(request.user, authority_id)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    filters = CardFilterForm(
        request.GET or None, authority_id=authority_id, key_worker_card=which is Card.KEY_WORKER
    )
    period, slice_ = filters.period_and_slice()
    suppress = not access.sees_names(request.user, authority_id)
    row = selectors.measure_data(authority_id, found, period, slice_, suppress=suppress)
    setting = selectors.setting_for(authority_id, found.code)
    labels = [p.label for p in row.forecast_periods]
    initial = {"target": setting.target if setting else None}
    for i, value in enumerate(setting.forecast if setting else []):
        initial[f"forecast_{i}"] = value
    which_form = request.POST.get("form") if request.method == "POST" else None
    setting_form = SettingForm(
        request.POST if which_form == "setting" else None,
        initial=initial,
        forecast_labels=labels,
        prefix="setting",
    )
    story_form = StoryForm(
        request.POST if which_form == "story" else None,
        initial={"period": period.key},
        periods=row.periods[::-1],
        prefix="story",
    )
    here = reverse("reporting:measure", args=[which.value, found.code])
    if request.GET:
        here += f"?{request.GET.urlencode()}"
    context = {
        "card_title": CARD_TITLES[which],
        "card": which,
        "row": row,
        "chart": mark_safe(row.svg()),  # noqa: S308 - the renderer escapes its text
        "period": period,
        "stories": selectors.stories(authority_id, found.code),
        "can_edit": can_edit,
        "setting_form": setting_form,
        "story_form": story_form,
        "query": request.GET.urlencode(),
        "drill": found.drill is not None and not suppress,
    }
    if which_form in ("setting", "story"):
        authority = LocalAuthority.objects.get(pk=authority_id)
        form = setting_form if which_form == "setting" else story_form
        if which_form == "setting":

            def save(**data):
                services.measure_setting_save(
                    actor=request.user,
                    authority=authority,
                    measure=found,
                    target=data["target"],
                    forecast=setting_form.forecast(),
                )

            success = "Target and forecast saved."
        else:

            def save(**data):
                services.curve_story_add(
                    actor=request.user,
                    authority=authority,
                    measure=found,
                    period=next(p for p in row.periods if p.key == data["period"]),
                    story=data["story"],
                    partners=data["partners"],
                    what_works=data["what_works"],
                    action_plan=data["action_plan"],
                )

            success = "Story saved."
        return web.form_page(
            request,
            form,
            save,
            success=success,
            done=here,
            template="reporting/measure.html",
            context=context,
        )
    audit_listed(request, what=f"report measure “{found.title}”, {period.label}", family_ids=())
    return render(request, "reporting/measure.html", context)


@login_required
@require_GET
def families(request, card, code):
    """The named families behind a measure's figure for the chosen quarter: the programme
    team's drill-down. Managers and auditors read aggregates only (403)."""
    authority_id = access.report_authority_id(request.user)
    which = _card(card)
    found = _measure(which, code)
    if not access.sees_names(request.user, authority_id):
        raise PermissionDenied
    if found.drill is None:
        raise Http404("This measure is not about named families.")
    filters = CardFilterForm(
        request.GET or None, authority_id=authority_id, key_worker_card=which is Card.KEY_WORKER
    )
    period, slice_ = filters.period_and_slice()
    page = Paginator(
        selectors.drill_families(authority_id, found, period, slice_), FAMILIES_PAGE
    ).get_page(request.GET.get("page"))
    audit_listed(
        request,
        what=f"families behind “{found.title}”, {period.label}",
        family_ids=[f.pk for f in page],
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reporting/families.html",
        {
            "card": which,
            "card_title": CARD_TITLES[which],
            "measure": found,
            "period": period,
            "filter_words": selectors.filter_words(authority_id, slice_.as_dict()),
            "page": page,
            "query": query.urlencode(),
        },
    )


@login_required
@require_POST
def publish(request, card):
    authority_id = access.report_authority_id(request.user)
    which = _card(card)
    if not access.can_edit_reports(request.user, authority_id):
        raise PermissionDenied
    form = CardFilterForm(
        request.POST, authority_id=authority_id, key_worker_card=which is Card.KEY_WORKER
    )
    period, slice_ = form.period_and_slice()
    published = services.card_publish(
        actor=request.user,
        authority=LocalAuthority.objects.get(pk=authority_id),
        card=which,
        period=period,
        slice_=slice_,
    )
    return redirect("reporting:published", published.pk)


@login_required
def published(request, published_id):
    found = access.published_card_for_user(request.user, published_id, write=False)
    authority_id = found.local_authority_id
    suppress = not access.sees_names(request.user, authority_id)
    sections = selectors.published_sections(found, suppress=suppress)
    _draw(row for _t, rows in sections for row in rows if row.measure.headline)
    audit_viewed(request, found)
    return render(
        request,
        "reporting/published.html",
        {
            "published": found,
            "filter_words": selectors.filter_words(authority_id, found.filters),
            "sections": sections,
            "suppress": suppress,
        },
    )


@login_required
def published_csv(request, published_id):
    found = access.published_card_for_user(request.user, published_id, write=False)
    suppress = not access.sees_names(request.user, found.local_authority_id)
    body = exports.card_csv(found, suppress=suppress, actor=request.user, ip=client_ip(request))
    return web.csv_response(body, exports.filename(found, "csv"))


@login_required
@require_POST
def published_pdf(request, published_id):
    found = access.published_card_for_user(request.user, published_id, write=False)
    document = documents.cards_request(
        actor=request.user,
        published=[found],
        suppress=not access.sees_names(request.user, found.local_authority_id),
        ip=client_ip(request),
    )
    return redirect("documents:document", document.pk)
