"""Settings read from the environment and an optional ``.env`` file.

The environment wins over ``.env``. Every setting is listed in ``.env.example``.
"""

from __future__ import annotations

import importlib.resources
import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The folder holding the ``bot`` package: a checkout, or ``site-packages`` once installed."""

APP_NAME = "sciatica-bot"
DATABASE_FILE = "sciatica-bot.sqlite3"

VoiceSetting = Literal["on", "off", "auto"]
"""``VOICE``: answer voice notes, do not, or do when the ``voice`` extra is installed."""


def from_checkout() -> bool:
    """True when the bot runs from a source checkout (``make run``, an editable install).

    An installed wheel has no ``pyproject.toml`` beside its package.
    """
    return (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "intents").is_dir()


def bundled_content_dir() -> Path:
    """The folder holding the default ``intents/`` and ``responses/``.

    A wheel ships them inside the package (``bot/bundled/``); a checkout, and an editable
    install of it, reads the repository's own folders.
    """
    package = importlib.resources.files("bot")
    shipped = package / "bundled"
    if isinstance(shipped, Path) and shipped.is_dir():
        return shipped
    return PROJECT_ROOT


def default_database_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the database lives when ``DATABASE_PATH`` is not set.

    ``data/`` of the checkout when run from one; otherwise the user's state folder,
    ``$XDG_STATE_HOME/sciatica-bot/`` or ``~/.local/state/sciatica-bot/``.
    """
    if from_checkout():
        return PROJECT_ROOT / "data" / DATABASE_FILE
    env = os.environ if env is None else env
    state = env.get("XDG_STATE_HOME", "").strip()
    # The XDG spec: a relative path is invalid and is to be ignored.
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / APP_NAME / DATABASE_FILE


SETTING_NAMES: tuple[str, ...] = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "WEBHOOK_URL",
    "WEBHOOK_LISTEN",
    "WEBHOOK_PORT",
    "WEBHOOK_PATH",
    "WEBHOOK_SECRET",
    "CLINIC_NAME",
    "CLINIC_PHONE",
    "CLINIC_BOOKING_URL",
    "CLINIC_ADDRESS",
    "CLINIC_HOURS",
    "STAFF_CHAT_ID",
    "EMERGENCY_NUMBER",
    "URGENT_ADVICE_LINE",
    "CRISIS_LINE",
    "MATCH_THRESHOLD",
    "MATCH_MARGIN",
    "CONTENT_DIR",
    "INTENTS_DIR",
    "RESPONSES_DIR",
    "DATABASE_PATH",
    "RETENTION_DAYS",
    "STARTUP_TIMEOUT",
    "LOG_LEVEL",
    "VOICE",
)
"""Every setting the bot reads, in the order of ``.env.example``."""

SECRET_SETTINGS = frozenset({"TELEGRAM_BOT_TOKEN", "WEBHOOK_SECRET"})
"""Settings never shown in full (``sciatica-bot doctor`` redacts them)."""


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line meant for a person."""


@dataclass(frozen=True)
class Clinic:
    """The clinic's contact details; empty strings mean "not configured"."""

    name: str = ""
    phone: str = ""
    booking_url: str = ""
    address: str = ""
    hours: str = ""

    @property
    def configured(self) -> bool:
        """True when at least one way of reaching the clinic is set."""
        return bool(self.phone or self.booking_url or self.address)


DEFAULT_EMERGENCY_NUMBER = (
    "your local emergency number (999 in the UK, 911 in the US, 112 in Europe)"
)


@dataclass(frozen=True)
class SafetySettings:
    """Where urgent and crisis answers send people.

    Attributes:
        emergency_number: Said as "call ..." in the urgent and crisis answers.
        urgent_advice_line: A non-emergency advice line (111 in the UK); empty: not mentioned.
        crisis_line: A crisis line (for example a Samaritans number); empty: a generic line.
    """

    emergency_number: str = DEFAULT_EMERGENCY_NUMBER
    urgent_advice_line: str = ""
    crisis_line: str = ""


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds of the matcher (scores are 0-100)."""

    threshold: float = 50.0
    margin: float = 6.0


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    intents_dir: Path = field(default_factory=lambda: bundled_content_dir() / "intents")
    responses_dir: Path = field(default_factory=lambda: bundled_content_dir() / "responses")
    clinic: Clinic = field(default_factory=Clinic)
    match: MatchSettings = field(default_factory=MatchSettings)
    safety: SafetySettings = field(default_factory=SafetySettings)
    telegram_token: str = ""
    telegram_api_base_url: str = ""
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_path: str = "telegram"
    webhook_secret: str = ""
    log_level: str = "INFO"
    database_path: str = field(default_factory=lambda: str(default_database_path()))
    retention_days: int = 30
    staff_chat_id: int | None = None
    """The clinic staff's Telegram group for questions handed to a person; None: off."""
    startup_timeout: float = 60.0
    voice: VoiceSetting = "off"
    """Answer voice notes (``VOICE``): on, off, or auto (what an unset ``VOICE`` reads as: on
    when the ``voice`` extra is installed, decided where the bot starts)."""


def read_environment(env_file: Path | None = None) -> dict[str, str]:
    """Merge ``.env`` (if present) under the process environment.

    A variable set but empty in the environment (``TELEGRAM_BOT_TOKEN=`` passed on by a
    container or a service file) does not hide the value in ``.env``.

    Raises:
        SettingsError: ``.env`` exists but cannot be read.
    """
    path = env_file if env_file is not None else Path.cwd() / ".env"
    merged: dict[str, str] = {}
    if path.is_file():
        try:
            values = dotenv_values(path)
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise SettingsError(f"{path} cannot be read: {reason}") from None
        merged.update({k: v for k, v in values.items() if v is not None})
    merged.update({k: v for k, v in os.environ.items() if v.strip() or k not in merged})
    return merged


_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


def unquoted_hashes(env_file: Path) -> list[tuple[int, str]]:
    """Lines of ``env_file`` whose unquoted value holds a space before a ``#``.

    ``.env`` readers take the rest of such a line for a comment, so
    ``CLINIC_ADDRESS=Unit #4, High Street`` would read as ``Unit``; in double quotes
    the whole value is kept (and systemd's ``EnvironmentFile=`` reads it the same way).

    Returns:
        ``(line number, setting name)`` for each such line; values are never returned.
    """
    try:
        text = env_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _ASSIGNMENT.match(line)
        if match is None:
            continue
        value = match.group(2)
        if value[:1] in ("'", '"'):
            continue
        if re.search(r"\s#", value):
            found.append((number, match.group(1)))
    return found


def hash_warning(env_file: Path, line: int, key: str) -> str:
    """One line saying that ``key``'s value on ``line`` is cut at its ``#``."""
    return (
        f"{env_file}:{line}: {key} has an unquoted ' #': everything from the '#' on is "
        f'read as a comment; put the value in double quotes (KEY="...") to keep it whole'
    )


def missing(key: str, env: Mapping[str, str] | None = None) -> str:
    """Why a required setting has no value, for a one-line error: set but empty, or not set.

    Args:
        key: The setting's name.
        env: The merged settings (default: the environment plus ``.env``).
    """
    env = read_environment() if env is None else env
    if key in env:
        return f"{key} is empty (environment or .env)"
    return f"{key} is not set (environment or .env)"


def _float(env: Mapping[str, str], key: str, default: float, low: float, high: float) -> float:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{key} must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{key} must be between {low:g} and {high:g}, got {raw!r}")
    return value


def _int(env: Mapping[str, str], key: str, default: int, low: int, high: int) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{key} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{key} must be between {low} and {high}, got {raw!r}")
    return value


def _url(env: Mapping[str, str], key: str) -> str:
    raw = env.get(key, "").strip()
    if raw and not raw.startswith(("http://", "https://")):
        raise SettingsError(f"{key} must start with http:// or https://, got {raw!r}")
    if raw:
        try:
            host = urllib.parse.urlsplit(raw).hostname
        except ValueError:
            host = None
        if not host:
            raise SettingsError(f"{key} must name a host after http:// or https://, got {raw!r}")
    return raw


_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _secret(env: Mapping[str, str]) -> str:
    """``WEBHOOK_SECRET``: 1-256 of the characters Telegram allows (letters, digits, _ -)."""
    raw = env.get("WEBHOOK_SECRET", "").strip()
    if raw and not _SECRET.fullmatch(raw):
        raise SettingsError(
            "WEBHOOK_SECRET must be 1-256 characters, each a letter, a digit, _ or - "
            f"(got {len(raw)} characters)"
        )
    return raw


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(env: Mapping[str, str]) -> str:
    raw = env.get("LOG_LEVEL", "").strip().upper() or "INFO"
    if raw not in _LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}, got {raw!r}")
    return raw


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from a mapping (default: the environment plus ``.env``).

    Raises:
        SettingsError: a value is malformed.
    """
    env = read_environment() if env is None else env

    def text(key: str, default: str = "") -> str:
        return env.get(key, default).strip()

    content_dir = Path(text("CONTENT_DIR")) if text("CONTENT_DIR") else bundled_content_dir()
    return Settings(
        intents_dir=Path(text("INTENTS_DIR") or content_dir / "intents"),
        responses_dir=Path(text("RESPONSES_DIR") or content_dir / "responses"),
        clinic=Clinic(
            name=text("CLINIC_NAME"),
            phone=text("CLINIC_PHONE"),
            booking_url=_url(env, "CLINIC_BOOKING_URL"),
            address=text("CLINIC_ADDRESS"),
            hours=text("CLINIC_HOURS"),
        ),
        match=MatchSettings(
            threshold=_float(env, "MATCH_THRESHOLD", MatchSettings.threshold, 0, 100),
            margin=_float(env, "MATCH_MARGIN", MatchSettings.margin, 0, 100),
        ),
        safety=SafetySettings(
            emergency_number=text("EMERGENCY_NUMBER") or DEFAULT_EMERGENCY_NUMBER,
            urgent_advice_line=text("URGENT_ADVICE_LINE"),
            crisis_line=text("CRISIS_LINE"),
        ),
        telegram_token=text("TELEGRAM_BOT_TOKEN"),
        telegram_api_base_url=_url(env, "TELEGRAM_API_BASE_URL"),
        webhook_url=_url(env, "WEBHOOK_URL"),
        webhook_listen=text("WEBHOOK_LISTEN", "127.0.0.1"),
        webhook_port=_int(env, "WEBHOOK_PORT", 8443, 1, 65535),
        webhook_path=text("WEBHOOK_PATH", "telegram").strip("/"),
        webhook_secret=_secret(env),
        log_level=_log_level(env),
        database_path=text("DATABASE_PATH") or str(default_database_path(env)),
        retention_days=_int(env, "RETENTION_DAYS", Settings.retention_days, 1, 3650),
        staff_chat_id=_staff_chat_id(env),
        startup_timeout=_float(env, "STARTUP_TIMEOUT", Settings.startup_timeout, 0, 86400),
        voice=_voice(env),
    )


def _voice(env: Mapping[str, str]) -> VoiceSetting:
    """``VOICE``: on, off or auto (the default): auto is decided where the bot starts, by
    whether the ``voice`` extra is installed (:func:`bot.voice.engine.wanted`); nothing is
    probed here."""
    raw = env.get("VOICE", "").strip().lower()
    if raw in ("on", "1", "true", "yes"):
        return "on"
    if raw in ("off", "0", "false", "no"):
        return "off"
    if raw in ("", "auto"):
        return "auto"
    raise SettingsError(f"VOICE must be on, off or auto, got {raw!r}")


def _staff_chat_id(env: Mapping[str, str]) -> int | None:
    """``STAFF_CHAT_ID``: a group's id (negative, e.g. -1001234567890), or None when unset."""
    raw = env.get("STAFF_CHAT_ID", "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(
            f"STAFF_CHAT_ID must be a Telegram group's id, a whole number such as "
            f"-1001234567890, got {raw!r}"
        ) from None
    if value >= 0:
        raise SettingsError(
            f"STAFF_CHAT_ID must be a group's id, which starts with a minus sign, got {raw!r}"
        )
    return value
