from rest_framework.routers import DefaultRouter

from outcomes import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("assessments", api.AssessmentViewSet, basename="assessment")
router.register("goals", api.GoalViewSet, basename="goal")
router.register("actions", api.ActionViewSet, basename="action")
router.register("reviews", api.ReviewViewSet, basename="review")
router.register("tier-changes", api.TierChangeViewSet, basename="tier-change")
router.register("budget-items", api.BudgetItemViewSet, basename="budget-item")
router.register("closures", api.ClosureViewSet, basename="closure")

urlpatterns = router.urls
