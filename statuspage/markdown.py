"""Markdown for public text: CommonMark via markdown-it-py, then sanitised by nh3.

Raw HTML in the source is not rendered, and nh3 strips anything that slipped
through (scripts, event handlers, javascript: links) whatever the parser does.
"""
from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(["table", "strikethrough"])

_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}


def _demote_headings(html: str) -> str:
    # Update bodies sit under the page's own h1/h2: their headings start at h3.
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    return html


def render(text: str | None) -> Markup:
    """Safe HTML for a Markdown string."""
    if not text:
        return Markup("")
    html = _demote_headings(_parser.render(text))
    clean = nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                      link_rel="nofollow noopener noreferrer")
    return Markup(clean)


def init_app(app) -> None:
    app.add_template_filter(render, "markdown")
