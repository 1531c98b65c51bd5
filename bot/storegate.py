"""A gate in front of the store, so a database that waits never keeps many chats waiting.

The store waits up to its busy timeout (1 s) for a lock another process holds (a backup, a
``sqlite3`` shell). Chats are answered in parallel, but the store serves one call at a
time, so ten chats would wait ten seconds. :class:`StoreGate` keeps that to one wait:

- a call that finds the store taken for longer than :data:`GATE_WAIT_SECONDS` does not
  queue behind it: it fails at once;
- a call that fails because the database is locked or busy starts a cool-down of
  :data:`COOL_DOWN_SECONDS`, during which every call fails at once.

Failing here means :class:`sqlite3.OperationalError`, which the service already handles
by answering without the store (and, for ``/forget`` and the like, by saying it failed).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

GATE_WAIT_SECONDS = 0.1
"""Longest wait for another call to leave the store (a healthy call takes a millisecond)."""

COOL_DOWN_SECONDS = 5.0
"""How long the store is left alone after it reported being locked or busy."""


class StoreGate:
    """Wraps a :class:`~bot.store.Store`: every method call goes through the gate, every
    other attribute is the store's own.

    Args:
        store: The store to guard.
        wait: See :data:`GATE_WAIT_SECONDS`.
        cool_down: See :data:`COOL_DOWN_SECONDS`.
        clock: Monotonic clock (injectable for tests).
    """

    def __init__(
        self,
        store: Any,
        *,
        wait: float = GATE_WAIT_SECONDS,
        cool_down: float = COOL_DOWN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.wait = wait
        self.cool_down = cool_down
        self._clock = clock
        self._lock = threading.Lock()
        self._entered_at: float | None = None
        self._cool_until = 0.0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.store, name)
        if not callable(attribute) or name == "close":
            return attribute

        def guarded(*args: Any, **kwargs: Any) -> Any:
            return self._through(attribute, *args, **kwargs)

        return guarded

    def _through(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        now = self._clock()
        if now < self._cool_until:
            raise sqlite3.OperationalError("database is locked (left alone for a moment)")
        entered = self._entered_at
        if entered is not None and now - entered > self.wait:
            raise sqlite3.OperationalError("database is busy (another call is waiting for it)")
        if not self._lock.acquire(timeout=self.wait):
            raise sqlite3.OperationalError("database is busy (another call is waiting for it)")
        self._entered_at = self._clock()
        try:
            return method(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            message = str(exc).lower()
            if "locked" in message or "busy" in message:
                self._cool_until = self._clock() + self.cool_down
                logger.warning(
                    "the database is locked by another process; answering without it for %.0fs",
                    self.cool_down,
                )
            raise
        finally:
            self._entered_at = None
            self._lock.release()
