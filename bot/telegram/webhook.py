"""The webhook: Telegram POSTs each update; the bot answers 200 only once it is handled.

Telegram delivers an update again until it gets 200, so answering after handling (not on
receipt) means a crash never loses a message. Before anything is read from a request the
secret header is checked and the declared size is capped at :data:`MAX_BODY_BYTES`; a
body that grows past the cap while streaming is cut off, so nobody can make the bot buffer
large amounts of data.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import tornado.web
from telegram import Update
from telegram.ext import ExtBot
from tornado.httpserver import HTTPServer

if TYPE_CHECKING:
    from bot.telegram.updates import ChatOrderProcessor

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
"""Largest request body accepted (Telegram's updates are a few kilobytes)."""

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@tornado.web.stream_request_body
class WebhookHandler(tornado.web.RequestHandler):
    """One POST from Telegram: checked, read within the cap, handled, then answered."""

    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(  # type: ignore[override]
        self,
        bot: Any,
        update_queue: asyncio.Queue[object],
        processor: ChatOrderProcessor,
        secret: str,
    ) -> None:
        """Receive the shared objects (tornado's way of passing them)."""
        self.bot = bot
        self.update_queue = update_queue
        self.processor = processor
        self.secret = secret
        self.chunks: list[bytes] = []
        self.rejected = False

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        """Rejected requests are answered with their status; no traceback."""

    def _reject(self, status: HTTPStatus) -> None:
        self.rejected = True  # whatever body follows is dropped unread
        raise tornado.web.HTTPError(status)

    def prepare(self) -> None:
        """Check the secret, the content type and the declared size before reading."""
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

    def data_received(self, chunk: bytes) -> None:
        """Collect the body of an accepted request (the server cuts off any body, declared
        or streamed, past :data:`MAX_BODY_BYTES`)."""
        if not self.rejected:
            self.chunks.append(chunk)

    async def post(self) -> None:
        """Hand the update to the application and answer once it has been handled."""
        try:
            data = json.loads(b"".join(self.chunks))
            update = Update.de_json(data, self.bot) if isinstance(data, dict) else None
        except Exception as exc:  # the body is not an update; its content is not logged
            logger.warning("webhook: a request that is not an update (%s)", type(exc).__name__)
            update = None
        if update is None:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        if isinstance(self.bot, ExtBot):
            self.bot.insert_callback_data(update)
        handled = self.processor.track(update.update_id)
        await self.update_queue.put(update)
        await asyncio.shield(handled)
        self.set_status(HTTPStatus.OK)
        self.finish()


def webhook_server(
    path: str,
    bot: Any,
    update_queue: asyncio.Queue[object],
    processor: ChatOrderProcessor,
    secret: str,
) -> HTTPServer:
    """A tornado server answering POSTs to ``/path`` (not yet listening).

    Args:
        path: The URL path, e.g. ``telegram``.
        bot: The application's bot.
        update_queue: Where updates go.
        processor: Tells when an update has been handled.
        secret: The value the secret header must carry.
    """
    shared = {
        "bot": bot,
        "update_queue": update_queue,
        "processor": processor,
        "secret": secret,
    }
    app = tornado.web.Application(
        [(rf"/{path.strip('/')}/?", WebhookHandler, shared)], log_function=lambda _h: None
    )
    return HTTPServer(app, max_body_size=MAX_BODY_BYTES, idle_connection_timeout=60)
