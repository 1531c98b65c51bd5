"""A gate in front of the store, so a database that waits never keeps many chats waiting.

The store waits up to its busy timeout (1 s) for a lock another process holds (a backup, a
``sqlite3`` shell). Chats are answered in parallel, but the store serves one call at a
time, so ten chats would wait ten seconds. :class:`StoreGate` keeps that to one wait:

- a call that finds the store taken for longer than :data:`GATE_WAIT_SECONDS` does not
  queue behind it: it fails at once;
- a call that fails because the database is locked or busy starts a cool-down of
  :data:`COOL_DOWN_SECONDS`, during which every call fails at once.

The gate has the store's methods written out, one by one, with their types: whatever a
caller asks of it either is a method of the store passed through the gate or fails when the
code is checked, never a proxy that wraps what it should not.

Failing here means :class:`sqlite3.OperationalError`, which the service already handles
by answering without the store (and, for ``/forget`` and the like, by saying it failed).
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bot.replies import ChatState
from bot.store.chats import Store, Turn

logger = logging.getLogger(__name__)

GATE_WAIT_SECONDS = 0.1
"""Longest wait for another call to leave the store (a healthy call takes a millisecond)."""

COOL_DOWN_SECONDS = 5.0
"""How long the store is left alone after it reported being locked or busy."""


class StoreGate:
    """Wraps a :class:`~bot.store.Store`: every call that touches the database goes through
    the gate.

    Args:
        store: The store to guard.
        wait: See :data:`GATE_WAIT_SECONDS`.
        cool_down: See :data:`COOL_DOWN_SECONDS`.
        clock: Monotonic clock (injectable for tests).
    """

    def __init__(
        self,
        store: Store,
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

    # --- what the store is (no database call) --------------------------------------------

    @property
    def path(self) -> str:
        """The database file (or :data:`bot.store.MEMORY`)."""
        return self.store.path

    @property
    def retention_days(self) -> int:
        """How long chats and unanswered questions are kept."""
        return self.store.retention_days

    @property
    def pending_unanswered(self) -> int:
        """Distinct unanswered questions held in memory, not yet written."""
        return self.store.pending_unanswered

    @property
    def erasure_pending(self) -> bool:
        """True while an erased chat may still have a copy in the write-ahead log."""
        return self.store.erasure_pending

    def today(self) -> dt.date:
        """The current day, as the store counts days."""
        return self.store.today()

    def close(self) -> None:
        """Close the store (not gated: shutting down must not be refused)."""
        self.store.close()

    # --- the store's calls, through the gate ---------------------------------------------

    def state(self, chat: str) -> ChatState:
        """See :meth:`bot.store.Store.state`."""
        with self._entered():
            return self.store.state(chat)

    def opted_out(self, chat: str) -> bool:
        """See :meth:`bot.store.Store.opted_out`."""
        with self._entered():
            return self.store.opted_out(chat)

    def save(self, chat: str, turn: Turn) -> None:
        """See :meth:`bot.store.Store.save`."""
        with self._entered():
            self.store.save(chat, turn)

    def forget(self, chat: str) -> bool:
        """See :meth:`bot.store.Store.forget`."""
        with self._entered():
            return self.store.forget(chat)

    def opt_out(self, chat: str) -> None:
        """See :meth:`bot.store.Store.opt_out`."""
        with self._entered():
            self.store.opt_out(chat)

    def opt_in(self, chat: str) -> None:
        """See :meth:`bot.store.Store.opt_in`."""
        with self._entered():
            self.store.opt_in(chat)

    def move(self, old: str, new: str) -> None:
        """See :meth:`bot.store.Store.move`."""
        with self._entered():
            self.store.move(old, new)

    def check_file(self) -> None:
        """See :meth:`bot.store.Store.check_file`."""
        with self._entered():
            self.store.check_file()

    def flush_unanswered(self) -> int:
        """See :meth:`bot.store.Store.flush_unanswered`."""
        with self._entered():
            return self.store.flush_unanswered()

    def purge_if_due(self, today: dt.date | None = None) -> None:
        """See :meth:`bot.store.Store.purge_if_due`."""
        with self._entered():
            self.store.purge_if_due(today)

    def finish_erasure(self, wait: float = 0.0) -> bool:
        """See :meth:`bot.store.Store.finish_erasure`."""
        with self._entered():
            return self.store.finish_erasure(wait)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """See :meth:`bot.store.Store.transaction` (the gate is held for the block)."""
        with self._entered(), self.store.transaction() as db:
            yield db

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """See :meth:`bot.store.Store.reading` (the gate is held for the block)."""
        with self._entered(), self.store.reading() as db:
            yield db

    # --- the gate ------------------------------------------------------------------------

    @contextmanager
    def _entered(self) -> Iterator[None]:
        """Hold the gate for one call: refuse at once while cooling down or while another
        call has held it too long; start the cool-down when the database says it is locked
        or busy."""
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
            yield
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
