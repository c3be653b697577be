from django.urls import path, re_path

from reporting.feedback import views

app_name = "feedback"

# A hand-over link's secret: secrets.token_urlsafe(32) is 43 characters of this alphabet.
HANDOVER = r"(?P<token>[A-Za-z0-9_-]{20,100})"

urlpatterns = [
    path("", views.summary, name="summary"),
    path("families/<int:family_id>/", views.family_feedback_start, name="start"),
    re_path(rf"^answer/{HANDOVER}/$", views.family_feedback_answer, name="answer"),
    re_path(rf"^answer/{HANDOVER}/thanks/$", views.family_feedback_thanks, name="thanks"),
    re_path(rf"^answer/{HANDOVER}/return/$", views.family_feedback_return, name="return"),
    path("key-players/", views.key_player_feedback, name="key-players"),
    path("quality/", views.quality_samples, name="samples"),
    path("quality/draw/", views.quality_sample_draw, name="draw"),
    path("quality/<int:sample_id>/", views.quality_sample, name="sample"),
    path("quality/cases/<int:case_id>/", views.quality_case, name="case"),
]
