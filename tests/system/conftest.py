"""Fixtures of the system tests (``sciatica-bot run`` against the loopback fake Bot API);
the bot processes and their helpers are in ``tests/support`` (:mod:`sysbot`, :mod:`spawn`)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_bot_api import TOKEN, FakeBotApi, FakeBotApiServer
from spawn import CommandProcess
from sysbot import STARTUP_TIMEOUT, BotProcess, System


@pytest.fixture
def start_system(tmp_path: Path) -> Iterator[Callable[..., System]]:
    """``start_system(groups=..., **env)``: a fake server and ``sciatica-bot run`` against it,
    started once the fake knows the chats in ``groups`` (id -> type)."""
    started: list[tuple[FakeBotApiServer, BotProcess]] = []

    def start(*, groups: dict[int, str] | None = None, wait: bool = True, **env: str) -> System:
        server = FakeBotApiServer(FakeBotApi()).start()
        for chat_id, kind in (groups or {}).items():
            server.api.chat(chat_id, kind)
        folder = tmp_path / f"bot{len(started)}"
        folder.mkdir()
        base = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url}
        bot = BotProcess(folder, {**base, **env})
        started.append((server, bot))
        system = System(server, bot)
        if wait:
            try:  # the first menu is set right before the bot starts polling
                server.api.wait_for_sync("setMyCommands", timeout=STARTUP_TIMEOUT)
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n{bot.output}") from None
        return system

    yield start
    for server, bot in started:
        bot.kill()
        server.stop()
        shutil.rmtree(bot.folder, ignore_errors=True)


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    """A loopback fake Bot API for a bot started with ``spawn``."""
    with FakeBotApiServer(FakeBotApi(), max_long_poll=0.5) as fake:
        yield fake


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., CommandProcess]]:
    """``spawn(command="run", **env)``: ``python -m bot COMMAND``, killed after the test."""
    started: list[CommandProcess] = []

    def start(command: str = "run", **env: str) -> CommandProcess:
        process = CommandProcess(tmp_path, env, command)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()
