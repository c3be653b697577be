"""The national returns' pages, under /reports/returns/ (reporting.urls).

Access is reporting.returns.access: the report readers of the working authority (the
programme team, managers and auditors) see every page and download both CSV files (the
Family Progress Data is pseudonymous); those who may edit reports draw samples, change
the calculator's settings and edit unit costs, and a reader who sends a change gets 403;
anyone else 404. Counts of 1 to 4 show as "<5" to anyone who may not see names."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from reporting import access as reporting_access
from reporting.returns import access, display, exports, rules, selectors, services
from reporting.returns.forms import (
    CostParametersForm,
    SampleDrawForm,
    UnitCostForm,
    VersionForm,
)
from reporting.returns.models import ReturnKind, UnitCostVersion
from tafcase import web
from tafcase.accounts.models import LocalAuthority
from tafcase.audit.services import client_ip
from tafcase.errors import Conflict

FPD, CSC = ReturnKind.FAMILY_PROGRESS, ReturnKind.COST_SAVINGS
LEAST = {FPD: rules.FPD_MIN_PERCENT, CSC: rules.CSC_MIN_PERCENT}
LIST_PAGE = {FPD: "reporting:family-progress", CSC: "reporting:cost-savings"}
YEAR_PAGE = {FPD: "reporting:family-progress-year", CSC: "reporting:cost-savings-year"}
TEMPLATE = {
    FPD: "reporting/returns/family_progress.html",
    CSC: "reporting/returns/cost_savings.html",
}


def _exact(request, authority_id: int) -> bool:
    return reporting_access.sees_names(request.user, authority_id)


# --- the samples ----------------------------------------------------------------------


def _samples(request, kind: ReturnKind):
    """A return's programme years, their samples, and for editors the form to draw one."""
    authority_id = access.authority_for_user(request.user, write=request.method == "POST")
    years = selectors.years_and_samples(authority_id, kind)
    can_edit = reporting_access.can_edit_reports(request.user, authority_id)
    form = None
    if can_edit:
        open_years = [(y.year, y.label) for y in years if y.sample is None and y.attached]
        form = SampleDrawForm(request.POST or None, years=open_years, least=LEAST[kind])
    status = 200
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            sample = services.return_sample_draw(
                actor=request.user,
                authority=LocalAuthority.objects.get(pk=authority_id),
                kind=kind,
                **form.cleaned_data,
            )
        except Conflict as conflict:
            form.add_error(None, str(conflict))
            status = 409
        except ValidationError as error:
            web.form_errors_from(form, error)
        else:
            messages.success(request, f"Sample for {sample.year_label} drawn.")
            return redirect(YEAR_PAGE[kind], sample.year)
    exact = _exact(request, authority_id)
    rows = [
        {
            "year": y,
            "attached": display.count(y.attached, exact=exact),
            "sampled": y.sample and display.count(len(y.sample.family_ids), exact=exact),
        }
        for y in years
    ]
    return render(
        request,
        TEMPLATE[kind],
        {"rows": rows, "form": form, "least": LEAST[kind]},
        status=status,
    )


@login_required
def family_progress(request):
    return _samples(request, FPD)


@login_required
def cost_savings(request):
    return _samples(request, CSC)


# --- Family Progress Data -------------------------------------------------------------


@login_required
@require_GET
def family_progress_year(request, year):
    sample = access.return_sample_for_user(request.user, FPD, year, write=False)
    progress = selectors.family_progress(sample, timezone.localdate())
    exact = _exact(request, sample.local_authority_id)
    return render(
        request,
        "reporting/returns/family_progress_year.html",
        {
            "sample": sample,
            "summary": display.progress_summary(progress, exact=exact),
            "run": progress.run,
            "unavailable": [f for f in rules.FIELDS if f.unavailable],
        },
    )


@login_required
@require_GET
def family_progress_csv(request, year):
    sample = access.return_sample_for_user(request.user, FPD, year, write=False)
    progress = selectors.family_progress(sample, timezone.localdate())
    csv = exports.family_progress_csv(progress, actor=request.user, ip=client_ip(request))
    return web.csv_response(csv, exports.family_progress_filename(sample))


# --- the Cost Saving Calculator -------------------------------------------------------


def _costs_version(request, authority_id: int) -> UnitCostVersion | None:
    """The unit-cost version asked for (?costs=3), else the latest. Not a number: 400."""
    text = request.GET.get("costs")
    if text is None:
        return selectors.latest_unit_cost_version(authority_id)
    if not (text.isascii() and text.isdigit() and len(text) < 10):
        raise BadRequest("The unit-cost version is a whole number.")
    version = selectors.unit_cost_version(authority_id, int(text))
    if version is None:
        raise Http404("No such unit-cost version.")
    return version


@login_required
def cost_savings_year(request, year):
    sample = access.return_sample_for_user(request.user, CSC, year, write=request.method == "POST")
    authority_id = sample.local_authority_id
    version = _costs_version(request, authority_id)
    calc = selectors.cost_calculation(sample, version)
    exact = _exact(request, authority_id)
    parameters = sample.cost_parameters
    rows = display.cost_rows(calc, exact=exact)
    context = {
        "sample": sample,
        "calc": calc,
        "rows": rows,
        "cohort": display.count(calc.cohort, exact=exact),
        "population": display.count(sample.population, exact=exact),
        "counted": display.count(calc.counted, exact=exact),
        "waiting": display.count(calc.waiting, exact=exact),
        "basis": display.BASIS,
        "latest": selectors.latest_unit_cost_version(authority_id),
        "totals": display.totals(calc),
        "any_hidden": any(r.hidden for r in rows),
    }
    template = "reporting/returns/cost_savings_year.html"
    if not reporting_access.can_edit_reports(request.user, authority_id):
        return render(request, template, context)
    initial = {name: getattr(parameters, name) for name in services.PARAMETER_FIELDS}
    form = CostParametersForm(
        request.POST or None, initial={**initial, "version": parameters.version}
    )
    return web.form_page(
        request,
        form,
        partial(services.cost_parameters_change, actor=request.user, parameters=parameters),
        success="Calculator settings saved.",
        done=request.get_full_path(),
        template=template,
        context=context,
    )


@login_required
@require_GET
def cost_savings_csv(request, year):
    sample = access.return_sample_for_user(request.user, CSC, year, write=False)
    calc = selectors.cost_calculation(sample, _costs_version(request, sample.local_authority_id))
    csv = exports.cost_savings_csv(
        calc,
        exact=_exact(request, sample.local_authority_id),
        actor=request.user,
        ip=client_ip(request),
        today=timezone.localdate(),
    )
    return web.csv_response(csv, exports.cost_savings_filename(sample))


# --- unit costs -----------------------------------------------------------------------


def _unit_costs_url() -> str:
    return reverse("reporting:unit-costs")


@login_required
@require_GET
def unit_costs(request, number=None):
    authority_id = access.authority_for_user(request.user, write=False)
    latest = selectors.latest_unit_cost_version(authority_id)
    version = latest if number is None else selectors.unit_cost_version(authority_id, number)
    if number is not None and version is None:
        raise Http404("No such unit-cost version.")
    return render(
        request,
        "reporting/returns/unit_costs.html",
        {
            "version": version,
            "latest": latest,
            "is_latest": version is not None and latest is not None and version.pk == latest.pk,
            "costs": selectors.unit_costs_in(version),
            "versions": list(selectors.unit_cost_versions(authority_id)),
            "can_edit": reporting_access.can_edit_reports(request.user, authority_id),
            "measures": {m.code: m.label for m in rules.MEASURES},
        },
    )


@login_required
@require_POST
def unit_costs_start(request):
    authority_id = access.authority_for_user(request.user, write=True)
    authority = LocalAuthority.objects.get(pk=authority_id)
    return web.post_action(
        request,
        lambda: services.unit_costs_start(actor=request.user, authority=authority),
        success="Unit costs started from the illustrative defaults. Check each against "
        "its source before relying on the figures.",
        done=_unit_costs_url(),
    )


def _cost_form_page(request, form, save, *, cost=None):
    return web.form_page(
        request,
        form,
        save,
        success="Unit costs saved as a new version.",
        done=_unit_costs_url(),
        template="reporting/returns/unit_cost_form.html",
        context={"cost": cost},
    )


@login_required
def unit_cost_add(request):
    # A form only editors can use: a reader asking for it gets 403, as for sending it.
    authority_id = access.authority_for_user(request.user, write=True)
    latest = selectors.latest_unit_cost_version(authority_id)
    form = UnitCostForm(request.POST or None, initial={"version": latest.number if latest else 0})
    authority = LocalAuthority.objects.get(pk=authority_id)
    save = partial(services.unit_cost_add, actor=request.user, authority=authority)
    return _cost_form_page(request, form, save)


@login_required
def unit_cost_change(request, cost_id):
    cost = access.unit_cost_for_user(request.user, cost_id, write=True)
    authority_id = cost.version.local_authority_id
    latest = selectors.latest_unit_cost_version(authority_id)
    if request.method == "GET" and latest is not None and cost.version_id != latest.pk:
        messages.info(
            request,
            f"That row is from version {cost.version.number}. Change rows in the current "
            f"version, {latest.number}.",
        )
        return redirect(_unit_costs_url())
    form = UnitCostForm(
        request.POST or None, initial=UnitCostForm.initial_from(cost, cost.version.number)
    )
    save = partial(
        services.unit_cost_change,
        actor=request.user,
        authority=cost.version.local_authority,
        cost_id=cost.pk,
    )
    return _cost_form_page(request, form, save, cost=cost)


@login_required
@require_POST
def unit_cost_remove(request, cost_id):
    cost = access.unit_cost_for_user(request.user, cost_id, write=True)
    form = VersionForm(request.POST)
    if not form.is_valid():
        raise BadRequest("Say which version of the table the row was removed from.")
    return web.post_action(
        request,
        lambda: services.unit_cost_remove(
            actor=request.user,
            authority=cost.version.local_authority,
            version=form.cleaned_data["version"],
            cost_id=cost.pk,
        ),
        success=f"{cost.item} removed: the table is saved as a new version.",
        done=_unit_costs_url(),
    )
