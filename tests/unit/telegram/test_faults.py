"""Faults from Telegram, injected through the fake Bot API into a real polling ``Application``
in process (the faults met by ``sciatica-bot run`` as a process are in
``tests/system/test_faults_system.py``).

``OUTAGE_SECONDS`` (default 1.5) sets the length of the API outage; ``LONG_FAULTS=1`` also
runs the 10-second outage.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import socket
import time
from collections.abc import AsyncIterator

import pytest
from fake_bot_api import TOKEN
from harness import RunningBot, all_handled, start_bot, wait_until

from bot.telegram import APOLOGY_TEXT, escape, webhook
from bot.telegram.updates import ChatOrderProcessor

ALICE, BOB, CAROL = 2001, 2002, 2003
OUTAGE_SECONDS = float(os.environ.get("OUTAGE_SECONDS", "1.5"))
LONG = pytest.mark.skipif(not os.environ.get("LONG_FAULTS"), reason="set LONG_FAULTS=1")
QUESTION = "what causes sciatica"


@pytest.fixture
async def bots(dialogue) -> AsyncIterator[list[RunningBot]]:
    """Bots started by a test with ``bots.append(await start_bot(...))``, stopped after it."""
    started: list[RunningBot] = []
    yield started
    for bot in started:
        await bot.stop()


async def running(bots: list[RunningBot], dialogue, **kwargs) -> RunningBot:
    bot = await start_bot(dialogue, **kwargs)
    bots.append(bot)
    return bot


def answers(bot: RunningBot, chat_id: int) -> list[str]:
    return [call.params["text"] for call in bot.delivered_to(chat_id)]


async def answered(bot: RunningBot, counts: dict[int, int], timeout: float = 10.0) -> float:
    """Wait until each chat has received ``count`` messages; returns how long it took."""
    return await wait_until(
        lambda: all(len(bot.delivered_to(c)) >= n for c, n in counts.items()),
        timeout,
        f"answers {counts}",
    )


async def settle(bot: RunningBot) -> None:
    """Wait until every update pushed so far has been handled."""
    await all_handled(bot.app, bot.api)


async def test_429_on_send_is_delivered_after_the_wait_exactly_once(bots, dialogue):
    bot = await running(bots, dialogue)
    bot.api.fail_next(
        "sendMessage", 429, description="Too Many Requests: retry after 1", retry_after=1
    )
    bot.api.push_message(QUESTION, chat_id=ALICE)
    await answered(bot, {ALICE: 1})
    await settle(bot)
    sends = [c for c in bot.api.calls_to("sendMessage") if c.params["chat_id"] == ALICE]
    assert [c.status for c in sends] == [429, 200]
    assert sends[1].at - sends[0].at >= 1.0  # waited retry_after
    expected = dialogue.handle(dialogue_state(), QUESTION)[0]
    assert answers(bot, ALICE) == [escape(expected.text)]


async def test_429_on_get_updates_waits_and_loses_nothing(bots, dialogue):
    bot = await running(bots, dialogue)
    await bot.api.wait_for("getUpdates")
    bot.api.fail_next("getUpdates", 429, description="Too Many Requests", retry_after=1)
    bot.api.push_message(QUESTION, chat_id=ALICE)
    await answered(bot, {ALICE: 1})
    await settle(bot)
    assert len(answers(bot, ALICE)) == 1


def dialogue_state():
    from bot.replies import ChatState

    return ChatState()


async def test_5xx_on_get_updates_polling_backs_off_and_loses_nothing(bots, dialogue):
    bot = await running(bots, dialogue)
    await bot.api.wait_for("getUpdates")
    bot.api.fail_next("getUpdates", 502, times=1)
    bot.api.fail_next("getUpdates", 500, times=1)
    bot.api.push_message(QUESTION, chat_id=ALICE)
    bot.api.push_message(QUESTION, chat_id=BOB)
    await answered(bot, {ALICE: 1, BOB: 1})
    await settle(bot)
    failed = [c for c in bot.api.calls_to("getUpdates") if c.status >= 500]
    assert [c.status for c in failed] == [502, 500]
    ok_after = [c for c in bot.api.calls_to("getUpdates") if c.at > failed[1].at]
    # backoff: 1 s after the first failure, 1.5 s after the second
    assert failed[1].at - failed[0].at >= 0.9
    assert ok_after and ok_after[0].at - failed[1].at >= 1.4
    assert len(answers(bot, ALICE)) == len(answers(bot, BOB)) == 1


async def test_get_updates_timing_out_loses_nothing_and_answers_once(bots, dialogue):
    # the client's timeout for getUpdates is long-poll (1 s) + read timeout (0.2 s)
    bot = await running(bots, dialogue, read_timeout=0.2)
    await bot.api.wait_for("getUpdates")
    bot.api.slow_next("getUpdates", 30, times=2)
    bot.api.push_message(QUESTION, chat_id=ALICE)
    bot.api.push_message("/help", chat_id=BOB)
    await answered(bot, {ALICE: 1, BOB: 1})
    timed_out = lambda: [c for c in bot.api.calls_to("getUpdates") if c.status == 0]  # noqa: E731
    await wait_until(lambda: len(timed_out()) == 2, 10, "two timed-out polls")
    bot.api.push_message("/help", chat_id=BOB)
    await answered(bot, {BOB: 2})
    await settle(bot)
    assert len(answers(bot, ALICE)) == 1
    assert len(answers(bot, BOB)) == 2


async def test_5xx_on_send_is_retried_and_answered_exactly_once(bots, dialogue):
    bot = await running(bots, dialogue)
    bot.api.fail_next("sendMessage", 502, times=2)
    bot.api.push_message(QUESTION, chat_id=ALICE)
    await answered(bot, {ALICE: 1})
    await settle(bot)
    sends = [c for c in bot.api.calls_to("sendMessage") if c.params["chat_id"] == ALICE]
    assert [c.status for c in sends] == [502, 502, 200]
    expected = dialogue.handle(dialogue_state(), QUESTION)[0]
    assert answers(bot, ALICE) == [escape(expected.text)]


async def test_send_failing_for_good_apologises_and_the_bot_goes_on(bots, dialogue, caplog):
    bot = await running(bots, dialogue)
    bot.api.fail_next("sendMessage", 500, times=4)  # the first try and every retry
    update_id = bot.api.push_message(QUESTION, chat_id=ALICE)
    await answered(bot, {ALICE: 1})
    assert answers(bot, ALICE) == [escape(APOLOGY_TEXT)]
    assert f"update {update_id} failed with NetworkError" in caplog.text
    bot.api.push_message(QUESTION, chat_id=ALICE)
    await answered(bot, {ALICE: 2})
    assert answers(bot, ALICE)[1] != escape(APOLOGY_TEXT)


async def test_send_timing_out_is_not_sent_twice(bots, dialogue, caplog):
    # A send that timed out may have reached Telegram: it is not repeated (that could
    # answer twice); the person gets the apology instead.
    bot = await running(bots, dialogue, read_timeout=0.2)
    bot.api.slow_next("sendMessage", 30)
    update_id = bot.api.push_message(QUESTION, chat_id=ALICE)
    await answered(bot, {ALICE: 1})
    await settle(bot)
    sends = [c for c in bot.api.calls_to("sendMessage") if c.params["chat_id"] == ALICE]
    assert [c.status for c in sends] == [0, 200]
    assert answers(bot, ALICE) == [escape(APOLOGY_TEXT)]
    assert f"update {update_id} failed with TimedOut" in caplog.text


async def run_outage(bots, dialogue, seconds: float) -> tuple[float, float]:
    """Telegram answers 502 to everything for ``seconds``; messages keep arriving.

    Returns:
        (seconds from the outage's end to the last answer, total seconds).
    """
    bot = await running(bots, dialogue)
    await bot.api.wait_for("getUpdates")
    started = time.monotonic()
    bot.api.outage(seconds)
    chats = [ALICE, BOB, CAROL]
    for number, chat in enumerate(chats * 2):
        bot.api.push_message(QUESTION if number % 2 else "/topics", chat_id=chat)
    await wait_until(lambda: not bot.api.in_outage, seconds + 1, "the outage's end")
    ended = time.monotonic()
    await answered(bot, dict.fromkeys(chats, 2), timeout=40)
    recovered = time.monotonic() - ended
    await settle(bot)
    for chat in chats:
        assert len(answers(bot, chat)) == 2, chat
        assert escape(APOLOGY_TEXT) not in answers(bot, chat)
    failed = [c for c in bot.api.calls_to("getUpdates") if c.status == 502]
    assert failed, "the outage was not noticed"
    print(
        f"\noutage {seconds:.1f}s: {len(failed)} failed polls, answered everything "
        f"{recovered:.2f}s after the API came back ({time.monotonic() - started:.1f}s in all)"
    )
    return recovered, time.monotonic() - started


async def test_api_outage_bot_recovers_and_answers_what_arrived(bots, dialogue):
    recovered, _ = await run_outage(bots, dialogue, OUTAGE_SECONDS)
    assert recovered < 30  # the polling backoff never waits longer than 30 s


@LONG
@pytest.mark.slow
async def test_ten_second_api_outage(bots, dialogue):
    recovered, _ = await run_outage(bots, dialogue, 10.0)
    assert recovered < 30


@pytest.mark.parametrize(
    ("status", "description", "error"),
    [
        (403, "Forbidden: bot was blocked by the user", "Forbidden"),
        (403, "Forbidden: user is deactivated", "Forbidden"),
        (400, "Bad Request: chat not found", "BadRequest"),
    ],
)
async def test_chat_that_cannot_be_reached_is_logged_and_others_unaffected(
    bots, dialogue, caplog, status, description, error
):
    bot = await running(bots, dialogue)
    bot.api.fail_chat(ALICE, status, description)
    alice = [bot.api.push_message(QUESTION, chat_id=ALICE) for _ in range(2)]
    bot.api.push_message(QUESTION, chat_id=BOB)
    bot.api.push_callback("piriformis_syndrome", chat_id=ALICE)
    bot.api.push_message("/help", chat_id=BOB)
    await answered(bot, {BOB: 2})
    await settle(bot)
    assert answers(bot, ALICE) == []
    assert len(answers(bot, BOB)) == 2
    for update_id in alice:
        # python-telegram-bot drops "Bad Request: " and capitalises the rest
        reason = description.removeprefix("Bad Request: ")
        assert f"update {update_id} failed with {error}: " in caplog.text
        assert reason.lower() in caplog.text.lower()
    assert "could not apologise" in caplog.text
    assert TOKEN not in caplog.text


async def test_message_too_long_is_logged_and_apologised_for(bots, dialogue, caplog):
    bot = await running(bots, dialogue)
    bot.api.fail_next("sendMessage", 400, description="Bad Request: message is too long")
    update_id = bot.api.push_message(QUESTION, chat_id=ALICE)
    await answered(bot, {ALICE: 1})
    assert answers(bot, ALICE) == [escape(APOLOGY_TEXT)]
    assert f"update {update_id} failed with BadRequest: Message is too long" in caplog.text
    bot.api.push_message(QUESTION, chat_id=ALICE)
    await answered(bot, {ALICE: 2})


async def test_connection_refused_while_polling_is_survived(bots, dialogue, caplog):
    caplog.set_level(logging.DEBUG)
    bot = await running(bots, dialogue)
    await bot.api.wait_for("getUpdates")
    bot.updates_request.refuse = True
    bot.api.push_message(QUESTION, chat_id=ALICE)
    await wait_until(
        lambda: any(c.status == 0 for c in bot.api.calls_to("getUpdates")), 5, "a refused poll"
    )
    bot.updates_request.refuse = False
    await answered(bot, {ALICE: 1})
    problem = "Telegram connection problem: NetworkError"
    await wait_until(lambda: problem in caplog.text, 5, "the error handler's log line")


async def test_button_acknowledgement_failing_never_costs_the_answer(bots, dialogue, caplog):
    bot = await running(bots, dialogue)
    bot.api.fail_next("answerCallbackQuery", 502, times=5)  # outlasts the retries
    update_id = bot.api.push_callback("piriformis_syndrome", chat_id=ALICE)
    await answered(bot, {ALICE: 1})
    await settle(bot)
    expected, _ = dialogue.handle(dialogue_state(), payload="piriformis_syndrome")
    assert answers(bot, ALICE) == [escape(expected.text)]
    assert f"could not acknowledge button press (update {update_id})" in caplog.text


async def test_shutting_down_during_an_outage_logs_one_line(bots, dialogue, caplog):
    bot = await start_bot(dialogue)
    bot.api.push_message(QUESTION, chat_id=ALICE)
    await answered(bot, {ALICE: 1})
    caplog.set_level(logging.INFO)
    bot.api.outage(60)
    # The failed poll's own line is logged by a task of its own: wait for it, so that only
    # what the shutdown logs is counted (under load it used to arrive after the clear).
    await wait_until(
        lambda: "Telegram connection problem" in caplog.text, 10, "the failed poll's log line"
    )
    caplog.clear()
    stopped = time.monotonic()
    await bot.stop()
    took = time.monotonic() - stopped
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    print("\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in loud))
    assert len(loud) <= 1, [r.getMessage() for r in loud]
    assert not any(r.exc_info for r in caplog.records)
    assert "Traceback" not in caplog.text
    assert took < 5


async def test_accept_loop_backs_off_when_out_of_file_descriptors(caplog):
    """With no file descriptor left, tornado's accept loop was woken at once for the same
    waiting connection, for ever, logging a traceback each time. Now it pauses (with
    backoff), logs one line, and accepts again once descriptors are free."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)

    class Starved:
        """The listening socket of a process out of file descriptors."""

        starved = True
        calls = 0

        def fileno(self) -> int:
            return listener.fileno()

        def accept(self) -> tuple[socket.socket, object]:
            Starved.calls += 1
            if Starved.starved:
                raise OSError(errno.EMFILE, "Too many open files")
            return listener.accept()

        def close(self) -> None:
            listener.close()

    client = socket.create_connection(listener.getsockname())  # waits to be accepted
    http = webhook.webhook_server(
        "telegram", None, asyncio.Queue(), ChatOrderProcessor().track, "x"
    )
    caplog.set_level(logging.INFO)
    http.add_sockets([Starved()])  # type: ignore[list-item]
    try:
        await asyncio.sleep(1.5)
        while_starved = Starved.calls
        Starved.starved = False
        await wait_until(lambda: len(http._connections) == 1, 5, "the waiting connection accepted")
    finally:
        http.stop()
        client.close()
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    print(f"\n{while_starved} accept() calls in 1.5 s without descriptors")
    assert while_starved <= 12  # pauses of 0.05, 0.1, 0.2, 0.4, 0.8 s
    assert len(loud) == 1 and "no file descriptor left" in loud[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)


async def test_a_plain_400_for_an_upgraded_group_is_one_line(bots, dialogue, caplog):
    """Without ``migrate_to_chat_id`` the 400 is a plain ``BadRequest``: it used to log a
    40-line traceback."""
    bot = await start_bot(dialogue)
    bots.append(bot)
    caplog.set_level(logging.INFO)
    bot.api.fail_chat(-500, 400, "Bad Request: group chat was upgraded to a supergroup chat")
    update_id = bot.api.push_message("/help", chat_id=-500, chat_type="group")
    bot.api.push_message("/help", chat_id=501)
    await wait_until(lambda: len(bot.delivered_to(501)) == 1, 10, "the other chat answered")
    await all_handled(bot.app, bot.api)
    mine = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(mine) == 1, [r.getMessage() for r in mine]
    message = mine[0].getMessage()
    assert f"update {update_id} failed with BadRequest" in message and "\n" not in message
    assert "upgraded" in message.lower()
    assert not any(r.exc_info for r in caplog.records)
