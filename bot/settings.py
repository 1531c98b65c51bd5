"""Settings read from the environment and an optional ``.env`` file.

The environment wins over ``.env``. Every setting is listed in ``.env.example``.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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

    intents_dir: Path = PROJECT_ROOT / "intents"
    responses_dir: Path = PROJECT_ROOT / "responses"
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
    database_path: str = str(PROJECT_ROOT / "data" / "sciatica-bot.sqlite3")
    retention_days: int = 30


def read_environment(env_file: Path | None = None) -> dict[str, str]:
    """Merge ``.env`` (if present) under the process environment."""
    path = env_file if env_file is not None else Path.cwd() / ".env"
    merged: dict[str, str] = {}
    if path.is_file():
        merged.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    merged.update(os.environ)
    return merged


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
    text = lambda key, default="": env.get(key, default).strip()  # noqa: E731
    return Settings(
        intents_dir=Path(text("INTENTS_DIR") or PROJECT_ROOT / "intents"),
        responses_dir=Path(text("RESPONSES_DIR") or PROJECT_ROOT / "responses"),
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
        database_path=text("DATABASE_PATH") or Settings.database_path,
        retention_days=_int(env, "RETENTION_DAYS", Settings.retention_days, 1, 3650),
    )
