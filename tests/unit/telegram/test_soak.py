"""Load: many chats through the in-process fake with injected faults, and one flooding chat.

``SOAK_MESSAGES`` (default 500) messages over ``SOAK_CHATS`` (default 200) chats; for the
long run: ``SOAK_MESSAGES=10000 .venv/bin/pytest -m soak -s tests/unit/telegram/test_soak.py``.
"""

from __future__ import annotations

import gc
import os
import time

import pytest
from fake_bot_api import FakeBotApi
from harness import rss_kib, start_bot, wait_until

from bot.telegram import APOLOGY_TEXT, FLOOD_LIMIT, FloodGuard, RetryingRateLimiter, escape

SOAK_MESSAGES = int(os.environ.get("SOAK_MESSAGES", "500"))
SOAK_CHATS = int(os.environ.get("SOAK_CHATS", "200"))

QUESTIONS = [
    "what causes sciatica",
    "can massage help piriformis syndrome",
    "pain in my butt that goes down to my calf",
    "hello",
    "what is the weather tomorrow",
    "tell me more",
    "how long does sciatica last",
    "<b>stretches</b> & exercises?",
    "😀😀😀",
    "i cant feel my feet and cant pee",
]


@pytest.mark.soak
async def test_soak_many_chats_with_faults_all_answered_once(dialogue, capsys):
    api = FakeBotApi()
    limiter = RetryingRateLimiter(backoff=0.01, max_retries=2, overall_max_rate=0, group_max_rate=0)
    bot = await start_bot(
        dialogue, api=api, rate_limiter=limiter, flood_guard=FloodGuard(limit=10**9)
    )
    try:
        chats = [10_000 + n for n in range(SOAK_CHATS)]
        expected = dict.fromkeys(chats, 0)
        curve: list[tuple[int, int]] = []
        batch = max(SOAK_MESSAGES // 10, 1)
        started = time.monotonic()
        sent = 0
        per_chat: dict[int, int] = {}
        failures = 0
        while sent < SOAK_MESSAGES:
            size = min(batch, SOAK_MESSAGES - sent)
            # faults for this batch: server errors on sends (retried), one 429, a polling 502
            api.fail_next("sendMessage", 502, times=2)
            api.fail_next("sendMessage", 500)
            if sent % (batch * 4) == 0:
                api.fail_next("getUpdates", 502)  # each costs a 1 s polling backoff
            if sent == batch:
                api.fail_next("sendMessage", 429, retry_after=1, description="Too Many Requests")
            for number in range(sent, sent + size):
                chat = chats[number % len(chats)]
                api.push_message(QUESTIONS[number % len(QUESTIONS)], chat_id=chat)
                expected[chat] += 1
            sent += size
            total = sent
            await wait_until(
                lambda total=total: len(api.delivered()) + sum(per_chat.values()) >= total,
                120,
                f"{total} answers",
            )
            await wait_until(lambda: not any(api._faults.values()), 10, "faults used up")
            # tally and drop the fake's call log, so the RSS curve shows the bot, not the fake
            with api._cond:
                for call in api.delivered():
                    assert call.params["text"] != escape(APOLOGY_TEXT)
                    per_chat[call.params["chat_id"]] = per_chat.get(call.params["chat_id"], 0) + 1
                failures += sum(1 for c in api.calls if c.status != 200)
                api.calls.clear()
            gc.collect()
            curve.append((sent, rss_kib()))
        took = time.monotonic() - started
        assert per_chat == {chat: n for chat, n in expected.items() if n}
        assert failures  # the faults did happen
        warm = curve[max(len(curve) // 5, 1) - 1][1]
        with capsys.disabled():
            print(
                f"\nsoak: {SOAK_MESSAGES} messages over {SOAK_CHATS} chats in {took:.1f}s "
                f"({SOAK_MESSAGES / took:.0f}/s), {failures} injected failures, "
                f"every message answered exactly once"
            )
            print(
                "RSS curve (messages: MiB): " + ", ".join(f"{n}: {k / 1024:.1f}" for n, k in curve)
            )
        assert curve[-1][1] - warm < 40 * 1024, curve  # flat after warm-up (40 MiB slack)
    finally:
        await bot.stop()


async def test_one_flooding_chat_does_not_hold_up_the_others(dialogue, capsys):
    bot = await start_bot(dialogue)  # the production rate limiter and flood guard
    api = bot.api
    try:
        await api.wait_for("getUpdates")
        flooder, others = 7000, [7001, 7002, 7003, 7004, 7005]
        pushed: dict[int, float] = {}
        started = time.monotonic()
        for number in range(100):  # 100 messages within a second
            api.push_message(f"what causes sciatica {number}", chat_id=flooder)
            if number % 20 == 10:
                chat = others[number // 20]
                pushed[chat] = time.monotonic()
                api.push_message("what causes sciatica", chat_id=chat)
            await _sleep(0.009)
        flood_took = time.monotonic() - started
        await wait_until(lambda: all(api.delivered(c) for c in others), 20, "the other chats")
        delays = {c: api.delivered(c)[0].at - pushed[c] for c in others}
        await wait_until(lambda: len(api.delivered(flooder)) >= FLOOD_LIMIT + 1, 20, "flooder")
        with capsys.disabled():
            print(
                f"\nflood: 100 messages from one chat in {flood_took:.2f}s; the flooder got "
                f"{len(api.delivered(flooder))} messages; other chats answered after "
                + ", ".join(f"{d * 1000:.0f} ms" for d in delays.values())
                + f" (worst {max(delays.values()) * 1000:.0f} ms)"
            )
        assert max(delays.values()) < 3.0
        assert len(api.delivered(flooder)) == FLOOD_LIMIT + 1  # answers + one slow-down note
    finally:
        await bot.stop()


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


ASK_CHATS = int(os.environ.get("SOAK_ASK_CHATS", "100000"))


@pytest.mark.soak
def test_memory_plateaus_over_100k_chats_asking_the_clinic(dialogue, capsys):
    """Each chat presses "Ask the clinic" and types a 1,000-character question holding one
    word no other chat used (a name, a number). The drafts are capped at 10,000 and every
    memory of words at 16,384, so memory stops growing; with 65,536 words remembered it
    still grew by ~0.8 MiB per 1,000 chats at 50,000 chats."""
    from bot.handover import ASK, MAX_DRAFTS, HandOver
    from bot.service import ChatService
    from bot.settings import Clinic
    from bot.store import Store, TicketStore
    from bot.text import WORD_CACHE_SIZE

    store = Store()
    service = ChatService(dialogue, store)
    service.handover = HandOver(
        TicketStore(store),
        dialogue,
        "telegram:-100500",
        clinic=Clinic(name="Back Clinic", phone="020 7946 0000", hours="Mon-Fri 9-17"),
    )
    now = [0.0]
    guard = FloodGuard(clock=lambda: now[0])  # 500 chats a second: 30,000 in its window
    filler = "a" * 1000
    curve: dict[int, int] = {}
    started = time.monotonic()
    for number in range(1, ASK_CHATS + 1):
        now[0] += 0.002
        chat = f"telegram:{number}"
        guard.check(number)
        service.press(chat, ASK)
        service.message(chat, f"question zq{number}x {filler}"[:1000])
        if number % 10_000 == 0:
            gc.collect()
            curve[number] = rss_kib()
    took = time.monotonic() - started
    store.close()
    with capsys.disabled():
        print(f"\n{ASK_CHATS} chats asking the clinic in {took:.0f} s; RSS MiB by chats:")
        print(", ".join(f"{n // 1000}k {kib / 1024:.0f}" for n, kib in curve.items()))
    assert len(service.handover._drafts) == MAX_DRAFTS
    assert guard.chats <= 30_001
    settled = [kib for n, kib in curve.items() if n >= 2 * max(MAX_DRAFTS, WORD_CACHE_SIZE)]
    assert len(settled) >= 2, "too few chats to see the plateau"
    assert max(settled) - min(settled) < 8 * 1024, curve  # KiB
