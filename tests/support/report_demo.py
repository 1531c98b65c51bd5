"""A month of made-up traffic in a database, for the tests of ``report --html`` and for the
README's picture of the page (``python tests/support/report_demo.py DB`` writes it)."""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

from bot.dialogue import Dialogue
from bot.service import ChatService
from bot.settings import load_settings
from bot.store import Store, TicketStore, utc_today

ANSWERED = (
    "what causes sciatica",
    "what is piriformis syndrome",
    "can massage help with sciatica",
    "how is piriformis different from sciatica",
    "what are the symptoms of sciatica",
    "which stretches help my piriformis",
    "how many massage sessions will I need",
    "is massage safe when I have sciatica",
)
UNANSWERED = (
    "can i go skiing with sciatica",
    "can I ski with my sciatica",
    "is skiing ok with sciatica pain",
    "do you do horse massage",
    "do you massage horses",
    "what is the wifi password",
    "is the wifi free at the clinic",
    "can I bring my toddler along",
    "text me on 07700 900123 about yoga",
)
URGENT = "i cant control my bladder and both legs went numb this morning"
BUTTONS = ("piriformis_syndrome", "massage_for_sciatica", "sciatica_causes")
CHAT_IDS = tuple(f"telegram:{900000000 + n}" for n in range(40))
"""Chats of the made-up people; none may appear on the page."""


class _Day:
    def __init__(self, day: dt.date) -> None:
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


def seed(path: Path, days: int = 30, until: dt.date | None = None, seed: int = 7) -> None:
    """Write ``days`` days of questions, presses, urgent messages and questions to the
    clinic (with answer times) into a new database at ``path``."""
    until = until or utc_today()
    clock = _Day(until)
    store = Store(path, today=clock, retention_days=3650)
    service = ChatService(Dialogue.from_settings(load_settings({})), store)
    tickets = TicketStore(store)
    rng = random.Random(seed)
    now = 1_800_000_000
    for offset in range(days - 1, -1, -1):
        clock.day = until - dt.timedelta(days=offset)
        if rng.random() < 0.1:
            continue  # a quiet day
        for _ in range(rng.randint(4, 18)):
            chat = rng.choice(CHAT_IDS)
            if rng.random() < 0.2:
                service.message(chat, rng.choice(UNANSWERED))
            else:
                service.message(chat, rng.choice(ANSWERED))
            if rng.random() < 0.4:
                service.press(chat, rng.choice(BUTTONS))
        if rng.random() < 0.2:
            service.message(rng.choice(CHAT_IDS), URGENT)
        for _ in range(rng.randint(0, 2)):
            now += 86400
            number = tickets.open(rng.choice(CHAT_IDS), now)
            tickets.posted(number, "telegram:-1001", number, urgent=rng.random() < 0.15)
            if rng.random() < 0.85:
                tickets.answered(number, now + rng.choice((300, 900, 1800, 3600, 7200, 20000)))
    store.close()


if __name__ == "__main__":
    seed(Path(sys.argv[1]))
