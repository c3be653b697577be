from django.urls import path

from eligibility.datamatch import views

app_name = "datamatch"

urlpatterns = [
    path("", views.imports, name="imports"),
    path("imports/<int:import_id>/", views.import_detail, name="import"),
    path("imports/<int:import_id>/rejected.csv", views.import_rejected_csv, name="rejected-csv"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/progress.json", views.run_progress, name="run-progress"),
    path(
        "households/<int:household_id>/nominate/",
        views.household_nominate,
        name="household-nominate",
    ),
    path("review/", views.review_queue, name="review"),
    path("review/<int:item_id>/", views.review_item, name="review-item"),
]
