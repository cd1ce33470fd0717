"""The postmortem as one Markdown document: sections, full timeline, action items."""
from __future__ import annotations

from datetime import datetime, timedelta

from ..models import utcnow
from . import incidents, postmortems

_TITLES = {"summary": "Summary", "impact": "Impact", "root_cause": "Root cause",
           "resolution": "Resolution", "lessons": "Lessons learned"}


def _utc(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    parts += [f"{hours}h"] if hours or days else []
    return " ".join(parts + [f"{mins}m"])


def _cell(text: str) -> str:
    """One Markdown table cell: pipes escaped, newlines folded."""
    return " ".join(str(text).split()).replace("|", "\\|") or "-"


def render(incident_id: int) -> str:
    """The postmortem as a Markdown document with its timeline and action items."""
    postmortem = postmortems.get(incident_id)
    incident = incidents.get(incident_id)
    end = incident.resolved_at or utcnow()
    duration = _duration(end - incident.created_at)
    if incident.resolved_at is None:
        duration += " (ongoing)"
    lines = [
        f"# Postmortem: {incident.title}",
        "",
        f"- **Incident:** #{incident.id}",
        f"- **Severity:** {incident.severity}",
        f"- **Status:** {incident.status}" + (f" (reopened {incident.reopen_count}x)"
                                               if incident.reopen_count else ""),
        f"- **Started:** {_utc(incident.created_at)}",
        f"- **Resolved:** {_utc(incident.resolved_at)}",
        f"- **Duration:** {duration}",
        f"- **Postmortem:** {postmortem.status}"
        + (f", published {_utc(postmortem.published_at)}" if postmortem.published_at else ""),
        "",
    ]
    for field, title in _TITLES.items():
        lines += [f"## {title}", "", getattr(postmortem, field).strip() or "_Not written._", ""]
    lines += ["## Timeline", "", "| Time (UTC) | Status | Author | Update |",
              "|---|---|---|---|"]
    for entry in incident.updates:
        text = entry.body or f"({entry.kind})"
        if entry.visibility == "internal":
            text = "[internal] " + text
        changes = ", ".join(f"{c.component.name}: {c.old_status} → {c.new_status}"
                            for c in entry.component_changes)
        if changes:
            text += f" (components: {changes})"
        lines.append(f"| {_utc(entry.created_at)} | {entry.status} | {_cell(entry.author_label)} "
                     f"| {_cell(text)} |")
    lines += ["", "## Action items", ""]
    if postmortem.action_items:
        lines += ["| # | Title | Owner | Due | Priority | Status |", "|---|---|---|---|---|---|"]
        for item in postmortem.action_items:
            due = item.due_date.isoformat() if item.due_date else "-"
            lines.append(f"| {item.id} | {_cell(item.title)} | {_cell(item.owner)} | {due} "
                         f"| {item.priority} | {item.status} |")
    else:
        lines.append("_None._")
    return "\n".join(lines) + "\n"
