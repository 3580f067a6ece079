"""Settings read from the environment, with the defaults a demo needs."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        raise SystemExit(f"Miljövariabeln {name} måste vara ett heltal, inte {raw!r}.") from None


def database_path() -> str:
    return os.environ.get("WORKBENCH_DB") or str(PROJECT_DIR / "data" / "workbench.duckdb")


def database_url() -> str | None:
    """A PostgreSQL database (postgresql://…) for several server processes; unset: the DuckDB file."""
    return os.environ.get("WORKBENCH_DATABASE_URL", "").strip() or None


def database_location() -> str:
    """Where the store lives: WORKBENCH_DATABASE_URL when set, else the DuckDB file WORKBENCH_DB."""
    return database_url() or database_path()


def is_postgres(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://"))


def idle_minutes() -> int:
    """A session ends after this many minutes without activity."""
    return _int("WORKBENCH_IDLE_MINUTES", 60)


def max_failed_logins() -> int:
    """Failed logins for one e-mail from one source address before that source is held back."""
    return _int("WORKBENCH_MAX_FAILED_LOGINS", 5)


def lockout_minutes() -> int:
    return _int("WORKBENCH_LOCKOUT_MINUTES", 15)


def cookie_secure() -> bool:
    """Mark the session cookie Secure; set to 1 when served over HTTPS."""
    return os.environ.get("WORKBENCH_COOKIE_SECURE", "0") == "1"


def base_url() -> str:
    """Where people reach the workbench, for the links in e-mail (no trailing slash)."""
    return (os.environ.get("WORKBENCH_BASE_URL", "").strip() or "http://127.0.0.1:8501").rstrip("/")


def password_link_hours() -> int:
    """How long a link to set one's password stays valid."""
    return _int("WORKBENCH_PASSWORD_LINK_HOURS", 72)


def oidc_configured() -> bool:
    """Whether the city's login (OIDC) is set up: an [auth] section in Streamlit's secrets,
    which Streamlit reads from the project's .streamlit/ or the user's ~/.streamlit/."""
    for folder in (Path.cwd() / ".streamlit", PROJECT_DIR / ".streamlit", Path.home() / ".streamlit"):
        try:
            if "auth" in tomllib.loads((folder / "secrets.toml").read_text(encoding="utf-8")):
                return True
        except (OSError, tomllib.TOMLDecodeError):
            continue
    return False


def max_failed_logins_any_source() -> int:
    """Failed logins for one e-mail from all sources together before password logins lock."""
    return _int("WORKBENCH_MAX_FAILED_LOGINS_ANY_SOURCE", 4 * max_failed_logins())


def intake_seconds() -> int:
    """How long reading one uploaded file may take, besides its OCR, before it is refused."""
    return _int("WORKBENCH_INTAKE_SECONDS", 60)


def intake_memory_mb() -> int:
    """How much memory reading one uploaded file (OCR included) may use before it is refused."""
    return _int("WORKBENCH_INTAKE_MEMORY_MB", 2048)


def intake_max_paragraphs() -> int:
    """More paragraphs than any contribution has (a long one has a few thousand)."""
    return _int("WORKBENCH_INTAKE_MAX_PARAGRAPHS", 500_000)
