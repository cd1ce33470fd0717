"""Builders for alert payloads as Alertmanager (v4) and Grafana send them."""
from __future__ import annotations


def am_alert(status="firing", component="API", severity="critical", fingerprint="fp1",
             summary="API errors above 5%", **labels) -> dict:
    """One alert of an Alertmanager webhook body."""
    return {"status": status, "labels": {"alertname": "HighErrors", "component": component,
                                         "severity": severity, **labels},
            "annotations": {"summary": summary}, "startsAt": "2026-12-01T10:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prom/graph",
            "fingerprint": fingerprint}


def alertmanager(*alerts, group_key='{}:{alertname="HighErrors"}', status=None) -> dict:
    """An Alertmanager webhook body (version 4)."""
    firing = any(a["status"] == "firing" for a in alerts)
    return {"version": "4", "groupKey": group_key, "truncatedAlerts": 0,
            "status": status or ("firing" if firing else "resolved"), "receiver": "status",
            "groupLabels": {"alertname": "HighErrors"}, "commonLabels": {}, "commonAnnotations": {},
            "externalURL": "http://alertmanager", "alerts": list(alerts)}


def grafana(*alerts, group_key="{}/{}:{alertname=\"Latency\"}") -> dict:
    """A Grafana unified alerting webhook body."""
    body = alertmanager(*alerts, group_key=group_key)
    firing = body["status"] == "firing"
    body.update(orgId=1, state="alerting" if firing else "ok",
                title=f"[{body['status'].upper()}] Latency", message="See the dashboard")
    return body
