from outcomes import api
from outcomes.claims import api as claims_api
from tafcase.api_params import IdRouter

router = IdRouter()
router.register("assessments", api.AssessmentViewSet, basename="assessment")
router.register("goals", api.GoalViewSet, basename="goal")
router.register("actions", api.ActionViewSet, basename="action")
router.register("reviews", api.ReviewViewSet, basename="review")
router.register("tier-changes", api.TierChangeViewSet, basename="tier-change")
router.register("budget-items", api.BudgetItemViewSet, basename="budget-item")
router.register("closures", api.ClosureViewSet, basename="closure")
router.register("claim-windows", claims_api.ClaimWindowViewSet, basename="claim-window")
router.register("claims", claims_api.ClaimViewSet, basename="claim")

urlpatterns = router.urls
