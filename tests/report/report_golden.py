"""Golden files for the report tests: compare, save the actual output, or rewrite on request."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

GOLD = Path(__file__).resolve().parent.parent / "gold" / "report"
ACTUAL = Path(__file__).resolve().parent.parent / "actual" / "report"
UPDATE = os.environ.get("TRACEHYBRID_UPDATE_GOLDEN") == "1"

# Volatile text replaced before comparing: the tool's version, and absolute paths of this checkout.
SCRUBS: list[tuple[str, str]] = [
    (r"tracehybrid \d+\.\d+\.\d+\S*", "tracehybrid VERSION"),
    (re.escape(str(Path(__file__).resolve().parent)), "TESTS_REPORT"),
]


def scrub(text: str) -> str:
    """`text` with volatile parts replaced by placeholders."""
    for pattern, replacement in SCRUBS:
        text = re.sub(pattern, replacement, text)
    return text


def check_golden(name: str, actual: str) -> None:
    """Assert `actual` (scrubbed) equals tests/gold/report/`name`.

    With TRACEHYBRID_UPDATE_GOLDEN=1 the gold file is rewritten instead. On a mismatch the actual
    text is saved to tests/actual/report/`name` so that `diff` shows the change.
    """
    actual = scrub(actual)
    gold = GOLD / name
    if UPDATE:
        gold.parent.mkdir(parents=True, exist_ok=True)
        gold.write_text(actual, encoding="utf-8")
        return
    saved = ACTUAL / name
    if not gold.exists():
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(actual, encoding="utf-8")
        raise AssertionError(f"no gold file {gold}; `make golden` writes it (actual: {saved})")
    expected = gold.read_text(encoding="utf-8")
    if actual != expected:
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(actual, encoding="utf-8")
        raise AssertionError(
            f"{name} differs from its gold file: diff {gold} {saved}; "
            "if the change is intended, run `make golden`"
        )


_BLOCKS = {
    "p",
    "div",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "section",
    "header",
    "footer",
    "figure",
    "figcaption",
    "pre",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "caption",
    "ul",
    "nav",
    "br",
    "span",
}


class _TextOnly(HTMLParser):
    """The page's text as a person reads it: no script or style, one block per line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002
        if tag in {"script", "style"}:
            self._skip += 1
        if tag in _BLOCKS or tag in {"td", "th", "text"}:
            self.parts.append("\n" if tag in _BLOCKS else " | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(page: str) -> str:
    """The visible text of `page` (SVG text included), whitespace collapsed per line."""
    parser = _TextOnly()
    parser.feed(page)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line and line != "|") + "\n"
