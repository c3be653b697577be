class StaleEdit(Exception):
    """Optimistic locking: the record changed since the editor loaded it; nothing was saved.

    Pages answer 409 with the latest details; the API answers 409 Conflict.
    """

    def __init__(self, what: str):
        super().__init__(
            f"Someone else changed this {what} after you opened it, so your changes were "
            f"not saved. The latest details are shown: check them and make your changes again."
        )
