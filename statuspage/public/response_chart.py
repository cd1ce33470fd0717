"""A response-time series as chart geometry and words, so Jinja only draws (pure)."""
from __future__ import annotations

from datetime import datetime

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 600, 160, 48, 20, 8
WINDOW_WORDS = {"24h": "the last 24 hours", "7d": "the last 7 days", "30d": "the last 30 days"}


def _nice_top(value: float) -> float:
    for step in (10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 60000):
        if value <= step:
            return float(step)
    return float(value)


def chart(series: dict) -> dict:
    """Polyline points, grid lines and a sentence describing ``series`` (see monitor_metrics.series)."""
    start = datetime.fromisoformat(series["from"]).timestamp()
    span = datetime.fromisoformat(series["to"]).timestamp() - start or 1.0
    timed = [p for p in series["points"] if p["avg_ms"] is not None]
    top = _nice_top(max((p["avg_ms"] for p in timed), default=0.0) or 1.0)
    plot_w, plot_h = WIDTH - LEFT, HEIGHT - BOTTOM - TOP

    def x(point) -> float:
        return round(LEFT + plot_w * (datetime.fromisoformat(point["t"]).timestamp() - start) / span, 1)

    def y(ms: float) -> float:
        return round(TOP + plot_h * (1 - ms / top), 1)

    line = " ".join(f"{x(p)},{y(p['avg_ms'])}" for p in timed)
    failed = [{"x": x(p), "width": max(2.0, round(plot_w * series["bucket_seconds"] / span, 1))}
              for p in series["points"] if p["failures"]]
    grid = [{"y": y(top * f), "label": f"{top * f:g} ms"} for f in (0, 0.5, 1)]
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "plot_bottom": HEIGHT - BOTTOM,
            "line": line, "failed": failed, "grid": grid, "summary": summary(series)}


def summary(series: dict) -> str:
    """One sentence with the figures the chart shows, for screen readers and text browsers."""
    words = WINDOW_WORDS.get(series["window"], series["window"])
    if not series["checks"]:
        return f"{series['name']}: no checks in {words}."
    uptime = f"{series['uptime']:.2f}% of checks succeeded"
    if series["avg_ms"] is None:
        return f"{series['name']} over {words}: {uptime}; no successful check to time."
    return (f"{series['name']} over {words}: average response time {series['avg_ms']:.0f} ms, "
            f"slowest period {series['max_ms']:.0f} ms; {uptime} ({series['checks']} checks).")
