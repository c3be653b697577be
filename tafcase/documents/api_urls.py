from tafcase.api_params import IdRouter
from tafcase.documents import api

router = IdRouter()
router.register("documents", api.DocumentViewSet, basename="document")

urlpatterns = router.urls
