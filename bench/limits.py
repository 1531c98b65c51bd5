"""Limits under load: what the flood guard costs per message with many chats writing."""

from __future__ import annotations

import time

from bench.report import Table


def run_flood_guard(sizes: list[int], messages: int = 20_000) -> Table:
    """Microseconds per :meth:`FloodGuard.check` with ``n`` chats inside one window.

    Every chat writes once (spread over 50 s), then ``messages`` more messages come from
    those chats; the second part is timed.
    """
    from bot.telegram.traffic import FloodGuard

    table = Table(
        "Flood guard: cost per message by chats writing within its window",
        ["chats in window", "µs per message", "chats remembered"],
    )
    for size in sizes:
        now = [0.0]
        guard = FloodGuard(limit=10**9, clock=lambda now=now: now[0])
        for chat in range(size):
            now[0] = chat * 50.0 / size
            guard.check(chat)
        started = time.perf_counter()
        for number in range(messages):
            guard.check(number % size)
        took = time.perf_counter() - started
        table.add(f"{size:,}", f"{took / messages * 1e6:.2f}", f"{guard.chats:,}")
    table.notes.append(
        "before windows expired oldest first, every message rescanned all chats once more "
        "than 10,000 wrote within the window."
    )
    return table
