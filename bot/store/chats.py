"""The store itself: the ``chats``, ``daily_stats`` and ``unanswered`` tables, the lock every
call takes, the handling of a deleted or replaced file, erasure and retention."""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.masking import mask_personal
from bot.replies import ChatState
from bot.store.schema import (
    MEMORY,
    StoreError,
    connect,
    connect_read_only,
    explain,
    migrate,
)

if TYPE_CHECKING:
    from bot.settings import Settings

logger = logging.getLogger(__name__)

CHECKPOINT_RETRY_SECONDS = 0.02
"""Pause between two attempts to empty the write-ahead log while another program reads."""

ERASURE_RETRY_SECONDS = 30.0
"""While an erasure is unfinished, writes retry it (without waiting) at most this often."""

UNANSWERED_BATCH = 100
"""Distinct unanswered questions held in memory before they are written as one batch."""

_SHUFFLE = random.SystemRandom()


@dataclass(frozen=True)
class Turn:
    """What one answered message adds to the store (written in one transaction).

    Attributes:
        source: ``typed``, ``button`` or ``command``.
        kind: The reply's kind (``answer``, ``red_flag``, ``fallback``...).
        intent: The intent answered, or ``None``.
        state: The chat's new state; ``None`` leaves it as it was.
        unanswered: The question's text when the bot could not answer it (never for red
            flags); ``None`` otherwise.
        top_intent: The best candidate for an unanswered question.
        top_score: Its score.
    """

    source: str
    kind: str
    intent: str | None = None
    state: ChatState | None = None
    unanswered: str | None = None
    top_intent: str | None = None
    top_score: float | None = None


@dataclass(frozen=True)
class StatRow:
    """One counter of ``daily_stats``."""

    day: dt.date
    source: str
    kind: str
    intent: str
    count: int


@dataclass(frozen=True)
class UnansweredRow:
    """One unanswered question of one day."""

    day: dt.date
    text: str
    kind: str
    top_intent: str | None
    top_score: float | None
    count: int


@dataclass
class _Held:
    """An unanswered question held in memory: the first asking's reply and how often."""

    kind: str
    top_intent: str | None
    top_score: float | None
    count: int = 1


def utc_today() -> dt.date:
    """Today's date in UTC (the store's notion of a day)."""
    return dt.datetime.now(dt.UTC).date()


class Store:
    """The SQLite store.

    Args:
        path: The database file (created with its folder if missing), or
            :data:`MEMORY`.
        retention_days: How long chats and unanswered questions are kept.
        today: Returns the current day (injectable for tests).
        busy_timeout: Seconds to wait for another process's lock before giving up (the
            caller then answers without the store rather than keep the person waiting).
        read_only: Open an existing file for reading only (``sciatica-bot report``): no
            schema change, no purge; works on a read-only backup.

    Raises:
        StoreError: the file cannot be created, opened or written, is not a SQLite
            database, or was written by a newer version of the bot.
    """

    def __init__(
        self,
        path: str | Path = MEMORY,
        *,
        retention_days: int = 30,
        today: Callable[[], dt.date] = utc_today,
        busy_timeout: float = 1.0,
        read_only: bool = False,
    ) -> None:
        self.path = str(path)
        self.read_only = read_only and self.path != MEMORY
        self._busy_timeout = busy_timeout
        self.retention_days = retention_days
        self._today = today
        self._lock = threading.RLock()
        self._purged_on: dt.date | None = None
        self._trace_left = False  # an erasure's copies may still sit in the WAL
        self._erasure_logged = False
        self._last_checkpoint = 0.0
        # (day, masked text) -> what is not yet written of it
        self._pending: dict[tuple[str, str], _Held] = {}
        if self.read_only:
            self._db = connect_read_only(self.path, busy_timeout)
            self._identity = self._file_identity()
            return
        self._db = connect(self.path, busy_timeout)
        self._identity = self._file_identity()
        try:
            self._migrate()
            self.purge()
        except sqlite3.Error as exc:
            self._db.close()
            raise StoreError(explain(self.path, exc)) from None

    @classmethod
    def from_settings(cls, settings: Settings, *, read_only: bool = False) -> Store:
        """The store at ``DATABASE_PATH`` keeping data for ``RETENTION_DAYS`` (opened for
        reading only, for the report, when ``read_only``)."""
        return cls(
            settings.database_path, retention_days=settings.retention_days, read_only=read_only
        )

    def _migrate(self) -> None:
        with self._transaction() as db:
            migrate(db, self.path)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on the bot's database: committed when the block ends,
        rolled back on error. The store's lock is held for the whole block, so tables
        kept beside the store's own (:class:`TicketStore`) share its file, its lock and
        its handling of a deleted or replaced file.

        Yields:
            The connection, inside ``BEGIN IMMEDIATE``.
        """
        with self._transaction() as db:
            yield db

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection for reads, with the store's lock held for the block (after the
        same file check as every other call).

        Yields:
            The connection (reads only: writes go through :meth:`transaction`).
        """
        with self._lock:
            self._check_file()
            yield self._db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back on error."""
        with self._lock:
            self._check_file()
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                # Some errors (a full disk) make SQLite roll back by itself; rolling back
                # again would hide the real error behind "no transaction is active".
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error:
                if self._db.in_transaction:  # a failed COMMIT can leave it open
                    self._db.execute("ROLLBACK")
                raise

    # --- the file itself: deleted or replaced while the bot runs -------------------------

    def _file_identity(self) -> tuple[int, int] | None:
        """The database file's device and inode, ``None`` when it is missing."""
        if self.path == MEMORY:
            return (0, 0)
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return (info.st_dev, info.st_ino)

    def check_file(self) -> None:
        """Reopen the database if its file was deleted or replaced since it was opened.

        Called before every read and write (one ``stat``, about a microsecond) and by
        housekeeping, so a write never goes into a file that is no longer at
        ``DATABASE_PATH``.

        Raises:
            sqlite3.OperationalError: the file at ``DATABASE_PATH`` cannot be opened (the
                next call tries again).
        """
        with self._lock:
            self._check_file()

    def _check_file(self) -> None:
        if self.read_only:
            return
        now = self._file_identity()
        if now is not None and now == self._identity:
            return
        if self._identity is not None:  # first notice; a failed reopen is not re-logged
            logger.warning(
                "DATABASE_PATH %s was %s while the bot ran; reopening it",
                self.path,
                "deleted" if now is None else "replaced",
            )
        self._identity = None
        try:
            self._db.close()
        except sqlite3.Error as exc:
            logger.debug("closing the old database file failed: %s", exc)
        # SQLite leaves the old file's write-ahead log and shared memory behind when the
        # file was unlinked; opened with the new file, they would be read as its own.
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        try:
            self._db = connect(self.path, self._busy_timeout)
            self._identity = self._file_identity()
            self._migrate()
        except (StoreError, sqlite3.Error) as exc:
            self._identity = None
            message = str(exc) if isinstance(exc, StoreError) else explain(self.path, exc)
            raise sqlite3.OperationalError(message) from None
        self._purged_on = None
        logger.warning("DATABASE_PATH %s reopened", self.path)

    def close(self) -> None:
        """Write the unanswered questions held in memory and close the database
        (checkpointing the write-ahead log)."""
        with self._lock:
            try:
                self.flush_unanswered()
            except sqlite3.Error as exc:
                logger.error(
                    "could not write %d unanswered question(s) before closing: %s",
                    len(self._pending),
                    exc,
                )
            self._db.close()

    def today(self) -> dt.date:
        """The current day, as the store counts days (UTC)."""
        return self._today()

    # --- chats ---------------------------------------------------------------------------

    def state(self, chat: str) -> ChatState:
        """The chat's remembered state (a fresh one for unknown or opted-out chats)."""
        with self._lock:
            self._check_file()
            row = self._db.execute(
                "SELECT last_intent, history FROM chats WHERE chat = ? AND opted_out = 0",
                (chat,),
            ).fetchone()
        if not row:
            return ChatState()
        return ChatState(last_intent=row[0], history=tuple(filter(None, row[1].split(","))))

    def opted_out(self, chat: str) -> bool:
        """True when the chat asked the bot to store nothing."""
        with self._lock:
            self._check_file()
            row = self._db.execute("SELECT opted_out FROM chats WHERE chat = ?", (chat,)).fetchone()
        return bool(row and row[0])

    def save(self, chat: str, turn: Turn) -> None:
        """Record one answered message: the chat's state and the day's counter at once,
        and the question, if it went unanswered, in memory until the next batch
        (:meth:`flush_unanswered`). An opted-out chat writes nothing.

        Args:
            chat: The adapter's chat key, e.g. ``telegram:42``.
            turn: What to record.
        """
        today = self._today()
        self.purge_if_due(today)
        if self._trace_left and time.monotonic() - self._last_checkpoint > ERASURE_RETRY_SECONDS:
            self.finish_erasure()
        day = today.isoformat()
        state = turn.state or ChatState()
        with self._transaction() as db:
            row = db.execute("SELECT opted_out FROM chats WHERE chat = ?", (chat,)).fetchone()
            if row and row[0]:
                return
            db.execute(
                "INSERT INTO chats (chat, last_intent, history, last_seen) "
                "VALUES (:chat, :intent, :history, :day) "
                "ON CONFLICT (chat) DO UPDATE SET last_seen = excluded.last_seen, "
                "last_intent = CASE WHEN :changed THEN excluded.last_intent "
                "ELSE chats.last_intent END, "
                "history = CASE WHEN :changed THEN excluded.history ELSE chats.history END",
                {
                    "chat": chat,
                    "intent": state.last_intent,
                    "history": ",".join(state.history),
                    "day": day,
                    "changed": turn.state is not None,
                },
            )
            db.execute(
                "INSERT INTO daily_stats (day, source, kind, intent, count) "
                "VALUES (?, ?, ?, ?, 1) "
                "ON CONFLICT DO UPDATE SET count = count + 1",
                (day, turn.source, turn.kind, turn.intent or ""),
            )
        if turn.unanswered and turn.kind != "red_flag":
            text = mask_personal(turn.unanswered)
            if text:
                self._hold_unanswered(day, text, turn)

    # --- unanswered questions, written apart from any chat ------------------------------

    def _hold_unanswered(self, day: str, text: str, turn: Turn) -> None:
        """Keep a masked question in memory; a full batch is written at once."""
        with self._lock:
            held = self._pending.get((day, text))
            if held is None:
                self._pending[(day, text)] = _Held(turn.kind, turn.top_intent, turn.top_score)
            else:
                held.count += 1
            full = len(self._pending) >= UNANSWERED_BATCH
        if full:
            self.flush_unanswered()

    @property
    def pending_unanswered(self) -> int:
        """Distinct unanswered questions held in memory, not yet written."""
        return len(self._pending)

    def flush_unanswered(self) -> int:
        """Write the questions held in memory, in random order, in one transaction that
        touches no chat row, so neither the file nor its write-ahead log can tie a
        question to the chat that asked it. Called by housekeeping, when a batch is full
        and on :meth:`close`; on failure the questions stay in memory for the next try.

        Returns:
            How many distinct questions were written.
        """
        with self._lock:
            if not self._pending:
                return 0
            batch = list(self._pending.items())
            _SHUFFLE.shuffle(batch)
            with self._transaction() as db:
                db.executemany(
                    "INSERT INTO unanswered (day, text, kind, top_intent, top_score, count) "
                    "VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT DO UPDATE SET count = count + excluded.count",
                    [
                        (day, text, h.kind, h.top_intent, h.top_score, h.count)
                        for (day, text), h in batch
                    ],
                )
            self._pending.clear()
            return len(batch)

    def opt_out(self, chat: str) -> None:
        """Forget the chat's state and store nothing more for it (only the flag itself)."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO chats (chat, opted_out) VALUES (?, 1) ON CONFLICT (chat) "
                "DO UPDATE SET opted_out = 1, last_intent = NULL, history = '', last_seen = NULL",
                (chat,),
            )

    def opt_in(self, chat: str) -> None:
        """Let the chat be remembered again (starts from nothing)."""
        with self._transaction() as db:
            db.execute("DELETE FROM chats WHERE chat = ? AND opted_out = 1", (chat,))

    def forget(self, chat: str) -> bool:
        """Erase every row about the chat and leave no trace of it in the file.

        With ``secure_delete`` on, SQLite overwrites the deleted row with zeros; the
        write-ahead log, which still holds older copies of the page, is then checkpointed
        into the file and truncated. Another program reading the database (a backup, a
        ``sqlite3`` shell) keeps the log from being emptied: the checkpoint is retried for
        up to ``busy_timeout`` seconds, and if it still cannot finish, housekeeping and
        later writes retry it until it does (:meth:`finish_erasure`).

        Returns:
            True when no copy is left anywhere in the files; False when the rows are gone
            but an older copy still waits in the write-ahead log.
        """
        with self._lock:
            with self._transaction() as db:
                db.execute("DELETE FROM chats WHERE chat = ?", (chat,))
                db.execute("DELETE FROM tickets WHERE chat = ?", (chat,))
            self._trace_left = True
            try:
                return self._empty_wal(self._busy_timeout)
            except sqlite3.Error as exc:  # the rows are gone all the same
                logger.error("emptying the write-ahead log failed: %s", exc)
                return False

    def move(self, old: str, new: str) -> None:
        """The chat got a new key (a Telegram group became a supergroup): carry its row,
        above all its opt-out, over to ``new`` and leave nothing under ``old``.

        An opt-out always carries over; otherwise a row already written under ``new``
        wins over the old one.
        """
        with self._transaction() as db:
            row = db.execute("SELECT opted_out FROM chats WHERE chat = ?", (old,)).fetchone()
            if row is None:
                return
            if row[0]:
                db.execute(
                    "INSERT INTO chats (chat, opted_out) VALUES (?, 1) ON CONFLICT (chat) "
                    "DO UPDATE SET opted_out = 1, last_intent = NULL, history = '', "
                    "last_seen = NULL",
                    (new,),
                )
            else:
                db.execute("UPDATE OR IGNORE chats SET chat = ? WHERE chat = ?", (new, old))
            db.execute("DELETE FROM chats WHERE chat = ?", (old,))

    @property
    def erasure_pending(self) -> bool:
        """True while an erased chat may still have a copy in the write-ahead log."""
        return self._trace_left

    def finish_erasure(self, wait: float = 0.0) -> bool:
        """Try again to empty the write-ahead log after an erasure or a purge.

        Args:
            wait: Seconds to keep retrying while another program reads the database.

        Returns:
            True when nothing is left to finish.
        """
        with self._lock:
            if not self._trace_left:
                return True
            return self._empty_wal(wait)

    def _empty_wal(self, wait: float) -> bool:
        """Checkpoint the write-ahead log into the file and truncate it to zero bytes,
        retrying every :data:`CHECKPOINT_RETRY_SECONDS` while a reader holds it, for up to
        ``wait`` seconds."""
        if self.path == MEMORY:
            self._trace_left = False
            return True
        self._last_checkpoint = time.monotonic()
        deadline = self._last_checkpoint + wait
        self._db.execute("PRAGMA busy_timeout = 0")  # the retrying is done here
        try:
            while True:
                busy = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                if not busy:
                    if self._trace_left and self._erasure_logged:
                        logger.info("the write-ahead log is empty again: erasure complete")
                    self._trace_left = self._erasure_logged = False
                    return True
                if time.monotonic() >= deadline:
                    break
                time.sleep(CHECKPOINT_RETRY_SECONDS)
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
        if not self._erasure_logged:
            logger.warning(
                "another program is reading the database, so the write-ahead log still holds "
                "copies of erased rows; retrying until it lets go"
            )
            self._erasure_logged = True
        return False

    # --- retention -----------------------------------------------------------------------

    def purge(self) -> tuple[int, int]:
        """Delete chats not seen and unanswered questions older than the retention period.

        Opted-out chats keep their flag (it is all that is stored for them).

        Returns:
            The number of chats and of unanswered questions deleted.
        """
        today = self._today()
        cutoff = (today - dt.timedelta(days=self.retention_days)).isoformat()
        with self._lock:
            self.flush_unanswered()
            with self._transaction() as db:
                chats = db.execute(
                    "DELETE FROM chats WHERE opted_out = 0 AND last_seen < ?", (cutoff,)
                ).rowcount
                questions = db.execute("DELETE FROM unanswered WHERE day < ?", (cutoff,)).rowcount
                tickets = db.execute("DELETE FROM tickets WHERE day < ?", (cutoff,)).rowcount
            self._purged_on = today
            if tickets:
                logger.info("retention: purged %d ticket(s) to the clinic", tickets)
            if chats or questions or tickets:
                self._trace_left = True
                self._empty_wal(self._busy_timeout)
                logger.info(
                    "retention: purged %d chat(s) and %d unanswered question(s) older than %d days",
                    chats,
                    questions,
                    self.retention_days,
                )
        return chats, questions

    def purge_if_due(self, today: dt.date | None = None) -> None:
        """Purge unless that was already done today (called before writes and hourly)."""
        if self._purged_on != (today or self._today()):
            self.purge()

    # --- reading for the report ----------------------------------------------------------

    def stats(self, since: dt.date) -> list[StatRow]:
        """Every counter from ``since`` on, oldest day first."""
        with self._lock:
            self._check_file()
            rows = self._db.execute(
                "SELECT day, source, kind, intent, count FROM daily_stats WHERE day >= ? "
                "ORDER BY day, source, kind, intent",
                (since.isoformat(),),
            ).fetchall()
        return [StatRow(dt.date.fromisoformat(r[0]), r[1], r[2], r[3], r[4]) for r in rows]

    def unanswered(self, since: dt.date) -> list[UnansweredRow]:
        """Every unanswered question from ``since`` on, oldest day first (those held in
        memory are written first)."""
        with self._lock:
            self.flush_unanswered()
            self._check_file()
            rows = self._db.execute(
                "SELECT day, text, kind, top_intent, top_score, count FROM unanswered "
                "WHERE day >= ? ORDER BY day, text",
                (since.isoformat(),),
            ).fetchall()
        return [UnansweredRow(dt.date.fromisoformat(r[0]), *r[1:]) for r in rows]

    def counts(self) -> dict[str, int]:
        """Rows per table (unanswered questions held in memory are written first)."""
        with self._lock:
            self.flush_unanswered()
            self._check_file()
            return {
                table: self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("chats", "daily_stats", "unanswered")
            }
