"""Logging hygiene: secrets redacted from every record, quiet third-party loggers."""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings

logger = logging.getLogger(__name__)


UPDATE_BODY_MESSAGES = (
    "Error while parsing updates! Received data was",
    "Something went wrong processing the data received from Telegram",
    "Webhook received data:",
    "Processing update",
)
"""python-telegram-bot log lines that quote whole updates (what people wrote, their
names); their arguments are replaced by :data:`BODY_HIDDEN`."""

BODY_HIDDEN = "<update not logged: it holds what people wrote>"

DROPPED_MESSAGES = ("Error while parsing updates!",)
"""python-telegram-bot log lines dropped whole: the updater reads such a batch update by
update and logs one line of its own (see :class:`bot.telegram.updates.AckingUpdater`)."""

MIN_SECRET_PART = 8
"""Shortest secret part of a token (after the colon) that is redacted on its own."""


class RedactingFilter(logging.Filter):
    """Replace secrets (the bot token, the webhook secret) with ``***`` in log records,
    and drop update bodies from python-telegram-bot's log lines.

    Works on the formatted message, exception text and stack info, so a token inside a
    URL or an exception message never reaches a handler's output. A bot token's part
    after the colon is secret on its own (an error about a malformed URL may quote only
    that part), so it is redacted wherever it appears too.

    Args:
        secrets: Strings to hide; empty strings are ignored.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        variants: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            parts = [secret]
            _, colon, tail = secret.partition(":")
            if colon and len(tail) >= MIN_SECRET_PART:
                parts.append(tail)
            for part in parts:
                variants.update({part, urllib.parse.quote(part, safe="")})
        self._secrets = sorted(variants, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """Return ``text`` with every secret replaced by ``***``."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; drops only :data:`DROPPED_MESSAGES`."""
        if (
            record.name.startswith("telegram")
            and isinstance(record.msg, str)
            and record.msg.startswith(DROPPED_MESSAGES)
        ):
            return False
        if (
            record.name.startswith("telegram")
            and isinstance(record.msg, str)
            and record.msg.startswith(UPDATE_BODY_MESSAGES)
            and record.args
        ):
            count = len(record.args) if isinstance(record.args, tuple) else 1
            record.args = (BODY_HIDDEN,) * count
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the formatter to complain
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def configure_logging(settings: Settings) -> None:
    """Make logging safe for running the bot.

    Adds a root handler if there is none, keeps ``httpx``/``httpcore`` (which log request
    URLs containing the token) at WARNING and installs a :class:`RedactingFilter` on every
    root handler.

    Args:
        settings: Supplies the log level and the secrets to redact.
    """
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=getattr(logging, settings.log_level, logging.INFO),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    redactor = RedactingFilter([settings.telegram_token, settings.webhook_secret])
    for handler in root.handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(old)
        handler.addFilter(redactor)
