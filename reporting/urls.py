from django.urls import include, path

from reporting import views
from reporting.cards import views as cards
from reporting.returns import views as returns

app_name = "reporting"

# The national returns (reporting.md §3), under /reports/returns/.
returns_urlpatterns = [
    path("family-progress/", returns.family_progress, name="family-progress"),
    path("family-progress/<int:year>/", returns.family_progress_year, name="family-progress-year"),
    path(
        "family-progress/<int:year>/family-progress-data.csv",
        returns.family_progress_csv,
        name="family-progress-csv",
    ),
    path("cost-savings/", returns.cost_savings, name="cost-savings"),
    path("cost-savings/<int:year>/", returns.cost_savings_year, name="cost-savings-year"),
    path(
        "cost-savings/<int:year>/cost-saving-calculator.csv",
        returns.cost_savings_csv,
        name="cost-savings-csv",
    ),
    path("unit-costs/", returns.unit_costs, name="unit-costs"),
    path("unit-costs/version-<int:number>/", returns.unit_costs, name="unit-costs-version"),
    path("unit-costs/start/", returns.unit_costs_start, name="unit-costs-start"),
    path("unit-costs/add/", returns.unit_cost_add, name="unit-cost-add"),
    path("unit-costs/<int:cost_id>/", returns.unit_cost_change, name="unit-cost-change"),
    path("unit-costs/<int:cost_id>/remove/", returns.unit_cost_remove, name="unit-cost-remove"),
]

urlpatterns = [
    path("", views.reports, name="reports"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("pack/", views.pack, name="pack"),
    path("cards/<str:card>/", cards.card, name="card"),
    path("cards/<str:card>/publish/", cards.publish, name="publish"),
    path("cards/<str:card>/<str:code>/", cards.measure, name="measure"),
    path("cards/<str:card>/<str:code>/families/", cards.families, name="measure-families"),
    path("published/<int:published_id>/", cards.published, name="published"),
    path("published/<int:published_id>/card.csv", cards.published_csv, name="published-csv"),
    path("published/<int:published_id>/pdf/", cards.published_pdf, name="published-pdf"),
    path("returns/", include(returns_urlpatterns)),
    path("feedback/", include("reporting.feedback.urls")),
]
