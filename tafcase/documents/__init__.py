"""Documents made by the worker: a PDF too long to render while a browser waits (a claim
schedule, evidence packs, report packs) is requested, rendered by Celery with its progress
on a page, kept for DOCUMENT_KEEP_HOURS for the person who asked, then deleted."""
