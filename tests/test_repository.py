"""The repository itself: no merge left half-done. A conflict marker committed in a file
(README.md once carried one) is a failure here, not something a reader finds."""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".git", ".venv", "node_modules", "var", "govuk", "vendor", "__pycache__"}
TEXT = {".py", ".html", ".md", ".toml", ".txt", ".js", ".css", ".cfg", ".yml", ".yaml", ".sh"}
MARKER = re.compile(r"^(<<<<<<< |=======$|>>>>>>> )", re.MULTILINE)


def _text_files():
    for folder, folders, files in os.walk(ROOT):
        folders[:] = [f for f in folders if f not in SKIP]
        for name in files:
            path = Path(folder, name)
            if path.suffix in TEXT or name in {"Makefile", "Dockerfile"}:
                yield path


def test_no_file_holds_a_merge_conflict_marker():
    found = []
    for path in _text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [
            f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}"
            for m in MARKER.finditer(text)
            # A line of equals signs alone is a Markdown heading underline; only flag it
            # between the other two markers.
            if m.group(1) != "=======" or "<<<<<<< " in text
        ]
    assert not found, f"merge conflict markers left in: {', '.join(found)}"
