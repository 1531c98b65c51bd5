"""Telegram adapter: turns Telegram updates into dialogue calls and replies into messages.

The adapter is deliberately thin. Everything the bot *says* comes from
:class:`bot.service.ChatService` (the dialogue with its memory); this module only decides
*how* it is said on Telegram:
HTML-escaped text split into messages of at most 4096 characters, inline keyboards for
quick replies, inline-mode results, group etiquette, a per-chat flood guard and one
central error handler.

All handlers are registered in :func:`build_application`; :func:`run` starts long
polling (or a webhook when ``WEBHOOK_URL`` is set) and returns a process exit code.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import logging
import re
import sys
import time
import traceback
import urllib.parse
from collections.abc import Callable, Coroutine, Iterable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType, MessageLimit, ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.replies import Button, Reply
from bot.service import ChatService
from bot.store import StoreError

if TYPE_CHECKING:
    from telegram.ext import BaseRateLimiter
    from telegram.request import BaseRequest

    from bot.settings import Settings

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH: int = MessageLimit.MAX_TEXT_LENGTH
"""Telegram's limit for one text message (4096), counted in UTF-16 code units."""

MAX_CALLBACK_DATA_BYTES = 64
"""Telegram's limit for ``callback_data``."""

INLINE_RESULTS = 5
"""How many answers an inline query offers."""

INLINE_CACHE_SECONDS = 10
"""How long Telegram may cache an inline answer (per user, see ``is_personal``)."""

FLOOD_LIMIT = 20
"""Messages one chat may send per :data:`FLOOD_WINDOW_SECONDS` before being slowed down."""

FLOOD_WINDOW_SECONDS = 60.0

SLOW_DOWN_TEXT = "You are sending messages very quickly. Please wait a minute, then ask again."
"""The one note a flooding chat gets."""

APOLOGY_TEXT = "Something went wrong, please try again."
"""What the person sees when a handler fails."""

ALLOWED_UPDATES: list[str] = [
    Update.MESSAGE,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
]
"""Update types the bot asks Telegram for. Edited messages are not requested and,
should they arrive anyway, are ignored (the first version of a message was answered)."""

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Welcome and topic menu"),
    ("topics", "Browse the topics"),
    ("book", "Book a session"),
    ("help", "How to use this bot"),
    ("about", "About this bot"),
    ("privacy", "What the bot stores about you"),
    ("forget", "Erase what the bot stores about this chat"),
    ("optout", "Stop the bot storing anything about this chat"),
    ("optin", "Let the bot remember this chat again"),
)
"""Commands shown in Telegram's menu, registered with ``setMyCommands`` at start-up."""

_NEW_MESSAGE = filters.UpdateType.MESSAGE
"""Only brand-new messages: edited messages and channel posts are ignored everywhere."""

_NOT_TEXT = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.LOCATION
    | filters.VENUE
    | filters.CONTACT
    | filters.POLL
    | filters.Dice.ALL
    | filters.GAME
    | filters.STORY
)
"""Content people send that is not text (service messages such as "X joined" are not here)."""

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class ServiceLike(Protocol):
    """What the adapter needs from :class:`bot.service.ChatService`.

    ``chat`` is the adapter's chat key, ``telegram:<chat id>``.
    """

    def message(self, chat: str, text: str) -> Reply:
        """Answer free text."""
        ...

    def press(self, chat: str, payload: str) -> Reply:
        """Answer a button press."""
        ...

    def not_text(self, chat: str) -> Reply:
        """Answer stickers, photos and other non-text messages."""
        ...

    def command(self, chat: str, name: str, argument: str = "") -> Reply:
        """Answer a command (``start``, ``help``, ``privacy``, ``forget``...)."""
        ...

    def search(self, text: str, limit: int = 5) -> list[Reply]:
        """Answers for inline mode, best first."""
        ...

    def tidy(self) -> None:
        """Purge what is past retention (called every :data:`HOUSEKEEPING_SECONDS`)."""
        ...


# --------------------------------------------------------------------------------------
# Pure helpers
# --------------------------------------------------------------------------------------


def utf16_length(text: str) -> int:
    """Length of ``text`` the way Telegram counts it (UTF-16 code units).

    Args:
        text: Any string.

    Returns:
        The number of UTF-16 code units.
    """
    # Two bytes per unit; "surrogatepass" counts a lone surrogate as the one unit it is.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


_BOUNDARIES: tuple[re.Pattern[str], ...] = (
    re.compile(r"\n[ \t]*\n\s*"),  # paragraphs
    re.compile(r"\n\s*"),  # lines
    re.compile(r"[.!?…]+[\"'”’)\]»]*\s+"),  # sentences
    re.compile(r"[;:,]\s+"),  # clauses
    re.compile(r"\s+"),  # words
)
"""Places to cut a long text, most natural first; each cut happens *after* the match."""


def _cut_after(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split ``text`` after every match of ``pattern``; the parts join back to ``text``."""
    parts: list[str] = []
    start = 0
    for match in pattern.finditer(text):
        if match.end() > start:
            parts.append(text[start : match.end()])
            start = match.end()
    if start < len(text):
        parts.append(text[start:])
    return parts


def _hard_cut(text: str, limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` UTF-16 units, never inside a character."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if size + width > limit and current:
            parts.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    if current:
        parts.append("".join(current))
    return parts


def _pack(text: str, limit: int, level: int) -> list[str]:
    """Greedily pack the pieces of ``text`` at boundary ``level`` into chunks within ``limit``."""
    if utf16_length(text) <= limit:
        return [text]
    if level >= len(_BOUNDARIES):
        return _hard_cut(text, limit)
    chunks: list[str] = []
    current = ""
    for part in _cut_after(text, _BOUNDARIES[level]):
        if utf16_length(current + part) <= limit:
            current += part
            continue
        if current:
            chunks.append(current)
            current = ""
        if utf16_length(part) <= limit:
            current = part
        else:
            *full, current = _pack(part, limit, level + 1)
            chunks.extend(full)
    if current:
        chunks.append(current)
    return chunks


def split_message(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split plain text into messages Telegram accepts.

    Cuts at paragraph breaks when possible, else at line ends, sentence ends, clause
    punctuation, spaces and, for a single word longer than ``limit``, inside the word.
    Whitespace at the edges of each chunk is dropped; nothing else is lost or reordered.

    Args:
        text: Plain text (split *before* HTML escaping: Telegram counts visible characters).
        limit: Maximum length of one chunk in UTF-16 code units.

    Returns:
        Non-empty chunks in order; an empty list for blank text.

    Raises:
        ValueError: ``limit`` is smaller than 2 (an astral character needs 2 units).
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    if not text.strip():
        return []
    chunks = (chunk.strip() for chunk in _pack(text.strip(), limit, 0))
    return [chunk for chunk in chunks if chunk]


def escape(text: str) -> str:
    """Escape plain text for Telegram's HTML parse mode.

    Args:
        text: Plain text.

    Returns:
        Text with ``&``, ``<`` and ``>`` escaped.
    """
    return html.escape(text, quote=False)


def keyboard_for(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """Build the inline keyboard of a reply: a few buttons one per row; longer lists (the
    topic menu, the fallback) two per row, so they fit on a phone screen. Link buttons get
    a row of their own.

    URL buttons open the link; the others send their payload as ``callback_data``.
    Buttons with neither, or with a payload over Telegram's 64-byte limit, are skipped.

    Args:
        buttons: The reply's buttons in display order.

    Returns:
        The keyboard, or ``None`` when there is nothing to show. Keyboards are immutable,
        so each distinct one is built once and reused.
    """
    return _keyboard(tuple(buttons))


@functools.lru_cache(maxsize=1024)
def _keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    per_row = 2 if len(buttons) > MAX_SINGLE_ROWS else 1
    for button in buttons:
        if button.url:
            rows.append([InlineKeyboardButton(button.label, url=button.url)])
            rows.append([])  # nothing joins a link's row
        elif button.payload and len(button.payload.encode()) <= MAX_CALLBACK_DATA_BYTES:
            key = InlineKeyboardButton(button.label, callback_data=button.payload)
            if rows and 0 < len(rows[-1]) < per_row:
                rows[-1].append(key)
            else:
                rows.append([key])
        else:
            logger.warning("skipping button %r: no url and no usable payload", button.label)
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


MAX_SINGLE_ROWS = 5
"""Replies with more buttons than this show them two per row."""


def _shorten(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters at a word boundary, adding an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(" ,.;:") + "…"


def inline_result(reply: Reply, index: int) -> InlineQueryResultArticle:
    """Turn one search hit into an inline-mode article.

    The title is the topic's title (else the first line of the reply), the description
    the start of the answer. Only URL
    buttons are kept: a message sent via inline mode has no chat to answer button presses in.

    Args:
        reply: A reply from :meth:`ServiceLike.search`.
        index: Its rank, used to make the result id unique.

    Returns:
        The article.
    """
    lines = [line.strip() for line in reply.text.strip().splitlines() if line.strip()]
    if reply.title:
        title = _shorten(reply.title, 64)
        description = _shorten(" ".join(lines), 120)
    else:
        title = _shorten(lines[0], 64) if lines else "Answer"
        description = _shorten(" ".join(lines[1:]), 120) if len(lines) > 1 else ""
    body = split_message(reply.text) or ["…"]
    url_buttons = [button for button in reply.buttons if button.url]
    return InlineQueryResultArticle(
        id=f"{index}:{reply.intent or reply.kind}"[:64],
        title=title,
        description=description or None,
        input_message_content=InputTextMessageContent(
            escape(body[0]), parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW
        ),
        reply_markup=keyboard_for(url_buttons),
    )


# --------------------------------------------------------------------------------------
# Flood guard
# --------------------------------------------------------------------------------------


class Verdict(Enum):
    """What to do with one incoming message."""

    ALLOW = "allow"
    WARN = "warn"
    DROP = "drop"


class FloodGuard:
    """Per-chat message budget over fixed windows.

    The first ``limit`` messages of a window are allowed, the next one earns a single
    slow-down note and the rest of that window is dropped silently. A window starts with
    the first message after the previous one ended. Chats do not affect each other.

    Args:
        limit: Messages allowed per window.
        window: Window length in seconds.
        clock: Monotonic clock in seconds (injectable for tests).
    """

    def __init__(
        self,
        limit: int = FLOOD_LIMIT,
        window: float = FLOOD_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._windows: dict[int, tuple[float, int]] = {}

    def check(self, chat_id: int) -> Verdict:
        """Count one message from ``chat_id`` and say what to do with it.

        Args:
            chat_id: The Telegram chat id.

        Returns:
            :attr:`Verdict.ALLOW`, :attr:`Verdict.WARN` (exactly once per window) or
            :attr:`Verdict.DROP`.
        """
        now = self._clock()
        started, count = self._windows.get(chat_id, (now, 0))
        if now - started >= self.window:
            started, count = now, 0
        count += 1
        self._windows[chat_id] = (started, count)
        if len(self._windows) > 10_000:
            self._forget_before(now - self.window)
        if count <= self.limit:
            return Verdict.ALLOW
        return Verdict.WARN if count == self.limit + 1 else Verdict.DROP

    def _forget_before(self, moment: float) -> None:
        """Drop windows that started before ``moment`` (they are over)."""
        self._windows = {chat: entry for chat, entry in self._windows.items() if entry[0] >= moment}


# --------------------------------------------------------------------------------------
# Outgoing requests
# --------------------------------------------------------------------------------------

SERVER_ERROR_RETRIES = 3
"""How often a request Telegram answered with a server error (5xx) or could not be
connected for is tried again before the error reaches the error handler."""

SERVER_ERROR_BACKOFF = 0.25
"""Seconds before the first such retry; doubled for each further one (0.25, 0.5, 1)."""


class RetryingRateLimiter(AIORateLimiter):
    """:class:`~telegram.ext.AIORateLimiter` that also retries server errors.

    ``AIORateLimiter`` keeps within Telegram's limits and waits out ``429 Too Many
    Requests``. This subclass also tries again, with exponential backoff, when Telegram
    answers 5xx or the connection fails: such a request was not carried out, so the retry
    cannot answer twice. Timeouts are *not* retried (the message may have been sent), nor
    are 400/403 (trying again would not help).

    Args:
        retries: Retries after a server error.
        backoff: Seconds before the first retry, doubled for each further one.
        **kwargs: Passed to :class:`~telegram.ext.AIORateLimiter`.
    """

    def __init__(
        self,
        retries: int = SERVER_ERROR_RETRIES,
        backoff: float = SERVER_ERROR_BACKOFF,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.retries = retries
        self.backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Send the request through the rate limiter, retrying server errors."""
        delay = self.backoff
        for attempt in range(self.retries + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except (BadRequest, TimedOut):
                raise
            except NetworkError as exc:
                if attempt >= self.retries:
                    raise
                logger.warning(
                    "%s failed (%s: %s); retry %d of %d in %.2fs",
                    endpoint,
                    type(exc).__name__,
                    exc,
                    attempt + 1,
                    self.retries,
                    delay,
                )
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover


# --------------------------------------------------------------------------------------
# Logging hygiene
# --------------------------------------------------------------------------------------


class RedactingFilter(logging.Filter):
    """Replace secrets (the bot token, the webhook secret) with ``***`` in log records.

    Works on the formatted message, exception text and stack info, so a token inside a
    URL or an exception message never reaches a handler's output.

    Args:
        secrets: Strings to hide; empty strings are ignored.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        variants: set[str] = set()
        for secret in secrets:
            if secret:
                variants.update({secret, urllib.parse.quote(secret, safe="")})
        self._secrets = sorted(variants, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """Return ``text`` with every secret replaced by ``***``."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; never drops it."""
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


# --------------------------------------------------------------------------------------
# Handlers
# --------------------------------------------------------------------------------------


def _mentions_bot(message: Message, username: str, bot_id: int) -> bool:
    """True when the text or caption of ``message`` mentions the bot."""
    wanted = f"@{username}".lower()
    for entities in (message.parse_entities(), message.parse_caption_entities()):
        for entity, text in entities.items():
            if entity.type == MessageEntity.MENTION and text.lower() == wanted:
                return True
            if (
                entity.type == MessageEntity.TEXT_MENTION
                and entity.user is not None
                and entity.user.id == bot_id
            ):
                return True
    return False


class _AddressedToBot(filters.MessageFilter):
    """Private chats: every message. Groups: mentions of the bot and replies to it."""

    def filter(self, message: Message) -> bool:
        chat_type = message.chat.type
        if chat_type not in (ChatType.PRIVATE, ChatType.GROUP, ChatType.SUPERGROUP):
            return False
        bot = message.get_bot()
        if message.via_bot is not None and message.via_bot.id == bot.id:
            return False  # sent through our own inline mode: already an answer
        if chat_type == ChatType.PRIVATE:
            return True
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return True
        return _mentions_bot(message, bot.username, bot.id)


class _CommandForUs(filters.MessageFilter):
    """An unknown command meant for this bot: any in private, ``/x@ourbot`` in groups."""

    def filter(self, message: Message) -> bool:
        if message.chat.type == ChatType.PRIVATE:
            return True
        command = (message.text or "").split(maxsplit=1)[0]
        _, _, target = command.partition("@")
        return bool(target) and target.lower() == message.get_bot().username.lower()


ADDRESSED = _AddressedToBot(name="addressed_to_bot")
"""Filter: the message is for the bot (see :class:`_AddressedToBot`)."""


def _thread_of(update: Update) -> int | None:
    """The forum topic ``update`` happened in, if any (answers belong in the same topic)."""
    message = update.effective_message
    if isinstance(message, Message) and message.is_topic_message:
        return message.message_thread_id
    return None


async def _say(context: ContextTypes.DEFAULT_TYPE, update: Update, text: str) -> None:
    """Send a short adapter note (no buttons) where ``update`` happened, if it has a chat."""
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(
            chat_id=chat.id,
            text=escape(text),
            parse_mode=ParseMode.HTML,
            message_thread_id=_thread_of(update),
        )


class TelegramAdapter:
    """The update handlers; one instance per :class:`~telegram.ext.Application`.

    Args:
        service: Produces every reply and remembers the chats.
        flood_guard: Per-chat message budget.
    """

    def __init__(self, service: ServiceLike, flood_guard: FloodGuard | None = None) -> None:
        self.service = service
        self.flood_guard = flood_guard or FloodGuard()

    # -- plumbing ---------------------------------------------------------------------

    @staticmethod
    def chat_key(update: Update) -> str:
        """The service's key for the chat of ``update`` (``telegram:<chat id>``)."""
        chat = update.effective_chat
        return f"telegram:{chat.id}" if chat is not None else "telegram:"

    @staticmethod
    async def send(
        context: ContextTypes.DEFAULT_TYPE,
        chat_id: int,
        reply: Reply,
        *,
        thread_id: int | None = None,
    ) -> None:
        """Send a reply as one or more HTML messages; the keyboard goes on the last one.

        Args:
            context: The handler context (for the bot).
            chat_id: Where to send.
            reply: What to send.
            thread_id: Forum topic to answer in, if any.
        """
        chunks = split_message(reply.text) or ["…"]
        markup = keyboard_for(reply.buttons)
        for number, chunk in enumerate(chunks, start=1):
            await context.bot.send_message(
                chat_id=chat_id,
                text=escape(chunk),
                parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW,
                reply_markup=markup if number == len(chunks) else None,
                message_thread_id=thread_id,
            )
        logger.debug(
            "answered chat: kind=%s intent=%s score=%.0f red_flag=%s parts=%d",
            reply.kind,
            reply.intent,
            reply.score,
            reply.red_flag,
            len(chunks),
        )

    async def _answer(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply
    ) -> None:
        """Answer ``update`` in its chat (and forum topic) with ``reply``."""
        chat = update.effective_chat
        if chat is not None:
            await self.send(context, chat.id, reply, thread_id=_thread_of(update))

    async def _admit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Apply the flood guard; sends the one slow-down note when it trips."""
        chat = update.effective_chat
        if chat is None:
            return True
        verdict = self.flood_guard.check(chat.id)
        if verdict is Verdict.WARN:
            logger.info("flood guard: slowing down a chat (update %s)", update.update_id)
            await _say(context, update, SLOW_DOWN_TEXT)
        return verdict is Verdict.ALLOW

    # -- commands ---------------------------------------------------------------------

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every command, known or not: ``/start <topic>`` deep links, ``/privacy``,
        ``/forget``... The service answers unknown commands with the help text."""
        message = update.effective_message
        if message is None or not await self._admit(update, context):
            return
        word = (message.text or "/").split(maxsplit=1)[0]
        name = word[1:].partition("@")[0]
        argument = context.args[0] if context.args else ""
        reply = self.service.command(self.chat_key(update), name, argument)
        await self._answer(update, context, reply)

    # -- messages ---------------------------------------------------------------------

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Free text: the service answers it."""
        message = update.effective_message
        if message is None or not await self._admit(update, context):
            return
        text = message.text or ""
        if message.chat.type != ChatType.PRIVATE:
            username = re.escape(context.bot.username)
            text = re.sub(rf"@{username}\b", " ", text, flags=re.IGNORECASE).strip()
        reply = self.service.message(self.chat_key(update), text)
        await self._answer(update, context, reply)

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice notes, files, locations…"""
        if await self._admit(update, context):
            await self._answer(update, context, self.service.not_text(self.chat_key(update)))

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A quick-reply button was pressed: acknowledge it, then answer in a new message."""
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()
        except BadRequest as exc:
            # "query is too old" after downtime: the press still deserves an answer.
            logger.info("could not acknowledge button press (update %s): %s", update.update_id, exc)
        if query.message is None or query.data is None:
            return  # a button under an inline-mode message: no chat to answer in
        if not await self._admit(update, context):
            return
        reply = self.service.press(self.chat_key(update), query.data)
        await self._answer(update, context, reply)

    async def inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Inline mode: ``@bot question`` in any chat offers up to five answers."""
        query = update.inline_query
        if query is None:
            return
        replies = self.service.search(query.query.strip(), limit=INLINE_RESULTS)
        results = [
            inline_result(reply, index) for index, reply in enumerate(replies[:INLINE_RESULTS])
        ]
        await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=True)

    # -- errors -----------------------------------------------------------------------

    @staticmethod
    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The one error handler: log without personal data, apologise, keep running.

        The log names the update id and the error type with its traceback frames, but not
        the exception message (it may quote what the person wrote) except for errors the
        Bot API itself reported.
        """
        error = context.error
        if error is None:
            return
        if not isinstance(update, Update):
            # Errors outside an update: network trouble while polling and the like.
            logger.warning("Telegram connection problem: %s: %s", type(error).__name__, error)
            return
        detail = f": {error}" if isinstance(error, TelegramError) else ""
        frames = "".join(traceback.format_tb(error.__traceback__))
        logger.error(
            "update %s failed with %s%s\n%s",
            update.update_id,
            type(error).__name__,
            detail,
            frames.rstrip(),
        )
        try:
            await _say(context, update, APOLOGY_TEXT)
        except TelegramError as exc:
            logger.warning(
                "could not apologise for update %s: %s", update.update_id, type(exc).__name__
            )


# --------------------------------------------------------------------------------------
# Application
# --------------------------------------------------------------------------------------


def file_base_url(base_url: str) -> str:
    """Derive the file download base from the API base (``…/bot`` -> ``…/file/bot``).

    Args:
        base_url: The Bot API base URL, e.g. ``http://127.0.0.1:8081/bot``.

    Returns:
        The matching file base URL.
    """
    prefix, _, last = base_url.rstrip("/").rpartition("/")
    return f"{prefix}/file/{last}"


HOUSEKEEPING_SECONDS = 3600.0
"""How often a running bot checks whether stored data has passed its retention period."""


async def _housekeeping(service: ServiceLike) -> None:
    """Tidy the store every :data:`HOUSEKEEPING_SECONDS` until cancelled."""
    while True:
        await asyncio.sleep(HOUSEKEEPING_SECONDS)
        try:
            service.tidy()
        except Exception:  # never let housekeeping end the loop
            logger.exception("housekeeping failed")


async def _register_commands(application: Application) -> None:
    """Register the command menu; failure only costs the menu, so it is logged, not fatal."""
    try:
        await application.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS])
    except TelegramError as exc:
        logger.warning("could not register the command menu: %s", type(exc).__name__)


async def _post_init(application: Application) -> None:
    """Start the background tasks: the command menu (so polling need not wait for another
    round trip to Telegram) and housekeeping."""
    adapter: TelegramAdapter = application.bot_data["adapter"]
    application.bot_data["tasks"] = [
        asyncio.create_task(_register_commands(application)),
        asyncio.create_task(_housekeeping(adapter.service)),
    ]


async def _post_shutdown(application: Application) -> None:
    """Stop the background tasks."""
    for task in application.bot_data.pop("tasks", []):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def build_application(
    settings: Settings,
    service: ServiceLike,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    flood_guard: FloodGuard | None = None,
    rate_limiter: BaseRateLimiter | None = None,
) -> Application:
    """Build the Telegram application with every handler registered.

    Args:
        settings: Token, API base URL and the rest.
        service: Produces every reply and remembers the chats.
        request: Transport for ordinary API calls (tests pass a fake).
        get_updates_request: Transport for ``getUpdates`` (tests pass a fake).
        flood_guard: Per-chat budget; a default :class:`FloodGuard` when omitted.
        rate_limiter: Outgoing rate limiter; :class:`~telegram.ext.AIORateLimiter` when omitted.

    Returns:
        The application, not yet initialised.
    """
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .rate_limiter(rate_limiter or RetryingRateLimiter(max_retries=2))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url
        builder = builder.base_url(base).base_file_url(file_base_url(base))
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()

    adapter = TelegramAdapter(service, flood_guard)
    application.bot_data["adapter"] = adapter
    new_for_us = _NEW_MESSAGE & ADDRESSED
    application.add_handlers(
        [
            CommandHandler([name for name, _ in COMMANDS], adapter.command, filters=_NEW_MESSAGE),
            MessageHandler(_NEW_MESSAGE & filters.COMMAND & _CommandForUs(), adapter.command),
            MessageHandler(new_for_us & filters.TEXT & ~filters.COMMAND, adapter.text),
            MessageHandler(new_for_us & _NOT_TEXT, adapter.not_text),
            CallbackQueryHandler(adapter.button),
            InlineQueryHandler(adapter.inline),
        ]
    )
    application.add_error_handler(adapter.on_error)
    return application


def _fail(message: str, code: int) -> int:
    """Print one line for the person running the bot and return ``code``."""
    print(f"sciatica-bot: {message}", file=sys.stderr)
    return code


def run(settings: Settings, service: ChatService | None = None) -> int:
    """Run the bot until SIGINT/SIGTERM: long polling, or a webhook when configured.

    Args:
        settings: Loaded settings.
        service: The conversation to serve (built from ``settings`` when omitted).

    Returns:
        0 after a clean shutdown, 2 when the token is missing or rejected or the database
        cannot be used, 1 when the Bot API cannot be reached or the webhook port cannot be
        opened.

    Raises:
        bot.content.ContentError: the intents or responses are invalid (the CLI reports it).
    """
    if not settings.telegram_token:
        return _fail(
            "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in the environment "
            "or in .env.",
            2,
        )
    configure_logging(settings)
    try:
        service = service or ChatService.from_settings(settings)
    except StoreError as exc:
        return _fail(str(exc), 2)
    application = build_application(settings, service)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        # Initialise here rather than inside run_polling so that a rejected token or an
        # unreachable API ends with one clear line instead of a logged traceback.
        loop.run_until_complete(application.initialize())
    except InvalidToken:
        loop.run_until_complete(_quiet_shutdown(application))
        loop.close()
        return _fail("Telegram rejected TELEGRAM_BOT_TOKEN: check the token with @BotFather.", 2)
    except TelegramError as exc:
        loop.run_until_complete(_quiet_shutdown(application))
        loop.close()
        return _fail(
            f"Could not reach the Telegram Bot API ({type(exc).__name__}); "
            "check the network and TELEGRAM_API_BASE_URL.",
            1,
        )

    me = application.bot.username
    try:
        if settings.webhook_url:
            path = settings.webhook_path
            if not settings.webhook_secret:
                logger.warning("WEBHOOK_SECRET is not set: anyone can post updates to the bot")
            logger.info(
                "@%s listening for webhooks on %s:%s/%s",
                me,
                settings.webhook_listen,
                settings.webhook_port,
                path,
            )
            application.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=path,
                webhook_url=f"{settings.webhook_url.rstrip('/')}/{path}",
                secret_token=settings.webhook_secret or None,
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=-1,  # Telegram down at start-up: wait for it, with backoff
            )
        else:
            logger.info("@%s polling for updates", me)
            application.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=-1)
    except OSError as exc:
        return _fail(f"Could not start the bot: {exc.strerror or type(exc).__name__}.", 1)
    except InvalidToken:
        return _fail("Telegram rejected TELEGRAM_BOT_TOKEN: check the token with @BotFather.", 2)
    except TelegramError as exc:
        return _fail(f"Telegram Bot API error at start-up ({type(exc).__name__}).", 1)
    finally:
        service.store.close()
    logger.info("stopped")
    return 0


async def _quiet_shutdown(application: Application) -> None:
    """Release the HTTP client after a failed start, ignoring further errors.

    ``Bot.shutdown`` does nothing for a bot whose initialisation failed, so the request
    object (which ``getMe`` used) is shut down directly.
    """
    try:
        await application.bot.request.shutdown()
    except Exception:
        logger.debug("shutdown after a failed start also failed", exc_info=True)
