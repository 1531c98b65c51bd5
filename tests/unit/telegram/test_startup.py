"""Start-up without Telegram: retry with backoff for STARTUP_TIMEOUT, then exit 3."""

from __future__ import annotations

import pytest
from telegram.error import InvalidToken, NetworkError, RetryAfter

from bot.telegram.startup import (
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
