"""Start-up: wait for the Telegram Bot API, with backoff, for up to ``STARTUP_TIMEOUT``.

A server often starts the bot before its network is up, and Telegram has short outages; the
bot keeps trying rather than exit at the first refused connection. A rejected token is never
retried: it will not get better by waiting.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable

from telegram.error import InvalidToken, RetryAfter, TelegramError

from bot.telegram.apptype import BotApplication

logger = logging.getLogger(__name__)

EXIT_TELEGRAM_UNREACHABLE = 3
"""Exit code of ``sciatica-bot run`` when Telegram cannot be reached within ``STARTUP_TIMEOUT``."""

FIRST_DELAY = 1.0
"""Seconds before the second attempt; doubled for each further one, up to :data:`MAX_DELAY`."""

MAX_DELAY = 16.0
"""Longest wait between two attempts, in seconds."""


class StartupTimeout(Exception):
    """The Bot API could not be reached within ``STARTUP_TIMEOUT``; the message is one line."""


async def initialize_with_retry(
    application: BotApplication,
    timeout: float,
    *,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Initialise ``application`` (which asks Telegram ``getMe``), retrying with backoff.

    Args:
        application: The application to initialise.
        timeout: Seconds to keep trying; 0 tries once.
        sleep: Waits between attempts (tests pass a fake).
        clock: Monotonic seconds (tests pass a fake).

    Raises:
        InvalidToken: Telegram rejected the token (not retried).
        StartupTimeout: every attempt failed and ``timeout`` seconds have passed.
    """
    deadline = clock() + timeout
    delay = FIRST_DELAY
    attempts = 0
    while True:
        attempts += 1
        try:
            await application.initialize()
            if attempts > 1:
                logger.info("reached the Telegram Bot API at attempt %d", attempts)
            return
        except InvalidToken:
            raise
        except TelegramError as exc:
            error = type(exc).__name__
            wait = delay
            if isinstance(exc, RetryAfter):
                after = exc.retry_after  # a timedelta (PTB_TIMEDELTA), in seconds before
                seconds = after.total_seconds() if isinstance(after, dt.timedelta) else after
                wait = max(wait, seconds)
        left = deadline - clock()
        if left <= 0:
            raise StartupTimeout(
                f"Could not reach the Telegram Bot API in {timeout:g} s ({attempts} attempts, "
                f"last: {error}); check the network and TELEGRAM_API_BASE_URL."
            )
        wait = min(wait, left)
        logger.warning(
            "Telegram Bot API not reachable (%s); attempt %d, next in %.0f s, giving up in %.0f s",
            error,
            attempts,
            wait,
            left,
        )
        await sleep(wait)
        delay = min(delay * 2, MAX_DELAY)
