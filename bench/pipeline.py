"""Pipeline throughput: N chats x M messages through a real ``Application`` and the fake API.

Each run is a child process (``python -m bench.pipeline CONFIG``), so its cold start, CPU and
memory are the bot's own and not the benchmark's: the parent times the process from start to
"ready" (content loaded, matcher built, application initialised and polling), the child drives
the load and prints one JSON line of results.

Every chat behaves like a person: it sends a message, waits for the answer, sends the next.
Latency is from the update entering the fake Bot API to the ``sendMessage`` answering it.
Messages cycle through ``tests/data/questions.yml``. Telegram's own limits are left out on
purpose: the flood guard gets a limit above M and the rate limiter is a pass-through, since
``AIORateLimiter`` would cap the run at Telegram's 30 messages per second, which measures
Telegram, not the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.common import ROOT, ensure_tests_on_path, percentile, rss_mb
from bench.report import Table

READY = "BENCH-READY"


@dataclass(frozen=True)
class PipelineConfig:
    """One pipeline run.

    Attributes:
        chats: Chats talking at the same time.
        messages: Messages each chat sends.
        transport: ``inproc`` (FakeRequest) or ``http`` (loopback FakeBotApiServer).
        store: ``memory``, ``file`` (SQLite in a temp dir) or ``none`` (no store layer).
        warmup: Messages sent (by other chats) before measuring.
        storm: Share of chats whose every answer is first refused with ``429`` (retry
            after 1 s); 0 for none.
        limiter: ``passthrough`` (no limits), ``bot`` (the bot's own rate limiter, which
            waits out a 429 per chat) or ``stock`` (python-telegram-bot's
            ``AIORateLimiter``, which pauses every chat); Telegram's 30/s and 20/min per
            group limits are off in both.
    """

    chats: int
    messages: int
    transport: str = "inproc"
    store: str = "memory"
    warmup: int = 40
    storm: float = 0.0
    limiter: str = "passthrough"


@dataclass(frozen=True)
class PipelineResult:
    """What one run measured."""

    config: PipelineConfig
    sent: int
    answered: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    cpu_percent: float
    rss_mb: float
    peak_rss_mb: float
    cold_start_s: float
    ready_breakdown: dict[str, float]
    backend: str
    storm_chats: int = 0
    healthy_per_second: float = 0.0
    healthy_p50_ms: float = 0.0
    healthy_p99_ms: float = 0.0
    storm_p50_ms: float = 0.0
    storm_p99_ms: float = 0.0


def make_application(
    dialogue: Any,
    *,
    transport: str,
    api: Any,
    base_url: str = "",
    store_path: str | None = None,
    flood_limit: int = 10**9,
    limiter: str = "passthrough",
) -> tuple[Any, str]:
    """Build the bot's ``Application`` the way ``sciatica-bot run`` does; the one place it is.

    ``build_application`` takes a :class:`bot.service.ChatService` (dialogue plus SQLite
    store) when that module exists, else the dialogue itself.

    Args:
        dialogue: The :class:`~bot.dialogue.Dialogue`.
        transport: ``inproc`` (requests answered in-process) or ``http`` (over loopback).
        api: The fake Bot API (for ``inproc``).
        base_url: The fake server's API base URL (for ``http``).
        store_path: SQLite file, ``:memory:``, or None for no store layer.
        flood_limit: The flood guard's per-chat budget.
        limiter: See :attr:`PipelineConfig.limiter`.

    Returns:
        The application (not initialised) and a description of the backend.
    """
    from fake_bot_api import TOKEN
    from telegram.ext import AIORateLimiter, BaseRateLimiter

    from bot.settings import Settings
    from bot.telegram import FloodGuard, RetryingRateLimiter, build_application

    class PassThrough(BaseRateLimiter[dict[str, Any]]):
        """A rate limiter that never waits (the bot's speed, not Telegram's limits)."""

        async def initialize(self) -> None:
            """Nothing to set up."""

        async def shutdown(self) -> None:
            """Nothing to tear down."""

        async def process_request(
            self,
            callback: Any,
            args: Any,
            kwargs: dict[str, Any],
            endpoint: str,
            data: dict[str, Any],
            rate_limit_args: dict[str, Any] | None,
        ) -> Any:
            return await callback(*args, **kwargs)

    backend: Any = dialogue
    description = "Dialogue (no store layer)"
    if store_path is not None:
        try:
            from bot.service import ChatService
            from bot.store import Store
        except ImportError:
            pass
        else:
            backend = ChatService(dialogue, Store(store_path))
            where = "in memory" if store_path == ":memory:" else "file"
            description = f"ChatService + SQLite Store ({where})"
    settings = Settings(telegram_token=TOKEN, telegram_api_base_url=base_url)
    extra: dict[str, Any] = {}
    if transport == "inproc":
        extra = {"request": _waking_request(api), "get_updates_request": _waking_request(api)}
    application = build_application(
        settings,
        backend,
        flood_guard=FloodGuard(limit=flood_limit),
        rate_limiter={
            "passthrough": PassThrough,
            "bot": lambda: RetryingRateLimiter(max_retries=3, overall_max_rate=0, group_max_rate=0),
            "stock": lambda: AIORateLimiter(max_retries=3, overall_max_rate=0, group_max_rate=0),
        }[limiter](),
        **extra,
    )
    return application, description


def _timed_api() -> Any:
    """A :class:`FakeBotApi` that does not keep a call log and reports every answer's time."""
    from fake_bot_api import FakeBotApi

    class TimedApi(FakeBotApi):
        def __init__(self) -> None:
            super().__init__()
            self.loop = asyncio.get_running_loop()
            self.waiters: dict[int, asyncio.Future[float]] = {}
            self.arrived = asyncio.Event()
            self.storm: set[int] = set()
            self.owed: set[int] = set()

        def push_message(self, text: str | None = None, **kwargs: Any) -> int:
            chat = kwargs.get("chat_id", 0)
            if chat in self.storm:
                self.owed.add(chat)  # this answer's first try gets a 429
            return super().push_message(text, **kwargs)

        def push_update(self, update: dict[str, Any]) -> int:
            update_id = super().push_update(update)
            self.arrived.set()
            return update_id

        def dispatch(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict]:
            if method == "sendMessage" and int(params["chat_id"]) in self.owed:
                self.owed.discard(int(params["chat_id"]))
                return self._error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            with self._cond:
                status, body = self._answer(token, method, params)
                self._cond.notify_all()
            if method == "sendMessage":
                waiter = self.waiters.pop(int(params["chat_id"]), None)
                if waiter is not None:
                    self.loop.call_soon_threadsafe(_resolve, waiter, time.perf_counter())
            return status, body

    return TimedApi()


def _resolve(waiter: asyncio.Future[float], moment: float) -> None:
    if not waiter.done():
        waiter.set_result(moment)


def _waking_request(api: Any) -> Any:
    """A FakeRequest whose long poll wakes when an update arrives instead of every 5 ms."""
    from fake_bot_api import FakeRequest, decode_params

    class WakingRequest(FakeRequest):
        async def do_request(
            self, url: str, method: str, request_data: Any = None, *a: Any, **k: Any
        ) -> tuple[int, bytes]:
            offset = None
            if request_data is not None:
                offset = decode_params(request_data.json_parameters).get("offset")
            if url.endswith("/getUpdates") and not self.api.updates_ready(offset):
                self.api.arrived.clear()
                if not self.api.updates_ready(offset):
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.api.arrived.wait(), self.max_long_poll)
            return await super().do_request(url, method, request_data, *a, **k)

    return WakingRequest(api, max_long_poll=0.5)


async def _chat(
    api: Any,
    chat_id: int,
    texts: Sequence[str],
    latencies: list[float],
    finished: list[float] | None = None,
) -> int:
    """One person: send, wait for the answer, send the next. Returns answers received
    (and appends the moment of the last one to ``finished``)."""
    answered = 0
    for text in texts:
        waiter: asyncio.Future[float] = api.loop.create_future()
        api.waiters[chat_id] = waiter
        start = time.perf_counter()
        api.push_message(text, chat_id=chat_id)
        try:
            end = await asyncio.wait_for(waiter, 30.0)
        except TimeoutError:
            api.waiters.pop(chat_id, None)
            continue
        latencies.append(end - start)
        answered += 1
    if finished is not None:
        finished.append(time.perf_counter())
    return answered


async def _child(config: PipelineConfig, texts: list[str]) -> dict[str, Any]:
    """Start the bot, print READY, run the load; the results as a dict."""
    marks = {"imported": time.monotonic() - _T0}
    from bench.common import bundled_content
    from bot.dialogue import Dialogue

    dialogue = Dialogue(bundled_content())
    marks["content+matcher"] = time.monotonic() - _T0
    api = _timed_api()
    server = None
    base_url = ""
    if config.transport == "http":
        from fake_bot_api import FakeBotApiServer

        server = FakeBotApiServer(api, max_long_poll=0.5)
        server.start()
        base_url = server.base_url
    tmp = tempfile.TemporaryDirectory(prefix="bench-store-")
    store = {"memory": ":memory:", "file": str(Path(tmp.name) / "bot.sqlite3")}.get(config.store)
    app, backend = make_application(
        dialogue,
        transport=config.transport,
        api=api,
        base_url=base_url,
        store_path=store,
        flood_limit=config.messages + config.warmup + 10,
        limiter=config.limiter,
    )
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.updater.start_polling(timeout=1, allowed_updates=None)
    await app.start()
    marks["ready"] = time.monotonic() - _T0
    print(READY, flush=True)
    try:
        # Warm-up: other chats, not measured.
        warm: list[float] = []
        for k in range(config.warmup):
            await _chat(api, 9_000_000 + k, [texts[k % len(texts)]], warm)
        latencies: list[float] = []
        storm_latencies: list[float] = []
        healthy_done: list[float] = []
        plans = [
            [texts[(c * config.messages + m) % len(texts)] for m in range(config.messages)]
            for c in range(config.chats)
        ]
        storm_count = round(config.chats * config.storm)
        if config.storm and not storm_count:
            storm_count = 1
        stormy = {1_000_000 + c * config.chats // storm_count for c in range(storm_count)}
        api.storm = stormy
        cpu0, wall0 = time.process_time(), time.perf_counter()
        counts = await asyncio.gather(
            *(
                _chat(api, chat, plan, storm_latencies)
                if chat in stormy
                else _chat(api, chat, plan, latencies, healthy_done)
                for chat, plan in ((1_000_000 + c, plan) for c, plan in enumerate(plans))
            )
        )
        wall = time.perf_counter() - wall0
        healthy_wall = (max(healthy_done) - wall0) if healthy_done else wall
        cpu = time.process_time() - cpu0
        current, peak = rss_mb()
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        if server is not None:
            server.stop()
        tmp.cleanup()
    answered = sum(counts)
    return {
        "sent": config.chats * config.messages,
        "answered": answered,
        "seconds": wall,
        "per_second": answered / wall if wall else 0.0,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "cpu_percent": 100.0 * cpu / wall if wall else 0.0,
        "rss_mb": current,
        "peak_rss_mb": peak,
        "ready_breakdown": marks,
        "backend": backend,
        "storm_chats": storm_count,
        "healthy_per_second": len(latencies) / healthy_wall if healthy_wall else 0.0,
        "healthy_p50_ms": percentile(latencies, 50) * 1000,
        "healthy_p99_ms": percentile(latencies, 99) * 1000,
        "storm_p50_ms": percentile(storm_latencies, 50) * 1000 if storm_latencies else 0.0,
        "storm_p99_ms": percentile(storm_latencies, 99) * 1000 if storm_latencies else 0.0,
    }


def run_one(config: PipelineConfig, timeout: float = 600.0) -> PipelineResult:
    """Run one configuration in a child process and collect its results."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.pipeline",
            json.dumps(asdict(config)),
            repr(time.monotonic()),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    cold = float("nan")
    result: dict[str, Any] | None = None
    for line in proc.stdout:
        if line.strip() == READY:
            cold = time.perf_counter() - start
        elif line.startswith("{"):
            result = json.loads(line)
    _, err = proc.communicate(timeout=timeout)
    if proc.returncode != 0 or result is None:
        raise RuntimeError(f"pipeline run {config} failed ({proc.returncode}):\n{err[-3000:]}")
    return PipelineResult(config=config, cold_start_s=cold, **result)


def run_pipeline(
    configs: Sequence[PipelineConfig], repeat: int = 3
) -> tuple[Table, list[PipelineResult]]:
    """Run every configuration ``repeat`` times and tabulate the median run of each.

    A shared two-core machine moves throughput by a fifth from one run to the next, so a
    single run says little; the table shows the run with the median messages per second
    and the range over all runs.
    """
    results: list[PipelineResult] = []
    spreads: list[str] = []
    for config in configs:
        runs = sorted((run_one(config) for _ in range(max(1, repeat))), key=lambda r: r.per_second)
        results.append(runs[len(runs) // 2])
        spreads.append(f"{runs[0].per_second:.0f}-{runs[-1].per_second:.0f}")
    table = Table(
        "Pipeline throughput (real Application, fake Bot API)",
        [
            "transport",
            "backend",
            "chats x msgs",
            "answered",
            "msg/s",
            "range msg/s",
            "p50 ms",
            "p99 ms",
            "CPU %",
            "RSS MB",
            "peak RSS MB",
            "cold start s",
        ],
    )
    for r, spread in zip(results, spreads, strict=True):
        c = r.config
        table.add(
            "in-process" if c.transport == "inproc" else "loopback HTTP",
            r.backend,
            f"{c.chats} x {c.messages}",
            f"{r.answered}/{r.sent}",
            f"{r.per_second:.0f}",
            spread,
            f"{r.p50_ms:.2f}",
            f"{r.p99_ms:.2f}",
            f"{r.cpu_percent:.0f}",
            f"{r.rss_mb:.1f}",
            f"{r.peak_rss_mb:.1f}",
            f"{r.cold_start_s:.2f}",
        )
    if results:
        b = results[0].ready_breakdown
        table.notes.append(
            f"Each row is the median of {max(1, repeat)} runs, each its own process. "
            "Cold start = process start to polling: imports "
            f"{b['imported']:.2f} s, content + matcher {b['content+matcher'] - b['imported']:.2f} "
            f"s, application start {b['ready'] - b['content+matcher']:.2f} s (first row). "
            "CPU % is process CPU time over wall time (100 = one core). Latency = update "
            "queued at the fake API to sendMessage received; each chat waits for its answer "
            "before sending again. Flood guard and rate limiter are out of the way (see "
            "bench/pipeline.py). The HTTP rows include the fake server's threads in CPU and RSS."
        )
    return table, results


def run_storm(chats: int, messages: int, repeat: int = 3, warmup: int = 40) -> Table:
    """Throughput while Telegram refuses every first send to 10% of the chats with a 429.

    Two rows: the bot's rate limiter (each 429 holds only its own chat) and
    python-telegram-bot's stock ``AIORateLimiter`` (each 429 pauses every chat), both
    with the bot's per-chat update processing. The median run (by healthy chats' msg/s)
    of ``repeat`` is shown.
    """
    table = Table(
        "Throughput under a 429 storm on 10% of chats",
        [
            "rate limiter",
            "chats x msgs",
            "chats refused",
            "answered",
            "healthy msg/s",
            "healthy p50 ms",
            "healthy p99 ms",
            "refused chats p50 ms",
            "refused chats p99 ms",
        ],
    )
    names = {
        "bot": "the bot's (429 waits per chat)",
        "stock": "stock AIORateLimiter (429 pauses all)",
    }
    for limiter in ("bot", "stock"):
        config = PipelineConfig(chats, messages, "inproc", "memory", warmup, 0.1, limiter)
        runs = sorted(
            (run_one(config) for _ in range(max(1, repeat))), key=lambda r: r.healthy_per_second
        )
        r = runs[len(runs) // 2]
        table.add(
            names[limiter],
            f"{chats} x {messages}",
            str(r.storm_chats),
            f"{r.answered}/{r.sent}",
            f"{r.healthy_per_second:.0f}",
            f"{r.healthy_p50_ms:.2f}",
            f"{r.healthy_p99_ms:.2f}",
            f"{r.storm_p50_ms:.0f}",
            f"{r.storm_p99_ms:.0f}",
        )
    table.notes.append(
        "Every answer to the refused chats is first answered 429 (retry after 1 s) by the "
        "fake Bot API, then accepted. Healthy msg/s = answers to the other chats over the "
        "time until the last of them was done. Telegram's 30/s and 20/min-per-group limits "
        f"are off in both rows. Median of {max(1, repeat)} runs, each its own process."
    )
    return table


def bot_cold_start(runs: int = 5) -> Table:
    """Time ``python -m bot run`` from process start to polling, against the loopback fake,
    with voice notes off and (when the voice extra is installed) on.

    "Polling" is the moment the fake has answered ``deleteWebhook``, the last call before
    ``getUpdates``. Each run uses a fresh database file, so the schema is created too.

    Args:
        runs: Processes to start per setting (the median is shown with the range).
    """
    ensure_tests_on_path()
    from fake_bot_api import TOKEN, FakeBotApi, FakeBotApiServer

    from bot.voice import available

    table = Table(
        "Cold start of the bot (python -m bot run, loopback fake Bot API)",
        ["voice notes", "runs", "median s", "min s", "max s"],
    )
    for voice in ("off", "on") if available() else ("off",):
        times: list[float] = []
        for _ in range(max(1, runs)):
            api = FakeBotApi()
            with FakeBotApiServer(api) as server, tempfile.TemporaryDirectory() as tmp:
                env = {
                    **{k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")},
                    "TELEGRAM_BOT_TOKEN": TOKEN,
                    "TELEGRAM_API_BASE_URL": server.base_url,
                    "DATABASE_PATH": str(Path(tmp) / "bot.sqlite3"),
                    "VOICE": voice,
                }
                start = time.perf_counter()
                proc = subprocess.Popen(
                    [sys.executable, "-m", "bot", "run"],
                    cwd=tmp,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                try:
                    api.wait_for_sync("deleteWebhook", 1, timeout=60)
                    times.append(time.perf_counter() - start)
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
        table.add(
            voice,
            len(times),
            f"{statistics.median(times):.2f}",
            f"{min(times):.2f}",
            f"{max(times):.2f}",
        )
    table.notes.append(
        "Process start to polling: imports, content and matcher, the SQLite schema, getMe and "
        "deleteWebhook (the command menu is registered in the background); real Telegram is "
        "further away than the loopback fake. With voice notes on, the model's SHA-256 is "
        "checked before polling and the model loads on the voice thread meanwhile."
    )
    return table


_T0 = time.monotonic()
"""When the process started (the parent's clock reading, passed on the command line)."""

if __name__ == "__main__":
    if len(sys.argv) > 2:
        _T0 = float(sys.argv[2])
    ensure_tests_on_path()
    from bench.common import load_questions

    cfg = PipelineConfig(**json.loads(sys.argv[1]))
    questions = [q.q for q in load_questions()]
    out = asyncio.run(_child(cfg, questions))
    print(json.dumps(out), flush=True)
