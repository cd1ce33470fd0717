"""The severity mix as a small horizontal bar chart, computed here so Jinja only draws."""
from __future__ import annotations

from ..domain.statuses import SEVERITIES

WIDTH, BAR, GAP, LABEL = 160, 12, 6, 38


def severity_bars(by_severity: dict, key: str = "created") -> dict:
    counts = {sev: int(by_severity.get(sev, {}).get(key, 0)) for sev in SEVERITIES}
    top = max(counts.values()) or 1
    bars = []
    for index, sev in enumerate(SEVERITIES):
        span = WIDTH - LABEL - 24
        bars.append({"severity": sev, "count": counts[sev], "y": index * (BAR + GAP),
                     "width": round(span * counts[sev] / top, 1) if counts[sev] else 0,
                     "x": LABEL})
    height = len(SEVERITIES) * (BAR + GAP) - GAP
    summary = ", ".join(f"{sev}: {counts[sev]}" for sev in SEVERITIES)
    return {"bars": bars, "width": WIDTH, "height": height, "bar": BAR, "total": sum(counts.values()),
            "summary": summary}


def duration(seconds: float | None) -> str:
    """``5400`` → ``1h 30m``; None → an em dash (no resolved incidents)."""
    if seconds is None:
        return "—"
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins}m"
    return f"{mins}m" if mins else f"{int(seconds)}s"
