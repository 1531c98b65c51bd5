"""Telegram adapter: turns Telegram updates into dialogue calls and replies into messages.

The adapter is deliberately thin. Everything the bot *says* comes from
:class:`bot.service.ChatService` (the dialogue with its memory); this package only decides
*how* it is said on Telegram, one module per concern:

- :mod:`bot.telegram.render`: HTML-escaped text split into messages of at most 4096
  characters, inline keyboards for quick replies, inline-mode results;
- :mod:`bot.telegram.traffic`: the per-chat flood guard and the rate limiter (a ``429``
  holds only its own chat; server errors are retried);
- :mod:`bot.telegram.updates`: chats handled in parallel, each in order, and polling that
  confirms only handled updates;
- :mod:`bot.telegram.webhook`: the webhook server, which answers Telegram once an update is
  handled;
- :mod:`bot.telegram.logs`: redaction of secrets and update bodies in every log record;
- :mod:`bot.telegram.handlers`: group etiquette, the handlers and the central error handler;
- :mod:`bot.telegram.handover`: "Ask the clinic" on Telegram: tickets posted to the staff
  group (``STAFF_CHAT_ID``), replies relayed both ways, ``/open`` and ``/done``;
- :mod:`bot.telegram.app`: :func:`build_application` registers all handlers in one place;
  :func:`run` starts long polling (or a webhook when ``WEBHOOK_URL`` is set) and returns a
  process exit code.
- :mod:`bot.telegram.startup`: waiting for the Bot API at start-up, with backoff, for up to
  ``STARTUP_TIMEOUT``.
"""

import os

# Opt in to python-telegram-bot's coming behaviour: durations such as ``RetryAfter.retry_after``
# are ``datetime.timedelta`` (without this, every 429 answer logs a deprecation warning).
os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot.telegram.app import HOUSEKEEPING_SECONDS, build_application, file_base_url, run
from bot.telegram.handlers import ALLOWED_UPDATES, COMMANDS, ServiceLike, TelegramAdapter
from bot.telegram.logs import RedactingFilter, configure_logging
from bot.telegram.render import (
    MAX_MESSAGE_LENGTH,
    escape,
    inline_result,
    keyboard_for,
    split_message,
    utf16_length,
)
from bot.telegram.traffic import (
    APOLOGY_TEXT,
    FLOOD_LIMIT,
    FloodGuard,
    RetryingRateLimiter,
    Verdict,
)

__all__ = [
    "ALLOWED_UPDATES",
    "APOLOGY_TEXT",
    "COMMANDS",
    "FLOOD_LIMIT",
    "HOUSEKEEPING_SECONDS",
    "MAX_MESSAGE_LENGTH",
    "FloodGuard",
    "RedactingFilter",
    "RetryingRateLimiter",
    "ServiceLike",
    "TelegramAdapter",
    "Verdict",
    "build_application",
    "configure_logging",
    "escape",
    "file_base_url",
    "inline_result",
    "keyboard_for",
    "run",
    "split_message",
    "utf16_length",
]
