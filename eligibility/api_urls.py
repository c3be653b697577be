from rest_framework.routers import DefaultRouter

from eligibility import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("nominations", api.NominationViewSet, basename="nomination")
router.register("panels", api.PanelViewSet, basename="panel")
router.register("agenda-items", api.AgendaItemViewSet, basename="agenda-item")
router.register("frameworks", api.FrameworkViewSet, basename="framework")

urlpatterns = router.urls
