from django.urls import path

from outcomes.claims import views
from outcomes.claims.export_views import export_urlpatterns

app_name = "claims"

urlpatterns = [
    path("", views.windows, name="windows"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("<int:window_id>/", views.window, name="window"),
    path("<int:window_id>/progress.json", views.run_progress, name="run-progress"),
    path("<int:window_id>/run/", views.run_start, name="run"),
    path("<int:window_id>/validate-all/", views.validate_all, name="validate-all"),
    path("<int:window_id>/sample/", views.sample_draw, name="sample"),
    path("<int:window_id>/declare/", views.declare, name="declare"),
    path("<int:window_id>/submit/", views.submit, name="submit"),
    path("claim/<int:claim_id>/", views.claim, name="claim"),
    path("claim/<int:claim_id>/validate/", views.claim_validate, name="claim-validate"),
    path("claim/<int:claim_id>/reject/", views.claim_reject, name="claim-reject"),
    path("claim/<int:claim_id>/audit/", views.claim_audit, name="claim-audit"),
    path("claim/<int:claim_id>/payment/", views.claim_payment, name="claim-payment"),
    path("claim/<int:claim_id>/spot-check/", views.claim_spot_check, name="claim-spot-check"),
    path("claim/<int:claim_id>/adjust/", views.claim_adjust, name="claim-adjust"),
    *export_urlpatterns,
]
