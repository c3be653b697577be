from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "tafcase.documents"
    label = "documents"
    verbose_name = "Prepared documents"
