"""HTML: the article of a web page (trafilatura finds it), the text of an HTML fragment (a feed
entry's body), and the charset a page declares.

Nothing here fetches: a page is parsed from the bytes already read."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

from crosswire.article import Article
from crosswire.errors import InputError
from crosswire.readers.fields import HTML, Items, clean_text, date_or_warning, one_line, unique_id

_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.-]+)", re.I)
_BLOCK_TAGS = frozenset("article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6"
                        " header hr li main nav ol p pre section table tr ul".split())
# Where a page keeps its navigation rather than its story.
_NAVIGATION = ("//a|//nav|//menu|//header|//footer|//button|//select|//label"
               "|//*[@role='navigation' or @role='menu' or @role='menubar' or @role='banner' or @role='contentinfo']")


def declared_charset(data: bytes) -> str | None:
    """The charset a page names in ``<meta charset>`` (or http-equiv) in its first 4 KiB, or None."""
    declared = _META_CHARSET.search(data[:4096])
    return declared.group(1).decode("ascii") if declared else None


def read_html(text: str, path: Path, shown: str, seen: set[str]) -> Items:
    """The article of a decoded HTML page, or the error that says why it has none."""
    import trafilatura  # imported late: it is slow to import and only HTML needs it

    try:
        # bare_extraction parses the string it is given; it never fetches (no URL is passed).
        doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False)
    except Exception as err:  # a third-party parser on arbitrary input: report, never crash
        yield InputError(shown, f"cannot parse the HTML page ({type(err).__name__}: {err})")
        return
    info: dict[str, Any] = doc.as_dict() if doc is not None and not isinstance(doc, dict) else doc or {}
    body = clean_text(info.get("text") or "")
    if not body.strip():
        yield InputError(shown, "HTML page has no article text")
        return
    if _only_navigation(text, body):
        yield InputError(shown, "no text to read: the page has only navigation (links, menus, header, footer), "
                                "no article")
        return
    said: list[str] = []
    yield Article(
        id=unique_id(path.stem, seen), text=body, source=shown,
        title=one_line(info.get("title")), url=one_line(info.get("url")),
        outlet=one_line(info.get("sitename")), author=one_line(info.get("author")),
        published=date_or_warning(info.get("date"), "of the page", shown, said), meta={"format": HTML}, warnings=said,
    )


def _only_navigation(page: str, body: str) -> bool:
    """Whether every line taken from the page is the text of a link, a menu or its header or footer:
    trafilatura falls back to those on a page without an article (a home page, a section index)."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return False
    found: set[str] = set()
    # Element steps only (no text(), no @attribute) in _NAVIGATION: the XPath yields elements.
    for el in cast("list[lxml_html.HtmlElement]", root.xpath(_NAVIGATION)):
        found.add(_folded(el.text_content()))
        found.update(map(_folded, el.itertext()))
    return all(_folded(line) in found for line in body.split("\n") if line.strip())


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def html_fragment_text(fragment: str) -> str:
    """Text of an HTML fragment (a feed entry), one block element a line."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for code in root.xpath("//script|//style|//template|//noscript"):
        code.drop_tree()  # their text is code, not prose; drop_tree keeps the text after them
    for el in root.iter():
        if el.tag in _BLOCK_TAGS:  # a line break before and after every block
            el.text, el.tail = "\n" + (el.text or ""), "\n" + (el.tail or "")
    # text_content() leaves out comments; whitespace inside a line is HTML layout, not content.
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)
