from celery import shared_task

from tafcase.accounts import council


@shared_task
def invitation_email(user_id: int) -> None:
    """An invitation's email, on the worker, so that a file of many users is saved without
    waiting for the mail server once per person."""
    council.invitation_email(user_id)
