from families import api
from tafcase.api_params import IdRouter

router = IdRouter()
router.register("families", api.FamilyViewSet, basename="family")
router.register("people", api.PersonViewSet, basename="person")
router.register("memberships", api.MembershipViewSet, basename="membership")
router.register("consents", api.ConsentViewSet, basename="consent")
router.register("involvements", api.InvolvementViewSet, basename="involvement")
router.register("notes", api.NoteViewSet, basename="note")

urlpatterns = router.urls
