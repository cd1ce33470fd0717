"""Slack (Block Kit with a text fallback) and Microsoft Teams (Adaptive Card) messages."""
from __future__ import annotations

from .markup import convert

_SLACK_TEXT_LIMIT = 3000  # Block Kit's limit for one text object
_ADAPTIVE = "application/vnd.microsoft.card.adaptive"


def facts(ctx: dict) -> list[tuple[str, str]]:
    """Status, severity and affected components of a notification context."""
    incident = ctx.get("incident") or {}
    found = [("Status", ctx.get("status") or ctx.get("headline") or ""),
             ("Severity", incident.get("severity") or ""),
             ("Components", ", ".join(ctx.get("components") or []) or "—")]
    return [(name, value) for name, value in found if value]


def body_text(ctx: dict) -> str:
    """The Markdown the message carries: the update, postmortem summary or maintenance text."""
    return ctx.get("text") if "text" in ctx else (ctx.get("maintenance") or {}).get("description", "")


def slack(title: str, ctx: dict) -> dict:
    """A Block Kit message: header, facts, the Markdown as mrkdwn, a link button."""
    text = convert(body_text(ctx), "slack")[:_SLACK_TEXT_LIMIT]
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
              {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{name}*\n{value}"}
                                             for name, value in facts(ctx)]}]
    if text:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    blocks.append({"type": "actions", "elements": [{
        "type": "button", "text": {"type": "plain_text", "text": "Open on the status page"},
        "url": ctx["link"]}]})
    return {"text": f"{title} {ctx['link']}", "blocks": blocks}


def teams(title: str, ctx: dict) -> dict:
    """A message with one Adaptive Card attachment."""
    text = convert(body_text(ctx), "teams")
    body = [{"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True},
            {"type": "FactSet", "facts": [{"title": name, "value": value} for name, value in facts(ctx)]}]
    if text:
        body.append({"type": "TextBlock", "text": text, "wrap": True})
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
            "version": "1.4", "body": body,
            "actions": [{"type": "Action.OpenUrl", "title": "Open on the status page", "url": ctx["link"]}]}
    return {"type": "message", "attachments": [{"contentType": _ADAPTIVE, "contentUrl": None,
                                                "content": card}]}


BUILDERS = {"slack": slack, "teams": teams}


def test_message(kind: str, page_name: str, link: str) -> dict:
    """The body of the console's "send a test message"."""
    ctx = {"status": "Test", "components": [], "text": f"A test message from **{page_name}** status.",
           "link": link}
    return BUILDERS[kind](f"Test message from {page_name} status", ctx)
