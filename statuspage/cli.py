"""Flask CLI: users, tokens and operations commands."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .errors import DomainError
from .extensions import db
from .models import ROLES
from .services import users
from .services.context import SYSTEM

users_cli = AppGroup("users", help="Manage console users.")
tokens_cli = AppGroup("tokens", help="Manage API tokens.")


def _fail(exc: DomainError):
    db.session.rollback()
    errors = exc.extra.get("errors") or {}
    details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
    raise click.ClickException(f"{exc.detail} {details}".strip())


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.option("--password", default=None,
              help="Omit to be asked for it (hidden, twice); a value here lands in shell history.")
@click.option("--no-password", is_flag=True, help="A token-only account (no console sign-in).")
def create_user(email, name, role, password, no_password):
    """Create a user."""
    if no_password and password is not None:
        raise click.UsageError("Give --password or --no-password, not both.")
    if password is None and not no_password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = users.create_user(SYSTEM, email, name, role, password)
        db.session.commit()
    except DomainError as exc:
        _fail(exc)
    click.echo(f"created user {user.id} {user.email} ({user.role})")


@tokens_cli.command("create")
@click.option("--email", required=True, help="The user the token acts for.")
@click.option("--name", required=True, help="A label, e.g. the script using it.")
def create_token(email, name):
    """Create an API token; the token is printed alone on the last line, once."""
    user = users.find_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    _token, raw = users.create_token(SYSTEM, user, name)
    db.session.commit()
    click.echo(f"token '{name}' for {user.email} (shown once, store it now):")
    click.echo(raw)


RESET_HINT = "flask seed-demo --yes"


@click.command("seed-demo")
@click.option("--yes", is_flag=True, help="Also wipe data the demo did not create.")
@click.option("--if-empty", is_flag=True,
              help="Seed only a database without users, incidents, components or subscribers.")
def seed_demo(yes: bool, if_empty: bool):
    """Wipe all data and load the curated showcase (refused over real data without --yes)."""
    from . import demo

    if current_app.config["PRODUCTION"]:
        raise click.ClickException("seed-demo wipes the database; it never runs with PRODUCTION=1.")
    if if_empty and not demo.is_empty():
        click.echo(f"Kept the existing data (to reset it to the demo: {RESET_HINT}).")
    else:
        foreign = demo.foreign_rows()
        if foreign and not yes:
            found = ", ".join(f"{count} {name}" for name, count in foreign.items())
            raise click.ClickException(
                f"the database holds data the demo did not create ({found}); nothing changed. "
                f"Run '{RESET_HINT}' to wipe it and load the demo.")
        demo.seed()
    for line in demo.banner():
        click.echo(line)


@click.command("export-static")
@click.argument("directory", type=click.Path(file_okay=False))
def export_static(directory: str):
    """Write the whole public site as static files into DIRECTORY (links relative).

    An existing real directory is written in place; otherwise DIRECTORY becomes a
    symlink to a fresh build beside it, swapped atomically on every run.
    """
    from pathlib import Path

    from .public import snapshot

    written = snapshot.refresh(current_app._get_current_object(), Path(directory))
    click.echo(f"static copy of the public site written to {written}")


def init_app(app: Flask) -> None:
    from .worker import worker_command

    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(export_static)
    app.cli.add_command(worker_command)
