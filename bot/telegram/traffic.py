"""Traffic control: the per-chat flood guard and the rate limiter that retries refusals."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from enum import Enum
from typing import TYPE_CHECKING, Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import (
    AIORateLimiter,
)

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)


FLOOD_LIMIT = 20
"""Messages one chat may send per :data:`FLOOD_WINDOW_SECONDS` before being slowed down."""

FLOOD_WINDOW_SECONDS = 60.0

SLOW_DOWN_TEXT = "You are sending messages very quickly. Please wait a minute, then ask again."
"""The one note a flooding chat gets."""

APOLOGY_TEXT = "Something went wrong, please try again."
"""What the person sees when a handler fails."""


class Verdict(Enum):
    """What to do with one incoming message."""

    ALLOW = "allow"
    WARN = "warn"
    DROP = "drop"


class FloodGuard:
    """Per-chat message budget over fixed windows.

    The first ``limit`` messages of a window are allowed, the next one earns a single
    slow-down note and the rest of that window is dropped silently. A window starts with
    the first message after the previous one ended. Chats do not affect each other.

    Args:
        limit: Messages allowed per window.
        window: Window length in seconds.
        clock: Monotonic clock in seconds (injectable for tests).
    """

    def __init__(
        self,
        limit: int = FLOOD_LIMIT,
        window: float = FLOOD_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._windows: dict[int, tuple[float, int]] = {}

    def check(self, chat_id: int) -> Verdict:
        """Count one message from ``chat_id`` and say what to do with it.

        Args:
            chat_id: The Telegram chat id.

        Returns:
            :attr:`Verdict.ALLOW`, :attr:`Verdict.WARN` (exactly once per window) or
            :attr:`Verdict.DROP`.
        """
        now = self._clock()
        started, count = self._windows.get(chat_id, (now, 0))
        if now - started >= self.window:
            started, count = now, 0
        count += 1
        self._windows[chat_id] = (started, count)
        if len(self._windows) > 10_000:
            self._forget_before(now - self.window)
        if count <= self.limit:
            return Verdict.ALLOW
        return Verdict.WARN if count == self.limit + 1 else Verdict.DROP

    def _forget_before(self, moment: float) -> None:
        """Drop windows that started before ``moment`` (they are over)."""
        self._windows = {chat: entry for chat, entry in self._windows.items() if entry[0] >= moment}


# --------------------------------------------------------------------------------------
# Outgoing requests
# --------------------------------------------------------------------------------------

SERVER_ERROR_RETRIES = 3
"""How often a request Telegram answered with a server error (5xx) or could not be
connected for is tried again before the error reaches the error handler."""

SERVER_ERROR_BACKOFF = 0.25
"""Seconds before the first such retry; doubled for each further one (0.25, 0.5, 1)."""


class RetryingRateLimiter(AIORateLimiter):
    """:class:`~telegram.ext.AIORateLimiter` that also retries server errors.

    ``AIORateLimiter`` keeps within Telegram's limits and waits out ``429 Too Many
    Requests``. This subclass also tries again, with exponential backoff, when Telegram
    answers 5xx or the connection fails: such a request was not carried out, so the retry
    cannot answer twice. Timeouts are *not* retried (the message may have been sent), nor
    are 400/403 (trying again would not help).

    Args:
        retries: Retries after a server error.
        backoff: Seconds before the first retry, doubled for each further one.
        **kwargs: Passed to :class:`~telegram.ext.AIORateLimiter`.
    """

    def __init__(
        self,
        retries: int = SERVER_ERROR_RETRIES,
        backoff: float = SERVER_ERROR_BACKOFF,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.retries = retries
        self.backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Send the request through the rate limiter, retrying server errors."""
        delay = self.backoff
        for attempt in range(self.retries + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except (BadRequest, TimedOut):
                raise
            except NetworkError as exc:
                if attempt >= self.retries:
                    raise
                logger.warning(
                    "%s failed (%s: %s); retry %d of %d in %.2fs",
                    endpoint,
                    type(exc).__name__,
                    exc,
                    attempt + 1,
                    self.retries,
                    delay,
                )
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover
