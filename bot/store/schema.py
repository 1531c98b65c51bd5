"""The store's file: its schema, the migrations that build it, and how it is opened.

:data:`MIGRATIONS` lists the forward migrations; the file's ``user_version`` says how many
have run. :func:`connect` opens (and creates) the file for the bot, :func:`connect_read_only`
for the report, and :func:`migrate` brings an open file up to :data:`SCHEMA_VERSION`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

logger = logging.getLogger(__name__)

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


def connect(path: str, busy_timeout: float) -> sqlite3.Connection:
    """Open the database for the bot, creating the file (owner-only) and its folder.

    Args:
        path: The database file, or :data:`MEMORY`.
        busy_timeout: Seconds to wait for another process's lock.

    Raises:
        StoreError: the folder or file cannot be created, or SQLite refuses the file.
    """
    if path != MEMORY:
        folder = Path(path).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"DATABASE_PATH {path}: cannot create its folder "
                f"({exc.strerror or type(exc).__name__})"
            ) from None
        if not Path(path).exists():
            # People's health questions: readable by the bot's user only (the WAL and
            # shared-memory files SQLite creates later take the same permissions).
            try:
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            except OSError as exc:
                raise StoreError(
                    f"DATABASE_PATH {path}: cannot create the file "
                    f"({exc.strerror or type(exc).__name__})"
                ) from None
    try:
        db = sqlite3.connect(
            path,
            isolation_level=None,
            check_same_thread=False,
            timeout=busy_timeout,
        )
        db.execute("PRAGMA secure_delete = ON")
        db.execute("PRAGMA foreign_keys = ON")
        if path != MEMORY:
            db.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL: a commit survives a crash of the bot's process; only a
            # power cut or an OS crash can roll back the last moments' commits, and
            # the file stays consistent either way. FULL would add an fsync (~0.5 ms)
            # to every message.
            db.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.Error as exc:
        raise StoreError(explain(path, exc)) from None
    return db


def connect_read_only(path: str, busy_timeout: float) -> sqlite3.Connection:
    """Open the file for reading only: no schema write, no purge, nothing created.

    A copy in a read-only folder (a backup) cannot get the shared-memory file SQLite
    wants for a WAL database; when no ``-wal`` file lies beside it (so no bot is
    writing to it), it is opened as immutable instead.

    Raises:
        StoreError: the file is missing, unreadable, not this bot's database, or newer.
    """
    file = Path(path)
    if not file.is_file():
        raise StoreError(f"DATABASE_PATH {path} does not exist")
    uri = file.resolve().as_uri()
    try:
        db = _connect_read_only(path, f"{uri}?mode=ro", busy_timeout)
    except sqlite3.OperationalError as exc:
        if "unable to open" not in str(exc) or Path(f"{path}-wal").exists():
            raise StoreError(explain(path, exc)) from None
        try:
            db = _connect_read_only(path, f"{uri}?mode=ro&immutable=1", busy_timeout)
        except sqlite3.Error as again:
            raise StoreError(explain(path, again)) from None
    except sqlite3.Error as exc:
        raise StoreError(explain(path, exc)) from None
    return db


def _connect_read_only(path: str, uri: str, busy_timeout: float) -> sqlite3.Connection:
    db = sqlite3.connect(
        uri, uri=True, isolation_level=None, check_same_thread=False, timeout=busy_timeout
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
            f"DATABASE_PATH {path} was written by a newer version of the bot "
            f"(schema {version}, this one knows {SCHEMA_VERSION})"
        )
    if not {"chats", "daily_stats", "unanswered"} <= tables:
        db.close()
        raise StoreError(f"DATABASE_PATH {path} is not a database of this bot")
    return db


def explain(path: str, exc: sqlite3.Error) -> str:
    """One line for the operator about why SQLite refused the file at ``path``."""
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
    return f"DATABASE_PATH {path} {reason}"


def migrate(db: sqlite3.Connection, path: str) -> None:
    """Run the migrations the file lacks, inside the caller's write transaction.

    Raises:
        StoreError: the file was written by a newer version of the bot.
    """
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"DATABASE_PATH {path} was written by a newer version of the bot "
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
