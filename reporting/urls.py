from django.urls import include, path

from reporting import views
from reporting.cards import views as cards

app_name = "reporting"

urlpatterns = [
    path("", views.reports, name="reports"),
    path("cards/<str:card>/", cards.card, name="card"),
    path("cards/<str:card>/publish/", cards.publish, name="publish"),
    path("cards/<str:card>/<str:code>/", cards.measure, name="measure"),
    path("published/<int:published_id>/", cards.published, name="published"),
    path("published/<int:published_id>/card.csv", cards.published_csv, name="published-csv"),
    path("published/<int:published_id>/pdf/", cards.published_pdf, name="published-pdf"),
    path("feedback/", include("reporting.feedback.urls")),
]
