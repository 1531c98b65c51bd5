"""One place that builds a running bot for the fault, fuzz and soak tests.

Bots are built the way ``sciatica-bot run`` builds them: settings from
:func:`bot.settings.load_settings` over a clean environment (nothing inherited from the
shell running the tests), the service from :meth:`bot.service.ChatService.from_settings`
(a database file with its write-ahead log, behind the store gate). Voice notes are off in
process unless a test turns them on (the speech model would load in every bot); the
system tests (``tests/system``) run ``sciatica-bot run`` with voice as configured.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, NoReturn

import pytest
from fake_bot_api import TOKEN, Call, FakeBotApi, FakeRequest
from locations import REPO
from telegram import Update
from telegram.ext import Application, BaseRateLimiter

from bot.dialogue import Dialogue
from bot.service import ChatService
from bot.settings import Settings, load_settings
from bot.telegram import ALLOWED_UPDATES, FloodGuard, build_application

SUBPROCESS_ENV_PREFIXES = (
    "TELEGRAM_",
    "WEBHOOK_",
    "CLINIC_",
    "INTENTS_",
    "RESPONSES_",
    "MATCH_",
    "LOG_",
    "DATABASE_",
    "RETENTION_",
    "CONTENT_",
    "STARTUP_",
    "STAFF_",
    "VOICE",
    "CRISIS_",
    "URGENT_",
    "EMERGENCY_",
)
"""Settings a subprocess must not inherit from the environment running the tests."""

_FOLDERS: list[str] = []


@atexit.register
def _remove_folders() -> None:
    for folder in _FOLDERS:
        shutil.rmtree(folder, ignore_errors=True)


def _fresh_database() -> str:
    folder = tempfile.mkdtemp(prefix="sciatica-bot-test-")
    _FOLDERS.append(folder)
    return str(Path(folder) / "bot.sqlite3")


def clean_environment() -> dict[str, str]:
    """The test process's environment without any of the bot's settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(SUBPROCESS_ENV_PREFIXES)}


def bot_settings(**env: str) -> Settings:
    """Settings as ``load_settings`` reads them from a clean environment plus ``env``: the
    fake's token, a fresh database file, voice off unless ``env`` says ``VOICE``."""
    values = {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": _fresh_database(), "VOICE": "off"}
    values.update(env)
    return load_settings(values)


def make_service(dialogue: Dialogue, settings: Settings | None = None) -> ChatService:
    """The service ``run`` builds (:meth:`ChatService.from_settings`) for ``settings``
    (:func:`bot_settings` when omitted), answering with ``dialogue``."""
    return ChatService.from_settings(settings or bot_settings(), dialogue)


class NoRateLimit(BaseRateLimiter):
    """Passes every request straight through (fuzz and soak tests send thousands)."""

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Any,
    ) -> Any:
        """Call the API now."""
        return await callback(*args, **kwargs)


class RunningBot:
    """An initialised application wired to a :class:`FakeBotApi`."""

    def __init__(
        self, api: FakeBotApi, app: Application, request: FakeRequest, updates: FakeRequest
    ) -> None:
        self.api = api
        self.app = app
        self.request = request
        self.updates_request = updates
        self.polling = False

    async def start_polling(self) -> None:
        """Start long polling (1 s) and the update processing."""
        app = self.app

        def error_callback(exc: Exception) -> None:  # as Application.run_polling does
            app.create_task(app.process_error(error=exc, update=None))

        await app.updater.start_polling(  # what run_polling asks for in ``run``
            timeout=1,
            poll_interval=0,
            allowed_updates=ALLOWED_UPDATES,
            error_callback=error_callback,
        )
        await self.app.start()
        self.polling = True

    async def process(self, update: dict[str, Any]) -> None:
        """Handle one raw update directly (no polling), as the Application would."""
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def stop(self) -> None:
        """Stop polling and shut down."""
        if self.polling:
            if self.app.updater.running:
                await self.app.updater.stop()
            if self.app.running:
                await self.app.stop()
                if self.app.post_stop:  # run_polling would call it; confirms the updates
                    await self.app.post_stop(self.app)
        await self.app.shutdown()
        if self.app.post_shutdown:  # run_polling would call it; stops housekeeping
            await self.app.post_shutdown(self.app)

    def delivered_to(self, chat_id: int) -> list[Call]:
        """Successful ``sendMessage`` calls to ``chat_id``."""
        return self.api.delivered(chat_id)


async def start_bot(
    dialogue: Dialogue,
    *,
    api: FakeBotApi | None = None,
    flood_guard: FloodGuard | None = None,
    rate_limiter: BaseRateLimiter | None = None,
    read_timeout: float = 5.0,
    poll: bool = True,
    service: ChatService | None = None,
    settings: Settings | None = None,
) -> RunningBot:
    """Build, initialise and (by default) start polling a bot against the in-process fake.

    Args:
        dialogue: The bundled-content dialogue.
        api: The fake (a new one when omitted).
        flood_guard: Per-chat budget (the default one when omitted).
        rate_limiter: Outgoing limiter (the application's default when omitted).
        read_timeout: The fake transport's read timeout (slow calls beyond it time out).
        poll: Start polling; ``False`` to feed updates with :meth:`RunningBot.process`.
        service: The chat service (:func:`make_service` for ``settings`` when omitted).
        settings: The bot's settings (:func:`bot_settings` when omitted).
    """
    api = api or FakeBotApi()
    request = FakeRequest(api, read_timeout=read_timeout)
    updates = FakeRequest(api, read_timeout=read_timeout)
    settings = settings or bot_settings()
    app = build_application(
        settings,
        service or make_service(dialogue, settings),
        request=request,
        get_updates_request=updates,
        flood_guard=flood_guard,
        rate_limiter=rate_limiter,
    )
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    bot = RunningBot(api, app, request, updates)
    if poll:
        await bot.start_polling()
    return bot


def rss_kib() -> int:
    """Resident set size of this process in KiB (Linux ``/proc``; max RSS elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def subprocess_env(tmp_path: Path, **env: str) -> dict[str, str]:
    """A clean environment for ``python -m bot`` (own database, no inherited settings)."""
    clean = clean_environment()
    clean["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), clean.get("PYTHONPATH")]))
    clean["DATABASE_PATH"] = str(tmp_path / "bot.sqlite3")
    clean["VOICE"] = "off"  # the speech model would load in each; tests/system runs it on
    clean.update(env)
    return clean


async def all_handled(app: Application, api: FakeBotApi, timeout: float = 10.0) -> None:
    """Wait until every update pushed to ``api`` so far has been handled by ``app``.

    The polling offset passes an update only once it (and every one before it) was
    handled, so this is exact, whatever order the chats were answered in.
    """
    target = api.last_update_id
    await wait_until(lambda: app.updater.offset > target, timeout, f"update {target} handled")


async def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``predicate`` until true; returns the seconds it took.

    Raises:
        AssertionError: not true within ``timeout``.
    """
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"waited {timeout}s for {what}")
        await asyncio.sleep(0.005)
    return time.monotonic() - started


def file_bytes(path: Path) -> bytes:
    """The database file and whatever write-ahead log sits beside it."""
    data = b""
    for suffix in ("", "-wal", "-journal"):
        extra = Path(f"{path}{suffix}")
        if extra.exists():
            data += extra.read_bytes()
    return data


def skip_unless_ci(reason: str) -> NoReturn:
    """Skip a check this machine cannot make, except in CI (``CI=true``), where a skip
    would hide it: there it fails, so CI installs what the check needs."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run this check")
    pytest.skip(reason)
