"""Markdown for every surface: CommonMark via markdown-it-py, then sanitised by nh3.

One parser (raw HTML in the source is never rendered) and one allow-list of
tags for every surface (no images: an email must not fetch anything remote);
bodies sit under the page's or the email's own h1/h2, so their headings start
at h3. The two profiles differ only in link ``rel``: ``PAGE`` for the status
page and the console, ``EMAIL`` for notification bodies. Whatever slips through the parser (scripts, event
handlers, javascript: links, images) nh3 strips.
"""
from __future__ import annotations

from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(["table", "strikethrough"])

_TAGS = frozenset({
    "a", "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
})
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
_SCHEMES = frozenset({"http", "https", "mailto"})


@dataclass(frozen=True)
class Profile:
    """What one surface keeps of the rendered HTML."""

    tags: frozenset
    link_rel: str


PAGE = Profile(_TAGS, "nofollow noopener noreferrer")
EMAIL = Profile(_TAGS, "noopener noreferrer")


def _demote_headings(html: str) -> str:
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    return html


def render(text: str | None, profile: Profile = PAGE) -> Markup:
    """Safe HTML for a Markdown string."""
    if not text:
        return Markup("")
    html = _demote_headings(_parser.render(text))
    return Markup(nh3.clean(html, tags=set(profile.tags), attributes=_ATTRIBUTES,
                            url_schemes=set(_SCHEMES), link_rel=profile.link_rel))


def init_app(app) -> None:
    """The ``markdown`` template filter (page profile)."""
    app.add_template_filter(render, "markdown")
