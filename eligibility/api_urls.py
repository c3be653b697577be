from eligibility import api
from tafcase.api_params import IdRouter

router = IdRouter()
router.register("nominations", api.NominationViewSet, basename="nomination")
router.register("panels", api.PanelViewSet, basename="panel")
router.register("agenda-items", api.AgendaItemViewSet, basename="agenda-item")
router.register("frameworks", api.FrameworkViewSet, basename="framework")

urlpatterns = router.urls
