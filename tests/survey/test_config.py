import pytest

from survey import create_app
from survey.config import DEV_SECRET_KEY, ConfigError, from_environment


def test_default_database_is_sqlite_in_instance(tmp_path):
    config = from_environment(str(tmp_path), {})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/hailong.db"
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["SECRET_KEY"] == DEV_SECRET_KEY
    assert config["BABEL_DEFAULT_LOCALE"] == "vi"


def test_environment_overrides(tmp_path):
    config = from_environment(
        str(tmp_path),
        {
            "DATABASE_URL": "postgresql+psycopg://u@h/db",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "SECRET_KEY": "x" * 40,
        },
    )
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert config["SECRET_KEY"] == "x" * 40


def test_production_refuses_the_development_key(monkeypatch, tmp_path):
    monkeypatch.setenv("HAILONG_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/p.db")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_starts_with_a_real_key(monkeypatch, tmp_path):
    monkeypatch.setenv("HAILONG_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/p.db")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_production_refuses_rate_limits_counted_per_worker(monkeypatch, tmp_path):
    """memory:// keeps one count per process: N gunicorn workers would allow N times each
    limit, so production needs a shared storage (or limits switched off on purpose)."""
    monkeypatch.setenv("HAILONG_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/p.db")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI"):
        create_app()
    monkeypatch.setenv("RATELIMIT_ENABLED", "0")
    assert create_app().config["RATELIMIT_ENABLED"] is False


def test_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("HAILONG_ENV", "prod")
    with pytest.raises(ConfigError, match="HAILONG_ENV"):
        create_app()


def test_test_config_overrides_environment(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == "test-secret-key"
