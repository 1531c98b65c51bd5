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

One concern a module: :mod:`~bot.store.schema` (the schema, its migrations, opening the
file), :mod:`~bot.store.chats` (:class:`Store`), :mod:`~bot.store.tickets` (the hand-over's
tables), :mod:`~bot.store.backup` and :mod:`~bot.store.gate` (:class:`StoreGate`, what the
running bot talks to).
"""

from bot.masking import MAX_UNANSWERED_CHARS, mask_personal
from bot.store.backup import BACKUP_STEP_PAGES, backup
from bot.store.chats import StatRow, Store, Turn, UnansweredRow, utc_today
from bot.store.gate import StoreGate
from bot.store.schema import MEMORY, MIGRATIONS, SCHEMA_VERSION, StoreError
from bot.store.tickets import HandoverStat, TicketRow, TicketStore, Transactional

__all__ = [
    "BACKUP_STEP_PAGES",
    "MAX_UNANSWERED_CHARS",
    "MEMORY",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "HandoverStat",
    "StatRow",
    "Store",
    "StoreError",
    "StoreGate",
    "TicketRow",
    "TicketStore",
    "Transactional",
    "Turn",
    "UnansweredRow",
    "backup",
    "mask_personal",
    "utc_today",
]
