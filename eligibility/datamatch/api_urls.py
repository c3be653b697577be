from rest_framework.routers import DefaultRouter

from eligibility.datamatch import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("partner-imports", api.PartnerImportViewSet, basename="partner-import")
router.register("datamatch-runs", api.DatamatchRunViewSet, basename="datamatch-run")
router.register("review-items", api.ReviewItemViewSet, basename="review-item")

urlpatterns = router.urls
