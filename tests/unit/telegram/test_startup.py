"""Start-up without Telegram: retry with backoff for STARTUP_TIMEOUT, then exit 3."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fake_bot_api import TOKEN, FakeBotApi, FakeBotApiServer, free_port
from harness import subprocess_env
from telegram.error import InvalidToken, NetworkError, RetryAfter

from bot.telegram.startup import (
    EXIT_TELEGRAM_UNREACHABLE,
    MAX_DELAY,
    StartupTimeout,
    initialize_with_retry,
)


class FlakyApplication:
    """Stands in for ``Application``: ``initialize`` raises the queued errors, then works."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def initialize(self) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)


class FakeClock:
    """A monotonic clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_retries_with_doubling_backoff_until_telegram_answers():
    app = FlakyApplication(*[NetworkError("connection refused")] * 4)
    clock = FakeClock()
    await initialize_with_retry(app, 60, sleep=clock.sleep, clock=clock)
    assert app.calls == 5
    assert clock.sleeps == [1, 2, 4, 8]


async def test_gives_up_after_the_timeout_with_one_line():
    app = FlakyApplication(*[NetworkError("connection refused")] * 100)
    clock = FakeClock()
    with pytest.raises(StartupTimeout) as caught:
        await initialize_with_retry(app, 60, sleep=clock.sleep, clock=clock)
    # 1 + 2 + 4 + 8 + 16 + 16 = 47, then the last wait is cut to the 13 s left
    assert clock.sleeps == [1, 2, 4, 8, 16, 16, 13]
    assert max(clock.sleeps) <= MAX_DELAY
    assert clock.now == 160.0
    message = str(caught.value)
    assert "\n" not in message
    assert "8 attempts" in message and "NetworkError" in message


async def test_zero_timeout_tries_once():
    app = FlakyApplication(NetworkError("down"), NetworkError("down"))
    clock = FakeClock()
    with pytest.raises(StartupTimeout):
        await initialize_with_retry(app, 0, sleep=clock.sleep, clock=clock)
    assert app.calls == 1 and clock.sleeps == []


async def test_a_rejected_token_is_not_retried():
    app = FlakyApplication(InvalidToken("Unauthorized"))
    clock = FakeClock()
    with pytest.raises(InvalidToken):
        await initialize_with_retry(app, 60, sleep=clock.sleep, clock=clock)
    assert app.calls == 1 and clock.sleeps == []


async def test_flood_control_waits_as_long_as_telegram_asks():
    app = FlakyApplication(RetryAfter(5))
    clock = FakeClock()
    await initialize_with_retry(app, 60, sleep=clock.sleep, clock=clock)
    assert clock.sleeps == [5]


def _run_bot(tmp_path: Path, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,  # no stray .env
        env=subprocess_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, **env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.e2e
def test_unreachable_api_exits_3_with_one_line_after_startup_timeout(tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}/bot"
    started = time.monotonic()
    proc = _run_bot(tmp_path, TELEGRAM_API_BASE_URL=nowhere, STARTUP_TIMEOUT="2")
    _, err = proc.communicate(timeout=60)
    took = time.monotonic() - started
    assert proc.returncode == EXIT_TELEGRAM_UNREACHABLE == 3, err.decode()
    stderr = err.decode()
    assert "Traceback" not in stderr and TOKEN not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("sciatica-bot: Could not reach the Telegram Bot API in 2 s")
    # it kept trying for the whole STARTUP_TIMEOUT (the old code gave up after one attempt)
    attempts = re.search(r"\((\d+) attempts", last)
    assert attempts and int(attempts[1]) >= 2, last
    assert took >= 2


@pytest.mark.e2e
def test_bot_starts_once_telegram_comes_back(tmp_path):
    with FakeBotApiServer(FakeBotApi(), max_long_poll=0.5) as server:
        server.api.outage(3.0)  # every call answered 502 for three seconds
        proc = _run_bot(tmp_path, TELEGRAM_API_BASE_URL=server.base_url, STARTUP_TIMEOUT="30")
        try:
            server.api.wait_for_sync("getUpdates", timeout=40)
            assert proc.poll() is None
        finally:
            proc.terminate()
            _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err.decode()
    failed_get_me = [c for c in server.api.calls_to("getMe") if c.status == 502]
    assert failed_get_me, "the outage was not seen"
    assert "Traceback" not in err.decode()
