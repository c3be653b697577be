from django.urls import path

from families import views

app_name = "families"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("families.csv", views.caseload_csv, name="caseload-csv"),
    path("search/", views.search, name="search"),
    path("new/", views.family_create, name="create"),
    path("<int:family_id>/", views.family_detail, name="detail"),
    path("<int:family_id>/edit/", views.family_edit, name="edit"),
    path("<int:family_id>/status/", views.family_transition, name="transition"),
    path("<int:family_id>/members/new/", views.member_add, name="member-add"),
    path(
        "<int:family_id>/members/<int:membership_id>/edit/", views.member_edit, name="member-edit"
    ),
    path("<int:family_id>/consents/new/", views.consent_add, name="consent-add"),
    path(
        "<int:family_id>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
    path("<int:family_id>/agencies/new/", views.involvement_add, name="involvement-add"),
    path(
        "<int:family_id>/agencies/<int:involvement_id>/end/",
        views.involvement_end,
        name="involvement-end",
    ),
    path(
        "<int:family_id>/agencies/<int:involvement_id>/pause/",
        views.involvement_pause,
        name="involvement-pause",
    ),
    path("<int:family_id>/notes/new/", views.note_add, name="note-add"),
]

people_urlpatterns = [
    path("<int:person_id>/", views.person_detail, name="person"),
    path("<int:person_id>/subject-access.json", views.person_sar_json, name="person-sar-json"),
    path("<int:person_id>/subject-access.pdf", views.person_sar_pdf, name="person-sar-pdf"),
]
