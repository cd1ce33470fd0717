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
from functools import lru_cache

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


# Pure, and the same few texts are rendered over and over (every page that shows an update,
# once per language in the static copy): answers are kept for the most recent texts.
@lru_cache(maxsize=512)
def render(text: str | None, profile: Profile = PAGE) -> Markup:
    """Safe HTML for a Markdown string."""
    if not text:
        return Markup("")
    html = _demote_headings(_parser.render(text))
    return Markup(nh3.clean(html, tags=set(profile.tags), attributes=_ATTRIBUTES,
                            url_schemes=set(_SCHEMES), link_rel=profile.link_rel))


def _inline_text(children) -> str:
    out, href, label_start = [], None, 0
    for tok in children or []:
        if tok.type in ("text", "code_inline"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif tok.type == "link_open":
            href, label_start = tok.attrGet("href"), len(out)
        elif tok.type == "link_close":
            if href and "".join(out[label_start:]) != href:
                out.append(f" ({href})")
            href = None
    return "".join(out)


def plain(text: str | None) -> str:
    """Readable plain text for a Markdown string (email text parts, feed summaries):
    no emphasis marks, links as ``label (url)``, list items as ``- item`` / ``1. item``."""
    if not text:
        return ""
    out: list[str] = []
    lists: list[list] = []  # one [ordered?, next number] per open list
    for tok in _parser.parse(text):
        if tok.type == "inline":
            out.append(_inline_text(tok.children))
        elif tok.type in ("paragraph_close", "heading_close"):
            out.append("\n" if tok.hidden else "\n\n")
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            lists.append([tok.type == "ordered_list_open", int(tok.attrGet("start") or 1)])
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            out.append("" if lists else "\n")
        elif tok.type == "list_item_open":
            ordered, number = lists[-1]
            out.append("  " * (len(lists) - 1) + (f"{number}. " if ordered else "- "))
            lists[-1][1] += 1
        elif tok.type in ("fence", "code_block"):
            out.append(tok.content + "\n")
        elif tok.type == "hr":
            out.append("----\n\n")
    return "".join(out).strip()


def init_app(app) -> None:
    """The ``markdown`` template filter (page profile)."""
    app.add_template_filter(render, "markdown")
