"""Configuration read from the environment.

Every setting a deployment changes comes from an environment variable (documented in the
README); nothing secret lives in the code except the development key, which production refuses.
"""

from __future__ import annotations

import os
from pathlib import Path

DEV_SECRET_KEY = "dev-insecure-change-me"  # noqa: S105 - refused in production on purpose

# Relative to the `survey` package. A directory without compiled catalogues is skipped.
TRANSLATION_DIRECTORIES = ("translations", "dashboard/translations", "admin/translations",
                           "records/translations", "entry/translations", "public/translations",
                           "investigation/translations", "feedback/translations",
                           "alerts/translations")

# The council report's letterhead, number, place and signature block
# (survey/services/council_report/settings.py); blank: derived from the root unit's name, or
# left for the office to fill in by hand.
REPORT_SETTINGS = ("REPORT_ISSUER", "REPORT_PARENT_ISSUER", "REPORT_PLACE", "REPORT_NUMBER",
                   "REPORT_SYMBOL", "REPORT_SIGNER_AUTHORITY", "REPORT_SIGNER_POSITION",
                   "REPORT_SIGNER_NAME", "REPORT_RECIPIENTS")
ENVIRONMENTS = ("development", "production", "testing")


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the app may start with."""


def default_sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "hailong.db")


def from_environment(instance_path: str, environ: dict[str, str] | None = None) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = os.environ if environ is None else environ
    mode = env.get("HAILONG_ENV", "development")
    if mode not in ENVIRONMENTS:
        raise ConfigError(f"HAILONG_ENV must be one of {', '.join(ENVIRONMENTS)}, not {mode!r}")
    production = mode == "production"
    return {
        "HAILONG_ENV": mode,
        # Structured logs (survey/logs.py): JSON lines in production; one line per request
        # only when asked, as a busy server writes hundreds a second.
        "LOG_FORMAT": env.get("LOG_FORMAT", "json" if production else "text"),
        "LOG_REQUESTS": env.get("LOG_REQUESTS", "0") in ("1", "true", "yes"),
        "SECRET_KEY": env.get("SECRET_KEY", DEV_SECRET_KEY),
        # Seals a sampled investigation's frame contacts (AES-256-GCM; docs/SAMPLING.md):
        # 32 bytes in URL-safe base64. Unset: a frame with contact details is refused.
        "CONTACT_KEY": env.get("HAILONG_CONTACT_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL") or default_sqlite_url(instance_path),
        # memory:// counts in each process: exact under `make run` (one process), but N
        # gunicorn workers would allow N times each limit, so production refuses it.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Off only for load tests on loopback, where one address plays hundreds of kiosks.
        "RATELIMIT_ENABLED": env.get("RATELIMIT_ENABLED", "1").lower() not in ("0", "false"),
        # Every 429 tells the client when to come back (Retry-After), and the X-RateLimit-*
        # headers how much is left.
        "RATELIMIT_HEADERS_ENABLED": True,
        # Submissions (POST /api/v1/responses): per client address, and per proof token (a
        # kiosk, a desk poster, a web link), however many clients share it.
        "RESPONSES_RATE_LIMIT": env.get("RESPONSES_RATE_LIMIT", "120 per minute"),
        "RESPONSES_TOKEN_RATE_LIMIT": env.get("RESPONSES_TOKEN_RATE_LIMIT", "120 per minute"),
        # The citizens' form pages (kiosk, poster, receipt, web link): each POST, per client
        # and per token. A phone questionnaire posts once per page.
        "FORM_RATE_LIMIT": env.get("FORM_RATE_LIMIT", "60 per minute"),
        "FORM_TOKEN_RATE_LIMIT": env.get("FORM_TOKEN_RATE_LIMIT", "240 per minute"),
        # How far back each channel may date an answer (docs/SECURITY.md): a kiosk's offline
        # queue, and a live phone or web page; and the shortest time between two answers of
        # one kiosk (0 switches the check off, for load tests). Per kiosk in the admin too.
        "KIOSK_QUEUE_MAX_DAYS": int(env.get("KIOSK_QUEUE_MAX_DAYS", "7")),
        "ONLINE_MAX_AGE_HOURS": int(env.get("ONLINE_MAX_AGE_HOURS", "24")),
        "KIOSK_MIN_INTERVAL_SECONDS": int(env.get("KIOSK_MIN_INTERVAL_SECONDS", "5")),
        # A kiosk stores the tapped face at once; its follow-up answers replace that
        # response's answers only from the same kiosk and this long after it arrived.
        "KIOSK_AMEND_SECONDS": int(env.get("KIOSK_AMEND_SECONDS", "180")),
        # The kiosk page's timers (see survey/collect/kiosk_views.py). The rating is stored at
        # the first tap, so the screen may go back to the start soon after the last one.
        "KIOSK_IDLE_SECONDS": int(env.get("KIOSK_IDLE_SECONDS", "20")),
        "KIOSK_COUNTDOWN_SECONDS": int(env.get("KIOSK_COUNTDOWN_SECONDS", "5")),
        "KIOSK_THANKS_SECONDS": int(env.get("KIOSK_THANKS_SECONDS", "5")),
        "KIOSK_PRESS_INTERVAL_MS": int(env.get("KIOSK_PRESS_INTERVAL_MS", "700")),
        # Behind a reverse proxy, how many proxies' X-Forwarded-For entries to trust: rate
        # limits count clients, not the proxy (0 = no proxy; the client's own address).
        "PROXY_FIX_X_FOR": int(env.get("PROXY_FIX_X_FOR", "0")),
        "SATISFACTION_BENCHMARK": float(env.get("SATISFACTION_BENCHMARK", "0.8")),
        # Cookies travel only over HTTPS in production; development serves plain HTTP.
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        # A whole questionnaire is a few kilobytes; anything far larger is not an answer.
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024))),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": env.get("HAILONG_TIMEZONE", "Asia/Ho_Chi_Minh"),
        "LANGUAGES": ("vi", "en"),
        # Each UI package keeps its own catalogue; Flask-Babel merges them.
        "BABEL_TRANSLATION_DIRECTORIES": ";".join(TRANSLATION_DIRECTORIES),
        # pre-ping replaces a pooled connection that died (a database restart) before use.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # A database that does not answer must not hold a worker: PostgreSQL connection
        # attempts give up after this many seconds, and the client is told to retry after
        # DATABASE_RETRY_AFTER seconds (503 Retry-After; see survey/unavailable.py).
        "DATABASE_CONNECT_TIMEOUT": int(env.get("DATABASE_CONNECT_TIMEOUT", "5")),
        "DATABASE_RETRY_AFTER": int(env.get("DATABASE_RETRY_AFTER", "5")),
        # Anti-gaming flags on /security/anomalies: a burst is this many kiosk responses within
        # this many seconds; a too-good desk has this top-box share over at least this many
        # answers while the rest of its unit is at least this much lower.
        "ANOMALY_BURST_COUNT": int(env.get("ANOMALY_BURST_COUNT", "20")),
        "ANOMALY_BURST_SECONDS": int(env.get("ANOMALY_BURST_SECONDS", "300")),
        "ANOMALY_TOP_SHARE": float(env.get("ANOMALY_TOP_SHARE", "0.95")),
        "ANOMALY_MIN_N": int(env.get("ANOMALY_MIN_N", "30")),
        "ANOMALY_GAP": float(env.get("ANOMALY_GAP", "0.25")),
        # Background jobs (survey/jobs): "sqlite" (a file in the instance folder, no server) or
        # "redis" (REDIS_URL); "embedded" runs them in threads of each web process.
        "JOBS_BACKEND": env.get("JOBS_BACKEND", "sqlite"),
        "JOBS_CONSUMER": env.get("JOBS_CONSUMER", "embedded"),
        "REDIS_URL": env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "JOBS_QUEUE_NAME": env.get("JOBS_QUEUE_NAME", "hailong"),
        "JOBS_DIR": env.get("JOBS_DIR", os.path.join(instance_path, "jobs")),
        "JOBS_INLINE_MAX_BYTES": int(env.get("JOBS_INLINE_MAX_BYTES", str(256 * 1024))),
        # The public scoreboard's cache (survey/public/cache.py): redis://..., a directory
        # path, or "simple" (one process); unset: simple, and in production the Redis of
        # RATELIMIT_STORAGE_URI or else instance/public-cache. Its figures lag the data by
        # at most PUBLIC_CACHE_SECONDS.
        "PUBLIC_CACHE_URL": env.get("PUBLIC_CACHE_URL", ""),
        "PUBLIC_CACHE_SECONDS": int(env.get("PUBLIC_CACHE_SECONDS", "60")),
        # Feedback cases (survey/services/feedback): the unit's deadline to answer, in working
        # days, and per service area ("land=15,construction=20"); the leaders told of an
        # overdue case ("HN=lanhdao@hn.gov.vn,HN-D01=..."; the nearest up a unit's path).
        "FEEDBACK_DEADLINE_DAYS": int(env.get("FEEDBACK_DEADLINE_DAYS", "10")),
        "FEEDBACK_DEADLINE_BY_SERVICE": env.get("FEEDBACK_DEADLINE_BY_SERVICE", "").strip(),
        "FEEDBACK_LEADER_EMAILS": env.get("FEEDBACK_LEADER_EMAILS", "").strip(),
        # Early-warning alerts (survey/services/alerts): the officers' mailboxes per unit
        # ("HN-D01=vp@hn.gov.vn,HN-D01=..."; each gets its unit's and the units' below); the
        # leaders are FEEDBACK_LEADER_EMAILS'.
        "ALERT_EMAILS": env.get("ALERT_EMAILS", "").strip(),
        # The SMTP server that carries answers to citizens and escalations to leaders; blank
        # host: nothing is sent by e-mail, and each case says so.
        "SMTP_HOST": env.get("SMTP_HOST", "").strip(),
        "SMTP_PORT": int(env.get("SMTP_PORT", "25")),
        "SMTP_FROM": env.get("SMTP_FROM", "").strip(),
        "SMTP_USER": env.get("SMTP_USER", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": env.get("SMTP_STARTTLS", "0").lower() in ("1", "true", "yes"),
        "SMTP_TIMEOUT": int(env.get("SMTP_TIMEOUT", "10")),
        # the data-entry upload's own MAX_CONTENT_LENGTH: a survey round of paper forms
        "ENTRY_MAX_UPLOAD_BYTES": int(env.get("ENTRY_MAX_UPLOAD_BYTES", str(32 * 1024 * 1024))),
        **{name: env.get(name, "").strip() for name in REPORT_SETTINGS},
    }


def check_production(config: dict) -> None:
    """Refuse to run a production server with a guessable secret key, or with rate limits
    that each worker would count alone."""
    if config.get("HAILONG_ENV") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 32:
        raise ConfigError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    if config.get("RATELIMIT_ENABLED", True) and \
            str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        raise ConfigError(
            "RATELIMIT_STORAGE_URI must name a shared storage in production (for example "
            "redis://127.0.0.1:6379/0): with memory:// every worker keeps its own counts, so "
            "N workers would allow N times each limit"
        )
