"""The hand-over ("Ask the clinic") through ``sciatica-bot run``: a person, the clinic's
staff group, and everything between them, as a clinic would run it."""

from __future__ import annotations

import sqlite3

import pytest
from sysbot import System, pause

from bot.dialogue import Dialogue
from bot.handover import ASK, CANCEL, SEND, URGENT_MARK
from bot.replies import ChatState

pytestmark = pytest.mark.e2e

PERSON = 4242
OTHER_PERSON = 4343
STAFF = -1001234567890
NEW_STAFF = -1009876543210
OTHER_GROUP = -1005555
MARIA = 7001
TOM = 7002
QUESTION = "Can I come in on Tuesday with my own foam roller?"
URGENT_QUESTION = "I suddenly can't control my bladder and my legs are numb"


def staff_says(system: System, text: str, user_id: int, name: str, **fields) -> None:
    """A staff member writes in the staff group (a reply when ``reply_to`` is given)."""
    system.api.push_message(
        text,
        chat_id=fields.pop("chat_id", STAFF),
        chat_type="supergroup",
        **{"from": system.api.user(user_id, name)},
        **fields,
    )


def start(start_system, **env: str) -> System:
    return start_system(
        groups={STAFF: "supergroup"},
        STAFF_CHAT_ID=str(STAFF),
        CLINIC_NAME="Back Clinic",
        CLINIC_HOURS="Mon-Fri 9-17",
        CLINIC_PHONE="020 7946 0000",
        **env,
    )


def ask(
    system: System, question: str, *, chat_id: int = PERSON, name: str = "Pat", staff: int = STAFF
) -> dict:
    """``/ask``, the question typed, "Send": returns the ticket's message in the group."""
    staff_before = len(system.to(staff))
    system.next_reply(chat_id, lambda: system.api.push_message("/ask", chat_id=chat_id))
    system.next_reply(chat_id, lambda: system.api.push_message(question, chat_id=chat_id))
    assert SEND in system.payloads(chat_id)
    sent = system.next_reply(
        chat_id, lambda: system.api.push_callback(SEND, chat_id=chat_id, first_name=name)
    )
    assert sent.startswith("Sent to the clinic as question #"), sent
    system.wait(staff, staff_before + 1)
    return system.api.last_sent(staff)


def test_the_hand_over_round_trip(start_system, dialogue: Dialogue):
    system = start(start_system)
    api = system.api

    # a question the article does not answer: the fallback offers "Ask the clinic"
    expected, _ = dialogue.handle(ChatState(), QUESTION)
    answer = system.next_reply(PERSON, lambda: api.push_message(QUESTION, chat_id=PERSON))
    assert answer.startswith(expected.text.split("\n")[0])
    assert ASK in system.payloads(PERSON)

    # "Ask the clinic": what is shared, then the question just asked, with Send and Cancel
    offer = system.next_reply(PERSON, lambda: api.push_callback(ASK, chat_id=PERSON))
    assert "first name" in offer and QUESTION in offer and "Mon-Fri 9-17" in offer
    assert system.payloads(PERSON) == [SEND, CANCEL]
    sent = system.next_reply(
        PERSON, lambda: api.push_callback(SEND, chat_id=PERSON, first_name="Pat")
    )
    assert sent.startswith("Sent to the clinic as question #1.")

    # the ticket in the staff group, with "I'll take it" and "Done"
    (ticket_text,) = system.wait(STAFF, 1)
    assert ticket_text.splitlines()[0] == f"Question #1 from Pat: {QUESTION}"
    assert system.payloads(STAFF) == ["take:1", "done:1"]
    ticket = api.last_sent(STAFF)

    # Maria answers by replying: the person gets it; the ticket shows who answered
    staff_says(system, "Yes, bring it along.", MARIA, "Maria", reply_to=ticket)
    relayed = system.wait(PERSON, 4)[-1]
    assert relayed.startswith("The clinic replied (question #1):")
    assert "Yes, bring it along." in relayed
    api.wait_for_sync("setMessageReaction", timeout=10)
    api.wait_for_sync("editMessageReplyMarkup", timeout=10)
    labels = [
        b["text"]
        for row in api.message_in(STAFF, ticket["message_id"])["reply_markup"]["inline_keyboard"]
        for b in row
    ]
    assert labels == ["Answered by Maria", "Done"]

    # Tom replies as well: it is sent, and he learns Maria answered already
    staff_says(system, "And a towel.", TOM, "Tom", reply_to=ticket)
    assert "Maria already answered question #1" in system.wait(STAFF, 2)[-1]
    system.wait(PERSON, 5)

    # the person replies to the clinic's answer: it goes back under the ticket
    relayed_message = api.last_sent(PERSON)
    api.push_message("Thanks! Ten o'clock?", chat_id=PERSON, reply_to=relayed_message)
    assert system.wait(STAFF, 3)[-1] == "#1 Pat replies: Thanks! Ten o'clock?"
    assert system.wait(PERSON, 6)[-1] == "Passed on to the clinic (question #1)."

    # an urgent question: the urgent answer at once, the ticket marked in the group
    system.next_reply(PERSON, lambda: api.push_message("/ask", chat_id=PERSON))
    urgent = system.next_reply(PERSON, lambda: api.push_message(URGENT_QUESTION, chat_id=PERSON))
    assert urgent.startswith(dialogue.urgent().text.split("\n")[0])
    system.next_reply(PERSON, lambda: api.push_callback(SEND, chat_id=PERSON, first_name="Pat"))
    urgent_ticket = system.wait(STAFF, 4)[-1]
    assert urgent_ticket.splitlines()[0] == URGENT_MARK

    # /open: the urgent one first, marked
    staff_says(system, "/open", TOM, "Tom")
    listing = system.wait(STAFF, 5)[-1].splitlines()
    assert listing[0] == "Open questions (2, 1 urgent):"
    assert listing[1].startswith("URGENT #2:")
    assert listing[2].startswith("#1:") and "answered by Maria" in listing[2]

    # /done 1: closed, the ticket edited (Done gone), the person told
    staff_says(system, "/done 1", TOM, "Tom")
    assert system.wait(STAFF, 6)[-1] == "Question #1 is closed by Tom; the person was told."
    closing = system.wait(PERSON, 10)[-1]
    assert closing.startswith("The clinic closed your question #1.") and "/ask" in closing
    system.api.wait_for_sync("editMessageReplyMarkup", 2, timeout=10)
    labels = [
        b["text"]
        for row in api.message_in(STAFF, ticket["message_id"])["reply_markup"]["inline_keyboard"]
        for b in row
    ]
    assert labels == ["Closed by Tom"]

    # the Done button under the urgent ticket
    urgent_message = next(
        m for m in api.sent if m["chat"]["id"] == STAFF and m["text"].startswith(URGENT_MARK)
    )
    api.push_callback(
        "done:2",
        chat_id=STAFF,
        chat_type="supergroup",
        user_id=MARIA,
        first_name="Maria",
        message_id=urgent_message["message_id"],
    )
    assert system.wait(STAFF, 7)[-1] == "Question #2 is closed by Maria; the person was told."
    staff_says(system, "/open", TOM, "Tom")
    assert system.wait(STAFF, 8)[-1] == "No open questions."

    output = system.stop_cleanly()
    assert QUESTION not in output and "bring it along" not in output
    # no staff text or name, no follow-up, nothing of the hand-over's texts in the database
    # (the first question, typed to the bot, is among the unanswered ones, without identity)
    with sqlite3.connect(system.bot.database) as db:
        dump = "\n".join(line for line in db.iterdump() if 'INSERT INTO "unanswered"' not in line)
        unanswered = [r[0] for r in db.execute("SELECT text FROM unanswered")]
    assert unanswered == [QUESTION]
    for private in (
        "foam roller",
        "bring it along",
        "towel",
        "Ten o",
        "Maria",
        "Tom",
        "Pat",
        "bladder",
    ):
        assert private not in dump, private


def test_forget_then_a_staff_reply(start_system):
    system = start(start_system)
    api = system.api
    ticket = ask(system, QUESTION)
    erased = system.next_reply(PERSON, lambda: api.push_message("/forget", chat_id=PERSON))
    assert erased.startswith("Done: everything stored about this chat is erased"), erased
    assert "clinic deletes those by hand" in erased
    staff_says(system, "Yes, bring it along.", MARIA, "Maria", reply_to=ticket)
    assert "Question #1 is no longer here" in system.wait(STAFF, 2)[-1]
    pause(0.5)
    assert not any("bring it along" in t for t in system.texts(PERSON))
    with sqlite3.connect(system.bot.database) as db:
        assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
    system.stop_cleanly()


def test_the_staff_group_becoming_a_supergroup(start_system):
    system = start_system(groups={STAFF: "group"}, STAFF_CHAT_ID=str(STAFF))
    api = system.api
    ask(system, QUESTION)
    # the group is upgraded: Telegram sends both service messages; the old id is gone
    api.migrate(STAFF, NEW_STAFF, user_id=MARIA)
    ticket = ask(
        system, "Do you open on Saturdays?", chat_id=OTHER_PERSON, name="Ben", staff=NEW_STAFF
    )
    assert ticket["chat"]["id"] == NEW_STAFF
    assert ticket["text"].startswith("Question #2 from Ben")
    # a staff reply in the supergroup reaches the person; nothing is kept of it
    staff_says(system, "Yes, 10 to 2.", MARIA, "Maria", reply_to=ticket, chat_id=NEW_STAFF)
    assert "Yes, 10 to 2." in system.wait(OTHER_PERSON, 4)[-1]
    # staff talk in the supergroup, even addressed to the bot, is neither answered nor kept
    staff_says(
        system, "@clinic_test_bot the parking is full today", MARIA, "Maria", chat_id=NEW_STAFF
    )
    # the first question can still be closed from the supergroup
    staff_says(system, "/done 1", MARIA, "Maria", chat_id=NEW_STAFF)
    api.wait_for_sync(
        "sendMessage", where=lambda c: "Question #1 is closed" in c.params.get("text", "")
    )
    assert len(system.to(NEW_STAFF)) == 2  # the ticket and the closing note, nothing else
    output = system.stop_cleanly()
    assert f"STAFF_CHAT_ID={NEW_STAFF}" in output
    with sqlite3.connect(system.bot.database) as db:
        assert db.execute("SELECT count(*) FROM unanswered").fetchone()[0] == 0
        dump = "\n".join(db.iterdump())
    assert "10 to 2" not in dump and "parking" not in dump


def test_take_it_optout_and_group_menus(start_system):
    system = start(start_system)
    api = system.api
    ticket = ask(system, QUESTION)
    api.push_callback(
        "take:1",
        chat_id=STAFF,
        chat_type="supergroup",
        user_id=MARIA,
        first_name="Maria",
        message_id=ticket["message_id"],
    )
    (toast,) = api.wait_for_sync(
        "answerCallbackQuery", where=lambda c: "text" in c.params, timeout=10
    )
    assert toast.params["text"].startswith("Question #1 is yours")
    api.wait_for_sync("editMessageReplyMarkup", timeout=10)
    api.push_callback(
        "take:1",
        chat_id=STAFF,
        chat_type="supergroup",
        user_id=TOM,
        first_name="Tom",
        message_id=ticket["message_id"],
    )
    toasts = api.wait_for_sync(
        "answerCallbackQuery", 2, where=lambda c: "text" in c.params, timeout=10
    )
    assert toasts[-1].params["text"] == "Maria has question #1 already (taken)."

    # a menu per audience: /ask for people in private chats, the staff group's own
    menus = api.wait_for_sync("setMyCommands", 3, timeout=10)
    by_scope = {m.params.get("scope", {}).get("type"): m.params["commands"] for m in menus}
    assert "ask" in [c["command"] for c in by_scope["all_private_chats"]]
    assert "ask" not in [c["command"] for c in by_scope["default"]]
    assert [c["command"] for c in by_scope["chat"]] == ["open", "done", "help"]

    # /help: the person's lists /ask, the staff group's explains the staff side
    assert "/ask" in system.next_reply(PERSON, lambda: api.push_message("/help", chat_id=PERSON))
    staff_says(system, "/help", TOM, "Tom")
    assert "I'll take it" in system.wait(STAFF, 2)[-1]

    # in another group the fallback does not offer "Ask the clinic"
    api.push_message(f"@clinic_test_bot {QUESTION}", chat_id=OTHER_GROUP, chat_type="supergroup")
    system.wait(OTHER_GROUP, 1)
    assert ASK not in system.payloads(OTHER_GROUP)

    # /optout closes the person's open question; staff are told
    reply = system.next_reply(PERSON, lambda: api.push_message("/optout", chat_id=PERSON))
    assert "Your open questions to the clinic (#1) are closed" in reply
    assert "turned off the bot's memory" in system.wait(STAFF, 3)[-1]
    system.stop_cleanly()


def test_webhook_mode_with_its_secret(start_system):
    from fake_bot_api import free_port

    port = free_port()
    secret = "system-webhook_secret-0123456789"
    system = start(
        start_system,
        WEBHOOK_URL=f"http://127.0.0.1:{port}",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET=secret,
    )
    api, server = system.api, system.server
    (registered,) = api.wait_for_sync("setWebhook", timeout=30)
    assert registered.params["secret_token"] == secret
    assert set(registered.params["allowed_updates"]) >= {"message", "callback_query"}
    forged = {"message": api.message("/ask", chat_id=PERSON)}
    assert server.deliver_webhook(forged, secret="wrong") == 403
    assert server.deliver_webhook({"message": api.message("/ask", chat_id=PERSON)}) == 200
    system.wait(PERSON, 1)
    assert server.deliver_webhook({"message": api.message(QUESTION, chat_id=PERSON)}) == 200
    system.wait(PERSON, 2)
    press = {
        "callback_query": {
            "id": "cbq-w1",
            "from": api.user(PERSON, "Pat"),
            "chat_instance": "ci",
            "message": api.bot_message(PERSON, "private"),
            "data": SEND,
        }
    }
    assert server.deliver_webhook(press) == 200
    assert system.wait(STAFF, 1)[0].startswith("Question #1 from Pat")
    assert len(system.to(PERSON)) == 3  # the forged update was not answered
    output = system.stop_cleanly()
    assert secret not in output
