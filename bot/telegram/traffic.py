"""Traffic control: the per-chat flood guard and the rate limiter that retries refusals."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from enum import Enum
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    AIORateLimiter,
)

logger = logging.getLogger(__name__)


FLOOD_LIMIT = 20
"""Messages one chat may send per :data:`FLOOD_WINDOW_SECONDS` before being slowed down."""

FLOOD_WINDOW_SECONDS = 60.0

APOLOGY_TEXT = "Something went wrong, please try again."
"""What the person sees when a handler fails. It stays here, not in ``messages.yml``: it is
said when anything may have failed, the content and the service included. (The one note a
flooding chat gets is the ``slow_down`` message.)"""


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

    Windows are kept in the order they started, so those that are over are dropped from
    the front: a message costs the same with ten chats writing or fifty thousand, and only
    the chats that wrote within the last window are remembered.

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
        self._started: collections.deque[tuple[float, int]] = collections.deque()

    @property
    def chats(self) -> int:
        """Chats remembered (those whose window is not over)."""
        return len(self._windows)

    def check(self, chat_id: int) -> Verdict:
        """Count one message from ``chat_id`` and say what to do with it.

        Args:
            chat_id: The Telegram chat id.

        Returns:
            :attr:`Verdict.ALLOW`, :attr:`Verdict.WARN` (exactly once per window) or
            :attr:`Verdict.DROP`.
        """
        now = self._clock()
        self._expire(now)
        started, count = self._windows.get(chat_id, (now, 0))
        if count == 0 or now - started >= self.window:
            started, count = now, 0
            self._started.append((now, chat_id))
        count += 1
        self._windows[chat_id] = (started, count)
        if count <= self.limit:
            return Verdict.ALLOW
        return Verdict.WARN if count == self.limit + 1 else Verdict.DROP

    def _expire(self, now: float) -> None:
        """Forget the windows that are over, oldest first (each window once: O(1) a
        message on average)."""
        started = self._started
        while started and now - started[0][0] >= self.window:
            moment, chat_id = started.popleft()
            entry = self._windows.get(chat_id)
            if entry is not None and entry[0] == moment:
                del self._windows[chat_id]


# --------------------------------------------------------------------------------------
# Outgoing requests
# --------------------------------------------------------------------------------------

SERVER_ERROR_RETRIES = 3
"""How often a request Telegram answered with a server error (5xx) or could not be
connected for is tried again before the error reaches the error handler."""

SERVER_ERROR_BACKOFF = 0.25
"""Seconds before the first such retry; doubled for each further one (0.25, 0.5, 1)."""


def retry_seconds(exc: RetryAfter) -> float:
    """Seconds a ``429 Too Many Requests`` asks to wait (without the library's warning
    about integer time periods)."""
    return exc._retry_after.total_seconds()  # the library itself reads it this way


class RetryingRateLimiter(AIORateLimiter):
    """:class:`~telegram.ext.AIORateLimiter` that waits out ``429`` per chat and retries
    server errors.

    ``AIORateLimiter`` keeps within Telegram's limits (30 messages a second in all, 20 a
    minute per group), but a ``429 Too Many Requests`` for one chat makes it hold *every*
    request. Here only requests to that chat wait out ``retry_after``; other chats go on
    (should Telegram mean the whole bot, their own requests earn their own ``429``).

    It also tries again, with exponential backoff, when Telegram answers 5xx or the
    connection fails: such a request was not carried out, so the retry cannot answer twice.
    Timeouts are *not* retried (the message may have been sent), nor are 400/403 (trying
    again would not help).

    Args:
        retries: Retries after a server error.
        backoff: Seconds before the first retry, doubled for each further one.
        **kwargs: Passed to :class:`~telegram.ext.AIORateLimiter` (``max_retries`` is
            how often a ``429`` is waited out before the error reaches the handler).
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
        self._resume_at: dict[object, float] = {}

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Send the request within the limits, waiting out 429 for its chat only and
        retrying server errors."""
        max_429 = rate_limit_args or self._max_retries
        chat_id = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        group: int | str | bool = (
            chat_id
            if (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str)
            else False
        )
        refusals = 0
        failures = 0
        delay = self.backoff
        while True:
            wait = self._resume_at.get(chat_id, 0.0) - time.monotonic() if chat_id else 0.0
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await self._run_request(
                    chat=chat_id is not None,
                    group=group,
                    allow_paid_broadcast=bool(data.get("allow_paid_broadcast", False)),
                    callback=callback,
                    args=args,
                    kwargs=kwargs,
                )
            except RetryAfter as exc:
                if refusals >= max_429:
                    logger.warning(
                        "%s refused with 429 %d times; giving up", endpoint, refusals + 1
                    )
                    raise
                refusals += 1
                seconds = retry_seconds(exc) + 0.1
                logger.info("%s: 429, retrying after %.1fs", endpoint, seconds)
                if chat_id:
                    self._resume_at[chat_id] = time.monotonic() + seconds
                    if len(self._resume_at) > 10_000:
                        now = time.monotonic()
                        self._resume_at = {k: t for k, t in self._resume_at.items() if t > now}
                else:
                    await asyncio.sleep(seconds)
            except (BadRequest, TimedOut):
                raise
            except NetworkError as exc:
                if failures >= self.retries:
                    raise
                failures += 1
                logger.warning(
                    "%s failed (%s: %s); retry %d of %d in %.2fs",
                    endpoint,
                    type(exc).__name__,
                    exc,
                    failures,
                    self.retries,
                    delay,
                )
                await asyncio.sleep(delay)
                delay *= 2
