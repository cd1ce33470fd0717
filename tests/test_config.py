"""Configuration from the environment."""
import pytest

from statuspage.config import load_config, normalise_database_url


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


def test_production_requires_a_secret_key(tmp_path):
    with pytest.raises(RuntimeError):
        load_config(str(tmp_path), env={"PRODUCTION": "1"})
    assert load_config(str(tmp_path), env={"PRODUCTION": "1", "SECRET_KEY": "s"})["SECRET_KEY"] == "s"
