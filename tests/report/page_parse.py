"""A strict reading of a rendered page: elements, attributes and text, with nesting checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"meta", "link", "br", "input", "img", "hr", "wbr", "source", "col", "area", "base"}


@dataclass
class Element:
    """One start tag as the parser saw it."""

    tag: str
    attrs: dict[str, str | None]
    text: str = ""


@dataclass
class Page:
    """What `parse_page` found."""

    elements: list[Element] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def tags(self, name: str) -> list[Element]:
        return [e for e in self.elements if e.tag == name]

    def ids(self) -> list[str]:
        return [str(e.attrs["id"]) for e in self.elements if "id" in e.attrs]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.page.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.elements.append(Element(tag, dict(attrs)))  # <path ... /> in SVG

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self._open or self._open[-1].tag != tag:
            top = self._open[-1].tag if self._open else None
            self.page.errors.append(f"</{tag}> closes <{top}>")
            return
        self._open.pop()

    def handle_data(self, data: str) -> None:
        self.page.texts.append(data)
        if self._open:
            self._open[-1].text += data


def parse_page(page: str) -> Page:
    """Parse `page`, recording any end tag that does not close the innermost open element."""
    reader = _Reader()
    reader.feed(page)
    reader.close()
    if reader._open:
        reader.page.errors.append(f"unclosed: {[e.tag for e in reader._open]}")
    return reader.page
