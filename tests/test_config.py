"""Configuration from the environment."""
import pytest

from statuspage.config import ConfigError, load_config, normalise_database_url


@pytest.mark.parametrize("given,expected", [
    ("postgres://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
    ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_database_url_normalisation(given, expected):
    assert normalise_database_url(given) == expected


def test_embedded_defaults_and_generated_secret(tmp_path):
    config = load_config(str(tmp_path), env={})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'statuspage.db'}"
    assert config["REDIS_URL"] is None  # means: embedded redis-server in instance/
    assert (tmp_path / "secret_key").read_text().strip() == config["SECRET_KEY"]
    assert load_config(str(tmp_path), env={})["SECRET_KEY"] == config["SECRET_KEY"]  # stable


LONG_KEY = "k" * 32


@pytest.mark.parametrize("env, needed", [
    ({"METRICS_TOKEN": "m"}, "SECRET_KEY must be set"),
    ({"METRICS_TOKEN": "m", "SECRET_KEY": "k" * 31}, "SECRET_KEY must be at least 32 characters"),
    ({"SECRET_KEY": LONG_KEY}, "METRICS_TOKEN must be set"),
    ({"SECRET_KEY": LONG_KEY, "METRICS_TOKEN": "m", "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"},
     "PASSWORD_HASH_METHOD is weaker"),
    ({"SECRET_KEY": LONG_KEY, "METRICS_TOKEN": "m", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"},
     "PASSWORD_HASH_METHOD is weaker"),
    ({"SECRET_KEY": LONG_KEY, "METRICS_TOKEN": "m", "PASSWORD_HASH_METHOD": "plain"},
     "PASSWORD_HASH_METHOD is weaker"),
])
def test_production_refuses_weak_settings(tmp_path, env, needed):
    with pytest.raises(ConfigError, match=needed) as refused:
        load_config(str(tmp_path), env={"PRODUCTION": "1", **env})
    assert "\n" not in str(refused.value)
    assert not (tmp_path / "secret_key").exists()


def test_production_starts_with_a_long_key_and_a_metrics_token(tmp_path):
    config = load_config(str(tmp_path), env={"PRODUCTION": "1", "SECRET_KEY": LONG_KEY,
                                             "METRICS_TOKEN": "m", "PASSWORD_HASH_METHOD": ""})
    assert config["PASSWORD_HASH_METHOD"] == "scrypt"  # empty means the default
    config = load_config(str(tmp_path), env={"PRODUCTION": "1", "SECRET_KEY": LONG_KEY,
                                             "METRICS_TOKEN": "m"})
    assert config["SECRET_KEY"] == LONG_KEY and config["METRICS_TOKEN"] == "m"
    assert load_config(str(tmp_path), env={"SECRET_KEY": "short"})["SECRET_KEY"] == "short"  # dev


def test_passwords_are_hashed_with_the_configured_method(app):
    from tests.conftest import make_user

    user = make_user("viewer", password="long enough password")
    assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
