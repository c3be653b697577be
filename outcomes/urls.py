from django.urls import path

from outcomes import views

app_name = "outcomes"
F = "families/<int:family_id>/"

urlpatterns = [
    path("casework/", views.dashboard, name="dashboard"),
    path("casework/due.csv", views.dashboard_csv, name="dashboard-csv"),
    path("casework/spend-awaiting-approval/", views.spend_awaiting, name="spend-awaiting"),
    path("casework/closures-awaiting-sign-off/", views.closures_awaiting, name="closures-awaiting"),
    path(F + "assessments/", views.assessments, name="assessments"),
    path(F + "assessments/start/", views.assessment_start, name="assessment-start"),
    path(F + "assessments/<int:assessment_id>/", views.assessment_edit, name="assessment"),
    path(
        F + "assessments/<int:assessment_id>/amend/",
        views.assessment_amend,
        name="assessment-amend",
    ),
    path(F + "distance-travelled/", views.distance, name="distance"),
    path(F + "distance-travelled.pdf", views.distance_pdf, name="distance-pdf"),
    path(F + "plan/", views.plan, name="plan"),
    path(F + "plan.pdf", views.plan_pdf, name="plan-pdf"),
    path(F + "plan/goals/new/", views.goal_add, name="goal-add"),
    path(F + "plan/goals/<int:goal_id>/status/", views.goal_status, name="goal-status"),
    path(F + "plan/goals/<int:goal_id>/actions/new/", views.action_add, name="action-add"),
    path(F + "plan/actions/<int:action_id>/status/", views.action_status, name="action-status"),
    path(F + "reviews/", views.reviews, name="reviews"),
    path(F + "reviews/new/", views.review_add, name="review-add"),
    path(F + "tier/", views.tier_change, name="tier"),
    path(F + "budget/", views.budget, name="budget"),
    path(F + "budget/<int:item_id>/approve/", views.spend_approve, name="spend-approve"),
    path(F + "close/", views.close, name="close"),
    path(F + "closure/", views.closure, name="closure"),
    path(F + "closure/<int:closure_id>/sign-off/", views.closure_sign_off, name="sign-off"),
    path(F + "follow-ups/<int:follow_up_id>/", views.follow_up, name="follow-up"),
]
