"""The bot's memory: one SQLite file (standard library ``sqlite3``).

These tables, and nothing else:

* ``chats`` - per chat: the last topic and up to five before it (so "tell me more", "and the
  treatment?" and the Back button work after a restart), the day the chat was last seen, and
  whether it opted out.
* ``daily_stats`` - per day: how many answers of each kind, per intent, typed or pressed.
  No chat id, user id, username or name.
* ``unanswered`` - questions that got the fallback or a "Did you mean", without any identity,
  cut to :data:`MAX_UNANSWERED_CHARS`, with e-mail addresses, phone numbers, links and
  @handles masked; the same question on the same day is counted, not stored twice.
* ``tickets`` and ``ticket_messages`` - questions handed to the clinic's staff group
  (:mod:`bot.handover`): the ticket number, the chat key, the day and time it was sent,
  open or closed, whether it described urgent symptoms, and which message ids in the two
  chats belong to it. Never a text, never a staff member's name.
* ``handover_stats`` - per ticket sent or answered: the day and, for answers, how many
  seconds the first answer took. No chat, no ticket number.

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
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.masking import MAX_UNANSWERED_CHARS as MAX_UNANSWERED_CHARS
from bot.masking import mask_personal
from bot.replies import ChatState
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.storegate import StoreGate

logger = logging.getLogger(__name__)

CHECKPOINT_RETRY_SECONDS = 0.02
"""Pause between two attempts to empty the write-ahead log while another program reads."""

ERASURE_RETRY_SECONDS = 30.0
"""While an erasure is unfinished, writes retry it (without waiting) at most this often."""

UNANSWERED_BATCH = 100
"""Distinct unanswered questions held in memory before they are written as one batch."""

_SHUFFLE = random.SystemRandom()

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
    # 2 -> 3: questions handed to the clinic (routing only, never a text) and their
    # anonymous counters.
    """
    CREATE TABLE tickets (
        number        INTEGER PRIMARY KEY AUTOINCREMENT,
        chat          TEXT NOT NULL,
        day           TEXT NOT NULL,
        opened_at     INTEGER NOT NULL,
        staff_message INTEGER,
        answered      INTEGER NOT NULL DEFAULT 0 CHECK (answered IN (0, 1)),
        closed        INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1))
    );
    CREATE INDEX tickets_chat ON tickets (chat);
    CREATE INDEX tickets_day ON tickets (day);
    CREATE TABLE ticket_messages (
        chat       TEXT NOT NULL,
        message_id INTEGER NOT NULL,
        number     INTEGER NOT NULL REFERENCES tickets (number) ON DELETE CASCADE,
        PRIMARY KEY (chat, message_id)
    ) WITHOUT ROWID;
    CREATE INDEX ticket_messages_number ON ticket_messages (number);
    CREATE TABLE handover_stats (
        day     TEXT NOT NULL,
        event   TEXT NOT NULL,
        seconds INTEGER
    );
    """,
    # 3 -> 4: whether a ticket's question described urgent symptoms (listed first by /open).
    """
    ALTER TABLE tickets ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1));
    """,
)
"""Forward migrations: entry ``i`` takes the schema from version ``i`` to ``i + 1``."""

SCHEMA_VERSION = len(MIGRATIONS)


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
        # (day, masked text) -> [kind, top intent, top score, count], not yet written
        self._pending: dict[tuple[str, str], list] = {}
        if self.read_only:
            self._db = self._open_read_only()
            self._identity = self._file_identity()
            return
        self._db = self._open()
        self._identity = self._file_identity()
        try:
            self._migrate()
            self.purge()
        except sqlite3.Error as exc:
            self._db.close()
            raise StoreError(self._explain(exc)) from None

    @classmethod
    def from_settings(cls, settings: Settings, *, read_only: bool = False) -> Store:
        """The store at ``DATABASE_PATH`` keeping data for ``RETENTION_DAYS`` (opened for
        reading only, for the report, when ``read_only``)."""
        return cls(
            settings.database_path, retention_days=settings.retention_days, read_only=read_only
        )

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

    def _open_read_only(self) -> sqlite3.Connection:
        """Open the file for reading only: no schema write, no purge, nothing created.

        A copy in a read-only folder (a backup) cannot get the shared-memory file SQLite
        wants for a WAL database; when no ``-wal`` file lies beside it (so no bot is
        writing to it), it is opened as immutable instead.
        """
        path = Path(self.path)
        if not path.is_file():
            raise StoreError(f"DATABASE_PATH {self.path} does not exist")
        uri = path.resolve().as_uri()
        try:
            db = self._connect_read_only(f"{uri}?mode=ro")
        except sqlite3.OperationalError as exc:
            if "unable to open" not in str(exc) or Path(f"{self.path}-wal").exists():
                raise StoreError(self._explain(exc)) from None
            try:
                db = self._connect_read_only(f"{uri}?mode=ro&immutable=1")
            except sqlite3.Error as again:
                raise StoreError(self._explain(again)) from None
        except sqlite3.Error as exc:
            raise StoreError(self._explain(exc)) from None
        return db

    def _connect_read_only(self, uri: str) -> sqlite3.Connection:
        db = sqlite3.connect(
            uri, uri=True, isolation_level=None, check_same_thread=False, timeout=self._busy_timeout
        )
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        except sqlite3.Error:
            db.close()
            raise
        if version > SCHEMA_VERSION:
            db.close()
            raise StoreError(
                f"DATABASE_PATH {self.path} was written by a newer version of the bot "
                f"(schema {version}, this one knows {SCHEMA_VERSION})"
            )
        if not {"chats", "daily_stats", "unanswered"} <= tables:
            db.close()
            raise StoreError(f"DATABASE_PATH {self.path} is not a database of this bot")
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
            self._db = self._open()
            self._identity = self._file_identity()
            self._migrate()
        except (StoreError, sqlite3.Error) as exc:
            self._identity = None
            message = str(exc) if isinstance(exc, StoreError) else self._explain(exc)
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
                self._pending[(day, text)] = [turn.kind, turn.top_intent, turn.top_score, 1]
            else:
                held[3] += 1
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
                    [(day, text, *held) for (day, text), held in batch],
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


@dataclass(frozen=True)
class TicketRow:
    """A question handed to the clinic, as stored: routing only, never its text.

    Attributes:
        number: The ticket number staff and the person see (never reused).
        chat: The person's chat key.
        day: The day it was sent.
        opened_at: When it was sent (Unix seconds), to time the first answer.
        staff_message: The id of the ticket's message in the staff group, once posted.
        answered: True once staff replied at least once.
        closed: True once staff closed it.
        urgent: The question described urgent symptoms or a crisis.
    """

    number: int
    chat: str
    day: dt.date
    opened_at: int
    staff_message: int | None
    answered: bool
    closed: bool
    urgent: bool = False


@dataclass(frozen=True)
class HandoverStat:
    """One anonymous hand-over event: ``opened``, ``urgent`` or ``answered`` (with the
    seconds the first answer took)."""

    day: dt.date
    event: str
    seconds: int | None


_TICKET_COLUMNS = "number, chat, day, opened_at, staff_message, answered, closed, urgent"


def _ticket(row: tuple | None) -> TicketRow | None:
    if row is None:
        return None
    number, chat, day, opened_at, staff_message, answered, closed, urgent = row
    return TicketRow(
        number,
        chat,
        dt.date.fromisoformat(day),
        opened_at,
        staff_message,
        bool(answered),
        bool(closed),
        bool(urgent),
    )


class TicketStore:
    """The hand-over's tables of a :class:`Store` (same file, same lock).

    Args:
        store: The bot's store, or the gate in front of it (what a running bot uses).
    """

    def __init__(self, store: Store | StoreGate) -> None:
        self.store = store

    def open(self, chat: str, now: int) -> int:
        """Create a ticket for ``chat``; returns its number."""
        day = self.store.today().isoformat()
        with self.store.transaction() as db:
            number = db.execute(
                "INSERT INTO tickets (chat, day, opened_at) VALUES (?, ?, ?)", (chat, day, now)
            ).lastrowid
        assert number is not None
        return int(number)

    def posted(self, number: int, staff_chat: str, message_id: int, *, urgent: bool) -> None:
        """Record the ticket's own message in the staff group, and count the ticket."""
        day = self.store.today().isoformat()
        with self.store.transaction() as db:
            db.execute(
                "UPDATE tickets SET staff_message = ?, urgent = ? WHERE number = ?",
                (message_id, int(urgent), number),
            )
            self._link(db, number, staff_chat, message_id)
            db.execute("INSERT INTO handover_stats (day, event) VALUES (?, 'opened')", (day,))
            if urgent:
                db.execute("INSERT INTO handover_stats (day, event) VALUES (?, 'urgent')", (day,))

    def link(self, number: int, chat: str, message_id: int) -> None:
        """Record that message ``message_id`` of ``chat`` belongs to ticket ``number``."""
        with self.store.transaction() as db:
            self._link(db, number, chat, message_id)

    @staticmethod
    def _link(db: sqlite3.Connection, number: int, chat: str, message_id: int) -> None:
        db.execute(
            "INSERT OR REPLACE INTO ticket_messages (chat, message_id, number) "
            "SELECT ?, ?, number FROM tickets WHERE number = ?",
            (chat, message_id, number),
        )

    def by_message(self, chat: str, message_id: int) -> TicketRow | None:
        """The ticket message ``message_id`` of ``chat`` belongs to, if any."""
        with self.store.reading() as db:
            row = db.execute(
                f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE number = "
                "(SELECT number FROM ticket_messages WHERE chat = ? AND message_id = ?)",
                (chat, message_id),
            ).fetchone()
        return _ticket(row)

    def get(self, number: int) -> TicketRow | None:
        """Ticket ``number``, if it exists."""
        with self.store.reading() as db:
            row = db.execute(
                f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE number = ?", (number,)
            ).fetchone()
        return _ticket(row)

    def open_tickets(self, chat: str | None = None) -> list[TicketRow]:
        """Open tickets (of one chat, or all), oldest first."""
        query = f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE closed = 0"
        args: tuple = ()
        if chat is not None:
            query += " AND chat = ?"
            args = (chat,)
        with self.store.reading() as db:
            rows = db.execute(f"{query} ORDER BY number", args).fetchall()
        return [t for t in map(_ticket, rows) if t is not None]

    def count(self, chat: str) -> int:
        """How many tickets, open or closed, ``chat`` has stored."""
        with self.store.reading() as db:
            row = db.execute("SELECT count(*) FROM tickets WHERE chat = ?", (chat,)).fetchone()
        return int(row[0])

    def answered(self, number: int, now: int) -> None:
        """Mark the ticket answered; the first answer counts how long it took."""
        day = self.store.today().isoformat()
        with self.store.transaction() as db:
            row = db.execute(
                "SELECT opened_at FROM tickets WHERE number = ? AND answered = 0", (number,)
            ).fetchone()
            if row is None:
                return
            db.execute("UPDATE tickets SET answered = 1 WHERE number = ?", (number,))
            db.execute(
                "INSERT INTO handover_stats (day, event, seconds) VALUES (?, 'answered', ?)",
                (day, max(0, now - row[0])),
            )

    def close(self, number: int) -> bool:
        """Close an open ticket; False when it is unknown or already closed."""
        with self.store.transaction() as db:
            changed = db.execute(
                "UPDATE tickets SET closed = 1 WHERE number = ? AND closed = 0", (number,)
            ).rowcount
        return bool(changed)

    def delete(self, number: int) -> None:
        """Erase a ticket and its message links (a ticket that could not be posted)."""
        with self.store.transaction() as db:
            db.execute("DELETE FROM tickets WHERE number = ?", (number,))

    def stats(self, since: dt.date) -> list[HandoverStat]:
        """Every hand-over event from ``since`` on, oldest first."""
        with self.store.reading() as db:
            rows = db.execute(
                "SELECT day, event, seconds FROM handover_stats WHERE day >= ? ORDER BY rowid",
                (since.isoformat(),),
            ).fetchall()
        return [HandoverStat(dt.date.fromisoformat(r[0]), r[1], r[2]) for r in rows]


# --- backups ---------------------------------------------------------------------------


def _refuse_database_files(source: Path, target: Path) -> None:
    """Refuse a backup target that is the database or one of SQLite's files beside it.

    The target is resolved first (symbolic links, ``..``, a relative path), so no spelling
    reaches the live files: in the database's folder, its own name and any name made of its
    name, a dash and more (``-wal``, ``-shm``, ``-journal``, the ``-mj…`` super-journals)
    are refused.

    Raises:
        StoreError: ``target`` is one of those files.
    """
    database = source.resolve()
    landing = target.resolve()  # follows a link, even one pointing at a file not yet there
    for place in {landing, target.parent.resolve() / target.name}:
        if place.parent != database.parent:
            continue
        if place.name == database.name:
            raise StoreError(f"{target} is the database itself; choose another path")
        if place.name.startswith(f"{database.name}-"):
            raise StoreError(
                f"{target} is one of SQLite's files beside the database "
                f"({place.name.removeprefix(database.name)}); choose another path"
            )


BACKUP_STEP_PAGES = 4096
"""Pages copied per step when a backup reports its progress (16 MiB of 4 KiB pages)."""


def backup(
    source: str | Path,
    target: str | Path,
    *,
    force: bool = False,
    progress: Callable[[int, int], object] | None = None,
) -> int:
    """Copy the database with SQLite's online backup API, safe while the bot writes to it.

    The copy is written next to ``target`` under a temporary name, checked with
    ``PRAGMA integrity_check`` and only then moved into place, so ``target`` is never left
    half-written. Like the database, it is readable by its owner only.

    Args:
        source: The database (``DATABASE_PATH``).
        target: Where the copy goes.
        force: Replace ``target`` when it exists.
        progress: Called with (pages copied, pages in all) after each step of
            :data:`BACKUP_STEP_PAGES` pages; without it the copy is one step.

    Returns:
        The size of the copy in bytes.

    Raises:
        StoreError: nothing to copy, ``target`` exists (without ``force``) or cannot be
            written, or the copy failed its integrity check.
    """
    source_path, target_path = Path(source), Path(target)
    if str(source) == MEMORY:
        raise StoreError("DATABASE_PATH is :memory:; there is nothing on disk to back up")
    if not source_path.is_file():
        raise StoreError(f"DATABASE_PATH {source} does not exist; nothing to back up")
    _refuse_database_files(source_path, target_path)
    if target_path.exists():
        if target_path.is_dir():
            raise StoreError(f"{target} is a folder; give the backup's file name")
        if not force:
            raise StoreError(f"{target} already exists; add --force to replace it")
    if not target_path.parent.is_dir():
        raise StoreError(f"{target_path.parent} does not exist; create the folder first")
    partial = target_path.with_name(f".{target_path.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
        # Read-only: the backup never changes the database it copies.
        src = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            dst = sqlite3.connect(partial)
            try:
                if progress is None:
                    src.backup(dst)  # all pages in one step: one consistent snapshot
                else:  # SQLite restarts the copy if the bot writes between two steps
                    src.backup(
                        dst,
                        pages=BACKUP_STEP_PAGES,
                        sleep=0,
                        progress=lambda _, left, total: progress(total - left, total),
                    )
                verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
        if verdict != "ok":
            raise StoreError(f"the copy of {source} failed its integrity check: {verdict}")
        os.replace(partial, target_path)
    except (OSError, sqlite3.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StoreError(f"backup of {source} to {target} failed: {reason}") from None
    finally:
        partial.unlink(missing_ok=True)
    return target_path.stat().st_size
