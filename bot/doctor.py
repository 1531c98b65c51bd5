"""``sciatica-bot doctor``: one screen saying whether the bot can run, and what to fix.

Each check ends ``ok``, ``note`` (worth knowing, nothing broken) or ``problem``; the exit
code is 0 when there is no problem and 2 otherwise, so a monitoring system can run
``sciatica-bot doctor --json`` on a timer. Nothing is changed: the database is opened
read-only, and Telegram is only asked ``getMe`` and ``getWebhookInfo``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import pwd
import resource
import shlex
import sqlite3
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO

from dotenv import dotenv_values

from bot.content import ContentError, ContentUnreadable, load_content
from bot.settings import (
    SECRET_SETTINGS,
    SETTING_NAMES,
    Settings,
    SettingsError,
    hash_warning,
    load_settings,
    read_environment,
    unquoted_hashes,
)
from bot.store import MEMORY, SCHEMA_VERSION

Status = Literal["ok", "note", "problem"]

EXIT_OK = 0
EXIT_PROBLEM = 2

TELEGRAM_TIMEOUT = 10.0
"""Seconds allowed for each call to Telegram."""

RECENT_WEBHOOK_ERROR = dt.timedelta(hours=1)
"""A webhook delivery error reported by Telegram within this long is a problem; an older
one is a note (Telegram keeps reporting the last error until another one replaces it)."""


@dataclass
class Check:
    """The outcome of one check.

    Attributes:
        name: ``settings``, ``content``, ``database``, ``files``, ``access`` (only with
            ``--as-service``), ``telegram``, ``updates``, ``staff`` (only with
            ``STAFF_CHAT_ID``), ``clinic`` or ``voice``.
        status: ``ok``, ``note`` or ``problem``.
        summary: One line for a person.
        details: What was found, for ``--json`` and the indented lines below the summary.
    """

    name: str
    status: Status
    summary: str
    details: dict[str, Any] = field(default_factory=dict)


def redact(value: str) -> str:
    """Show that a secret is set without showing it: a token keeps only its bot id."""
    if not value:
        return ""
    bot_id, colon, _ = value.partition(":")
    if colon and bot_id.isdigit():
        return f"{bot_id}:<redacted>"
    return "<redacted>"


# --- the checks ----------------------------------------------------------------------------


def check_settings(
    env: Mapping[str, str], env_file: Path, *, where: str | None = None
) -> tuple[Check, Settings | None]:
    """Read the settings; shows each one that is set, secrets redacted.

    A value of ``env_file`` cut at an unquoted `` #`` is a problem: the bot would run with
    half of it.
    """
    if where is None:
        where = f"the environment and {env_file}" if env_file.is_file() else "the environment"
    shown = {
        name: redact(env[name]) if name in SECRET_SETTINGS else env[name]
        for name in SETTING_NAMES
        if env.get(name, "").strip()
    }
    details: dict[str, Any] = {"read_from": where, "set": shown}
    cut = [hash_warning(env_file, line, key) for line, key in unquoted_hashes(env_file)]
    if cut:
        details["problems"] = cut
    try:
        settings = load_settings(env)
    except SettingsError as exc:
        return Check("settings", "problem", str(exc), details), None
    if cut:
        keys = ", ".join(key for _, key in unquoted_hashes(env_file))
        summary = f"read from {where}; cut at an unquoted ' #': {keys}"
        return Check("settings", "problem", summary, details), settings
    return Check("settings", "ok", f"read from {where}", details), settings


def check_content(settings: Settings) -> Check:
    """Load and validate the intents and responses, as ``sciatica-bot check`` does."""
    details: dict[str, Any] = {
        "intents_dir": str(settings.intents_dir),
        "responses_dir": str(settings.responses_dir),
    }
    try:
        content = load_content(settings.intents_dir, settings.responses_dir)
    except ContentUnreadable as exc:
        details["problems"] = [str(p) for p in exc.problems]
        return Check(
            "content", "problem", f"{len(exc.problems)} file(s) or folder(s) unreadable", details
        )
    except ContentError as exc:
        details["problems"] = [str(p) for p in exc.problems]
        return Check(
            "content",
            "problem",
            f"{len(exc.problems)} content problem(s); `sciatica-bot check` lists them",
            details,
        )
    examples = sum(len(i.examples) for i in content.intents.values())
    details.update(intents=len(content.intents), examples=examples)
    return Check(
        "content",
        "ok",
        f"{len(content.intents)} intents, {examples} examples, from {settings.intents_dir.parent}",
        details,
    )


def _writable_folder(folder: Path) -> tuple[bool, Path]:
    """Whether the bot could create files in ``folder`` (or in its nearest existing parent)."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return os.access(folder, os.W_OK | os.X_OK), folder


def database_unwritable(path: str) -> str | None:
    """Why this user could not create or write the database at ``path``; None when it can.

    The bot writes the file and, beside it, SQLite's ``-wal`` and ``-shm`` files, so the
    folder must be writable too.
    """
    if path == MEMORY:
        return None
    file = Path(path)
    try:
        exists = file.exists()
    except OSError as exc:
        return f"DATABASE_PATH {path} cannot be reached ({exc.strerror or type(exc).__name__})"
    if not exists:
        can_create, folder = _writable_folder(file.parent)
        if can_create:
            return None
        if not folder.is_dir():
            return f"DATABASE_PATH {path}: cannot create its folder ({folder} is not a folder)"
        return f"DATABASE_PATH {path} cannot be created: {folder} is not writable for this user"
    if not os.access(file, os.R_OK | os.W_OK):
        return f"DATABASE_PATH {path} is not writable for this user"
    if not os.access(file.parent, os.W_OK | os.X_OK):
        return f"DATABASE_PATH {path}: its folder {file.parent} is not writable for this user"
    return None


def check_database(settings: Settings) -> Check:
    """Path, size, schema version and whether the bot can write to it (opened read-only)."""
    path = settings.database_path
    details: dict[str, Any] = {"path": path}
    if path == MEMORY:
        return Check("database", "note", "in memory: nothing is kept between runs", details)
    file = Path(path)
    if not file.exists():
        can_create, folder = _writable_folder(file.parent)
        details.update(exists=False, writable=can_create)
        if can_create:
            return Check("database", "note", f"{path} not created yet; the bot creates it", details)
        return Check(
            "database", "problem", f"{path} cannot be created: {folder} is read-only", details
        )
    size = file.stat().st_size
    wal = file.with_name(file.name + "-wal")
    if wal.exists():
        size += wal.stat().st_size
    writable = os.access(file, os.W_OK) and os.access(file.parent, os.W_OK | os.X_OK)
    details.update(exists=True, bytes=size, writable=writable)
    try:
        db = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            db.close()
    except sqlite3.Error as exc:
        return Check("database", "problem", f"{path} cannot be read: {exc}", details)
    details["schema_version"] = version
    summary = f"{path}: {size / 1024:,.0f} KiB, schema {version}"
    if version > SCHEMA_VERSION:
        return Check(
            "database",
            "problem",
            f"{summary}, written by a newer version (this one knows {SCHEMA_VERSION})",
            details,
        )
    if not writable:
        return Check("database", "problem", f"{summary}, read-only for this user", details)
    if version < SCHEMA_VERSION:
        return Check(
            "database", "note", f"{summary}, upgraded to {SCHEMA_VERSION} at start", details
        )
    return Check("database", "ok", f"{summary}, writable", details)


def _webhook_check(settings: Settings, info: Any, now: dt.datetime) -> Check:
    """Polling or webhook, and what ``getWebhookInfo`` says about deliveries."""
    details: dict[str, Any] = {
        "mode": "webhook" if settings.webhook_url else "polling",
        "registered_url": info.url or "",
        "pending_updates": info.pending_update_count,
        "last_error": info.last_error_message,
        "last_error_at": info.last_error_date.isoformat() if info.last_error_date else None,
    }
    pending = f"{info.pending_update_count} update(s) waiting"
    status: Status = "ok"
    notes: list[str] = []
    if settings.webhook_url:
        expected = f"{settings.webhook_url.rstrip('/')}/{settings.webhook_path}"
        details["expected_url"] = expected
        mode = f"webhook {expected}"
        if not info.url:
            status = "note"
            notes.append("not registered yet: the bot registers it at start")
        elif info.url != expected:
            status = "problem"
            notes.append(f"Telegram sends updates to {info.url} instead")
        if not settings.webhook_secret:
            status = "problem" if status == "problem" else "note"
            notes.append("WEBHOOK_SECRET is not set: anyone can post updates")
    else:
        mode = "polling"
        if info.url:
            status = "note"
            notes.append(f"a webhook is registered ({info.url}); polling removes it at start")
    if info.last_error_date:
        age = now - info.last_error_date
        minutes = max(0, int(age.total_seconds() // 60))
        notes.append(
            f"last delivery error {minutes} min ago "
            f"({info.last_error_date:%Y-%m-%d %H:%M} UTC): {info.last_error_message}"
        )
        if age <= RECENT_WEBHOOK_ERROR:
            status = "problem"
        elif status == "ok":
            status = "note"
    return Check("updates", status, "; ".join([mode, pending, *notes]), details)


async def _ask_telegram(settings: Settings) -> tuple[Any, Any, Any]:
    """``getMe``, ``getWebhookInfo`` and, with ``STAFF_CHAT_ID``, the bot's membership of the
    staff group (or the error Telegram gave), with a short timeout."""
    from telegram import Bot
    from telegram.error import TelegramError
    from telegram.request import HTTPXRequest

    from bot.telegram import file_base_url

    request = HTTPXRequest(
        connect_timeout=TELEGRAM_TIMEOUT,
        read_timeout=TELEGRAM_TIMEOUT,
        write_timeout=TELEGRAM_TIMEOUT,
        pool_timeout=TELEGRAM_TIMEOUT,
    )
    options: dict[str, Any] = {}
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url
        options = {"base_url": base, "base_file_url": file_base_url(base)}
    bot = Bot(settings.telegram_token, request=request, **options)
    staff: Any = None
    try:
        me = await bot.get_me()
        info = await bot.get_webhook_info()
        if settings.staff_chat_id is not None:
            try:
                staff = await bot.get_chat_member(settings.staff_chat_id, me.id)
            except TelegramError as exc:  # the group's own problem, reported as such
                staff = exc
    finally:
        await request.shutdown()
    return me, info, staff


def _staff_check(settings: Settings, staff: Any) -> Check:
    """Whether the bot can post to the staff group of "Ask the clinic" (``getChatMember``)."""
    details: dict[str, Any] = {"chat_id": settings.staff_chat_id}
    if isinstance(staff, Exception):
        details["error"] = type(staff).__name__
        return Check(
            "staff",
            "problem",
            f"STAFF_CHAT_ID {settings.staff_chat_id}: Telegram says {staff}; add the bot to the "
            "staff group and check the id (a supergroup's id starts with -100)",
            details,
        )
    status = str(staff.status)
    details["status"] = status
    if status in ("left", "kicked"):
        return Check(
            "staff",
            "problem",
            f"the bot is not in the staff group {settings.staff_chat_id} ({status}): add it "
            "again, or questions to the clinic cannot be delivered",
            details,
        )
    if status == "restricted" and not getattr(staff, "can_send_messages", True):
        return Check(
            "staff",
            "problem",
            f"the bot may not send messages in the staff group {settings.staff_chat_id}",
            details,
        )
    return Check("staff", "ok", f"the bot can post in the staff group ({status})", details)


def check_telegram(settings: Settings, now: dt.datetime | None = None) -> list[Check]:
    """Telegram reachable and the token accepted (``getMe``), then ``getWebhookInfo``."""
    from telegram.error import InvalidToken, NetworkError, TelegramError

    if not settings.telegram_token:
        return [
            Check(
                "telegram",
                "problem",
                "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in the settings",
            )
        ]
    api = settings.telegram_api_base_url or "https://api.telegram.org/bot"
    details: dict[str, Any] = {"api": api}
    mode = "webhook" if settings.webhook_url else "polling"
    not_asked = Check("updates", "note", f"{mode}; getWebhookInfo not asked", {"mode": mode})
    try:
        me, info, staff = asyncio.run(_ask_telegram(settings))
    except InvalidToken:
        summary = "Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather"
        return [Check("telegram", "problem", summary, details), not_asked]
    except NetworkError as exc:
        details["error"] = type(exc).__name__
        summary = f"cannot reach the Bot API at {api} ({type(exc).__name__}: {exc})"
        return [Check("telegram", "problem", summary, details), not_asked]
    except TelegramError as exc:
        details["error"] = type(exc).__name__
        summary = f"the Bot API answered an error ({type(exc).__name__}: {exc})"
        return [Check("telegram", "problem", summary, details), not_asked]
    details.update(username=me.username, bot_id=me.id)
    checks = [Check("telegram", "ok", f"reachable; the token belongs to @{me.username}", details)]
    checks.append(_webhook_check(settings, info, now or dt.datetime.now(dt.UTC)))
    if settings.staff_chat_id is not None:
        checks.append(_staff_check(settings, staff))
    return checks


def check_clinic(settings: Settings) -> Check:
    """The clinic's details that are set and those that are not (never a problem)."""
    fields = {
        "CLINIC_NAME": settings.clinic.name,
        "CLINIC_PHONE": settings.clinic.phone,
        "CLINIC_BOOKING_URL": settings.clinic.booking_url,
        "CLINIC_ADDRESS": settings.clinic.address,
        "CLINIC_HOURS": settings.clinic.hours,
    }
    is_set = [name for name, value in fields.items() if value]
    not_set = [name for name, value in fields.items() if not value]
    details = {"set": is_set, "not_set": not_set}
    listed = f"set: {', '.join(is_set) or 'none'}; not set: {', '.join(not_set) or 'none'}"
    if not settings.clinic.configured:
        return Check(
            "clinic",
            "note",
            f"no way to reach the clinic is set, so people are told how to find a "
            f"qualified therapist ({listed})",
            details,
        )
    return Check("clinic", "ok", listed, details)


def check_voice(settings: Settings) -> Check:
    """Whether voice notes are answered (``VOICE`` and the ``voice`` extra)."""
    from bot import voice

    installed = voice.available()
    on = voice.wanted(settings.voice)
    details: dict[str, Any] = {"on": on, "setting": settings.voice, "extra_installed": installed}
    if not on:
        why = "VOICE=off" if installed else "the voice extra is not installed"
        return Check(
            "voice",
            "note",
            f"voice notes off ({why}): they get the note that the bot reads text",
            details,
        )
    if not installed:
        return Check(
            "voice",
            "problem",
            "VOICE=on but the voice extra is not installed: pip install 'sciatica-bot[voice]'",
            details,
        )
    try:
        model = voice.model_dir()
    except voice.VoiceUnavailable as exc:
        return Check("voice", "problem", f"VOICE=on but {exc}", details)
    details["model"] = str(model)
    return Check("voice", "ok", "voice notes on: transcribed on this server, offline", details)


# --- as the service will run -------------------------------------------------------------

SERVICE_UNIT = Path("/etc/systemd/system/sciatica-bot.service")
"""Where the README's steps install ``deploy/sciatica-bot.service``."""

STAND_IN_USER = "nobody"
"""The user the access check runs as for a unit with ``DynamicUser=yes``: like systemd's
throw-away user, it owns nothing and belongs to no group that does."""


@dataclass(frozen=True)
class ServiceUnit:
    """What ``doctor --as-service`` needs from the systemd unit.

    Attributes:
        source: The unit file read, or ``"shipped"`` for the settings of
            ``deploy/sciatica-bot.service`` when no unit is installed yet.
        user: ``User=``, or :data:`STAND_IN_USER` for ``DynamicUser=yes``.
        environment_files: ``EnvironmentFile=`` paths (``-`` prefix: may be missing).
        environment: ``Environment=`` assignments.
        state_directories: ``/var/lib/NAME`` for each ``StateDirectory=`` name; systemd
            gives them to the service's user at every start.
    """

    source: str
    user: str
    environment_files: tuple[str, ...]
    environment: Mapping[str, str]
    state_directories: tuple[Path, ...]


SHIPPED_UNIT = ServiceUnit(
    source="shipped",
    user=STAND_IN_USER,
    environment_files=("/etc/sciatica-bot/env",),
    environment={
        "DATABASE_PATH": "/var/lib/sciatica-bot/sciatica-bot.sqlite3",
        "PYTHONUNBUFFERED": "1",
    },
    state_directories=(Path("/var/lib/sciatica-bot"),),
)
"""The settings of ``deploy/sciatica-bot.service`` (a test keeps the two in step)."""


def read_unit(text: str, source: str) -> ServiceUnit:
    """The ``[Service]`` settings of a unit file that ``--as-service`` uses."""
    section = ""
    user = ""
    dynamic = False
    files: list[str] = []
    environment: dict[str, str] = {}
    states: list[Path] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, _, value = (part.strip() for part in line.partition("="))
        if section != "Service":
            continue
        if key == "User":
            user = value
        elif key == "DynamicUser":
            dynamic = value.lower() in ("yes", "true", "1", "on")
        elif key == "EnvironmentFile":
            files.append(value)
        elif key == "Environment":
            for assignment in shlex.split(value):
                name, _, setting = assignment.partition("=")
                environment[name] = setting
        elif key == "StateDirectory":
            states.extend(Path("/var/lib") / name for name in value.split())
    return ServiceUnit(
        source=source,
        user=user if user and not dynamic else STAND_IN_USER,
        environment_files=tuple(files),
        environment=environment,
        state_directories=tuple(states),
    )


def service_unit(path: Path | None = None) -> ServiceUnit:
    """The installed unit (``path``, default :data:`SERVICE_UNIT`), else the shipped one."""
    path = path or SERVICE_UNIT
    try:
        return read_unit(path.read_text(encoding="utf-8"), str(path))
    except FileNotFoundError:
        return SHIPPED_UNIT


def service_environment(unit: ServiceUnit) -> tuple[dict[str, str], list[str]]:
    """The settings the service gets: its ``EnvironmentFile=`` then its ``Environment=``
    (no ``.env``, none of this shell's variables), and the files that could not be read."""
    env: dict[str, str] = {}
    unread: list[str] = []
    for entry in unit.environment_files:
        optional = entry.startswith("-")
        path = Path(entry.removeprefix("-"))
        try:
            env.update({k: v for k, v in dotenv_values(path).items() if v is not None})
            path.open().close()  # dotenv_values says nothing of a file it cannot read
        except OSError as exc:
            if not (optional and isinstance(exc, FileNotFoundError)):
                unread.append(f"{path}: {exc.strerror or type(exc).__name__}")
    env.update(unit.environment)
    return env, unread


def _probe(settings: Settings, state_directories: tuple[Path, ...]) -> dict[str, Any]:
    """What this (unprivileged) process can read and write of what the bot needs."""
    found: dict[str, Any] = {"unreadable": [], "database": None, "managed": False}
    try:
        load_content(settings.intents_dir, settings.responses_dir)
    except ContentUnreadable as exc:
        found["unreadable"] = [str(p) for p in exc.problems]
    except ContentError:
        pass  # the content check, run as this user, reports those
    database = settings.database_path
    if any(Path(database).is_relative_to(folder) for folder in state_directories):
        found["managed"] = True
    else:
        found["database"] = database_unwritable(database)
    return found


def _as_user(user: pwd.struct_passwd, settings: Settings, unit: ServiceUnit) -> dict[str, Any]:
    """Run :func:`_probe` in a child process with the privileges of ``user``."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop every privilege for good, probe, report, exit
        code = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            payload = json.dumps(_probe(settings, unit.state_directories)).encode()
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not data:
        raise OSError(f"the check as {user.pw_name} failed")
    found: dict[str, Any] = json.loads(data)
    return found


def check_access(settings: Settings, unit: ServiceUnit) -> Check:
    """Whether the service's user can read the content and write the database."""
    details: dict[str, Any] = {"unit": unit.source, "user": unit.user}
    if os.geteuid() != 0:
        return Check(
            "access",
            "note",
            f"not checked: run doctor --as-service as root to check as {unit.user}",
            details,
        )
    try:
        user = pwd.getpwnam(unit.user)
        found = _as_user(user, settings, unit)
    except (KeyError, OSError) as exc:
        return Check("access", "problem", f"cannot check as {unit.user}: {exc}", details)
    details.update(found)
    problems = list(found["unreadable"])
    if found["database"]:
        problems.append(found["database"])
    details["problems"] = problems
    if problems:
        cannot = [
            *(["read its content"] if found["unreadable"] else []),
            *(["write its database"] if found["database"] else []),
        ]
        summary = f"as {unit.user}, the service cannot {' nor '.join(cannot)}"
        return Check("access", "problem", summary, details)
    database = (
        "the database's folder is its state folder, which systemd gives it at each start"
        if found["managed"]
        else "the database is writable"
    )
    return Check("access", "ok", f"as {unit.user}: the content is readable; {database}", details)


LOW_CONNECTION_CAP = 200
"""Webhook connections below which the open-file limit is worth raising (Telegram alone
opens up to 100)."""


def check_files(settings: Settings) -> Check:
    """The open-file limit, what the bot raises it to at start and, for a webhook, how many
    connections that leaves it (nothing is changed here)."""
    from bot.telegram.webhook import connection_cap, file_limits

    soft, at_start, hard = file_limits()
    cap = connection_cap(at_start)
    shown = "unlimited" if hard == resource.RLIM_INFINITY else str(hard)
    raised = f", raised to {at_start} at start" if at_start != soft else ""
    summary = f"open files: soft limit {soft}{raised} (hard {shown})"
    details: dict[str, Any] = {"soft": soft, "at_start": at_start, "hard": hard}
    status: Status = "ok"
    if settings.webhook_url:
        summary += f"; at most {cap} webhook connections at once"
        details["webhook_connections"] = cap
        if cap < LOW_CONNECTION_CAP:
            status = "note"
            details["problems"] = [
                "raise the hard open-file limit (LimitNOFILE= in the systemd unit)"
            ]
    return Check("files", status, summary, details)


def run_checks(
    env: Mapping[str, str] | None = None,
    env_file: Path | None = None,
    *,
    unit: ServiceUnit | None = None,
) -> list[Check]:
    """Every check, in the order a person would fix things.

    Args:
        env: Settings (default: the environment plus ``.env``; with ``unit``, the
            unit's ``EnvironmentFile=`` and ``Environment=`` only).
        env_file: The ``.env`` that was read, for the report (default: the working
            directory's).
        unit: Check as this systemd unit will run the bot: its settings, and read and
            write access as its user.
    """
    if unit is not None:
        service_env, unread = service_environment(unit)
        env = service_env if env is None else env
        files = [entry.removeprefix("-") for entry in unit.environment_files]
        env_file = Path(files[0]) if files else Path("/dev/null")
        where = f"{', '.join(files) or 'no EnvironmentFile'} and the unit ({unit.source})"
        first, settings = check_settings(env, env_file, where=where)
        if unread:
            first = Check("settings", "problem", f"cannot read {'; '.join(unread)}", first.details)
    else:
        env_file = env_file or Path.cwd() / ".env"
        env = read_environment(env_file) if env is None else env
        first, settings = check_settings(env, env_file)
    if settings is None:
        return [first]
    return [
        first,
        check_content(settings),
        check_database(settings),
        *([check_access(settings, unit)] if unit is not None else []),
        check_files(settings),
        *check_telegram(settings),
        check_clinic(settings),
        check_voice(settings),
    ]


# --- output --------------------------------------------------------------------------------


def render(checks: list[Check]) -> str:
    """The screen: one line per check, the settings that are set below the first."""
    lines = []
    for check in checks:
        lines.append(f"{check.status:<8} {check.name:<9} {check.summary}")
        if check.name == "settings":
            lines.extend(f"{'':18} {k}={v}" for k, v in check.details["set"].items())
        for problem in check.details.get("problems", [])[:10]:
            lines.append(f"{'':18} {problem}")
    problems = [c.name for c in checks if c.status == "problem"]
    lines.append("")
    lines.append(f"needs attention: {', '.join(problems)}" if problems else "all well")
    return "\n".join(lines)


def doctor(
    as_json: bool = False,
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    *,
    unit: ServiceUnit | None = None,
) -> int:
    """Run every check and print the screen (or JSON).

    Args:
        as_json: Print JSON instead of the screen.
        env: The settings (default: see :func:`run_checks`).
        out: Where to print (default: stdout).
        unit: Check as this systemd unit runs the bot (``--as-service``).

    Returns:
        0 when no check found a problem, 2 otherwise.
    """
    checks: list[Check] = []
    if env is None:
        try:
            env = service_environment(unit)[0] if unit is not None else read_environment()
        except SettingsError as exc:  # .env cannot be read: nothing else can be checked
            env = {}
            checks = [Check("settings", "problem", str(exc), {"set": {}})]
    checks = checks or run_checks(env, unit=unit)
    ok = all(c.status != "problem" for c in checks)
    if as_json:
        text = json.dumps({"ok": ok, "checks": [asdict(c) for c in checks]}, ensure_ascii=False)
    else:
        text = render(checks)
    for name in SECRET_SETTINGS:  # a last guard: no secret is ever printed in full
        secret = env.get(name, "").strip()
        if len(secret) >= 8:
            text = text.replace(secret, redact(secret))
    print(text, file=out or sys.stdout)
    return EXIT_OK if ok else EXIT_PROBLEM
