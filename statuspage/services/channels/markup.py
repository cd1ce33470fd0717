"""Markdown converted to a chat's own markup: Slack mrkdwn or the Markdown subset Teams renders.

The same CommonMark parser as everywhere reads the source; only links with a
safe scheme survive, raw HTML is text, images become their alt text.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from markdown_it import MarkdownIt

_parser = MarkdownIt("commonmark", {"html": False}).enable(["strikethrough"])
_SAFE = ("http", "https", "mailto")

# flavour -> (bold, italic, strike, bullet)
_STYLE = {"slack": ("*", "_", "~", "•"), "teams": ("**", "_", "~~", "-")}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(children, flavour: str) -> str:
    bold, italic, strike, _bullet = _STYLE[flavour]
    out: list[str] = []
    links: list[str | None] = []
    starts: list[int] = []
    for token in children or []:
        kind = token.type
        if kind in ("text", "html_inline"):
            # Link syntax the parser refused (javascript: and the like) must not become one.
            out.append(_slack_escape(token.content) if flavour == "slack"
                       else token.content.replace("](", "] ("))
        elif kind == "code_inline":
            out.append(f"`{token.content}`")
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind in ("strong_open", "strong_close"):
            out.append(bold)
        elif kind in ("em_open", "em_close"):
            out.append(italic)
        elif kind in ("s_open", "s_close"):
            out.append(strike)
        elif kind == "image":
            out.append(token.content or "")
        elif kind == "link_open":
            href = token.attrGet("href") or ""
            links.append(href if urlsplit(href).scheme in _SAFE else None)
            starts.append(len(out))
        elif kind == "link_close" and links:
            href, start = links.pop(), starts.pop()
            label = "".join(out[start:])
            del out[start:]
            if href is None:
                out.append(label)
            elif flavour == "slack":
                out.append(f"<{href}|{label}>")
            else:
                out.append(f"[{label}]({href})")
    return "".join(out)


def convert(source: str, flavour: str) -> str:
    """``source`` Markdown in the chat's markup (``flavour``: slack | teams)."""
    bold, _italic, _strike, bullet = _STYLE[flavour]
    blocks: list[str] = []
    prefix: list[str] = []  # list markers and quote marks of the open containers
    counters: list[int] = []
    for token in _parser.parse(source or ""):
        kind = token.type
        if kind == "bullet_list_open":
            counters.append(0)
        elif kind == "ordered_list_open":
            counters.append(int(token.attrGet("start") or 1))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            counters.pop()
        elif kind == "list_item_open":
            number = counters[-1]
            prefix.append(f"{number}. " if number else f"{bullet} ")
            if number:
                counters[-1] += 1
        elif kind == "list_item_close":
            prefix.pop()
        elif kind == "blockquote_open":
            prefix.append("> ")
        elif kind == "blockquote_close":
            prefix.pop()
        elif kind == "inline":
            text = _inline(token.children, flavour)
            if token.map is not None and blocks and blocks[-1] == "\0heading":
                blocks[-1] = f"{bold}{text}{bold}"
            else:
                blocks.append("".join(prefix) + text)
        elif kind == "heading_open":
            blocks.append("\0heading")
        elif kind in ("fence", "code_block"):
            blocks.append("".join(prefix) + "```\n" + token.content.rstrip("\n") + "\n```")
        elif kind == "hr":
            blocks.append("———")
    # Teams starts a new line only at a blank line.
    joiner = "\n" if flavour == "slack" else "\n\n"
    return joiner.join(b for b in blocks if b != "\0heading").strip()
