"""Schema migrations (Flask-Migrate on Alembic), loaded only where they run.

Importing Flask-Migrate imports Alembic, Mako and Pygments: about a tenth of a web or
worker process's start-up, for commands those processes never run. The app registers
a ``flask db`` group that imports Flask-Migrate only when ``flask db ...`` runs; code that
migrates in-process (the tests) calls :func:`wire` first, or :func:`upgrade`.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo

from .extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# SQLite alters tables by copying them (batch mode); type changes count as differences.
OPTIONS = {"render_as_batch": True, "compare_type": True}


def wire(app: Flask) -> None:
    """Give ``app`` Flask-Migrate's configuration (once): what its commands and its
    ``upgrade()``/``downgrade()`` functions read from ``app.extensions["migrate"]``."""
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(MIGRATIONS), **OPTIONS)


def upgrade(app: Flask | None = None, revision: str = "head") -> None:
    """Migrate ``app``'s database (the current app by default) to ``revision``."""
    from flask_migrate import upgrade as alembic_upgrade

    app = app or current_app._get_current_object()
    wire(app)
    with app.app_context():
        alembic_upgrade(revision=revision)


class LazyMigrateGroup(click.Group):
    """``flask db``: stands in for Flask-Migrate's command group, which it imports when
    ``flask db ...`` runs and hands the whole command line to (its options, subcommands
    and help); ``flask --help`` lists it without importing anything."""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        from flask_migrate.cli import db as commands

        if parent is not None:  # the flask command's context: it loads the app once
            wire(parent.ensure_object(ScriptInfo).load_app())
        return commands.make_context(info_name, args, parent=parent, **extra)


def init_app(app: Flask) -> None:
    """Register ``flask db`` without importing Flask-Migrate."""
    app.cli.add_command(LazyMigrateGroup("db", help="Perform database migrations."))
