from rest_framework.routers import DefaultRouter

from families import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("families", api.FamilyViewSet, basename="family")
router.register("people", api.PersonViewSet, basename="person")
router.register("memberships", api.MembershipViewSet, basename="membership")
router.register("consents", api.ConsentViewSet, basename="consent")
router.register("involvements", api.InvolvementViewSet, basename="involvement")
router.register("notes", api.NoteViewSet, basename="note")

urlpatterns = router.urls
