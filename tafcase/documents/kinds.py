"""What each kind of document is: registered by the app that owns it (in its AppConfig's
ready()), so this package never imports the apps above it."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# (stage in words, percent done): renews the document's heartbeat.
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class Kind:
    # Renders the document (a Document row) and writes its own export audit rows, naming
    # the families in it; reports its stages through Progress.
    build: Callable[[Any, Progress], bytes]
    # May this user (still) read a document of this kind with these params? Asked when it
    # is requested and at every read, so access withdrawn since hides it.
    allowed: Callable[[Any, dict], bool]
    # The page the document was asked for from, to go back to.
    back_url: Callable[[dict], str]


_KINDS: dict[str, Kind] = {}


def register(name: str, kind: Kind) -> None:
    _KINDS[name] = kind


def kind(name: str) -> Kind:
    return _KINDS[name]
