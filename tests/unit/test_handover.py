"""The hand-over's routing logic (bot/handover.py) and its tables, without Telegram."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType

import pytest

from bot.dialogue import Dialogue
from bot.handover import (
    ASK,
    CANCEL,
    DRAFT_SECONDS,
    MAX_OPEN,
    SEND,
    URGENT_MARK,
    HandOver,
    Opened,
    Staff,
)
from bot.replies import MENU, Reply
from bot.report import build_report, summarise_handovers
from bot.service import ChatService
from bot.settings import Clinic, load_settings
from bot.store import HandoverStat, Store, TicketRow, TicketStore
from bot.store.gate import StoreGate
from bot.voice import Heard

STAFF = "telegram:-100500"
ANNA = "telegram:41"
BEN = "telegram:42"
URGENT_QUESTION = "I suddenly can't control my bladder and my legs are numb"
OWN_CASE = "Can I come in on Tuesday with my own foam roller?"


class Clock:
    """Unix seconds and monotonic seconds, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _ticket(handover: HandOver, message_id: int) -> TicketRow:
    """The ticket of the staff group's message ``message_id`` (which must be one)."""
    ticket = handover.staff_ticket(STAFF, message_id)
    assert ticket is not None
    return ticket


def _stored(handover: HandOver, number: int) -> TicketRow:
    """Ticket ``number`` as stored now (which must exist)."""
    ticket = handover.tickets.get(number)
    assert ticket is not None
    return ticket


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "bot.sqlite3")
    yield store
    store.close()


@pytest.fixture
def handover(store: Store, dialogue: Dialogue, clock: Clock) -> HandOver:
    return HandOver(
        TicketStore(StoreGate(store)),  # as in the running bot: through the gate
        dialogue,
        STAFF,
        clinic=Clinic(name="Back Clinic", phone="020 7946 0000", hours="Mon-Fri 9-17"),
        clock=clock,
        monotonic=clock,
    )


@pytest.fixture
def service(dialogue: Dialogue, store: Store, handover: HandOver) -> ChatService:
    service = ChatService(dialogue, store)
    service.handover = handover
    return service


def payloads(reply: Reply) -> list[str]:
    return [button.payload for button in reply.buttons]


def send(handover: HandOver, chat: str, question: str) -> Opened:
    """Ask, type, send: returns the opened ticket."""
    handover.start(chat)
    handover.typed(chat, question)
    opened = handover.open(chat)
    assert isinstance(opened, Opened), opened
    return opened


# --------------------------------------------------------------------------------------
# where "Ask the clinic" is offered
# --------------------------------------------------------------------------------------


def test_the_fallback_offers_the_hand_over_before_the_topics_button(service: ChatService):
    reply = service.message(ANNA, OWN_CASE)
    assert reply.kind == "fallback"
    assert ASK in payloads(reply)
    label = service.content.messages["handover_ask_label"]
    assert reply.buttons[payloads(reply).index(ASK)].label == label == "Ask the clinic"


@pytest.mark.parametrize("intent", ["stretches_exercise", "when_to_get_help", "find_therapist"])
def test_topics_the_article_does_not_cover_and_booking_offer_it(service: ChatService, intent):
    assert ASK in payloads(service.press(ANNA, intent))


def test_book_offers_it_and_article_answers_do_not(service: ChatService):
    book = payloads(service.command(ANNA, "book"))
    assert ASK in book
    assert book[-1] == MENU  # "Ask the clinic" goes before the Topics button
    assert ASK not in payloads(service.press(ANNA, "sciatica_causes"))


def test_urgent_answers_never_carry_it(service: ChatService):
    reply = service.message(ANNA, URGENT_QUESTION)
    assert reply.red_flag
    assert ASK not in payloads(reply)


def test_without_the_hand_over_nothing_offers_it(dialogue: Dialogue, store: Store):
    service = ChatService(dialogue, store)
    assert ASK not in payloads(service.message(ANNA, OWN_CASE))
    assert ASK not in payloads(service.command(ANNA, "book"))
    assert service.command(ANNA, "ask").kind == "help"


# --------------------------------------------------------------------------------------
# the person's flow
# --------------------------------------------------------------------------------------


def test_ask_explains_what_is_shared_then_waits_for_the_question(service: ChatService):
    reply = service.command(ANNA, "ask")
    intro = reply.text.split("\n\n")[0].splitlines()
    assert len(intro) == 2
    assert "your question's text and your first name" in intro[0]
    assert "nothing else" in intro[0]
    assert "Mon-Fri 9-17" in intro[1]
    assert payloads(reply) == [CANCEL]
    assert service.handover.waiting(ANNA)


def test_the_question_just_asked_is_offered_for_sending(service: ChatService, handover):
    service.message(ANNA, OWN_CASE)
    reply = service.press(ANNA, ASK)
    assert OWN_CASE in reply.text
    assert payloads(reply) == [SEND, CANCEL]
    opened = handover.open(ANNA)
    assert isinstance(opened, Opened)
    assert (opened.number, opened.chat, opened.question) == (1, ANNA, OWN_CASE)


def test_a_question_answered_since_is_not_offered(service: ChatService):
    service.message(ANNA, OWN_CASE)
    service.press(ANNA, "sciatica_causes")  # moved on
    reply = service.press(ANNA, ASK)
    assert OWN_CASE not in reply.text
    assert payloads(reply) == [CANCEL]


def test_the_typed_question_is_not_recorded_or_answered_as_a_message(service, store: Store):
    service.command(ANNA, "ask")
    counts = store.counts()
    reply = service.message(ANNA, OWN_CASE)
    assert reply.kind == "handover_confirm"
    assert OWN_CASE in reply.text
    assert payloads(reply) == [SEND, CANCEL]
    assert store.counts() == counts  # no turn, no unanswered question kept


def test_a_question_the_bot_can_answer_gets_the_answer_with_the_offer(service, dialogue):
    service.command(ANNA, "ask")
    reply = service.message(ANNA, "what causes sciatica")
    expected = dialogue.answer("sciatica_causes").text
    assert reply.text.startswith(expected)
    assert payloads(reply) == [SEND, CANCEL]


def test_urgent_symptoms_get_the_urgent_answer_first_and_the_ticket_is_marked(
    service: ChatService, handover: HandOver, dialogue: Dialogue
):
    service.command(ANNA, "ask")
    reply = service.message(ANNA, URGENT_QUESTION)
    assert reply.red_flag
    assert reply.text.startswith(dialogue.urgent().text)
    assert payloads(reply) == [SEND, CANCEL]
    opened = handover.open(ANNA)
    assert isinstance(opened, Opened) and opened.urgent
    text = handover.staff_text(opened, "Anna")
    assert text.splitlines()[0] == URGENT_MARK
    assert text.splitlines()[1] == f"Question #1 from Anna: {URGENT_QUESTION}"
    confirmation = handover.posted(opened, 500)
    assert "don't wait" in confirmation.text


def test_a_crisis_gets_the_crisis_answer(service: ChatService, dialogue: Dialogue):
    service.command(ANNA, "ask")
    reply = service.message(ANNA, "I want to kill myself, the pain never stops")
    assert reply.text.startswith(dialogue.crisis().text)


def test_cancel_forgets_the_draft(service: ChatService, handover: HandOver):
    service.command(ANNA, "ask")
    service.message(ANNA, OWN_CASE)
    assert "nothing was sent" in service.press(ANNA, CANCEL).text
    assert not handover.waiting(ANNA)
    assert isinstance(handover.open(ANNA), Reply)
    assert service.message(ANNA, OWN_CASE).kind == "fallback"  # back to the bot


def test_send_before_typing_asks_for_the_question(handover: HandOver):
    handover.start(ANNA)
    reply = handover.open(ANNA)
    assert isinstance(reply, Reply) and "type your question" in reply.text
    assert handover.waiting(ANNA)


def test_drafts_expire(handover: HandOver, clock: Clock):
    handover.start(ANNA)
    handover.typed(ANNA, OWN_CASE)
    clock.now += DRAFT_SECONDS + 1
    assert not handover.waiting(ANNA)
    assert isinstance(handover.open(ANNA), Reply)


def test_at_most_three_open_questions_per_chat(handover: HandOver):
    for _ in range(MAX_OPEN):
        send(handover, ANNA, OWN_CASE)
    reply = handover.start(ANNA)
    assert f"already have {MAX_OPEN} questions" in reply.text
    assert not handover.waiting(ANNA)
    send(handover, BEN, OWN_CASE)  # other chats are not affected
    assert handover.closing(STAFF, 1).note == "Question #1 is closed; the person was told."
    assert isinstance(handover.start(ANNA), Reply) and handover.waiting(ANNA)


def test_the_limit_is_checked_again_on_send(handover: HandOver):
    handover.start(ANNA)
    handover.typed(ANNA, OWN_CASE)
    for _ in range(MAX_OPEN):
        send(handover, ANNA, "another")
    # the draft above was replaced by the later ones; start a fresh one past the limit
    handover._drafts[ANNA] = handover._draft(OWN_CASE)
    reply = handover.open(ANNA)
    assert isinstance(reply, Reply) and "already have" in reply.text


def test_opted_out_chats_are_told_to_opt_in_first(service: ChatService, handover: HandOver):
    service.command(ANNA, "optout")
    reply = service.command(ANNA, "ask")
    assert "/optin" in reply.text
    assert not handover.waiting(ANNA)


# --------------------------------------------------------------------------------------
# routing and who may do what
# --------------------------------------------------------------------------------------


def test_messages_map_to_their_tickets_and_only_in_their_own_chat(handover: HandOver):
    first = send(handover, ANNA, OWN_CASE)
    handover.posted(first, 500)
    ticket = _ticket(handover, 500)
    assert ticket is not None and ticket.number == first.number and ticket.chat == ANNA
    assert handover.staff_ticket(STAFF, 501) is None  # not a ticket message
    assert handover.staff_ticket(BEN, 500) is None  # same id, another chat
    handover.relayed(ticket, 70)
    assert handover.person_ticket(ANNA, 70).number == first.number
    assert handover.person_ticket(BEN, 70) is None  # Ben cannot reach Anna's ticket
    handover.followed_up(ticket, 502)
    assert handover.staff_ticket(STAFF, 502).number == first.number


def test_only_the_staff_group_closes_and_lists(handover: HandOver):
    opened = send(handover, ANNA, OWN_CASE)
    handover.posted(opened, 500)
    assert handover.closing(ANNA, opened.number) is None
    assert handover.open_list(ANNA) is None
    assert "#1: sent" in (handover.open_list(STAFF) or "")
    assert handover.closing(STAFF, 1).note == "Question #1 is closed; the person was told."
    assert handover.closing(STAFF, 1).note == "Question #1 was already closed."
    assert "no question #99" in handover.closing(STAFF, 99).note
    assert handover.open_list(STAFF) == "No open questions."


def test_ticket_numbers_are_never_reused(handover: HandOver, store: Store):
    first = send(handover, ANNA, OWN_CASE)
    store.forget(ANNA)
    second = send(handover, BEN, OWN_CASE)
    assert second.number == first.number + 1


def test_a_blocked_person_closes_the_ticket(handover: HandOver):
    opened = send(handover, ANNA, OWN_CASE)
    handover.posted(opened, 500)
    note = handover.undeliverable(_ticket(handover, 500))
    assert "blocked" in note
    assert handover.tickets.get(opened.number).closed


def test_an_unreachable_group_erases_the_ticket_and_gives_the_phone(handover: HandOver):
    opened = send(handover, ANNA, URGENT_QUESTION)
    reply = handover.not_reachable(opened)
    assert "can't be reached" in reply.text
    assert "020 7946 0000" in reply.text
    assert "call" in reply.text.lower() and "now" in reply.text
    assert handover.tickets.get(opened.number) is None
    assert handover.tickets.stats(dt.date(2000, 1, 1)) == []  # never counted as sent


def test_follow_ups_are_checked_for_urgent_symptoms(handover: HandOver, dialogue: Dialogue):
    opened = send(handover, ANNA, OWN_CASE)
    handover.posted(opened, 500)
    ticket = _ticket(handover, 500)
    calm = handover.follow_up(ticket, "Thanks, Tuesday works", "Anna")
    assert calm.urgent_reply is None
    assert calm.staff_text == "#1 Anna replies: Thanks, Tuesday works"
    urgent = handover.follow_up(ticket, URGENT_QUESTION, "Anna")
    assert urgent.urgent_reply is not None and urgent.urgent_reply.red_flag
    assert urgent.staff_text.splitlines()[0] == URGENT_MARK


# --------------------------------------------------------------------------------------
# privacy, retention and the report
# --------------------------------------------------------------------------------------


def test_the_database_never_holds_the_question_or_the_name(
    handover: HandOver, store: Store, tmp_path: Path
):
    secret = "Zebracorn lumbago question"
    opened = send(handover, ANNA, secret)
    handover.staff_text(opened, "Annabelle")
    handover.posted(opened, 500)
    ticket = _ticket(handover, 500)
    handover.relayed(ticket, 70)
    handover.follow_up(ticket, "Zebracorn follow-up", "Annabelle")
    store.close()
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert b"Zebracorn" not in data and b"Annabelle" not in data
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        columns = {r[1] for r in db.execute("PRAGMA table_info(tickets)")}
    assert columns == {
        "number",
        "chat",
        "day",
        "opened_at",
        "staff_message",
        "answered",
        "closed",
        "urgent",
    }


def test_forget_erases_the_tickets_and_says_the_group_keeps_its_messages(
    service: ChatService, handover: HandOver, store: Store
):
    opened = send(handover, ANNA, OWN_CASE)
    handover.posted(opened, 500)
    handover.relayed(_ticket(handover, 500), 70)
    send(handover, BEN, OWN_CASE)
    reply = service.command(ANNA, "forget")
    assert "staff group keeps the messages already sent" in reply.text
    assert handover.staff_ticket(STAFF, 500) is None
    assert handover.person_ticket(ANNA, 70) is None
    assert handover.tickets.count(ANNA) == 0
    assert handover.tickets.count(BEN) == 1
    assert "staff group" not in service.command(BEN + "0", "forget").text  # had none


def test_forget_with_the_hand_over_on_in_the_service_run_builds(dialogue: Dialogue, tmp_path: Path):
    settings = load_settings(
        {"DATABASE_PATH": str(tmp_path / "run.sqlite3"), "STAFF_CHAT_ID": "-100500"}
    )
    service = ChatService.from_settings(settings, dialogue)
    handover = HandOver(TicketStore(service.store), dialogue, STAFF)
    service.handover = handover
    opened = send(handover, ANNA, OWN_CASE)
    handover.posted(opened, 500)
    reply = service.command(ANNA, "forget")
    assert reply.text.startswith("Done: everything stored about this chat is erased")
    assert "staff group keeps the messages already sent" in reply.text
    assert handover.tickets.count(ANNA) == 0
    assert handover.staff_ticket(STAFF, 500) is None
    service.store.close()


def test_the_gate_offers_only_what_the_store_offers_on_purpose(store: Store):
    gate = StoreGate(store)
    assert not hasattr(StoreGate, "__getattr__")  # no proxy: every method is written out
    assert not hasattr(gate, "_db") and not hasattr(gate, "_transaction")
    with gate.transaction() as db:
        db.execute("INSERT INTO tickets (chat, day, opened_at) VALUES ('c', '2026-01-01', 0)")
    with gate.reading() as db:
        assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1


def test_privacy_describes_the_hand_over_from_the_settings(service: ChatService, store: Store):
    text = service.privacy(ANNA).text
    assert "first name as Telegram shows it" in text
    assert f"deleted {store.retention_days} days after" in text
    assert "never the texts" in text
    assert "clinic deletes those by hand" in text


def test_tickets_expire_after_the_retention_period(dialogue: Dialogue, tmp_path: Path):
    day = [dt.date(2026, 1, 1)]
    store = Store(tmp_path / "r.sqlite3", retention_days=7, today=lambda: day[0])
    handover = HandOver(TicketStore(store), dialogue, STAFF)
    opened = send(handover, ANNA, OWN_CASE)
    handover.posted(opened, 500)
    day[0] += dt.timedelta(days=7)
    store.purge()
    assert handover.staff_ticket(STAFF, 500) is not None
    day[0] += dt.timedelta(days=1)
    store.purge()
    assert handover.staff_ticket(STAFF, 500) is None
    assert handover.tickets.get(opened.number) is None
    store.close()


def test_the_report_counts_hand_overs_and_answer_times(
    handover: HandOver, store: Store, clock: Clock
):
    for minutes in (10, 20, 30, 40, 50, 60, 70, 80, 90, 600):
        opened = send(handover, ANNA if minutes % 20 else BEN, OWN_CASE)
        handover.posted(opened, 1000 + minutes)
        ticket = _ticket(handover, 1000 + minutes)
        clock.now += minutes * 60
        handover.relayed(ticket, 5000 + minutes)
        handover.relayed(_stored(handover, ticket.number), 6000 + minutes)  # second reply
        clock.now -= minutes * 60
        handover.closing(STAFF, ticket.number)
    urgent = send(handover, BEN, URGENT_QUESTION)
    handover.posted(urgent, 9999)
    summary = build_report(store, 7).handover
    assert (summary.sent, summary.urgent, summary.answered) == (11, 1, 10)
    assert summary.median_seconds == 55 * 60
    assert summary.p90_seconds == 90 * 60
    text = build_report(store, 7).to_text()
    assert "Questions to the clinic" in text and "median 55 min" in text
    assert OWN_CASE not in text


def test_summary_of_nothing():
    summary = summarise_handovers([])
    assert (summary.sent, summary.answered, summary.median_seconds) == (0, 0, None)
    one = summarise_handovers([HandoverStat(dt.date(2026, 1, 1), "answered", 42)])
    assert one.median_seconds == one.p90_seconds == 42


# --------------------------------------------------------------------------------------
# a team in the staff group
# --------------------------------------------------------------------------------------

MARIA = Staff(7001, "Maria")
TOM = Staff(7002, "Tom")


def labels(buttons) -> list[str]:
    return [button.label for button in buttons]


def test_taking_answering_and_closing_show_who(handover: HandOver):
    opened = send(handover, ANNA, OWN_CASE)
    handover.posted(opened, 500)
    assert labels(handover.ticket_buttons(1)) == ["I'll take it", "Done"]
    assert handover.take(ANNA, 1, MARIA) is None  # only in the staff group
    assert handover.take(STAFF, 1, MARIA) == (
        "Question #1 is yours: reply to its message to answer.",
        True,
    )
    assert labels(handover.ticket_buttons(1)) == ["Taken by Maria", "Done"]
    assert handover.take(STAFF, 1, TOM) == ("Maria has question #1 already (taken).", False)

    ticket = _ticket(handover, 500)
    assert handover.relayed(ticket, 70, MARIA) == (None, True)  # her first answer
    assert labels(handover.ticket_buttons(1)) == ["Answered by Maria", "Done"]
    note, changed = handover.relayed(ticket, 71, TOM)
    assert note == "Maria already answered question #1; your reply was sent too." and not changed

    closing = handover.closing(STAFF, 1, TOM)
    assert closing.note == "Question #1 is closed by Tom; the person was told."
    assert closing.ticket.chat == ANNA
    assert closing.person_text.startswith("The clinic closed your question #1.")
    assert "/ask" in closing.person_text
    assert labels(handover.ticket_buttons(1)) == ["Closed by Tom"]  # Done is gone
    assert handover.take(STAFF, 1, MARIA) == ("Question #1 was closed by Tom.", False)
    assert handover.closing(STAFF, 1, MARIA).ticket is None  # already closed: nobody told


def test_open_lists_urgent_questions_first_and_marked(handover: HandOver):
    for chat, question, message in ((ANNA, OWN_CASE, 500), (BEN, URGENT_QUESTION, 501)):
        handover.posted(send(handover, chat, question), message)
    handover.take(STAFF, 1, MARIA)
    lines = handover.open_list(STAFF).splitlines()
    assert lines[0] == "Open questions (2, 1 urgent):"
    assert lines[1].startswith("URGENT #2: sent ") and lines[1].endswith("waiting for an answer")
    assert lines[2].startswith("#1: sent ") and lines[2].endswith("taken by Maria")


def test_optout_closes_the_persons_open_questions(service: ChatService, handover: HandOver):
    handover.posted(send(handover, ANNA, OWN_CASE), 500)
    handover.posted(send(handover, BEN, OWN_CASE), 501)
    reply = service.command(ANNA, "optout")
    assert "Your open questions to the clinic (#1) are closed" in reply.text
    (closed,) = handover.quietly_closed(ANNA)
    assert closed.number == 1 and handover.quietly_closed(ANNA) == []
    assert handover.tickets.get(1).closed and not handover.tickets.get(2).closed
    assert "/optout" in handover.optout_note(closed)


def test_help_and_buttons_per_audience(service: ChatService, handover: HandOver):
    assert handover.help_line() in service.command(ANNA, "help").text
    group = "telegram:-100777"
    assert handover.help_line() not in service.command(group, "help").text
    assert ASK not in payloads(service.message(group, OWN_CASE))  # questions are private
    assert ASK in payloads(service.message(ANNA, OWN_CASE))
    assert "I'll take it" in handover.staff_help()


def test_a_voice_note_while_writing_a_question_becomes_its_text(
    service: ChatService, handover: HandOver
):
    service.command(ANNA, "ask")
    reply = service.voice(ANNA, Heard(OWN_CASE, 0.9))
    assert payloads(reply) == [SEND, CANCEL] and OWN_CASE in reply.text
    unsure = service.voice(BEN, Heard("mumble", 0.1))  # not writing one: answered as usual
    assert unsure.kind != "handover_ask"
    service.command(BEN, "ask")
    refused = service.voice(BEN, Heard("", 0.0))
    assert refused.text.startswith("I couldn't make out that voice note.")
    assert payloads(refused) == [CANCEL] and handover.waiting(BEN)
    opened = handover.open(ANNA)
    assert opened.question == OWN_CASE


# --------------------------------------------------------------------------------------
# the staff group's wording comes from messages.yml
# --------------------------------------------------------------------------------------


def _reworded(dialogue: Dialogue, store: Store, clock: Clock, **messages: str) -> HandOver:
    """A hand-over whose ``messages.yml`` has ``messages`` in place of the shipped ones."""
    content = dataclasses.replace(
        dialogue.content, messages=MappingProxyType({**dialogue.content.messages, **messages})
    )
    return HandOver(
        TicketStore(StoreGate(store)), Dialogue(content), STAFF, clock=clock, monotonic=clock
    )


def test_a_ticket_message_is_recognised_by_its_own_words(handover: HandOver):
    plain = send(handover, ANNA, OWN_CASE)
    urgent = send(handover, BEN, URGENT_QUESTION)
    for opened in (plain, urgent):
        assert handover.ticket_number(handover.staff_text(opened, "Anna")) == opened.number
    assert handover.ticket_number(handover.open_list(STAFF) or "") is None
    assert handover.ticket_number(handover.staff_help()) is None


def test_edited_staff_wording_reaches_the_group_and_still_finds_the_number(
    dialogue: Dialogue, store: Store, clock: Clock
):
    handover = _reworded(
        dialogue,
        store,
        clock,
        handover_ticket="{name} fragt (#{number}): {question}",
        handover_take_label="Ich übernehme",
        handover_done_label="Erledigt",
        handover_open_none="Keine offenen Fragen.",
    )
    opened = send(handover, ANNA, OWN_CASE)
    text = handover.staff_text(opened, "Anna")
    assert text == f"Anna fragt (#{opened.number}): {OWN_CASE}"
    assert handover.ticket_number(text) == opened.number
    assert handover.ticket_number(f"Question #{opened.number} from Anna: {OWN_CASE}") is None
    # the words after the number are part of the pattern: "#12" is never read as "#1"
    assert handover.ticket_number("Anna fragt (#12): x") == 12
    assert handover.ticket_number("Anna fragt (#1") is None
    assert labels(handover.ticket_buttons(opened.number)) == ["Ich übernehme", "Erledigt"]
    handover.closing(STAFF, opened.number)
    assert handover.open_list(STAFF) == "Keine offenen Fragen."
