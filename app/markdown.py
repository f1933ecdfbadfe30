"""Markdown to safe HTML: the only place user-written Markdown becomes markup."""

from __future__ import annotations

import re

import markdown as md
import nh3
from markupsafe import Markup

_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}


_HEADING = re.compile(r"<(/?)h([1-6])>")


def render(text: str | None, heading_offset: int = 0) -> Markup:
    """Render Markdown and strip everything that could run or track.

    ``heading_offset`` moves headings down (1: `#` becomes <h2>) so that text
    shown under a page's own <h1> keeps a sound outline.
    """
    html = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    if heading_offset:
        clean = _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + heading_offset, 6)}>", clean)
    return Markup(clean)  # nosec B704  # sanitised by nh3 above (tests/security/)
