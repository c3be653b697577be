from eligibility.datamatch import api
from tafcase.api_params import IdRouter

router = IdRouter()
router.register("partner-imports", api.PartnerImportViewSet, basename="partner-import")
router.register("datamatch-runs", api.DatamatchRunViewSet, basename="datamatch-run")
router.register("review-items", api.ReviewItemViewSet, basename="review-item")

urlpatterns = router.urls
