"""The dialogue with a memory: what every adapter calls.

:class:`ChatService` loads a chat's state from the :class:`~bot.store.Store`, lets the pure
:class:`~bot.dialogue.Dialogue` answer, and records the turn: the chat's new state, an
anonymous counter and, for questions it could not answer, the question without any identity
(never a red-flag message). It also answers the privacy commands (``/privacy``, ``/forget``,
``/optout``, ``/optin``), whose wording is built from the store's real settings.

A failing database never costs the person their answer: the failure is logged once (until
the store works again) and the reply goes out as usual.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from bot.content import RED_FLAGS, Content
from bot.dialogue import Dialogue
from bot.handover import ASK, CANCEL, HandOver, is_group
from bot.replies import DETAILS, MENU, Button, ChatState, Reply, ReplyKind
from bot.settings import Settings
from bot.store import MAX_UNANSWERED_CHARS, MEMORY, Store, Turn
from bot.store.gate import StoreGate
from bot.voice import MIN_CONFIDENCE, Heard, answer_heard

logger = logging.getLogger(__name__)

UNANSWERED_KINDS = frozenset({ReplyKind.FALLBACK, ReplyKind.DID_YOU_MEAN})
"""Reply kinds whose question is kept for the report."""

MOMENT_SECONDS = 3600.0
"""How long the kind of a chat's last reply is kept in memory for reading the next message."""
MAX_MOMENTS = 10_000
"""Chats whose last reply's kind is kept in memory; the longest quiet are dropped first."""
STORE_ERROR_QUIET_SECONDS = 600.0
"""A database failure is logged as an error at most this often: a nearly full disk lets a
small write through now and then, and each such flap would otherwise log the error again."""


class ChatService:
    """Dialogue plus store.

    Build it with :meth:`from_settings`, as every entry point does (``run``, ``chat`` and the
    tests' running bots).

    Args:
        dialogue: Produces every answer.
        store: Remembers chats and keeps the anonymous statistics; a bare store is put
            behind a :class:`~bot.store.gate.StoreGate`, so every service reaches its
            database the same way.
    """

    def __init__(self, dialogue: Dialogue, store: Store | StoreGate) -> None:
        self.dialogue = dialogue
        self.store = store if isinstance(store, StoreGate) else StoreGate(store)
        self._store_failing = False
        self._store_error_logged = -STORE_ERROR_QUIET_SECONDS
        self.handover: HandOver | None = None
        """Questions to the clinic; set by an adapter that can reach the staff group."""
        self._moments: OrderedDict[str, tuple[float, str, tuple[str, ...]]] = OrderedDict()
        """What each chat's last reply was (``ChatState.last_kind`` and ``offered``): kept in
        memory only, never in the database, since it may say the urgent answer was shown."""
        self._moments_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, dialogue: Dialogue | None = None) -> ChatService:
        """The service of every entry point: the store at ``DATABASE_PATH`` behind the gate,
        and the content (loaded unless given).

        Raises:
            bot.content.ContentError: the content has problems.
            StoreError: the database cannot be used.
        """
        dialogue = dialogue or Dialogue.from_settings(settings)
        # Behind the gate, a database locked by another process costs one wait, not one
        # per chat (see bot.store.gate).
        return cls(dialogue, StoreGate(Store.from_settings(settings)))

    # --- what adapters call --------------------------------------------------------------

    @property
    def content(self) -> Content:
        """The content the dialogue answers from."""
        return self.dialogue.content

    def message(self, chat: str, text: str) -> Reply:
        """Answer a typed message.

        Args:
            chat: The adapter's chat key (``telegram:<chat id>``, ``terminal``).
            text: The message as typed.
        """
        if self.handover is not None and self.handover.waiting(chat):
            return self.handover.typed(chat, text)  # a question for the clinic: not recorded
        state = self._state(chat)
        reply, new_state = self.dialogue.handle(state, text, shared=is_group(chat))
        if reply.kind == ReplyKind.NO_HISTORY and self._opted_out(chat):
            reply = self.dialogue.no_memory()
        self._moment(chat, new_state)
        self._record(chat, "typed", reply, _changed(_stored(state), _stored(new_state)), text)
        return self._offer_handover(chat, reply, text)

    def press(self, chat: str, payload: str) -> Reply:
        """Answer a button press (``payload`` as sent back by the button)."""
        if self.handover is not None and payload in (ASK, CANCEL):
            if payload == CANCEL:
                return self.handover.cancel(chat)
            return self.handover.start(chat, opted_out=self._opted_out(chat))
        if payload == DETAILS:
            return self.privacy(chat)
        state = self._state(chat)
        reply, new_state = self.dialogue.handle(state, payload=payload, shared=is_group(chat))
        self._moment(chat, new_state)
        self._record(chat, "button", reply, _changed(_stored(state), _stored(new_state)), None)
        return self._offer_handover(chat, reply, None)

    def voice(self, chat: str, heard: Heard) -> Reply:
        """Answer what a voice note said as if it were typed, safety first; readings the
        engine was less sure of may add the urgent answer (:func:`bot.voice.answer_heard`).
        The transcript is never stored, not even as an unanswered question. Nothing heard,
        or heard too unsurely, gets "please say it again or type" with the topic menu.
        """
        if self.handover is not None and self.handover.waiting(chat):
            # A question for the clinic being written: the note is its text (not recorded).
            if not heard.text.strip() or heard.confidence < MIN_CONFIDENCE:
                return Reply(
                    self.content.messages["voice_not_heard_handover"],
                    (self.handover.cancel_button(),),
                    kind=ReplyKind.HANDOVER_ASK,
                )
            return self.handover.typed(chat, heard.text)
        state = self._state(chat)
        reply, new_state = answer_heard(self.dialogue, state, heard)
        if not reply.red_flag and (not heard.text.strip() or heard.confidence < MIN_CONFIDENCE):
            menu = self.dialogue.menu()
            reply = Reply(
                f"{self.content.messages['voice_not_heard']}\n\n{menu.text}",
                menu.buttons,
                kind=ReplyKind.NOT_HEARD,
            )
            new_state = state
        elif reply.kind == ReplyKind.NO_HISTORY and self._opted_out(chat):
            reply = self.dialogue.no_memory()
        self._moment(chat, new_state)
        self._record(chat, "voice", reply, _changed(_stored(state), _stored(new_state)), None)
        return (
            reply if reply.kind == ReplyKind.NOT_HEARD else self._offer_handover(chat, reply, None)
        )

    def not_text(self, chat: str) -> Reply:
        """Answer a sticker, photo, voice note or other non-text message."""
        reply = self.dialogue.not_text()
        self._record(chat, "other", reply, None, None)
        return reply

    def command(self, chat: str, name: str, argument: str = "") -> Reply:
        """Answer a command (without the slash); unknown commands get the help text.

        Args:
            chat: The adapter's chat key.
            name: ``start``, ``topics``, ``help``, ``about``, ``book``, ``privacy``,
                ``forget``, ``optout`` or ``optin``.
            argument: Text after the command (``/start <topic>`` deep links).
        """
        name = name.lower()
        if name == "forget":
            return self._forget(chat)
        if name == "optout":
            return self._opt_out(chat)
        if name == "optin":
            return self._opt_in(chat)
        if name == "ask" and self.handover is not None:
            return self.handover.start(chat, opted_out=self._opted_out(chat))
        state = None
        if name == "start":
            before = self._state(chat)
            reply, after = self.dialogue.start(before, argument)
            state = _changed(before, after)
        elif name == "topics":
            reply = self.dialogue.menu()
        elif name == "book":
            reply = self.dialogue.book()
        elif name == "privacy":
            reply = self.privacy_summary(chat)
        elif name == "about":
            reply = self.dialogue.about()
        else:
            reply = self.dialogue.help()
            if self.handover is not None and not is_group(chat):
                reply = dataclasses.replace(
                    reply, text=f"{reply.text}\n\n{self.handover.help_line()}"
                )
        self._record(chat, "command", reply, state, None)
        return self._offer_handover(chat, reply, None) if name == "book" else reply

    def tidy(self) -> None:
        """Housekeeping, called hourly by adapters (so an idle bot forgets on time too).

        Reopens the database if its file was deleted or replaced, writes the unanswered
        questions held in memory as one shuffled batch, purges what is past retention if not
        done yet today, and finishes an erasure that another program's reading held up.
        """
        steps = (
            self.store.check_file,
            self.store.flush_unanswered,
            self.store.purge_if_due,
            self.store.finish_erasure,
        )
        for step in steps:
            try:
                step()
            except sqlite3.Error as exc:
                self._failed("tidy", exc)

    def move(self, old: str, new: str) -> None:
        """The chat ``old`` continues as ``new`` (a group upgraded to a supergroup): what
        is stored about it, its opt-out above all, moves along."""
        try:
            self.store.move(old, new)
        except sqlite3.Error as exc:
            logger.error("moving a chat failed: %s: %s", type(exc).__name__, exc)

    def search(self, text: str, limit: int = 5) -> list[Reply]:
        """Answers for inline mode, best first (not recorded: inline queries have no chat)."""
        return self.dialogue.search(text, limit)

    # --- privacy -------------------------------------------------------------------------

    def privacy(self, chat: str | None = None) -> Reply:
        """Exactly what is stored, for how long, and how to erase it, from the settings
        (the wording is ``privacy`` and its companions in ``messages.yml``).

        Args:
            chat: When given, the text also says whether this chat is opted out.
        """
        days = self.store.retention_days
        parts = [
            self._label("privacy").format(
                where=self._where(), days=days, chars=MAX_UNANSWERED_CHARS
            )
        ]
        if self.handover is not None:
            parts.append(self._label("privacy_handover").format(days=days))
            parts.append("")
        parts.append(self._label("privacy_commands"))
        lines = "\n".join(parts).split("\n")
        if chat is not None:
            status = self._label(
                "privacy_opted_out" if self._opted_out(chat) else "privacy_remembered"
            )
            lines[1:1] = [status, ""]
        return Reply(
            "\n".join(lines), (Button(self._label("menu_label"), MENU),), kind=ReplyKind.PRIVACY
        )

    def privacy_summary(self, chat: str | None = None) -> Reply:
        """``/privacy`` on one phone screen, with "Details" for the whole of
        :meth:`privacy`."""
        summary = self._label("privacy_summary")
        lines = summary.format(where=self._where(), days=self.store.retention_days).split("\n")
        if self.handover is not None:
            lines.append(self._label("privacy_summary_handover"))
        lines.append(self._label("privacy_summary_commands"))
        if chat is not None and is_group(chat):
            lines.append(self._label("privacy_summary_group"))
        if chat is not None and self._opted_out(chat):
            lines[1:1] = [self._label("privacy_opted_out")]
        buttons = (
            Button(self._label("details_label"), DETAILS),
            Button(self._label("menu_label"), MENU),
        )
        return Reply("\n".join(lines), buttons, kind=ReplyKind.PRIVACY)

    def _where(self) -> str:
        """Where the store keeps what it keeps, in the privacy texts' words."""
        return self._label("privacy_on_disk" if self.store.path != MEMORY else "privacy_in_memory")

    def _forget(self, chat: str) -> Reply:
        tickets_note = ""
        try:
            if self.handover is not None and self.handover.forget(chat):
                tickets_note = f"\n\n{self._label('forget_handover')}"
        except sqlite3.Error as exc:
            self._failed("read", exc)
        self._moment(chat, None)
        try:
            complete = self.store.forget(chat)
        except sqlite3.Error as exc:
            return self._refused("forget", exc)
        if not complete:
            return self._note(self._label("forget_unfinished") + tickets_note)
        return self._note(self._label("forget_done") + tickets_note)

    def _opt_out(self, chat: str) -> Reply:
        reply = self._change(self.store.opt_out, chat, self._label("optout_done"))
        if self.handover is None or reply.text != self._label("optout_done"):
            return reply
        try:
            closed = self.handover.close_for(chat)
        except sqlite3.Error as exc:
            self._failed("write", exc)
            return reply
        if not closed:
            return reply
        numbers = ", ".join(f"#{t.number}" for t in closed)
        closing = self._label("optout_handover").format(numbers=numbers)
        return dataclasses.replace(reply, text=f"{reply.text}\n\n{closing}")

    def _opt_in(self, chat: str) -> Reply:
        return self._change(self.store.opt_in, chat, self._label("optin_done"))

    def _change(self, action: Callable[[str], None], chat: str, done: str) -> Reply:
        """Carry out a person's privacy command and confirm it, or say that it failed."""
        try:
            action(chat)
        except sqlite3.Error as exc:
            return self._refused(action.__name__, exc)
        return self._note(done)

    def _refused(self, action: str, exc: sqlite3.Error) -> Reply:
        logger.error("%s failed: %s: %s", action, type(exc).__name__, exc)
        return self._note(self._label("privacy_failed"))

    # --- helpers -------------------------------------------------------------------------

    def _state(self, chat: str) -> ChatState:
        """The chat's state: topic and history from the store, the last reply's kind from
        memory."""
        try:
            state = self.store.state(chat)
        except sqlite3.Error as exc:
            self._failed("read", exc)
            state = ChatState()
        with self._moments_lock:
            moment = self._moments.get(chat)
        if moment is None or time.monotonic() - moment[0] > MOMENT_SECONDS:
            return state
        return dataclasses.replace(state, last_kind=moment[1], offered=moment[2])

    def _moment(self, chat: str, state: ChatState | None) -> None:
        """Keep (or drop) what the chat's last reply was, in memory only."""
        with self._moments_lock:
            if state is None or not (state.last_kind or state.offered):
                self._moments.pop(chat, None)
                return
            self._moments[chat] = (time.monotonic(), state.last_kind, state.offered)
            self._moments.move_to_end(chat)
            while len(self._moments) > MAX_MOMENTS:
                self._moments.popitem(last=False)

    def _opted_out(self, chat: str) -> bool:
        try:
            return self.store.opted_out(chat)
        except sqlite3.Error as exc:
            self._failed("read", exc)
            return False

    def _record(
        self, chat: str, source: str, reply: Reply, state: ChatState | None, text: str | None
    ) -> None:
        """Save one turn; ``state`` is the chat's new state, ``None`` when unchanged."""
        unanswered = None
        top_intent = top_score = None
        if text is not None and reply.kind in UNANSWERED_KINDS and not _mentions_red_flag(reply):
            unanswered = text
            if reply.candidates:
                top_intent, top_score = reply.candidates[0]
        turn = Turn(
            source=source,
            kind=ReplyKind.ANSWER if reply.kind in COUNTED_AS_ANSWER else reply.kind,
            intent=reply.intent,
            state=state,
            unanswered=unanswered,
            top_intent=top_intent,
            top_score=top_score,
        )
        try:
            self.store.save(chat, turn)
        except sqlite3.Error as exc:
            self._failed("write", exc)
            return
        if self._store_failing:
            logger.warning("the database works again")
            self._store_failing = False

    def _failed(self, action: str, exc: sqlite3.Error) -> None:
        """Log a database failure once (again only after :data:`STORE_ERROR_QUIET_SECONDS`,
        however often it flaps in between); the person still gets the answer."""
        if self._store_failing:
            return
        self._store_failing = True
        now = time.monotonic()
        if now - self._store_error_logged < STORE_ERROR_QUIET_SECONDS:
            logger.warning("the database failed again (%s: %s)", type(exc).__name__, exc)
            return
        self._store_error_logged = now
        logger.error(
            "could not %s the database (%s: %s); answering without it until it works",
            action,
            type(exc).__name__,
            exc,
        )

    def _offer_handover(self, chat: str, reply: Reply, text: str | None) -> Reply:
        """``reply`` with "Ask the clinic" when the hand-over is on and the reply offers it."""
        if self.handover is None:
            return reply
        return self.handover.with_button(chat, reply, text)

    def _label(self, key: str) -> str:
        return self.dialogue.content.messages[key]

    def _note(self, text: str) -> Reply:
        return Reply(text, (Button(self._label("menu_label"), MENU),), kind=ReplyKind.NOTE)


COUNTED_AS_ANSWER = frozenset({ReplyKind.ANSWER, ReplyKind.AS_ABOVE, ReplyKind.REST})
"""Reply kinds counted as answers of their topic (a repeat said "as above", "More")."""


def _changed(old: ChatState, new: ChatState) -> ChatState | None:
    return None if new == old else new


def _stored(state: ChatState) -> ChatState:
    """What of a new state the database keeps: the topic and the Back history."""
    return ChatState(state.last_intent, state.history)


def _mentions_red_flag(reply: Reply) -> bool:
    """True when the message touched on urgent symptoms or a crisis in any way, or the
    urgent-symptoms topic was among the candidates (such text is never kept)."""
    return (
        reply.red_flag
        or reply.sensitive
        or any(intent == RED_FLAGS for intent, _ in reply.candidates)
    )
