"""The hand-over's tables (``tickets``, ``ticket_messages``, ``handover_stats``) in the
store's file, with the store's lock: routing only, never a text.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol


class Transactional(Protocol):
    """What :class:`TicketStore` needs of the store: its day, a write transaction and a
    read block (a :class:`~bot.store.Store` or the :class:`~bot.store.StoreGate` before it)."""

    def today(self) -> dt.date:
        """The current day, as the store counts days."""
        ...

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One write transaction."""
        ...

    def reading(self) -> AbstractContextManager[sqlite3.Connection]:
        """The connection for reads, with the store's lock held."""
        ...


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


def _ticket(row: tuple[Any, ...] | None) -> TicketRow | None:
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

    def __init__(self, store: Transactional) -> None:
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
        args: tuple[str, ...] = ()
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
