from django.urls import path

from tafcase.documents import views

app_name = "documents"
urlpatterns = [
    path("<int:document_id>/", views.document, name="document"),
    path("<int:document_id>/progress.json", views.progress, name="progress"),
    path("<int:document_id>/file", views.document_file, name="file"),
]
