"""Running requests at the same moment, for tests of what two racing requests do.

Each call runs in its own thread, so on its own database connection; a barrier releases
them together. Tests that use this need ``django_db(transaction=True)``: the threads see
only committed data.
"""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """The result of each call, in order; an exception a call raised is its result."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as error:  # handed back to the test to assert on
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
