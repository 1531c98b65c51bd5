"""The bot's memory: one SQLite file (standard library ``sqlite3``).

Three tables, and nothing else:

* ``chats`` - per chat: the last topic and up to five before it (so "tell me more", "and the
  treatment?" and the Back button work after a restart), the day the chat was last seen, and
  whether it opted out.
* ``daily_stats`` - per day: how many answers of each kind, per intent, typed or pressed.
  No chat id, user id, username or name.
* ``unanswered`` - questions that got the fallback or a "Did you mean", without any identity,
  cut to :data:`MAX_UNANSWERED_CHARS`, with e-mail addresses, phone numbers, links and
  @handles masked; the same question on the same day is counted, not stored twice.

Chats not seen for ``retention_days`` and unanswered questions older than that are purged
when the store opens and once a day after. ``secure_delete`` is on (deleted content is
overwritten with zeros) and every deletion ends by checkpointing and truncating the
write-ahead log, so an erased chat leaves no trace in free pages or in the WAL.

Every write is one transaction in WAL mode with ``synchronous=NORMAL``: once a method
returns, the write survives a crash of the bot's process (a power cut may roll back the last
moments' writes, never corrupt the file). A lock serialises access, so
one store can be shared by threads and by concurrent updates.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.replies import ChatState
from bot.settings import Settings

logger = logging.getLogger(__name__)

MAX_UNANSWERED_CHARS = 300
"""Longest unanswered question kept (longer ones are cut)."""

MEMORY = ":memory:"
"""Path of a store that lives in memory only (tests, one-off commands)."""

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: the first schema.
    """
    CREATE TABLE chats (
        chat        TEXT PRIMARY KEY,
        last_intent TEXT,
        last_seen   TEXT,
        opted_out   INTEGER NOT NULL DEFAULT 0 CHECK (opted_out IN (0, 1))
    );
    CREATE INDEX chats_last_seen ON chats (last_seen);
    CREATE TABLE daily_stats (
        day    TEXT NOT NULL,
        source TEXT NOT NULL,
        kind   TEXT NOT NULL,
        intent TEXT NOT NULL DEFAULT '',
        count  INTEGER NOT NULL,
        PRIMARY KEY (day, source, kind, intent)
    ) WITHOUT ROWID;
    CREATE TABLE unanswered (
        day        TEXT NOT NULL,
        text       TEXT NOT NULL,
        kind       TEXT NOT NULL,
        top_intent TEXT,
        top_score  REAL,
        count      INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (day, text)
    ) WITHOUT ROWID;
    """,
    # 1 -> 2: earlier topics, for the Back button (comma-separated intent names).
    """
    ALTER TABLE chats ADD COLUMN history TEXT NOT NULL DEFAULT '';
    """,
)
"""Forward migrations: entry ``i`` takes the schema from version ``i`` to ``i + 1``."""

SCHEMA_VERSION = len(MIGRATIONS)

_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    # anchored and possessive: linear time on a 10,000-character word (was quadratic)
    (re.compile(r"(?<!\S)[^\s@]++@\S+\.\w+"), "[email]"),
    (re.compile(r"(?i)\b(?:https?://|www\.)\S+"), "[link]"),
    (re.compile(r"(?<!\w)@\w{3,}"), "[handle]"),
    (re.compile(r"\+?\d[\d\s().-]{6,}\d"), "[number]"),
    (
        re.compile(r"(?i:\b(my name is|my name's|name's|this is|call me|i am|i'm|im)\s+)[A-Z]\w+"),
        r"\1 [name]",
    ),
)
"""Personal details people sometimes type into a question, and what replaces them
(a capitalised word after "my name is", "I'm", "call me"... counts as a name)."""


class StoreError(RuntimeError):
    """The database cannot be used; the message is one line meant for the operator."""


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


def mask_personal(text: str) -> str:
    """Mask e-mail addresses, links, @handles and phone numbers, then cut to length.

    Args:
        text: A question as typed.

    Returns:
        The question with personal details replaced by ``[email]``, ``[link]``,
        ``[handle]`` and ``[number]``, whitespace collapsed, at most
        :data:`MAX_UNANSWERED_CHARS` characters.
    """
    for pattern, mask in _MASKS:
        text = pattern.sub(mask, text)
    text = " ".join(text.split())
    return text[:MAX_UNANSWERED_CHARS]


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
    ) -> None:
        self.path = str(path)
        self._busy_timeout = busy_timeout
        self.retention_days = retention_days
        self._today = today
        self._lock = threading.RLock()
        self._purged_on: dt.date | None = None
        self._db = self._open()
        try:
            self._migrate()
            self.purge()
        except sqlite3.Error as exc:
            self._db.close()
            raise StoreError(self._explain(exc)) from None

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        """The store at ``DATABASE_PATH`` keeping data for ``RETENTION_DAYS``."""
        return cls(settings.database_path, retention_days=settings.retention_days)

    # --- opening -------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if self.path != MEMORY:
            folder = Path(self.path).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"DATABASE_PATH {self.path}: cannot create its folder "
                    f"({exc.strerror or type(exc).__name__})"
                ) from None
            if not Path(self.path).exists():
                # People's health questions: readable by the bot's user only (the WAL and
                # shared-memory files SQLite creates later take the same permissions).
                try:
                    os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
                except OSError as exc:
                    raise StoreError(
                        f"DATABASE_PATH {self.path}: cannot create the file "
                        f"({exc.strerror or type(exc).__name__})"
                    ) from None
        try:
            db = sqlite3.connect(
                self.path,
                isolation_level=None,
                check_same_thread=False,
                timeout=self._busy_timeout,
            )
            db.execute("PRAGMA secure_delete = ON")
            db.execute("PRAGMA foreign_keys = ON")
            if self.path != MEMORY:
                db.execute("PRAGMA journal_mode = WAL")
                # WAL + NORMAL: a commit survives a crash of the bot's process; only a
                # power cut or an OS crash can roll back the last moments' commits, and
                # the file stays consistent either way. FULL would add an fsync (~0.5 ms)
                # to every message.
                db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise StoreError(self._explain(exc)) from None
        return db

    def _explain(self, exc: sqlite3.Error) -> str:
        message = str(exc)
        if "not a database" in message or "malformed" in message:
            reason = "is not a SQLite database or is damaged; restore it from a backup or move it"
        elif "readonly" in message or "read-only" in message:
            reason = "is read-only; the bot needs to write to it and to its folder"
        elif "unable to open" in message:
            reason = "cannot be opened; check that the folder exists and is writable"
        elif "locked" in message or "busy" in message:
            reason = "is locked by another process"
        else:
            reason = f"cannot be used ({message})"
        return f"DATABASE_PATH {self.path} {reason}"

    def _migrate(self) -> None:
        with self._transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"DATABASE_PATH {self.path} was written by a newer version of the bot "
                    f"(schema {version}, this one knows {SCHEMA_VERSION})"
                )
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
                # A new file is not news; upgrading an existing one is.
                logger.log(
                    logging.INFO if version else logging.DEBUG,
                    "database schema migrated to version %d",
                    number + 1,
                )
            # Written on every start: proves at once that the file is writable.
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back on error."""
        with self._lock:
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

    def close(self) -> None:
        """Close the database (checkpointing the write-ahead log)."""
        with self._lock:
            self._db.close()

    def today(self) -> dt.date:
        """The current day, as the store counts days (UTC)."""
        return self._today()

    # --- chats ---------------------------------------------------------------------------

    def state(self, chat: str) -> ChatState:
        """The chat's remembered state (a fresh one for unknown or opted-out chats)."""
        with self._lock:
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
            row = self._db.execute("SELECT opted_out FROM chats WHERE chat = ?", (chat,)).fetchone()
        return bool(row and row[0])

    def save(self, chat: str, turn: Turn) -> None:
        """Record one answered message: the chat's state, the day's counter, and the
        question if it went unanswered. An opted-out chat writes nothing.

        Args:
            chat: The adapter's chat key, e.g. ``telegram:42``.
            turn: What to record.
        """
        today = self._today()
        self.purge_if_due(today)
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
                    db.execute(
                        "INSERT INTO unanswered (day, text, kind, top_intent, top_score) "
                        "VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT DO UPDATE SET count = count + 1",
                        (day, text, turn.kind, turn.top_intent, turn.top_score),
                    )

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

    def forget(self, chat: str) -> None:
        """Erase every row about the chat and leave no trace of it in the file.

        With ``secure_delete`` on, SQLite overwrites the deleted row with zeros; the
        write-ahead log, which still holds older copies of the page, is then checkpointed
        into the file and truncated.
        """
        with self._lock:
            with self._transaction() as db:
                db.execute("DELETE FROM chats WHERE chat = ?", (chat,))
            self._empty_wal()

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

    def _empty_wal(self) -> None:
        if self.path != MEMORY:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

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
            with self._transaction() as db:
                chats = db.execute(
                    "DELETE FROM chats WHERE opted_out = 0 AND last_seen < ?", (cutoff,)
                ).rowcount
                questions = db.execute("DELETE FROM unanswered WHERE day < ?", (cutoff,)).rowcount
            self._purged_on = today
            if chats or questions:
                self._empty_wal()
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
            rows = self._db.execute(
                "SELECT day, source, kind, intent, count FROM daily_stats WHERE day >= ? "
                "ORDER BY day, source, kind, intent",
                (since.isoformat(),),
            ).fetchall()
        return [StatRow(dt.date.fromisoformat(r[0]), r[1], r[2], r[3], r[4]) for r in rows]

    def unanswered(self, since: dt.date) -> list[UnansweredRow]:
        """Every unanswered question from ``since`` on, oldest day first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT day, text, kind, top_intent, top_score, count FROM unanswered "
                "WHERE day >= ? ORDER BY day, text",
                (since.isoformat(),),
            ).fetchall()
        return [UnansweredRow(dt.date.fromisoformat(r[0]), *r[1:]) for r in rows]

    def counts(self) -> dict[str, int]:
        """Rows per table (for ``/privacy`` tests and the report's header)."""
        with self._lock:
            return {
                table: self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("chats", "daily_stats", "unanswered")
            }
