"""Play the catalog through the real services, in time order, "as of" each moment.

Every step runs under :func:`clock_at`, so the audit trail, outbox, timeline and
component history carry the times the story says, and ids grow with time.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from ..extensions import db
from ..models import clock_at
from ..services import action_items, components, incidents, maintenance, postmortems, templates
from ..services import users
from ..services.context import SYSTEM
from . import catalog
from .catalog import D, H, M
from .people import add_subscribers


class Story:
    """Timed steps and the names they resolve (component names, incident titles)."""

    def __init__(self, now: datetime):
        self.now = now
        self.steps: list[tuple[datetime, int, Callable[[], None]]] = []
        self.ids: dict[str, int] = {}
        self.actors: dict[str, object] = {}

    def at(self, moment: datetime, fn: Callable[[], None]) -> None:
        self.steps.append((min(moment, self.now - M), len(self.steps), fn))

    def play(self) -> None:
        for moment, _seq, fn in sorted(self.steps, key=lambda s: (s[0], s[1])):
            with clock_at(moment):
                fn()
                db.session.flush()

    def impacts(self, pairs) -> list[dict]:
        return [{"id": self.ids[name], "status": status} for name, status in pairs]


def _setup(story: Story, admin_password: str) -> None:
    for email, name, role in catalog.USERS:
        user = users.create_user(SYSTEM, email, name, role, admin_password)
        story.actors[role] = users.actor_for(user)
    admin = story.actors["admin"]
    for name, description, members in catalog.GROUPS:
        group = components.create_group(admin, {"name": name, "description": description})
        for member in members:
            component = components.create(admin, {"name": member, "group_id": group.id,
                                                  "description": catalog.DESCRIPTIONS[member]})
            story.ids[member] = component.id
    for spec in catalog.TEMPLATES:
        templates.create(admin, {**spec, "components": story.impacts(spec["components"])})


def _incident(story: Story, created: datetime, spec: dict) -> None:
    key = spec["title"]

    def open_it():
        incident = incidents.create(story.actors["responder"], {
            "title": spec["title"], "severity": spec["severity"], "summary": spec["summary"],
            "tags": spec.get("tags", []), "visibility": spec.get("visibility", "public"),
            "components": story.impacts(spec["impacts"]),
            "commander_id": story.actors["responder"].user_id})
        story.ids[key] = incident.id

    story.at(created, open_it)
    for offset, kind, body, visibility, impacts in spec["steps"]:
        story.at(created + offset, _step(story, key, kind, body, visibility, impacts))
    if spec.get("next_update") is not None:
        due = story.now + spec["next_update"]
        story.at(story.now, lambda: incidents.patch(story.actors["responder"], story.ids[key],
                                                    {"next_update_at": due}))


def _step(story: Story, key: str, kind: str, body: str, visibility: str, impacts) -> Callable:
    def run():
        actor = story.actors["responder"]
        if kind == "update":
            incidents.post_update(actor, story.ids[key], {
                "body": body, "visibility": visibility, "components": story.impacts(impacts)})
        else:
            incidents.transition(actor, story.ids[key], kind, body, visibility)
    return run


def _postmortem(story: Story, key: str, resolved: datetime, root_cause: str, n: int,
                publish: bool) -> None:
    def write():
        actor = story.actors["responder"]
        postmortems.create(actor, story.ids[key], {
            "summary": f"{key}: what happened, in one paragraph for customers.",
            "impact": "Affected customers saw errors or delays on the components listed.",
            "root_cause": root_cause,
            "resolution": "We applied a fix, verified recovery and monitored before resolving.",
            "lessons": "- Detect earlier\n- Make the recovery step routine"})
        for i, (title, owner, priority) in enumerate(catalog.ACTION_ITEMS):
            status = ("open", "in_progress", "done")[(n + i) % 3]
            action_items.create(actor, story.ids[key], {
                "title": title, "owner": owner, "priority": priority, "status": status,
                "due_date": (resolved + (14 + 7 * i) * D).date()})

    story.at(resolved + D, write)
    if publish:
        story.at(resolved + 2 * D,
                 lambda: postmortems.publish(story.actors["responder"], story.ids[key]))


def _resolved(story: Story, n: int, row: tuple) -> None:
    ago, title, severity, impacts, identify, monitor, resolve, root_cause = row
    created = story.now - ago
    steps = []
    if identify:
        steps.append((identify, "identified", "We found the cause and are fixing it.", "public", []))
    if monitor:
        steps.append((monitor, "monitoring", "A fix is in place; we are monitoring.", "public", []))
    steps.append((resolve, "resolved", "This incident has been resolved.", "public", []))
    _incident(story, created, {"title": title, "severity": severity, "impacts": impacts,
                               "summary": f"We are investigating: {title.lower()}.",
                               "tags": [severity.lower()], "steps": steps})
    # The most recent one is still a draft, to show the editor's draft state.
    _postmortem(story, title, created + resolve, root_cause, n, publish=n > 0)


def _maintenances(story: Story) -> None:
    for n, (title, description, names, starts, duration, state) in enumerate(catalog.MAINTENANCES):
        start = story.now + starts

        def create(title=title, description=description, names=names, start=start,
                   duration=duration):
            m = maintenance.create(story.actors["admin"], {
                "title": title, "description": description, "starts_at": start,
                "ends_at": start + duration, "component_ids": [story.ids[c] for c in names]})
            story.ids["maintenance:" + title] = m.id

        story.at(min(start - 2 * D, story.now - (3 - n) * H), create)
        if state in ("in_progress", "completed"):
            story.at(start, lambda t=title: maintenance.start(
                SYSTEM, story.ids["maintenance:" + t], due_only=True))
        if state == "completed":
            story.at(start + duration, lambda t=title: maintenance.complete(
                SYSTEM, story.ids["maintenance:" + t], due_only=True))


def load(now: datetime, password: str) -> Story:
    story = Story(now)
    story.at(now - 91 * D, lambda: _setup(story, password))
    for spec in catalog.ACTIVE:
        _incident(story, now - spec["ago"], spec)
    reopened = catalog.REOPENED
    _incident(story, now - reopened["ago"], reopened)
    final = now - reopened["ago"] + reopened["steps"][-1][0]
    _postmortem(story, reopened["title"], final, reopened["root_cause"], 7, publish=True)
    for n, row in enumerate(catalog.RESOLVED):
        _resolved(story, n, row)
    _maintenances(story)
    add_subscribers(story)
    story.play()
    return story

