"""Updates in: every chat in parallel, each chat in order, confirmed only once handled.

- :class:`ChatOrderProcessor` runs updates of different chats concurrently and those of one
  chat one after another, in the order Telegram sent them. A chat waiting (a ``429`` for
  that chat, a slow send, a burst in a busy group) holds up nobody else.
- :class:`AckingUpdater` polls ``getUpdates`` and advances the offset (which tells Telegram
  "these are done, forget them") only past updates that were *handled*, not merely fetched.
  A crash therefore never loses a message; at worst the updates in hand when it happened
  are delivered again after the restart and answered a second time.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.error import (
    BadRequest,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import BaseUpdateProcessor, ExtBot, Updater

from bot.telegram.traffic import retry_seconds
from bot.telegram.webhook import webhook_server

if TYPE_CHECKING:
    from tornado.httpserver import HTTPServer

logger = logging.getLogger(__name__)

MAX_CONCURRENT_UPDATES = 512
"""Updates handled at the same time (waiting ones included). The poller keeps fewer than
this in hand, so the processor's semaphore is never the bottleneck."""

MAX_IN_HAND = 400
"""The poller stops fetching while this many fetched updates are not yet handled."""

BUSY_POLL_SECONDS = 0.05
"""While some updates are still being handled, ``getUpdates`` is asked this often for new
ones (it cannot long-poll: it returns the unconfirmed updates at once)."""

FETCH_LIMIT = 100
"""Updates one ``getUpdates`` returns at most (Telegram's maximum)."""

PARK_SECONDS = 5.0
"""An update still in hand after this long, while :data:`FETCH_LIMIT` newer ones wait
behind it, is confirmed early (see :class:`AckingUpdater`)."""

LONG_POLL_SECONDS = 10
"""Long-polling timeout of ``getUpdates`` when nothing is in hand."""

MAX_BACKOFF_SECONDS = 30.0

READ_TRIES = 3
"""Fetches of an update the library cannot read (a shape it does not know) before it is
confirmed and skipped, so that it cannot hold up every chat behind it."""

WEBHOOK_CONNECTIONS = 100
"""Requests Telegram may have open at once (its maximum): a chat waiting keeps its
request open, so a high number keeps the other chats flowing."""


@dataclass(frozen=True)
class Unreadable:
    """An update ``getUpdates`` returned that the library could not read.

    Attributes:
        update_id: Its id.
        error: The name of the error reading it raised (never its content).
    """

    update_id: int
    error: str


def read_each(raw: object, bot: Any) -> list[Update | Unreadable]:
    """The updates of a raw ``getUpdates`` answer, read one by one: one the library cannot
    read becomes an :class:`Unreadable` instead of failing the whole batch (items without
    an integer ``update_id`` cannot be confirmed one by one and are left out)."""
    out: list[Update | Unreadable] = []
    for item in raw if isinstance(raw, list) else []:
        update_id = item.get("update_id") if isinstance(item, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            continue
        try:
            update = Update.de_json(item, bot)
            if isinstance(bot, ExtBot):
                bot.insert_callback_data(update)
        except Exception as exc:  # whatever the library raises on a shape it does not know
            out.append(Unreadable(update_id, type(exc).__name__))
        else:
            out.append(update)
    return out


class WebhookRefused(Exception):
    """Telegram refused ``setWebhook`` for good (a 400 for a bad URL, and the like)."""


async def register_webhook(bot: Any, **params: Any) -> None:
    """Call ``setWebhook``, retrying only what can pass: no connection, 5xx, 429.

    Raises:
        WebhookRefused: Telegram answered with another error (the message says which).
        InvalidToken: the token was rejected.
    """
    backoff = 1.0
    while True:
        try:
            await bot.set_webhook(**params)
            return
        except InvalidToken:
            raise
        except RetryAfter as exc:
            await asyncio.sleep(retry_seconds(exc) + 0.5)
            continue
        except BadRequest as exc:
            raise WebhookRefused(str(exc)) from None
        except NetworkError as exc:  # no connection, a timeout or 5xx: worth waiting for
            logger.warning(
                "could not register the webhook (%s); trying again in %.0fs",
                type(exc).__name__,
                backoff,
            )
        except TelegramError as exc:
            raise WebhookRefused(f"{type(exc).__name__}: {exc}") from None
        await asyncio.sleep(backoff)
        backoff = min(MAX_BACKOFF_SECONDS, backoff * 2)


def order_key(update: object) -> object | None:
    """What must be handled in order: the chat, else the person (inline queries); ``None``
    for updates with neither (handled at once)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


class ChatOrderProcessor(BaseUpdateProcessor):
    """Handles updates of different chats concurrently, those of one chat in arrival order.

    Each chat has a chain: an update waits for the one before it in the same chat, and for
    nothing else. :meth:`track` gives a future that resolves once an update is handled
    (the poller and the webhook use it to confirm updates only after handling).

    Args:
        max_concurrent_updates: Updates in progress at once (waiting ones included).
    """

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._tails: dict[object, asyncio.Future[None]] = {}
        self._tracked: dict[int, asyncio.Future[None]] = {}

    def track(self, update_id: int) -> asyncio.Future[None]:
        """A future resolved when the update ``update_id`` has been handled (or failed)."""
        future = self._tracked.get(update_id)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._tracked[update_id] = future
        return future

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's previous update, then handle this one."""
        key = order_key(update)
        previous = self._tails.get(key) if key is not None else None
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if key is not None:
            self._tails[key] = mine
        try:
            if previous is not None:
                await asyncio.shield(previous)
            await coroutine
        finally:
            if asyncio.iscoroutine(coroutine):
                coroutine.close()  # not awaited when cancelled while waiting: no warning
            mine.set_result(None)
            if key is not None and self._tails.get(key) is mine:
                del self._tails[key]
            if isinstance(update, Update):
                done = self._tracked.pop(update.update_id, None)
                if done is not None and not done.done():
                    done.set_result(None)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


class AckingUpdater(Updater):
    """An :class:`~telegram.ext.Updater` whose polling confirms only handled updates.

    Telegram forgets updates below the ``offset`` of the next ``getUpdates``. The stock
    updater raises the offset as soon as updates are queued; this one raises it only past
    updates the :class:`ChatOrderProcessor` has finished with. While some are still in
    hand, it asks every :data:`BUSY_POLL_SECONDS` for the unconfirmed ones plus anything
    new, and starts only the new ones.

    One exception keeps chats from holding each other up: ``getUpdates`` returns at most
    :data:`FETCH_LIMIT` updates from the offset, so an update that waits long for its own
    chat (a long ``429``, a group's per-minute limit) would, once that many newer updates
    queued behind it, hide every newer one. An update in hand for more than
    :data:`PARK_SECONDS` in that situation is confirmed early and still handled; only a
    crash before its answer goes out would lose it.

    An update the library cannot read (Telegram may send shapes it does not know) would
    fail every ``getUpdates`` from its offset on, for every chat. The batch is then read
    update by update; the unreadable one is held like an update in hand for
    :data:`READ_TRIES` fetches, then confirmed, counted in :attr:`skipped` and logged in
    one line without its content.

    Args:
        bot: The application's bot.
        update_queue: The application's update queue.
        processor: The application's update processor.
    """

    def __init__(
        self,
        bot: Any,
        update_queue: asyncio.Queue[object],
        processor: ChatOrderProcessor,
    ) -> None:
        super().__init__(bot=bot, update_queue=update_queue)
        self.processor = processor
        self._in_hand: dict[int, asyncio.Future[None]] = {}
        self._fetched_at: dict[int, float] = {}
        self._parked: set[int] = set()
        self._next_id = 0
        self._confirmed = 0
        self._task: asyncio.Task[None] | None = None
        self._allowed: Sequence[str] | None = None
        self._server: HTTPServer | None = None
        self._failing = False
        self._unreadable: dict[int, int] = {}
        self.skipped = 0
        """Updates confirmed unread because the library could not read them."""

    @property
    def offset(self) -> int:
        """The offset that confirms exactly the handled updates: the oldest one in hand,
        else one past the newest seen."""
        pending = [
            update_id
            for update_id, done in self._in_hand.items()
            if not done.done() and update_id not in self._parked
        ]
        return min(pending) if pending else self._next_id

    def _park_stragglers(self) -> None:
        """Confirm early the updates in hand for over :data:`PARK_SECONDS` (called when a
        full batch brought nothing new: they hide everything newer)."""
        now = asyncio.get_running_loop().time()
        late = [
            update_id
            for update_id, done in self._in_hand.items()
            if not done.done()
            and update_id not in self._parked
            and now - self._fetched_at.get(update_id, now) > PARK_SECONDS
        ]
        if late:
            self._parked.update(late)
            logger.info(
                "%d update(s) waiting over %.0fs for their own chat confirmed early, so "
                "that newer updates reach the other chats",
                len(late),
                PARK_SECONDS,
            )

    async def start_polling(
        self,
        poll_interval: float = 0.0,
        timeout: dt.timedelta | float = LONG_POLL_SECONDS,
        bootstrap_retries: int = 0,
        allowed_updates: Sequence[str] | None = None,
        drop_pending_updates: bool | None = None,
        error_callback: Callable[[TelegramError], None] | None = None,
    ) -> asyncio.Queue[object]:
        """Delete any webhook, then poll in the background until :meth:`stop`.

        Args:
            poll_interval: Ignored (polling waits on Telegram, or on handling).
            timeout: Long-polling timeout.
            bootstrap_retries: Retries for deleting the webhook (-1: for ever).
            allowed_updates: Update types to ask for.
            drop_pending_updates: Drop what Telegram holds before starting.
            error_callback: Called (not awaited) with each polling error.
        """
        if self.running:
            raise RuntimeError("This Updater is already running!")
        if not self._initialized:
            raise RuntimeError("This Updater was not initialized via `Updater.initialize`!")
        self._running = True
        try:
            await self._bootstrap(
                bootstrap_retries,
                webhook_url="",
                allowed_updates=None,
                drop_pending_updates=drop_pending_updates,
            )
        except Exception:
            self._running = False
            raise
        seconds = timeout.total_seconds() if isinstance(timeout, dt.timedelta) else timeout
        self._allowed = allowed_updates
        self._task = asyncio.create_task(
            self._poll(int(seconds), allowed_updates, error_callback), name="AckingUpdater:poll"
        )
        return self.update_queue

    async def _poll(
        self,
        timeout: int,
        allowed_updates: Sequence[str] | None,
        error_callback: Callable[[TelegramError], None] | None,
    ) -> None:
        backoff = 0.0
        while self.running:
            self._in_hand = {i: f for i, f in self._in_hand.items() if not f.done()}
            if len(self._fetched_at) > len(self._in_hand):
                self._fetched_at = {i: self._fetched_at[i] for i in self._in_hand}
                self._parked &= self._in_hand.keys()
            busy = bool(self._in_hand)
            if len(self._in_hand) >= MAX_IN_HAND:
                await asyncio.wait(list(self._in_hand.values()), timeout=BUSY_POLL_SECONDS)
                continue
            offset = self.offset
            try:
                updates = await self._fetch(offset, 0 if busy else timeout, allowed_updates)
            except InvalidToken:
                raise
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc) + 0.5)
                continue
            except TimedOut:
                continue  # a long poll that outlasted the read timeout: ask again at once
            except TelegramError as exc:
                self._failing = True
                if error_callback is not None:
                    error_callback(exc)
                else:
                    logger.warning("polling failed: %s: %s", type(exc).__name__, exc)
                backoff = 1.0 if backoff == 0 else min(MAX_BACKOFF_SECONDS, backoff * 1.5)
                await asyncio.sleep(backoff)
                continue
            except Exception as exc:  # not expected: the updates are read one by one
                logger.error("could not read the updates from Telegram: %s", type(exc).__name__)
                await asyncio.sleep(1.0)
                continue
            backoff = 0.0
            self._failing = False
            self._confirmed = max(self._confirmed, offset)
            now = asyncio.get_running_loop().time()
            new = [update for update in updates if update.update_id >= self._next_id]
            for update in new:  # the others are in hand already (fetched again: unconfirmed)
                if isinstance(update, Unreadable):
                    self._in_hand[update.update_id] = asyncio.get_running_loop().create_future()
                else:
                    self._in_hand[update.update_id] = self.processor.track(update.update_id)
                self._fetched_at[update.update_id] = now
                self._next_id = update.update_id + 1
                if not isinstance(update, Unreadable):
                    await self.update_queue.put(update)
            for update in updates:
                if isinstance(update, Unreadable):
                    self._tried(update)
            if len(updates) >= FETCH_LIMIT and not new:
                self._park_stragglers()
            if self._in_hand:
                # Wait for the handling to finish, but ask for new updates meanwhile.
                pending = [f for f in self._in_hand.values() if not f.done()]
                if pending:
                    await asyncio.wait(pending, timeout=BUSY_POLL_SECONDS)

    async def _fetch(
        self, offset: int, timeout: int, allowed_updates: Sequence[str] | None
    ) -> list[Update | Unreadable]:
        """``getUpdates`` from ``offset``. When the library cannot read the batch (or an
        update it could not read is still unconfirmed), the raw answer is read update by
        update (:func:`read_each`)."""
        self._unreadable = {i: n for i, n in self._unreadable.items() if i >= offset}
        if not self._unreadable:
            try:
                return list(
                    await self.bot.get_updates(
                        offset=offset,
                        limit=FETCH_LIMIT,
                        timeout=timeout,
                        allowed_updates=allowed_updates,
                    )
                )
            except TelegramError:
                raise
            except Exception:  # one update the library cannot read fails the whole batch
                pass
        raw = await self.bot._post(  # the same request, its answer left unread
            "getUpdates",
            {
                "offset": offset,
                "limit": FETCH_LIMIT,
                "timeout": 0,
                "allowed_updates": allowed_updates,
            },
        )
        return read_each(raw, self.bot)

    def _tried(self, update: Unreadable) -> None:
        """Count one more fetch of an unreadable update; past :data:`READ_TRIES`, confirm
        it (it no longer holds the offset) and say so in one line."""
        tries = self._unreadable.get(update.update_id, 0) + 1
        self._unreadable[update.update_id] = tries
        if tries != READ_TRIES:
            return
        held = self._in_hand.get(update.update_id)
        if held is not None and not held.done():
            held.set_result(None)
        self.skipped += 1
        logger.error(
            "update %d could not be read (%s) in %d tries: confirmed and skipped, its content "
            "not logged (%d skipped since start)",
            update.update_id,
            update.error,
            tries,
            self.skipped,
        )

    async def start_webhook(  # type: ignore[override]
        self,
        listen: str = "127.0.0.1",
        port: int = 80,
        url_path: str = "",
        cert: Any = None,
        key: Any = None,
        bootstrap_retries: int = 0,
        webhook_url: str | None = None,
        allowed_updates: Sequence[str] | None = None,
        drop_pending_updates: bool | None = None,
        ip_address: str | None = None,
        max_connections: int = WEBHOOK_CONNECTIONS,
        secret_token: str | None = None,
        unix: Any = None,
    ) -> asyncio.Queue[object]:
        """Listen for Telegram's POSTs, then register the webhook.

        Only a secret-protected webhook is served. Registering it is retried while Telegram
        cannot be reached, answers 5xx or 429; any other refusal (a 400 for a bad URL)
        raises at once.

        Args:
            listen: Address to listen on.
            port: Port to listen on.
            url_path: Path of the webhook URL.
            cert: Not supported (TLS belongs to the reverse proxy).
            key: Not supported.
            bootstrap_retries: Ignored: registering is retried for as long as it can work.
            webhook_url: The public URL Telegram posts to.
            allowed_updates: Update types to ask for.
            drop_pending_updates: Drop what Telegram holds before starting.
            ip_address: Passed to ``setWebhook``.
            max_connections: Passed to ``setWebhook``.
            secret_token: The secret Telegram sends along; required.
            unix: Not supported.
        """
        if not secret_token:
            raise ValueError("a webhook needs a secret token")
        if cert or key or unix:
            raise ValueError("TLS and unix sockets are left to the reverse proxy")
        if self.running:
            raise RuntimeError("This Updater is already running!")
        self._running = True
        self._server = webhook_server(
            url_path, self.bot, self.update_queue, self.processor.track, secret_token
        )
        try:
            self._server.listen(port, address=listen)
            await register_webhook(
                self.bot,
                url=webhook_url or f"http://{listen}:{port}/{url_path}",
                allowed_updates=allowed_updates,
                drop_pending_updates=drop_pending_updates,
                ip_address=ip_address,
                max_connections=max_connections,
                secret_token=secret_token,
            )
        except BaseException:
            self._running = False
            self._server.stop()
            self._server = None
            raise
        return self.update_queue

    async def stop(self) -> None:
        """Stop fetching updates (polling) or accepting them (webhook; the requests in
        hand stay open until :meth:`finish`)."""
        if not self.running:
            raise RuntimeError("This Updater is not running!")
        self._running = False
        if self._server is not None:
            self._server.stop()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def finish(self) -> None:
        """After the application handled everything in hand: confirm it to Telegram
        (polling) or answer and close the webhook's requests."""
        if self._server is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.close_all_connections(), 5)
            self._server = None
        else:
            await self.confirm()

    async def confirm(self) -> None:
        """Tell Telegram which updates are handled (call again once the rest is handled).

        A failure costs nothing but repeated answers after the next start, so it is one
        log line.
        """
        if self._next_id == 0:
            return  # not polling
        offset = self.offset
        if offset <= self._confirmed:
            return
        if self._failing:
            logger.warning(
                "Telegram cannot be reached: the last updates stay unconfirmed and will be "
                "delivered and answered again at the next start"
            )
            return
        try:
            await self.bot.get_updates(
                offset=offset, limit=1, timeout=0, allowed_updates=self._allowed
            )
        except TelegramError as exc:
            logger.warning(
                "could not confirm the handled updates to Telegram (%s); they will be "
                "delivered and answered again at the next start",
                type(exc).__name__,
            )
            return
        self._confirmed = offset
