"""The webhook: Telegram POSTs each update; the bot answers 200 only once it is handled.

Telegram delivers an update again until it gets 200, so answering after handling (not on
receipt) means a crash never loses a message. Before anything is read from a request the
secret header is checked and the declared size is capped at :data:`MAX_BODY_BYTES`; a
body that grows past the cap while streaming is cut off, so nobody can make the bot buffer
large amounts of data.

Connections cannot exhaust the process's open files either: at most
:func:`connection_cap` are open at once (a new one pushes out the oldest that has not sent
an accepted request), headers must arrive within :data:`IDLE_SECONDS` and a body within
:data:`BODY_SECONDS`, and should the process run out of file descriptors all the same, the
accept loop pauses (with backoff) instead of spinning, saying so at most once a minute.
"""

from __future__ import annotations

import asyncio
import collections
import errno
import hmac
import json
import logging
import resource
import socket
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from telegram.ext import ExtBot
from tornado.http1connection import HTTP1Connection, HTTP1ServerConnection
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.iostream import IOStream

logger = logging.getLogger(__name__)

TrackUpdate = Callable[[int], asyncio.Future[None]]
"""Given an update id, a future resolved once that update has been handled."""

MAX_BODY_BYTES = 1024 * 1024
"""Largest request body accepted (Telegram's updates are a few kilobytes)."""

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

MAX_UPDATE_ID = 2**52
"""Largest ``update_id`` accepted (the Bot API's integers fit in 52 bits)."""

REMEMBERED_UPDATES = 10_000
"""Update ids remembered, so one delivered again is not answered twice."""

IDLE_SECONDS = 5.0
"""A connection must send a request's headers within this long (also how long a kept-alive
connection may stay idle)."""

BODY_SECONDS = 10.0
"""A request's body must arrive within this long."""

MAX_CONNECTIONS = 1000
"""Most connections open at once, whatever the file limit (Telegram opens at most 100)."""

RESERVED_FILES = 64
"""Open files kept free of webhook connections: the database, logs, the Bot API client."""

WANTED_FILES = 4096
"""The soft open-file limit raised to at start, where the hard limit allows."""

ACCEPT_PAUSE = (0.05, 2.0)
"""Seconds accepting pauses when no file descriptor is left: the first pause, the longest
(doubled in between)."""

LOG_EVERY_SECONDS = 60.0
"""The "no file descriptor left" line is logged at most this often."""

_OUT_OF_FILES = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


def _soft_target(soft: int, hard: int, wanted: int = WANTED_FILES) -> int:
    """The soft open-file limit :func:`raise_file_limit` aims for."""
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return soft
    return wanted if hard == resource.RLIM_INFINITY else max(soft, min(wanted, hard))


def file_limits() -> tuple[int, int, int]:
    """The open-file limits: the soft one now, the soft one the bot raises it to at start,
    and the hard one (nothing is changed)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft, _soft_target(soft, hard), hard


def raise_file_limit() -> tuple[int, int]:
    """Raise the soft limit on open files to :data:`WANTED_FILES` where the hard limit
    allows (systemd's default soft limit, 1,024, is low for a webhook).

    Returns:
        The soft limit before and after.
    """
    before, target, hard = file_limits()
    if target == before:
        return before, before
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        return before, before
    return before, target


def connection_cap(soft: int | None = None) -> int:
    """Webhook connections allowed at once: :data:`MAX_CONNECTIONS`, or fewer to keep
    :data:`RESERVED_FILES` of the soft open-file limit (the current one by default) free."""
    if soft is None:
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(8, min(MAX_CONNECTIONS, soft - RESERVED_FILES))


@tornado.web.stream_request_body
class WebhookHandler(tornado.web.RequestHandler):
    """One POST from Telegram: checked, read within the cap, handled, then answered."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(
        self,
        bot: Any,
        update_queue: asyncio.Queue[object],
        track: TrackUpdate,
        secret: str,
        busy: set[object],
        recent: RecentUpdates,
    ) -> None:
        """Receive the shared objects (tornado's way of passing them)."""
        self.busy = busy
        self.recent = recent
        self.bot = bot
        self.update_queue = update_queue
        self.track = track
        self.secret = secret
        self.chunks: list[bytes] = []
        self.rejected = False

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        """Rejected requests are answered with their status; no traceback."""

    def _reject(self, status: HTTPStatus) -> None:
        self.rejected = True  # whatever body follows is dropped unread
        raise tornado.web.HTTPError(status)

    def prepare(self) -> None:
        """Check the secret, the content type and the declared size before reading; a
        request that passes keeps its connection from being pushed out."""
        token = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(token.encode(), self.secret.encode()):
            self._reject(HTTPStatus.FORBIDDEN)
        if self.request.headers.get("Content-Type", "").split(";")[0] != "application/json":
            self._reject(HTTPStatus.FORBIDDEN)
        try:
            declared = int(self.request.headers.get("Content-Length", "0"))
        except ValueError:
            self._reject(HTTPStatus.BAD_REQUEST)
        if declared > MAX_BODY_BYTES:
            self._reject(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        self.busy.add(self._stream())

    def on_finish(self) -> None:
        """The request is answered: its connection may be pushed out again while idle."""
        self.busy.discard(self._stream())

    def on_connection_close(self) -> None:
        """The sender went away before the answer."""
        self.busy.discard(self._stream())

    def _stream(self) -> object:
        """The request's connection stream (what the server keeps count of); tornado's
        interface types the connection loosely, its HTTP/1 connection holds the stream."""
        connection = self.request.connection
        return connection.stream if isinstance(connection, HTTP1Connection) else connection

    def data_received(self, chunk: bytes) -> None:
        """Collect the body of an accepted request (the server cuts off any body, declared
        or streamed, past :data:`MAX_BODY_BYTES`)."""
        if not self.rejected:
            self.chunks.append(chunk)

    async def post(self) -> None:
        """Hand the update to the application and answer once it has been handled.

        An update id already handled (or being handled) is answered when that one is,
        without handling it again; a body without an integer ``update_id`` in range gets
        400; an update the library cannot read is confirmed (200) and logged in one line.
        """
        try:
            data = json.loads(b"".join(self.chunks))
        except Exception as exc:  # the body is not JSON; its content is not logged
            logger.warning("webhook: a request that is not an update (%s)", type(exc).__name__)
            data = None
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if (
            not isinstance(update_id, int)
            or isinstance(update_id, bool)
            or not 0 <= update_id <= MAX_UPDATE_ID
        ):
            if data is not None:
                logger.warning("webhook: a request without a valid update_id")
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        earlier = self.recent.get(update_id)
        if earlier is not None:  # delivered again (our 200 did not reach Telegram)
            await asyncio.shield(earlier)
            self.set_status(HTTPStatus.OK)
            self.finish()
            return
        try:
            update = Update.de_json(data, self.bot)
        except Exception as exc:  # a shape the library does not know; content not logged
            logger.error(
                "webhook: update %d could not be read (%s): confirmed and skipped",
                update_id,
                type(exc).__name__,
            )
            self.set_status(HTTPStatus.OK)
            self.finish()
            return
        if isinstance(self.bot, ExtBot):
            self.bot.insert_callback_data(update)
        handled = self.track(update.update_id)
        self.recent.add(update_id, handled)
        await self.update_queue.put(update)
        await asyncio.shield(handled)
        self.set_status(HTTPStatus.OK)
        self.finish()


class RecentUpdates:
    """The ids of the last :data:`REMEMBERED_UPDATES` updates the webhook took, each with
    the future that resolves once it is handled."""

    def __init__(self, size: int = REMEMBERED_UPDATES) -> None:
        self.size = size
        self._ids: collections.OrderedDict[int, asyncio.Future[None]] = collections.OrderedDict()

    def __len__(self) -> int:
        return len(self._ids)

    def get(self, update_id: int) -> asyncio.Future[None] | None:
        """The future of ``update_id`` if it was taken recently."""
        return self._ids.get(update_id)

    def add(self, update_id: int, handled: asyncio.Future[None]) -> None:
        """Remember ``update_id`` (the oldest one is forgotten past the size)."""
        self._ids[update_id] = handled
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)


class _Acceptor:
    """Accepts connections on one listening socket; when no file descriptor is left
    (``EMFILE`` and the like) it stops listening for a pause, doubled each time it happens
    again, rather than being woken at once for the same connection, for ever."""

    def __init__(self, sock: socket.socket, callback: Callable[[socket.socket, Any], None]):
        self.sock = sock
        self.callback = callback
        self.io_loop = IOLoop.current()
        self.removed = False
        self.paused = False
        self.pause = ACCEPT_PAUSE[0]
        self.failures = 0
        self.logged_at = -LOG_EVERY_SECONDS
        self.io_loop.add_handler(sock, self.ready, IOLoop.READ)

    def ready(self, fd: object, events: int) -> None:
        """The socket has connections waiting: accept a batch of them."""
        for _ in range(128):
            if self.removed or self.paused:
                return
            try:
                connection, address = self.sock.accept()
            except BlockingIOError:
                return
            except ConnectionAbortedError:
                continue
            except OSError as exc:
                if exc.errno not in _OUT_OF_FILES:
                    raise
                self._pause(exc)
                return
            self.pause = ACCEPT_PAUSE[0]
            self.callback(connection, address)

    def _pause(self, exc: OSError) -> None:
        self.paused = True
        self.failures += 1
        self.io_loop.remove_handler(self.sock)
        self.io_loop.call_later(self.pause, self._resume)
        now = time.monotonic()
        if now - self.logged_at >= LOG_EVERY_SECONDS:
            logger.error(
                "webhook: no file descriptor left to accept a connection (%s); accepting "
                "pauses up to %.1f s at a time (%d time(s) since the last such line)",
                errno.errorcode.get(exc.errno or 0, "?"),
                ACCEPT_PAUSE[1],
                self.failures,
            )
            self.logged_at, self.failures = now, 0
        self.pause = min(ACCEPT_PAUSE[1], self.pause * 2)

    def _resume(self) -> None:
        if not self.removed and self.paused:
            self.paused = False
            self.io_loop.add_handler(self.sock, self.ready, IOLoop.READ)

    def remove(self) -> None:
        """Stop accepting (the server is stopping)."""
        if not self.removed and not self.paused:
            self.io_loop.remove_handler(self.sock)
        self.removed = True


class WebhookServer(HTTPServer):
    """:class:`~tornado.httpserver.HTTPServer` with a cap on open connections and an accept
    loop that backs off when the process runs out of file descriptors.

    At the cap, a new connection pushes out the oldest one that is not carrying an accepted
    request (an idle or slow one); when every connection carries one, the new one is closed.
    """

    def initialize(  # type: ignore[override]
        self, *args: Any, cap: int = MAX_CONNECTIONS, busy: set[object], **kwargs: Any
    ) -> None:
        """tornado's constructor hook; ``cap`` and ``busy`` are this server's."""
        super().initialize(*args, **kwargs)
        self.cap = cap
        self.busy = busy
        self.open: collections.OrderedDict[HTTP1ServerConnection, None] = collections.OrderedDict()
        self.refused = 0

    def add_sockets(self, sockets: Iterable[socket.socket]) -> None:
        """Listen on ``sockets`` with :class:`_Acceptor` (tornado's loop spins on EMFILE)."""
        for sock in sockets:
            self._sockets[sock.fileno()] = sock
            self._handlers[sock.fileno()] = _Acceptor(sock, self._handle_connection).remove

    def handle_stream(self, stream: IOStream, address: tuple[Any, ...]) -> None:
        """Serve a new connection, within the cap."""
        if len(self.open) >= self.cap:
            idle = next((c for c in self.open if c.stream not in self.busy), None)
            if idle is None:
                self.refused += 1
                stream.close()
                return
            del self.open[idle]
            idle.stream.close()
        super().handle_stream(stream, address)
        newest = next(c for c in self._connections if c.stream is stream)
        self.open[newest] = None

    def on_close(self, server_conn: object) -> None:
        """A connection ended."""
        super().on_close(server_conn)
        self.open.pop(server_conn, None)  # type: ignore[call-overload]


def webhook_server(
    path: str,
    bot: Any,
    update_queue: asyncio.Queue[object],
    track: TrackUpdate,
    secret: str,
    cap: int | None = None,
) -> WebhookServer:
    """A tornado server answering POSTs to ``/path`` (not yet listening).

    Args:
        path: The URL path, e.g. ``telegram``.
        bot: The application's bot.
        update_queue: Where updates go.
        track: Given an update id, returns a future resolved once that update has been
            handled (the processor's ``track``; the server knows nothing else of it).
        secret: The value the secret header must carry.
        cap: Connections open at once; :func:`connection_cap` when omitted.
    """
    busy: set[object] = set()
    shared = {
        "bot": bot,
        "update_queue": update_queue,
        "track": track,
        "secret": secret,
        "busy": busy,
        "recent": RecentUpdates(),
    }
    app = tornado.web.Application(
        [(rf"/{path.strip('/')}/?", WebhookHandler, shared)], log_function=lambda _h: None
    )
    return WebhookServer(
        app,
        max_body_size=MAX_BODY_BYTES,
        idle_connection_timeout=IDLE_SECONDS,
        body_timeout=BODY_SECONDS,
        cap=connection_cap() if cap is None else cap,
        busy=busy,
    )
