"""Flask CLI: users and tokens."""
from statuspage.extensions import db
from statuspage.models import ApiToken, User
from statuspage.services import users

from .conftest import ApiClient


def test_users_create_and_tokens_create_print_a_working_token(runner, client):
    result = runner.invoke(args=["users", "create", "--email", "Ops@Example.com", "--name", "Ops",
                                 "--role", "responder", "--password", "long enough"])
    assert result.exit_code == 0, result.output
    user = db.session.query(User).one()
    assert (user.email, user.role) == ("ops@example.com", "responder")
    assert user.password_hash and "long enough" not in user.password_hash

    result = runner.invoke(args=["tokens", "create", "--email", "ops@example.com", "--name", "ci"])
    assert result.exit_code == 0, result.output
    raw = result.output.strip().splitlines()[-1]
    assert raw.startswith("sp_") and db.session.query(ApiToken).one().token_hash != raw
    assert ApiClient(client, raw).get("/api/incidents").status_code == 200


def test_users_create_prompts_for_the_password_twice_without_echoing_it(runner):
    result = runner.invoke(args=["users", "create", "--email", "first@example.com", "--name", "First",
                                 "--role", "admin"], input="a long secret\na long secret\n")
    assert result.exit_code == 0, result.output
    assert "Password: " in result.output and "Repeat for confirmation: " in result.output
    assert "a long secret" not in result.output
    user = db.session.query(User).one()
    assert user.role == "admin" and user.password_hash
    assert users.authenticate("first@example.com", "a long secret") == user


def test_users_create_refuses_mismatched_passwords_and_creates_nothing(runner):
    result = runner.invoke(args=["users", "create", "--email", "x@example.com", "--name", "X"],
                           input="a long secret\nanother secret\n")
    assert result.exit_code != 0 and "do not match" in result.output
    assert db.session.query(User).count() == 0


def test_users_create_without_a_password_makes_a_token_only_account(runner):
    result = runner.invoke(args=["users", "create", "--email", "bot@example.com", "--name", "Bot",
                                 "--no-password"])
    assert result.exit_code == 0, result.output
    assert db.session.query(User).one().password_hash is None


def test_cli_errors_are_clear(runner):
    runner.invoke(args=["users", "create", "--email", "a@example.com", "--name", "A", "--no-password"])
    again = runner.invoke(args=["users", "create", "--email", "a@example.com", "--name", "A",
                                "--no-password"])
    assert again.exit_code != 0 and "already exists" in again.output
    bad_role = runner.invoke(args=["users", "create", "--email", "b@example.com", "--name", "B",
                                   "--role", "root", "--no-password"])
    assert bad_role.exit_code != 0
    short = runner.invoke(args=["users", "create", "--email", "c@example.com", "--name", "C", "--password", "short"])
    assert short.exit_code != 0 and "8 characters" in short.output
    missing = runner.invoke(args=["tokens", "create", "--email", "nobody@example.com", "--name", "x"])
    assert missing.exit_code != 0 and "no user" in missing.output


def test_seed_demo_prints_login_and_token_and_is_repeatable(runner, client):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    token = second.output.strip().splitlines()[-1].split()[-1]
    assert "admin@example.com" in second.output
    assert ApiClient(client, token).get("/api/incidents").json["total"] >= 1
