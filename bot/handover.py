"""Questions handed to a person at the clinic ("Ask the clinic"), without any Telegram.

A person presses "Ask the clinic" (under the fallback, answers on topics the article does not
cover, the booking answer) or sends ``/ask``; the bot says what will be shared and asks for
the question, or offers to send the question just asked, with "Send" and "Cancel". On
"Send" a ticket is opened and posted to the clinic staff's group as "Question #12 from
Anna: ..."; a staff reply to that message is carried back as "The clinic replied ...", and
the person's reply to that goes back to the same ticket.

This module decides everything that is not transport: the flow of one chat (waiting for a
question, the draft), tickets and the three-open-tickets limit, which message belongs to
which ticket, who may close what, and every text (worded in ``responses/messages.yml``). The
adapter (:mod:`bot.telegram.handover`) only sends messages and reports their ids back.

Privacy: the draft question lives in memory only, until sent or cancelled (and at most
:data:`DRAFT_SECONDS`). The database keeps routing data only (see
:class:`bot.store.TicketStore`): no question or reply text, no name.

Safety first: a question that describes urgent symptoms (or a crisis) gets the bot's urgent
answer at once, whatever happens to the hand-over, and the staff message is marked
:data:`URGENT_MARK` on its first line. When the bot has an answer of its own, the person
gets it together with the offer to send the question.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from string import Formatter

from bot.content import FIND_THERAPIST, is_topic
from bot.dialogue import BOOKING, Dialogue
from bot.replies import MENU, Button, Reply, ReplyKind
from bot.safety import Outcome
from bot.settings import Clinic
from bot.store import TicketRow, TicketStore

logger = logging.getLogger(__name__)

ASK = "ask"
"""Button payload of "Ask the clinic"."""

SEND = "ask:send"
"""Button payload of "Send" (the adapter posts the ticket)."""

CANCEL = "ask:cancel"
"""Button payload of "Cancel"."""

DONE_PREFIX = "done:"
"""Payload prefix of the staff group's "Done" button (followed by the ticket number)."""

TAKE_PREFIX = "take:"
"""Payload prefix of the staff group's "I'll take it" button (and of the status button that
replaces it: pressing that says who has the question)."""

MAX_TEAM_NOTES = 10_000
"""Tickets whose staff member (who took, answered or closed it) is remembered, in memory."""

MAX_OPEN = 3
"""Open questions one chat may have at once."""

DRAFT_SECONDS = 3600.0
"""A draft or a remembered question is forgotten after this long without being sent."""

MAX_DRAFTS = 10_000
"""Chats whose draft is kept in memory at once (the oldest are dropped first)."""

MAX_QUESTION_CHARS = 3500
"""Longest question passed on (the staff message must fit one Telegram message)."""

MAX_NAME_CHARS = 64

URGENT_MARK = "URGENT SYMPTOMS DESCRIBED"
"""First line of a staff message whose text describes urgent symptoms or a crisis. It stays
here, not in ``messages.yml``: the adapter recognises the bot's own questions in the staff group
by it (``handover_staff_help`` quotes it as ``{urgent_mark}``)."""

OFFERED_AFTER_KINDS = frozenset({"not_covered", "guidance"})
"""Response kinds (topics the article does not cover) whose answers offer the hand-over."""

OFFERED_AFTER_INTENTS = frozenset({BOOKING, FIND_THERAPIST})
"""The booking answers offer it too."""


@dataclass
class _Draft:
    """A chat that pressed "Ask the clinic": the question so far (memory only)."""

    question: str
    urgent: bool
    at: float


@dataclass(frozen=True)
class Opened:
    """A ticket just opened, to be posted to the staff group.

    Attributes:
        number: The ticket number.
        chat: The person's chat key.
        question: The question as typed (never stored).
        urgent: The question describes urgent symptoms or a crisis.
    """

    number: int
    chat: str
    question: str
    urgent: bool


@dataclass(frozen=True)
class Staff:
    """A staff member as Telegram shows them (memory only, never stored).

    Attributes:
        user_id: Their Telegram user id (tells two people of the same name apart).
        name: Their first name.
    """

    user_id: int
    name: str


@dataclass(frozen=True)
class Closing:
    """The outcome of ``/done`` or "Done".

    Attributes:
        note: What the staff group is told.
        ticket: The ticket, when it was closed just now (its message is then edited and
            the person told); ``None`` otherwise.
        person_text: What the person is told (plain text), with ``ticket``.
    """

    note: str
    ticket: TicketRow | None = None
    person_text: str = ""


@dataclass(frozen=True)
class FollowUp:
    """A person's reply to the clinic, checked for urgent symptoms first.

    Attributes:
        urgent_reply: The bot's urgent answer to send the person at once, or ``None``.
        staff_text: What the staff group gets (plain text, the adapter escapes it).
    """

    urgent_reply: Reply | None
    staff_text: str


class HandOver:
    """The hand-over's logic over the ticket tables.

    Args:
        tickets: The ticket tables of the bot's store.
        dialogue: For the safety screen, the matcher and the urgent answers.
        staff_chat: The staff group's chat key (``telegram:<group id>``).
        clinic: Opening hours and the phone number for when the group cannot be reached.
        clock: Unix seconds (answer times).
        monotonic: Seconds for draft expiry (injectable for tests).
        max_open: Open questions per chat.
    """

    def __init__(
        self,
        tickets: TicketStore,
        dialogue: Dialogue,
        staff_chat: str,
        *,
        clinic: Clinic | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        max_open: int = MAX_OPEN,
    ) -> None:
        self.tickets = tickets
        self.dialogue = dialogue
        self.staff_chat = staff_chat
        self.clinic = clinic or Clinic()
        self.max_open = max_open
        self._clock = clock
        self._monotonic = monotonic
        self._drafts: OrderedDict[str, _Draft] = OrderedDict()
        self._asked: OrderedDict[str, _Draft] = OrderedDict()
        # Ticket number -> (who, "taken" | "answered" | "closed"): the staff group's view of
        # who works on what, in memory only (a restart forgets the names, not the tickets).
        self._team: OrderedDict[int, tuple[Staff, str]] = OrderedDict()
        self._quietly_closed: dict[str, list[TicketRow]] = {}
        self._ticket_re: tuple[str, re.Pattern[str]] | None = None

    # --- the patient's side --------------------------------------------------------------

    def offers(self, reply: Reply) -> bool:
        """True when ``reply`` should carry an "Ask the clinic" button."""
        if reply.red_flag or reply.kind == ReplyKind.CRISIS:
            return False
        if reply.kind == ReplyKind.FALLBACK:
            return True
        if reply.intent is None or reply.intent not in self.dialogue.content.responses:
            return False
        kind = self.dialogue.content.responses[reply.intent].kind
        return kind in OFFERED_AFTER_KINDS or reply.intent in OFFERED_AFTER_INTENTS

    def with_button(self, chat: str, reply: Reply, question: str | None = None) -> Reply:
        """Add "Ask the clinic" to ``reply`` when it offers the hand-over.

        Args:
            chat: The chat key.
            reply: The bot's answer.
            question: The typed message ``reply`` answers; remembered (in memory only) so
                "Ask the clinic" can offer to send it. ``None`` for button presses.
        """
        self._asked.pop(chat, None)
        if not self.offers(reply) or is_group(chat):  # questions to the clinic are private
            return reply
        if question and question.strip():
            self._keep(self._asked, chat, _Draft(question.strip(), False, self._monotonic()))
        buttons = list(reply.buttons)
        at = len(buttons) - 1 if buttons and buttons[-1].payload == MENU else len(buttons)
        buttons.insert(at, Button(self._says("handover_ask_label"), ASK))
        return dataclasses.replace(reply, buttons=tuple(buttons))

    def start(self, chat: str, *, opted_out: bool = False) -> Reply:
        """ "Ask the clinic" or ``/ask``: say what is shared, then ask for the question or
        offer to send the one just asked."""
        asked = self._take(self._asked, chat)
        if opted_out:
            return self._note(self._says("handover_opted_out"))
        full = self._limit_note(chat)
        if full is not None:
            return full
        intro = self._intro()
        if asked is None:
            self._keep(self._drafts, chat, _Draft("", False, self._monotonic()))
            return Reply(
                f"{intro}\n\n{self._says('handover_type')}",
                (self.cancel_button(),),
                kind=ReplyKind.HANDOVER_ASK,
            )
        draft = self._draft(asked.question)
        self._keep(self._drafts, chat, draft)
        return Reply(
            f"{intro}\n\n{self._says('handover_asked', question=draft.question)}",
            (self._send_button(), self.cancel_button()),
            kind=ReplyKind.HANDOVER_CONFIRM,
        )

    def waiting(self, chat: str) -> bool:
        """True while ``chat`` pressed "Ask the clinic" and has not sent or cancelled."""
        draft = self._drafts.get(chat)
        if draft is None:
            return False
        if self._monotonic() - draft.at > DRAFT_SECONDS:
            del self._drafts[chat]
            return False
        return True

    def typed(self, chat: str, text: str) -> Reply:
        """The question typed after "Ask the clinic": urgent answer first, the bot's own
        answer when it has one, then "Send" and "Cancel"."""
        if not text.strip():
            return Reply(
                self._says("handover_empty"),
                (self.cancel_button(),),
                kind=ReplyKind.HANDOVER_ASK,
            )
        draft = self._draft(text)
        self._keep(self._drafts, chat, draft)
        buttons = (self._send_button(), self.cancel_button())
        if draft.urgent:
            urgent = self._urgent_answer(text)
            return Reply(
                f"{urgent.text}\n\n{self._says('handover_urgent')}",
                buttons,
                kind=urgent.kind,
                intent=urgent.intent,
                red_flag=True,
                sensitive=True,
            )
        decision = self.dialogue.matcher.decide(text)
        if decision.kind == "intent" and decision.intent and is_topic(decision.intent):
            answer = self.dialogue.answer(decision.intent, score=decision.score)
            return Reply(
                f"{answer.text}\n\n{self._says('handover_as_well')}",
                buttons,
                kind=ReplyKind.HANDOVER_CONFIRM,
                intent=answer.intent,
            )
        return Reply(
            self._says("handover_confirm", question=draft.question),
            buttons,
            kind=ReplyKind.HANDOVER_CONFIRM,
        )

    def cancel(self, chat: str) -> Reply:
        """ "Cancel": forget the draft."""
        self._drafts.pop(chat, None)
        self._asked.pop(chat, None)
        return self._note(self._says("handover_cancelled"))

    def open(self, chat: str) -> Opened | Reply:
        """ "Send": open a ticket for the draft (the adapter then posts it).

        Returns:
            The ticket to post, or a note when there is nothing to send or the chat has
            :attr:`max_open` open questions already.
        """
        if not self.waiting(chat):
            return self._note(self._says("handover_nothing_waiting"))
        draft = self._drafts[chat]
        if not draft.question:
            return Reply(
                self._says("handover_type_first"),
                (self.cancel_button(),),
                kind=ReplyKind.HANDOVER_ASK,
            )
        full = self._limit_note(chat)
        if full is not None:
            del self._drafts[chat]
            return full
        del self._drafts[chat]
        number = self.tickets.open(chat, int(self._clock()))
        logger.info("hand-over: ticket #%d opened%s", number, " (urgent)" if draft.urgent else "")
        return Opened(number, chat, draft.question, draft.urgent)

    def staff_text(self, opened: Opened, first_name: str) -> str:
        """The staff group's message for a new ticket (plain text)."""
        return self._for_staff(
            "handover_ticket", opened.number, first_name, opened.question, opened.urgent
        )

    def _for_staff(
        self, key: str, number: int, first_name: str, question: str, urgent: bool
    ) -> str:
        """A person's question as the staff group sees it: the wording ``key``, under
        :data:`URGENT_MARK` when it told of urgent symptoms."""
        text = self._says(key, number=str(number), name=self._name(first_name), question=question)
        return f"{URGENT_MARK}\n{text}" if urgent else text

    def ticket_number(self, text: str) -> int | None:
        """The number of the question whose staff message ``text`` is (as
        :meth:`staff_text` wrote it, read by the words around ``{number}`` in
        ``handover_ticket``), else None."""
        match = self._ticket_pattern().match(text)
        return int(match.group(1)) if match else None

    def _ticket_pattern(self) -> re.Pattern[str]:
        template = self.dialogue.content.messages["handover_ticket"]
        if self._ticket_re is None or self._ticket_re[0] != template:
            self._ticket_re = (template, _ticket_pattern(template))
        return self._ticket_re[1]

    def done_button(self, number: int) -> Button:
        """The staff message's "Done" button."""
        return Button(self._says("handover_done_label"), f"{DONE_PREFIX}{number}")

    def ticket_buttons(self, number: int) -> tuple[Button, ...]:
        """The buttons under ticket ``number``'s message in the staff group: "I'll take it"
        and "Done" while nobody has it; then who has it and "Done"; once closed, only who
        closed it."""
        who = self._team.get(number)
        status = f"{TAKE_PREFIX}{number}"
        if who is None:
            return (Button(self._says("handover_take_label"), status), self.done_button(number))
        staff, what = who
        label = self._says(f"handover_{what}_label", name=staff.name)
        if what == "closed":
            return (Button(label, status),)
        return (Button(label, status), self.done_button(number))

    def take(self, chat: str, number: int, staff: Staff) -> tuple[str, bool] | None:
        """ "I'll take it" (or the status button that replaced it).

        Returns:
            What the presser is told, and whether the ticket's buttons change; ``None``
            outside the staff group.
        """
        if chat != self.staff_chat:
            return None
        ticket = self.tickets.get(number)
        if ticket is None:
            return self._says("handover_no_such", number=str(number)), False
        who = self._team.get(number)
        if ticket.closed:
            closer = self._by(who[0]) if who and who[1] == "closed" else ""
            return self._says("handover_was_closed", number=str(number), by=closer), False
        if who is not None:
            if who[0].user_id == staff.user_id:
                return self._says("handover_yours", number=str(number)), False
            state = self._says(f"handover_state_{who[1]}")
            return (
                self._says("handover_has_it", name=who[0].name, number=str(number), state=state),
                False,
            )
        self._note_team(number, staff, "taken")
        logger.info("hand-over: ticket #%d taken", number)
        return self._says("handover_yours", number=str(number)), True

    def posted(self, opened: Opened, message_id: int) -> Reply:
        """The ticket is in the staff group as ``message_id``: remember that and confirm
        to the person."""
        self.tickets.posted(opened.number, self.staff_chat, message_id, urgent=opened.urgent)
        hours = f" ({self.clinic.hours})" if self.clinic.hours else ""
        lines = [self._says("handover_sent", number=str(opened.number), hours=hours)]
        if opened.urgent:
            number = self.dialogue.safety.emergency_number
            lines.append(self._says("handover_sent_urgent", emergency_number=number))
        return self._note("\n\n".join(lines))

    def not_reachable(self, opened: Opened | None = None) -> Reply:
        """The staff group cannot be reached (the bot was removed): the ticket is erased
        and the person gets the clinic's phone number."""
        if opened is not None:
            self.tickets.delete(opened.number)
        lines = [self._says("handover_unreachable")]
        if self.clinic.phone:
            lines.append(self._says("handover_call", phone=self.clinic.phone))
        elif self.clinic.booking_url or self.clinic.address:
            lines.append(self._says("handover_contact_at"))
            if self.clinic.booking_url:
                lines.append(self._says("handover_book_online", url=self.clinic.booking_url))
            if self.clinic.address:
                lines.append(self._says("handover_address", address=self.clinic.address))
        else:
            lines.append(self._says("handover_contact"))
        if opened is not None and opened.urgent:
            number = self.dialogue.safety.emergency_number
            lines.append(self._says("handover_unreachable_urgent", emergency_number=number))
        return self._note("\n".join(lines))

    def forget(self, chat: str) -> int:
        """Drop the chat's draft; returns how many tickets it has stored (the store's
        ``forget`` erases them)."""
        self._drafts.pop(chat, None)
        self._asked.pop(chat, None)
        return self.tickets.count(chat)

    # --- the person's replies to the clinic ----------------------------------------------

    def person_ticket(self, chat: str, replied_message_id: int) -> TicketRow | None:
        """The ticket whose relayed answer the person replied to, if any."""
        if chat == self.staff_chat:
            return None
        ticket = self.tickets.by_message(chat, replied_message_id)
        return ticket if ticket is not None and ticket.chat == chat else None

    def follow_up(self, ticket: TicketRow, text: str, first_name: str) -> FollowUp:
        """The person's reply to ticket ``ticket``: urgent answer first, then the staff
        group's message."""
        draft = self._draft(text)
        staff = self._for_staff(
            "handover_follow_up", ticket.number, first_name, draft.question, draft.urgent
        )
        return FollowUp(self._urgent_answer(text) if draft.urgent else None, staff)

    def followed_up(self, ticket: TicketRow, message_id: int) -> Reply:
        """The person's reply is in the staff group as ``message_id``."""
        self.tickets.link(ticket.number, self.staff_chat, message_id)
        text = self._says("handover_passed_on", number=str(ticket.number))
        return Reply(text, kind=ReplyKind.NOTE)

    def closed_note(self, ticket: TicketRow) -> Reply:
        """The person replied to a closed ticket."""
        return self._note(self._says("handover_reply_closed", number=str(ticket.number)))

    def only_text_note(self) -> Reply:
        """The person replied with a photo, voice note or file."""
        return Reply(self._says("handover_only_text"), kind=ReplyKind.NOTE)

    # --- the staff group -----------------------------------------------------------------

    def is_staff(self, chat: str) -> bool:
        """True for the staff group."""
        return chat == self.staff_chat

    def staff_ticket(self, chat: str, replied_message_id: int) -> TicketRow | None:
        """The ticket a staff member replied to (only in the staff group)."""
        if chat != self.staff_chat:
            return None
        return self.tickets.by_message(chat, replied_message_id)

    def relay_text(self, ticket: TicketRow, text: str) -> str:
        """What the person sees of a staff reply (plain text)."""
        return self._says("handover_replied", number=str(ticket.number), text=text)

    def relay_caption(self, ticket: TicketRow, caption: str) -> str:
        """The caption of a photo or file relayed from the clinic (plain text)."""
        head = self._says("handover_replied_head", number=str(ticket.number))
        return f"{head}:\n\n{caption}"[:1024] if caption else head

    def relayed(
        self, ticket: TicketRow, message_id: int, staff: Staff | None = None
    ) -> tuple[str | None, bool]:
        """A staff reply reached the person as ``message_id`` (the person can reply to it).

        Returns:
            A note for the staff member when a colleague answered this question already
            (else ``None``), and whether the ticket's buttons change (its first answer).
        """
        self.tickets.link(ticket.number, ticket.chat, message_id)
        self.tickets.answered(ticket.number, int(self._clock()))
        if staff is None:
            return None, False
        who = self._team.get(ticket.number)
        if who is None or (who[1] == "taken" and who[0].user_id == staff.user_id):
            self._note_team(ticket.number, staff, "answered")
            return None, True
        if who[0].user_id == staff.user_id:
            return None, False
        key = "handover_had_taken" if who[1] == "taken" else "handover_already_answered"
        return self._says(key, name=who[0].name, number=str(ticket.number)), False

    def undeliverable(self, ticket: TicketRow) -> str:
        """The person blocked the bot or deleted the chat: close the ticket, tell staff."""
        self.tickets.close(ticket.number)
        unreachable = Staff(0, self._says("handover_closed_unreachable"))
        self._note_team(ticket.number, unreachable, "closed")
        return self._says("handover_undeliverable", number=str(ticket.number))

    def not_relayed_note(self, ticket: TicketRow) -> str:
        """Staff replied with something other than text, a photo or a file."""
        return self._says("handover_not_relayed", number=str(ticket.number))

    def gone_note(self, number: int) -> str:
        """Staff replied to a ticket that no longer exists."""
        return self._says("handover_gone", number=str(number))

    def closing(self, chat: str, number: int, staff: Staff | None = None) -> Closing | None:
        """``/done <number>`` or "Done" by ``staff``: close the ticket; ``None`` (do
        nothing) outside the staff group."""
        if chat != self.staff_chat:
            return None
        if self.tickets.close(number):
            logger.info("hand-over: ticket #%d closed", number)
            ticket = self.tickets.get(number)
            by = ""
            if staff is not None:
                self._note_team(number, staff, "closed")
                by = self._by(staff)
            if ticket is None:  # erased in between
                return Closing(self._says("handover_now_closed", number=str(number), by=by))
            return Closing(
                self._says("handover_now_closed_told", number=str(number), by=by),
                ticket,
                self._says("handover_closed", number=str(number)),
            )
        ticket = self.tickets.get(number)
        if ticket is None:
            return Closing(self._says("handover_no_such", number=str(number)))
        return Closing(self._says("handover_already_closed", number=str(number)))

    def close_for(self, chat: str) -> list[TicketRow]:
        """Close every open ticket of ``chat`` (the person sent /optout); the adapter then
        tells the staff group (:meth:`quietly_closed`)."""
        closed = []
        person = Staff(0, self._says("handover_closed_optout"))
        for ticket in self.tickets.open_tickets(chat):
            if self.tickets.close(ticket.number):
                self._note_team(ticket.number, person, "closed")
                closed.append(ticket)
        if closed:
            self._quietly_closed.setdefault(chat, []).extend(closed)
            logger.info("hand-over: %d ticket(s) closed by /optout", len(closed))
        return closed

    def quietly_closed(self, chat: str) -> list[TicketRow]:
        """Tickets :meth:`close_for` closed for ``chat`` that staff were not told of yet."""
        return self._quietly_closed.pop(chat, [])

    def optout_note(self, ticket: TicketRow) -> str:
        """What the staff group is told of a ticket closed by the person's /optout."""
        return self._says("handover_optout_closed", number=str(ticket.number))

    def migrated(self, new_chat: str) -> None:
        """The staff group became a supergroup: it is ``new_chat`` from now on."""
        self.staff_chat = new_chat

    def open_list(self, chat: str) -> str | None:
        """``/open``: the open tickets; ``None`` (do nothing) outside the staff group."""
        if chat != self.staff_chat:
            return None
        tickets = sorted(self.tickets.open_tickets(), key=lambda t: (not t.urgent, t.number))
        if not tickets:
            return self._says("handover_open_none")
        urgent = sum(t.urgent for t in tickets)
        lines = [self._says("handover_open_head", count=str(len(tickets)), urgent=str(urgent))]
        for ticket in tickets:
            who = self._team.get(ticket.number)
            if who is not None:
                what = self._says(f"handover_state_{who[1]}")
                state = self._says("handover_open_by", state=what, name=who[0].name)
            else:
                state = self._says(
                    "handover_open_answered" if ticket.answered else "handover_open_waiting"
                )
            key = "handover_open_line_urgent" if ticket.urgent else "handover_open_line"
            day = ticket.day.isoformat()
            lines.append(self._says(key, number=str(ticket.number), day=day, state=state))
        lines.append("")
        lines.append(self._says("handover_open_foot"))
        return "\n".join(lines)

    def staff_help(self) -> str:
        """What staff can do in the group."""
        return self._says("handover_staff_help", urgent_mark=URGENT_MARK)

    def help_line(self) -> str:
        """Added to the person's /help when the hand-over is on."""
        return self._says("handover_help_line")

    # --- privacy -------------------------------------------------------------------------

    # --- helpers -------------------------------------------------------------------------

    def _intro(self) -> str:
        who = self.clinic.name or self._says("handover_unnamed_clinic")
        hours = f" ({self.clinic.hours})" if self.clinic.hours else ""
        return self._says("handover_intro", clinic=who, hours=hours)

    def _limit_note(self, chat: str) -> Reply | None:
        if len(self.tickets.open_tickets(chat)) < self.max_open:
            return None
        return self._note(self._says("handover_limit", max_open=str(self.max_open)))

    def _draft(self, text: str) -> _Draft:
        question = text.strip()
        outcome = self.dialogue.screen.assess(text).outcome
        urgent = outcome in (Outcome.URGENT, Outcome.CRISIS)
        return _Draft(question[:MAX_QUESTION_CHARS], urgent, self._monotonic())

    def _urgent_answer(self, text: str) -> Reply:
        if self.dialogue.screen.assess(text).outcome == Outcome.CRISIS:
            return self.dialogue.crisis()
        return self.dialogue.urgent()

    def _note_team(self, number: int, staff: Staff, what: str) -> None:
        self._team[number] = (staff, what)
        self._team.move_to_end(number)
        while len(self._team) > MAX_TEAM_NOTES:
            self._team.popitem(last=False)

    def _keep(self, where: OrderedDict[str, _Draft], chat: str, draft: _Draft) -> None:
        where[chat] = draft
        where.move_to_end(chat)
        while len(where) > MAX_DRAFTS:
            where.popitem(last=False)

    def _take(self, where: OrderedDict[str, _Draft], chat: str) -> _Draft | None:
        draft = where.pop(chat, None)
        if draft is None or self._monotonic() - draft.at > DRAFT_SECONDS:
            return None
        return draft

    def _says(self, key: str, **fields: str) -> str:
        """Message ``key`` of ``messages.yml``, its ``{fields}`` filled in."""
        return self.dialogue.content.messages[key].format(**fields)

    def _send_button(self) -> Button:
        return Button(self._says("handover_send_label"), SEND)

    def cancel_button(self) -> Button:
        """ "Cancel": drops the question being written."""
        return Button(self._says("handover_cancel_label"), CANCEL)

    def _by(self, staff: Staff) -> str:
        """`` by Maria``: who closed a question, for ``{by}`` (the space first: messages are
        read stripped)."""
        return " " + self._says("handover_by", name=staff.name)

    def _name(self, first_name: str) -> str:
        """A person's first name as the staff group sees it (``handover_someone`` if none)."""
        name = " ".join(first_name.split())[:MAX_NAME_CHARS]
        return name or self._says("handover_someone")

    def _note(self, text: str) -> Reply:
        return Reply(
            text, (Button(self.dialogue.content.messages["menu_label"], MENU),), kind=ReplyKind.NOTE
        )


def _ticket_pattern(template: str) -> re.Pattern[str]:
    """A pattern for the staff messages ``template`` (``handover_ticket``) writes: its words up
    to ``{number}`` (other fields as anything), the number, and the words right after it, so
    "#12" is never read as "#1". Without ``{number}`` (the content check reports that) it
    matches nothing."""
    parts = [rf"^(?:{re.escape(URGENT_MARK)}\n)?"]
    try:
        pieces = list(Formatter().parse(template))
    except ValueError:
        pieces = []
    for i, (literal, field, _, _) in enumerate(pieces):
        parts.append(re.escape(literal))
        if field == "number":
            parts.append(r"(\d+)")
            if i + 1 < len(pieces):
                parts.append(re.escape(pieces[i + 1][0]))
            return re.compile("".join(parts), re.DOTALL)
        if field is not None:
            parts.append(".*?")
    return re.compile(r"(?!)(\d+)")


def is_group(chat: str) -> bool:
    """True for a Telegram group's chat key (group ids are negative)."""
    return chat.startswith("telegram:-")
