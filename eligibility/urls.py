from django.urls import path

from eligibility import views

app_name = "eligibility"

urlpatterns = [
    path("nominations/", views.nomination_list, name="nominations"),
    path("nominations.csv", views.nomination_list_csv, name="nominations-csv"),
    path("nominations/new/", views.nomination_new, name="nomination-new"),
    path("nominations/<int:nomination_id>/", views.nomination_detail, name="nomination"),
    path(
        "nominations/<int:nomination_id>/evidence/new/",
        views.evidence_add,
        name="evidence-add",
    ),
    path("nominations/<int:nomination_id>/screen/", views.nomination_screen, name="screen"),
    path("nominations/<int:nomination_id>/merge/", views.nomination_merge, name="merge"),
    path("panels/", views.panel_list, name="panels"),
    path("panels/new/", views.panel_new, name="panel-new"),
    path("panels/<int:panel_id>/", views.panel_detail, name="panel"),
    path("panels/<int:panel_id>/agenda/add/", views.panel_build, name="panel-build"),
    path("panels/<int:panel_id>/agenda/sort/", views.panel_sort, name="panel-sort"),
    path("panels/<int:panel_id>/attendance/", views.panel_attendance, name="panel-attendance"),
    path("panels/<int:panel_id>/minutes.pdf", views.panel_minutes, name="panel-minutes"),
    path("panels/<int:panel_id>/items/<int:item_id>/rate/", views.item_rate, name="item-rate"),
    path("panels/<int:panel_id>/items/<int:item_id>/move/", views.item_move, name="item-move"),
    path(
        "panels/<int:panel_id>/items/<int:item_id>/decide/", views.item_decide, name="item-decide"
    ),
    path("rulebook/", views.frameworks, name="frameworks"),
]
