"""Questions to the clinic through the fake Bot API: a private chat and the staff group."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import Call, FakeBotApi, buttons_of, html_to_text
from harness import RunningBot, all_handled, bot_settings, make_service, start_bot
from telegram.ext import Application

from bot.dialogue import Dialogue
from bot.handover import ASK, CANCEL, SEND, URGENT_MARK
from bot.service import ChatService
from bot.store import Store, TicketStore
from bot.telegram import escape

PERSON = 1001
OTHER_PERSON = 1002
STAFF = -1001234567890
OTHER_GROUP = -1009999
STAFF_MEMBER = 5005
PHONE = "020 7946 0000"
QUESTION = "Can I come in on Tuesday with my own foam roller?"
URGENT_QUESTION = "I suddenly can't control my bladder and my legs are numb"


class Bot:
    """A running application polling the fake, with helpers for the two chats."""

    def __init__(self, api: FakeBotApi, app: Application, service: ChatService) -> None:
        self.api = api
        self.app = app
        self.service = service

    async def settle(self) -> None:
        """Wait until every update pushed so far has been handled (chats run in parallel,
        so only the confirmed polling offset says so)."""
        await all_handled(self.app, self.api)

    def to(self, chat_id: int) -> list[Call]:
        return [c for c in self.api.calls_to("sendMessage") if c.params["chat_id"] == chat_id]

    def texts(self, chat_id: int) -> list[str]:
        """What the chat saw (HTML parsed the way Telegram does)."""
        return [html_to_text(c.params["text"]) for c in self.to(chat_id) if c.status == 200]

    async def wait(self, chat_id: int, count: int) -> list[str]:
        await self.api.wait_for(
            "sendMessage", count, where=lambda c: c.params["chat_id"] == chat_id
        )
        return self.texts(chat_id)

    async def ask(self, question: str, *, chat_id: int = PERSON, name: str = "Pat") -> int:
        """/ask, type the question, press Send; returns the ticket's message in the group."""
        staff_before = len(self.to(STAFF))
        mine = len(self.to(chat_id))
        self.api.push_message("/ask", chat_id=chat_id)
        await self.wait(chat_id, mine + 1)
        self.api.push_message(question, chat_id=chat_id)
        await self.wait(chat_id, mine + 2)
        self.api.push_callback(SEND, chat_id=chat_id, first_name=name)
        await self.wait(chat_id, mine + 3)
        calls = self.to(STAFF)
        assert len(calls) == staff_before + 1, self.texts(chat_id)
        return self.api.last_sent(STAFF)["message_id"]

    def staff_reply(self, text: str | None, reply_to: dict[str, Any], **fields: Any) -> None:
        self.api.push_message(
            text,
            chat_id=STAFF,
            chat_type="supergroup",
            user_id=STAFF_MEMBER,
            reply_to=reply_to,
            **fields,
        )

    def message_by_id(self, message_id: int) -> dict[str, Any]:
        return next(m for m in self.api.sent if m["message_id"] == message_id)


@pytest.fixture
async def make_bot(dialogue: Dialogue, tmp_path: Path) -> AsyncIterator[Any]:
    started: list[RunningBot] = []

    async def start(
        api: FakeBotApi | None = None, *, staff: int | None = STAFF, store: Store | None = None
    ) -> Bot:
        api = api or FakeBotApi()
        api.chat(STAFF, "supergroup")
        env = {
            "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
            "CLINIC_NAME": "Back Clinic",
            "CLINIC_PHONE": PHONE,
            "CLINIC_HOURS": "Mon-Fri 9-17",
        }
        if staff is not None:
            env["STAFF_CHAT_ID"] = str(staff)
        settings = bot_settings(**env)  # as `run` reads them
        # The service `run` builds, unless a test reopens a database of its own.
        service = ChatService(dialogue, store) if store else make_service(dialogue, settings)
        running = await start_bot(dialogue, api=api, service=service, settings=settings)
        started.append(running)
        return Bot(api, running.app, service)

    async def stop(bot: Bot) -> None:
        running = next(r for r in started if r.app is bot.app)
        await running.stop()
        started.remove(running)

    start.stop = stop  # type: ignore[attr-defined]
    yield start
    for running in list(started):
        await running.stop()


@pytest.fixture
async def bot(make_bot) -> Bot:
    return await make_bot()


def callbacks(call: Call) -> list[str]:
    return [b.get("callback_data", "") for b in buttons_of(call)]


# --------------------------------------------------------------------------------------
# the round trip
# --------------------------------------------------------------------------------------


async def test_the_whole_round_trip(bot: Bot):
    api = bot.api
    api.push_message(QUESTION, chat_id=PERSON)
    await bot.wait(PERSON, 1)
    assert ASK in callbacks(bot.to(PERSON)[-1])  # under the fallback

    api.push_callback(ASK, chat_id=PERSON)
    offer = (await bot.wait(PERSON, 2))[-1]
    assert "your question's text and your first name" in offer
    assert "Mon-Fri 9-17" in offer and QUESTION in offer
    assert callbacks(bot.to(PERSON)[-1]) == [SEND, CANCEL]

    api.push_callback(SEND, chat_id=PERSON, first_name="Anna")
    confirmation = (await bot.wait(PERSON, 3))[-1]
    assert "question #1" in confirmation
    (posted,) = bot.texts(STAFF)
    assert posted.splitlines()[0] == f"Question #1 from Anna: {QUESTION}"
    assert callbacks(bot.to(STAFF)[-1]) == ["take:1", "done:1"]
    ticket_message = api.last_sent(STAFF)

    # a staff member answers by replying; the person gets it, the group a thumbs-up
    bot.staff_reply("Yes, bring it along.", ticket_message)
    relayed = (await bot.wait(PERSON, 4))[-1]
    assert relayed.startswith("The clinic replied (question #1):\n\nYes, bring it along.")
    (reaction,) = await api.wait_for("setMessageReaction")
    assert reaction.params["chat_id"] == STAFF
    assert reaction.params["reaction"] == [{"type": "emoji", "emoji": "👍"}]

    # the person answers back: the same ticket, as a reply to the ticket's message
    api.push_message("Great, thanks!", chat_id=PERSON, reply_to=api.last_sent(PERSON))
    follow = (await bot.wait(STAFF, 2))[-1]
    assert follow == "#1 Pat replies: Great, thanks!"  # the name Telegram shows on the reply
    assert (
        bot.to(STAFF)[-1].params["reply_parameters"]["message_id"] == ticket_message["message_id"]
    )
    assert "Passed on to the clinic (question #1)" in (await bot.wait(PERSON, 5))[-1]

    # staff reply to the follow-up, with a photo this time
    photo = [{"file_id": "p", "file_unique_id": "pu", "width": 9, "height": 9}]
    bot.staff_reply(None, api.last_sent(STAFF), photo=photo, caption="Like <this> one")
    (copy,) = await api.wait_for("copyMessage")
    assert copy.params["chat_id"] == PERSON and copy.params["from_chat_id"] == STAFF
    copied = api.sent[-1]
    assert copied["caption"] == "The clinic replied (question #1):\n\nLike <this> one"

    # the person can reply to the copied photo too
    api.push_message("Perfect", chat_id=PERSON, reply_to=copied)
    assert (await bot.wait(STAFF, 3))[-1].endswith("replies: Perfect")

    # /open lists it, /done closes it, /open again is empty
    api.push_message("/open", chat_id=STAFF, chat_type="supergroup", user_id=STAFF_MEMBER)
    assert "#1: sent" in (await bot.wait(STAFF, 4))[-1]
    assert "answered" in bot.texts(STAFF)[-1]
    api.push_message("/done 1", chat_id=STAFF, chat_type="supergroup", user_id=STAFF_MEMBER)
    assert (await bot.wait(STAFF, 5))[-1] == "Question #1 is closed by Pat; the person was told."
    assert (await bot.wait(PERSON, 7))[-1].startswith("The clinic closed your question #1.")
    api.push_message("/open@clinic_test_bot", chat_id=STAFF, chat_type="supergroup")
    assert (await bot.wait(STAFF, 6))[-1] == "No open questions."

    # replying to a closed question is not passed on
    api.push_message("One more thing", chat_id=PERSON, reply_to=copied)
    assert "is closed" in (await bot.wait(PERSON, 8))[-1]
    await bot.settle()
    assert len(bot.to(STAFF)) == 6


async def test_the_done_button_closes_only_in_the_staff_group(bot: Bot):
    await bot.ask(QUESTION)
    ticket_message = bot.api.last_sent(STAFF)["message_id"]
    bot.api.push_callback("done:1", chat_id=OTHER_GROUP, chat_type="supergroup")
    bot.api.push_callback("done:1", chat_id=PERSON)
    await bot.settle()
    assert not TicketStore(bot.service.store).get(1).closed
    assert bot.texts(OTHER_GROUP) == []
    bot.api.push_callback(
        "done:1", chat_id=STAFF, chat_type="supergroup", message_id=ticket_message
    )
    assert (await bot.wait(STAFF, 2))[-1] == "Question #1 is closed by Pat; the person was told."
    assert TicketStore(bot.service.store).get(1).closed
    assert len(bot.api.calls_to("answerCallbackQuery")) >= 4  # every press acknowledged


async def test_a_done_button_with_a_number_out_of_range_is_ignored(bot: Bot):
    """``done:`` and 23 digits once overflowed SQLite's integer ("Something went wrong")."""
    await bot.ask(QUESTION)
    ticket_message = bot.api.last_sent(STAFF)["message_id"]
    staff_before = len(bot.to(STAFF))
    for payload in ("done:99999999999999999999999", "done:0001234567890"):
        bot.api.push_callback(
            payload, chat_id=STAFF, chat_type="supergroup", message_id=ticket_message
        )
    await bot.settle()
    assert len(bot.to(STAFF)) == staff_before  # no apology, no note
    assert not TicketStore(bot.service.store).get(1).closed


async def test_replies_to_non_ticket_messages_and_commands_elsewhere_do_nothing(bot: Bot):
    api = bot.api
    await bot.ask(QUESTION)
    api.push_message("/open", chat_id=STAFF, chat_type="supergroup")
    await bot.wait(STAFF, 2)
    open_list = api.last_sent(STAFF)
    person_before = len(bot.to(PERSON))
    staff_before = len(bot.to(STAFF))

    bot.staff_reply("replying to the list", open_list)  # the bot's, but not a ticket
    colleague = api.message("anyone free at 3?", chat_id=STAFF, chat_type="supergroup")
    bot.staff_reply("me", colleague)  # staff talking among themselves
    api.push_message("@clinic_test_bot what is sciatica", chat_id=STAFF, chat_type="supergroup")
    # commands from other chats
    api.push_message("/done 1", chat_id=OTHER_GROUP, chat_type="supergroup")
    api.push_message("/open", chat_id=OTHER_GROUP, chat_type="supergroup")
    api.push_message("/done 1", chat_id=OTHER_PERSON)
    # someone else replying to the ticket message in another chat
    api.push_message("hijack", chat_id=OTHER_PERSON, reply_to=api.bot_message(OTHER_PERSON))
    await bot.settle()

    assert len(bot.to(PERSON)) == person_before
    assert len(bot.to(STAFF)) == staff_before
    assert not api.calls_to("setMessageReaction")
    assert not TicketStore(bot.service.store).get(1).closed
    assert all("#1" not in text for text in bot.texts(OTHER_PERSON) + bot.texts(OTHER_GROUP))


async def test_a_staff_reply_after_the_person_sent_forget(bot: Bot):
    await bot.ask(QUESTION)
    ticket_message = bot.api.last_sent(STAFF)
    bot.api.push_message("/forget", chat_id=PERSON)
    forgot = (await bot.wait(PERSON, 4))[-1]
    assert "staff group keeps the messages already sent" in forgot
    person_before = len(bot.to(PERSON))

    bot.staff_reply("Here is your answer", ticket_message)
    note = (await bot.wait(STAFF, 2))[-1]
    assert "Question #1 is no longer here" in note and "/forget" in note
    await bot.settle()
    assert len(bot.to(PERSON)) == person_before
    assert TicketStore(bot.service.store).count(f"telegram:{PERSON}") == 0


async def test_a_person_who_blocked_the_bot(bot: Bot):
    await bot.ask(QUESTION)
    ticket_message = bot.api.last_sent(STAFF)
    bot.api.fail_chat(PERSON, 403, "Forbidden: bot was blocked by the user")
    bot.staff_reply("Here is your answer", ticket_message)
    note = (await bot.wait(STAFF, 2))[-1]
    assert "could not be delivered" in note and "blocked" in note
    assert TicketStore(bot.service.store).get(1).closed
    edited = bot.api.message_in(STAFF, ticket_message["message_id"])
    labels = [b["text"] for row in edited["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Closed by the bot (person unreachable)"]  # no Done left to press


async def test_a_group_that_removed_the_bot(bot: Bot):
    bot.api.fail_chat(STAFF, 403, "Forbidden: bot was kicked from the supergroup chat")
    bot.api.push_message("/ask", chat_id=PERSON)
    bot.api.push_message(QUESTION, chat_id=PERSON)
    bot.api.push_callback(SEND, chat_id=PERSON)
    told = (await bot.wait(PERSON, 3))[-1]
    assert "can't be reached this way" in told
    assert PHONE in told
    assert TicketStore(bot.service.store).open_tickets() == []


async def test_at_most_three_open_questions(bot: Bot):
    for number in range(3):
        await bot.ask(f"{QUESTION} ({number})")
    bot.api.push_message("/ask", chat_id=PERSON)
    note = (await bot.wait(PERSON, 10))[-1]
    assert "already have 3 questions waiting" in note
    assert len(bot.to(STAFF)) == 3
    await bot.ask(QUESTION, chat_id=OTHER_PERSON)  # others are not held up


async def test_html_is_escaped_both_ways(bot: Bot):
    name = "<b>Anna</b> & co"
    question = "Is 1 < 2 & <script>alert(1)</script> ok?"
    await bot.ask(question, name=name)
    call = bot.to(STAFF)[-1]
    assert call.status == 200  # the fake rejects unescaped HTML like Telegram
    assert call.params["text"].startswith(f"Question #1 from {escape(name)}: {escape(question)}")
    assert bot.texts(STAFF)[-1].startswith(f"Question #1 from {name}: {question}")

    staff_text = "<i>not italic</i> & <a href='http://x'>link</a>"
    bot.staff_reply(staff_text, bot.api.last_sent(STAFF))
    await bot.wait(PERSON, 4)
    relayed = bot.to(PERSON)[-1]
    assert relayed.status == 200
    assert staff_text in html_to_text(relayed.params["text"])
    assert escape(staff_text) in relayed.params["text"]


async def test_the_mapping_survives_a_restart(make_bot, tmp_path: Path):
    api = FakeBotApi()
    first = await make_bot(api)
    await first.ask(QUESTION)
    ticket_message = api.last_sent(STAFF)
    await make_bot.stop(first)
    first.service.store.close()

    second = await make_bot(api, store=Store(tmp_path / "bot.sqlite3"))
    second.staff_reply("Answer after a restart", ticket_message)
    relayed = (await second.wait(PERSON, 4))[-1]
    assert relayed.startswith("The clinic replied (question #1)")
    api.push_message("Thanks", chat_id=PERSON, reply_to=api.last_sent(PERSON))
    assert (await second.wait(STAFF, 2))[-1] == "#1 Pat replies: Thanks"


async def test_urgent_symptoms_are_answered_first_and_marked_for_staff(bot: Bot, dialogue):
    bot.api.push_message("/ask", chat_id=PERSON)
    bot.api.push_message(URGENT_QUESTION, chat_id=PERSON)
    answered = (await bot.wait(PERSON, 2))[-1]
    assert answered.startswith(dialogue.urgent().text)  # before anything reaches staff
    assert bot.to(STAFF) == []
    bot.api.push_callback(SEND, chat_id=PERSON)
    confirmation = (await bot.wait(PERSON, 3))[-1]
    assert "don't wait" in confirmation
    (posted,) = bot.texts(STAFF)
    assert posted.splitlines()[0] == URGENT_MARK
    assert posted.splitlines()[1] == f"Question #1 from Pat: {URGENT_QUESTION}"

    # a follow-up describing urgent symptoms: the urgent answer first, then staff see it
    bot.staff_reply("Please call us", bot.api.last_sent(STAFF))
    await bot.wait(PERSON, 4)
    bot.api.push_message(URGENT_QUESTION, chat_id=PERSON, reply_to=bot.api.last_sent(PERSON))
    texts = await bot.wait(PERSON, 6)
    assert texts[-2].startswith(dialogue.urgent().text)
    assert bot.texts(STAFF)[-1].splitlines()[0] == URGENT_MARK


async def test_ask_is_private_and_in_the_menu_only_when_on(make_bot, tmp_path: Path):
    bot = await make_bot()
    menus = await bot.api.wait_for("setMyCommands", 3)
    by_scope = {m.params["scope"]["type"]: m.params["commands"] for m in menus}
    assert "ask" in [c["command"] for c in by_scope["all_private_chats"]]
    assert "ask" not in [c["command"] for c in by_scope["default"]]  # groups: no /ask
    assert [c["command"] for c in by_scope["chat"]] == ["open", "done", "help"]
    bot.api.push_message("/ask@clinic_test_bot", chat_id=OTHER_GROUP, chat_type="supergroup")
    assert "private chat" in (await bot.wait(OTHER_GROUP, 1))[-1]

    off = await make_bot(staff=None, store=Store(tmp_path / "off.sqlite3"))
    (menu,) = await off.api.wait_for("setMyCommands")
    assert "ask" not in [c["command"] for c in menu.params["commands"]]
    off.api.push_message(QUESTION, chat_id=PERSON)
    await off.wait(PERSON, 1)
    assert ASK not in callbacks(off.to(PERSON)[-1])


async def test_what_is_not_relayed_is_said_so(bot: Bot):
    api = bot.api
    await bot.ask(QUESTION)
    ticket_message = api.last_sent(STAFF)
    sticker = {
        "file_id": "s",
        "file_unique_id": "su",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    bot.staff_reply(None, ticket_message, sticker=sticker)
    assert "only text, photos and files are passed on" in (await bot.wait(STAFF, 2))[-1]
    api.push_message("/done twelve", chat_id=STAFF, chat_type="supergroup")
    assert "Which question?" in (await bot.wait(STAFF, 3))[-1]

    # reactions turned off in the group: a short note instead
    api.fail_next("setMessageReaction", 400, description="Bad Request: REACTION_INVALID")
    bot.staff_reply("An answer", ticket_message)
    assert (await bot.wait(STAFF, 4))[-1] == "Sent to question #1."
    relayed = api.last_sent(PERSON)

    # the person replies with a photo: only text goes to the clinic
    photo = [{"file_id": "p", "file_unique_id": "pu", "width": 9, "height": 9}]
    api.push_message(None, chat_id=PERSON, reply_to=relayed, photo=photo)
    assert "Only text messages are passed on" in (await bot.wait(PERSON, 5))[-1]
    await bot.settle()
    assert len(bot.to(STAFF)) == 4
    assert not api.calls_to("copyMessage")

    # /done as a reply to the question's message
    api.push_message("/done", chat_id=STAFF, chat_type="supergroup", reply_to=ticket_message)
    assert (await bot.wait(STAFF, 5))[-1] == "Question #1 is closed by Pat; the person was told."


async def test_ask_for_another_bot_in_a_group_is_not_ours(bot: Bot):
    bot.api.push_message("/ask@some_other_bot", chat_id=OTHER_GROUP, chat_type="supergroup")
    await bot.settle()
    assert bot.texts(OTHER_GROUP) == []
    bot.api.push_message("/ask", chat_id=OTHER_GROUP, chat_type="supergroup")
    assert "private chat" in (await bot.wait(OTHER_GROUP, 1))[-1]


async def test_a_failing_acknowledgement_never_costs_the_send(bot: Bot):
    bot.api.push_message("/ask", chat_id=PERSON)
    await bot.wait(PERSON, 1)
    bot.api.push_message(QUESTION, chat_id=PERSON)
    await bot.wait(PERSON, 2)
    bot.api.fail_next("answerCallbackQuery", 502, times=5)  # outlasts the retries
    bot.api.push_callback(SEND, chat_id=PERSON)
    await bot.wait(PERSON, 3)
    await bot.settle()
    assert len(bot.to(STAFF)) == 1
    assert escape(QUESTION) in bot.api.last_sent(STAFF)["text"]


async def test_a_staff_group_that_migrated_while_the_bot_was_off_is_followed(
    make_bot, caplog: pytest.LogCaptureFixture
):
    new_staff = -1007654321
    api = FakeBotApi()
    api.migrate(STAFF, new_staff, announce=False)
    bot = await make_bot(api)
    api.push_message("/ask", chat_id=PERSON)
    await bot.wait(PERSON, 1)
    api.push_message(QUESTION, chat_id=PERSON)
    await bot.wait(PERSON, 2)
    api.push_callback(SEND, chat_id=PERSON, first_name="Anna")
    assert (await bot.wait(PERSON, 3))[-1].startswith("Sent to the clinic as question #1.")
    ticket = api.last_sent(new_staff)
    assert ticket["text"].startswith("Question #1 from Anna")
    assert f"Set STAFF_CHAT_ID={new_staff}" in caplog.text
    # replies from the supergroup reach the person, and its commands work
    api.push_message(
        "Yes, bring it.",
        chat_id=new_staff,
        chat_type="supergroup",
        user_id=STAFF_MEMBER,
        reply_to=ticket,
    )
    assert "Yes, bring it." in (await bot.wait(PERSON, 4))[-1]
    api.push_message("/open", chat_id=new_staff, chat_type="supergroup", user_id=STAFF_MEMBER)
    await bot.settle()
    assert bot.texts(new_staff)[-1].startswith("Open questions (1, 0 urgent):")
