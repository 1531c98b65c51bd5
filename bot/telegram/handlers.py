"""Handlers: Telegram updates in, dialogue calls out, replies sent back.

No matching or wording happens here: everything the bot says comes from
:class:`bot.service.ChatService`; handlers only decide how and where it is said.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import re
import time
import traceback
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from telegram import (
    Chat,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    ContextTypes,
    filters,
)

from bot.replies import Reply, ReplyKind
from bot.telegram.render import (
    INLINE_CACHE_SECONDS,
    INLINE_RESULTS,
    NO_PREVIEW,
    escape,
    inline_result,
    keyboard_for,
    split_message,
)
from bot.telegram.traffic import APOLOGY_TEXT, FloodGuard, Verdict
from bot.voice import (
    MAX_BYTES,
    MAX_SECONDS,
    NOT_HEARD,
    AudioError,
    Busy,
    Heard,
    TooLong,
    VoiceQueue,
)

if TYPE_CHECKING:
    from bot.content import Content

logger = logging.getLogger(__name__)

T = TypeVar("T")


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

GROUP_ADMIN_COMMANDS = frozenset({"forget", "optout", "optin"})
"""Commands that decide for the whole chat: in groups, only admins may use them."""

NEW_MESSAGE = filters.UpdateType.MESSAGE
"""Only brand-new messages: edited messages and channel posts are ignored everywhere."""

NOT_TEXT = (
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

UPGRADED = "group chat was upgraded"
"""Telegram's reason for refusing a send to a group that became a supergroup."""


MOMENT = 0.4
"""Seconds an answer may take before the chat shows "typing…"."""

TYPING_SECONDS = 5.0
"""How long Telegram shows "typing…": a chat shown it this recently is not shown it again
(a burst of slow answers would otherwise spend the bot's message budget on it)."""

LIVE_CHATS = 10_000
"""Chats whose last message with buttons is remembered (in memory only), so its buttons can
be removed when the next answer comes."""


@dataclass(frozen=True)
class _Live:
    """The bot's last message with buttons in one chat."""

    message_id: int
    kind: ReplyKind


async def show_work(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, thread_id: int | None = None
) -> None:
    """Show "typing…" in a chat while a slow answer is on its way; a failure costs nothing
    but the indicator."""
    try:
        await context.bot.send_chat_action(
            chat_id=chat_id, action=ChatAction.TYPING, message_thread_id=thread_id
        )
    except TelegramError as exc:
        logger.debug("could not show typing: %s", type(exc).__name__)


async def unless_quick(
    work: Awaitable[T],
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int | None,
    thread_id: int | None = None,
    shown: OrderedDict[int, float] | None = None,
) -> T:
    """Await ``work``; when it takes longer than :data:`MOMENT`, show "typing…" once, unless
    ``shown`` (chat id -> when it was last shown) says the chat still shows it."""
    task = asyncio.ensure_future(work)
    if chat_id is not None:
        done, _ = await asyncio.wait({task}, timeout=MOMENT)
        now = time.monotonic()
        recent = shown is not None and now - shown.get(chat_id, -TYPING_SECONDS) < TYPING_SECONDS
        if not done and not recent:
            if shown is not None:
                shown[chat_id] = now
                shown.move_to_end(chat_id)
                while len(shown) > LIVE_CHATS:
                    shown.popitem(last=False)
            await show_work(context, chat_id, thread_id)
    return await task


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

    def voice(self, chat: str, heard: Heard) -> Reply:
        """Answer what a voice note said (never stored)."""
        ...

    def command(self, chat: str, name: str, argument: str = "") -> Reply:
        """Answer a command (``start``, ``help``, ``privacy``, ``forget``...)."""
        ...

    def search(self, text: str, limit: int = 5) -> list[Reply]:
        """Answers for inline mode, best first."""
        ...

    def move(self, old: str, new: str) -> None:
        """Carry what is stored about chat ``old`` over to ``new``."""
        ...

    def tidy(self) -> None:
        """Housekeeping: write held questions, finish erasures, purge what is past retention
        (called every :data:`HOUSEKEEPING_SECONDS`)."""
        ...

    @property
    def content(self) -> Content:
        """The content the service answers from (the voice engine reads its words)."""
        ...


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


class CommandForUs(filters.MessageFilter):
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


CHAT_ACTION_SECONDS = 4.0
"""How often "typing…" is sent again while a voice note is transcribed (Telegram shows it for
five seconds or until the bot's next message)."""


@contextlib.asynccontextmanager
async def _typing(context: ContextTypes.DEFAULT_TYPE, update: Update) -> AsyncIterator[None]:
    """Show "typing…" in the chat of ``update`` while the block runs, so the person sees the
    bot is working on their note. A failed chat action costs only the indicator."""
    chat = update.effective_chat

    async def keep_showing() -> None:
        while chat is not None:
            await show_work(context, chat.id, _thread_of(update))
            await asyncio.sleep(CHAT_ACTION_SECONDS)

    task = asyncio.create_task(keep_showing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def acknowledge(update: Update) -> None:
    """Answer a button press first thing. A failure ("query is too old" after downtime, or
    Telegram failing just this call) costs only the spinner: the press still gets its answer."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer()
    except TelegramError as exc:
        logger.warning(
            "could not acknowledge button press (update %s): %s: %s",
            update.update_id,
            type(exc).__name__,
            exc,
        )


def _seconds(duration: object) -> float:
    """A voice note's duration in seconds (the library gives an int or a timedelta)."""
    if isinstance(duration, datetime.timedelta):
        return duration.total_seconds()
    return float(duration) if isinstance(duration, int | float) else 0.0


class TelegramAdapter:
    """The update handlers; one instance per :class:`~telegram.ext.Application`.

    Args:
        service: Produces every reply and remembers the chats.
        flood_guard: Per-chat message budget.
        voice: Transcribes voice notes; None: voice notes get the "I read text" note.
    """

    def __init__(
        self,
        service: ServiceLike,
        flood_guard: FloodGuard | None = None,
        voice: VoiceQueue | None = None,
    ) -> None:
        self.service = service
        self.flood_guard = flood_guard or FloodGuard()
        self.voice = voice
        self._live: OrderedDict[int, _Live] = OrderedDict()
        self._typing_shown: OrderedDict[int, float] = OrderedDict()

    # -- plumbing ---------------------------------------------------------------------

    @staticmethod
    async def _call(function: Callable[..., T], *args: Any) -> T:
        """Run a service call in a worker thread: a database waiting for a lock (or any
        slow call) keeps only this chat waiting, never the event loop and other chats."""
        return await asyncio.to_thread(function, *args)

    async def _served(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        function: Callable[..., T],
        *args: Any,
    ) -> T:
        """:meth:`_call`, with "typing…" in a private chat when it takes more than a moment
        (a slow database)."""
        chat = update.effective_chat
        private = chat is not None and chat.type == ChatType.PRIVATE
        chat_id = chat.id if private and chat is not None else None  # groups: no edits spent
        return await unless_quick(
            self._call(function, *args), context, chat_id, _thread_of(update), self._typing_shown
        )

    def _says(self, key: str, **fields: str) -> str:
        """Message ``key`` of ``messages.yml``, its ``{fields}`` filled in (plain text)."""
        return self.service.content.messages[key].format(**fields)

    @staticmethod
    def chat_key(update: Update) -> str:
        """The service's key for the chat of ``update`` (``telegram:<chat id>``)."""
        chat = update.effective_chat
        return f"telegram:{chat.id}" if chat is not None else "telegram:"

    async def send(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        chat: Chat,
        reply: Reply,
        *,
        thread_id: int | None = None,
    ) -> None:
        """Send a reply as one or more HTML messages; the keyboard goes on the last one.

        In a private chat the buttons of the previous answer are then removed, in a task of
        their own (the update counts as handled once its answer is sent), so only the newest
        answer has live buttons. In groups, where several people ask and Telegram allows 20
        messages a minute, buttons stay and no edits are spent.

        Args:
            context: The handler context (for the bot).
            chat: Where to send.
            reply: What to send.
            thread_id: Forum topic to answer in, if any.
        """
        chunks = split_message(reply.text) or ["…"]
        markup = keyboard_for(reply.buttons)
        chat_id = chat.id
        private = chat.type == ChatType.PRIVATE
        for number, chunk in enumerate(chunks, start=1):
            sent = await context.bot.send_message(
                chat_id=chat_id,
                text=escape(chunk),
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=markup if number == len(chunks) else None,
                message_thread_id=thread_id,
            )
        previous = self._live.pop(chat_id, None) if private else None
        if previous is not None and context.application.running:
            context.application.create_task(self._strip(context, chat_id, previous))
        elif previous is not None:  # handlers called directly, outside a running bot
            await self._strip(context, chat_id, previous)
        if markup is not None and private:
            self._live[chat_id] = _Live(sent.message_id, reply.kind)
            self._live.move_to_end(chat_id)
            while len(self._live) > LIVE_CHATS:
                self._live.popitem(last=False)
        logger.debug(
            "answered chat: kind=%s intent=%s score=%.0f red_flag=%s parts=%d",
            reply.kind,
            reply.intent,
            reply.score,
            reply.red_flag,
            len(chunks),
        )

    @staticmethod
    async def _strip(context: ContextTypes.DEFAULT_TYPE, chat_id: int, live: _Live) -> None:
        """Remove the buttons of an earlier answer (a message too old to edit keeps them,
        and a press on them still gets an answer)."""
        try:
            await context.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=live.message_id, reply_markup=None
            )
        except TelegramError as exc:
            logger.debug("could not remove old buttons: %s", type(exc).__name__)

    async def _settle_choice(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int, reply: Reply
    ) -> None:
        """A "Did you mean" whose button was pressed: edit the prompt to the topic chosen
        (its buttons go with the edit)."""
        live = self._live.get(chat_id)
        if live is None or live.message_id != message_id or live.kind != ReplyKind.DID_YOU_MEAN:
            return
        if not reply.title:
            return
        try:
            await context.bot.edit_message_text(
                chat_id=chat_id,
                message_id=message_id,
                text=escape(self._says("chosen", title=reply.title)),
                parse_mode=ParseMode.HTML,
            )
        except TelegramError as exc:
            logger.debug("could not edit the prompt: %s", type(exc).__name__)
            return
        self._live.pop(chat_id, None)

    async def _answer(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply
    ) -> None:
        """Answer ``update`` in its chat (and forum topic) with ``reply``."""
        chat = update.effective_chat
        if chat is not None:
            await self.send(context, chat, reply, thread_id=_thread_of(update))

    async def admit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Apply the flood guard (every handler, the hand-over's too, asks it first); sends
        the one slow-down note when it trips."""
        chat = update.effective_chat
        if chat is None:
            return True
        verdict = self.flood_guard.check(chat.id)
        if verdict is Verdict.WARN:
            logger.info("flood guard: slowing down a chat (update %s)", update.update_id)
            await _say(context, update, self._says("slow_down"))
        return verdict is Verdict.ALLOW

    # -- commands ---------------------------------------------------------------------

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every command, known or not: ``/start <topic>`` deep links, ``/privacy``,
        ``/forget``... The service answers unknown commands with the help text."""
        message = update.effective_message
        if message is None or not await self.admit(update, context):
            return
        word = (message.text or "/").split(maxsplit=1)[0]
        name = word[1:].partition("@")[0].lower()
        if name in GROUP_ADMIN_COMMANDS and not await self._may_speak_for_chat(update, context):
            await _say(context, update, self._says("admins_only"))
            return
        argument = context.args[0] if context.args else ""
        reply = await self._served(
            update, context, self.service.command, self.chat_key(update), name, argument
        )
        await self._answer(update, context, reply)

    @staticmethod
    async def _may_speak_for_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """True in private chats, and in groups for the group's admins (asked with
        ``getChatMember``; an admin posting anonymously, as the group, counts too)."""
        chat, message = update.effective_chat, update.effective_message
        if chat is None or chat.type == ChatType.PRIVATE:
            return True
        if message is not None and message.sender_chat is not None:
            return message.sender_chat.id == chat.id  # an anonymous admin
        user = update.effective_user
        if user is None:
            return False
        try:
            member = await context.bot.get_chat_member(chat.id, user.id)
        except TelegramError as exc:
            logger.warning("could not check a group member's rights: %s", type(exc).__name__)
            return False
        return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)

    async def migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup with a new id: what is stored moves along (an
        opt-out above all)."""
        message = update.effective_message
        if message is None or not message.migrate_to_chat_id:
            return
        old, new = message.chat.id, message.migrate_to_chat_id
        logger.info("a group moved to a new chat id; moving what is stored about it")
        await self._call(self.service.move, f"telegram:{old}", f"telegram:{new}")

    # -- messages ---------------------------------------------------------------------

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Free text: the service answers it."""
        message = update.effective_message
        if message is None or not await self.admit(update, context):
            return
        text = message.text or ""
        if message.chat.type != ChatType.PRIVATE:
            username = re.escape(context.bot.username)
            text = re.sub(rf"@{username}\b", " ", text, flags=re.IGNORECASE).strip()
        reply = await self._served(
            update, context, self.service.message, self.chat_key(update), text
        )
        await self._answer(update, context, reply)

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice notes, files, locations…"""
        if await self.admit(update, context):
            reply = await self._call(self.service.not_text, self.chat_key(update))
            await self._answer(update, context, reply)

    async def voice_note(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A voice note or round video note: size and length checked before downloading,
        the audio kept in memory, transcribed off the event loop, then "I heard: …" and the
        answer as if it were typed; "typing…" shows while it is transcribed. The words heard
        are logged at DEBUG only."""
        message = update.effective_message
        if message is None or not await self.admit(update, context):
            return
        note = message.voice or message.video_note
        if self.voice is None or note is None:
            reply = await self._call(self.service.not_text, self.chat_key(update))
            await self._answer(update, context, reply)
            return
        if _seconds(note.duration) > MAX_SECONDS or (note.file_size or 0) > MAX_BYTES:
            await _say(context, update, self._says("voice_too_long"))
            return
        if self.voice.pending > self.voice.limit:
            await _say(context, update, self._says("voice_busy"))
            return
        try:
            file = await note.get_file()
            if (file.file_size or 0) > MAX_BYTES:
                await _say(context, update, self._says("voice_too_long"))
                return
            audio = bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            logger.warning("could not download a voice note: %s", type(exc).__name__)
            await _say(context, update, self._says("voice_unreadable"))
            return
        try:
            async with _typing(context, update):
                heard = await self.voice.transcribe(audio)
        except Busy:
            await _say(context, update, self._says("voice_busy"))
            return
        except TooLong:  # longer than its message said
            logger.info("a voice note was longer than it declared (update %s)", update.update_id)
            await _say(context, update, self._says("voice_too_long"))
            return
        except AudioError:
            logger.info("a voice note could not be decoded (update %s)", update.update_id)
            await _say(context, update, self._says("voice_unreadable"))
            return
        finally:
            del audio
        logger.debug("voice note heard (confidence %.2f): %s", heard.confidence, heard.text)
        reply = await self._call(self.service.voice, self.chat_key(update), heard)
        if reply.kind != NOT_HEARD:
            await self._answer(update, context, Reply(self._says("voice_heard", text=heard.text)))
        await self._answer(update, context, reply)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A quick-reply button was pressed: acknowledge it, then answer in a new message."""
        query = update.callback_query
        if query is None:
            return
        await acknowledge(update)
        if query.message is None or query.data is None:
            return  # a button under an inline-mode message: no chat to answer in
        if not await self.admit(update, context):
            return
        reply = await self._served(
            update, context, self.service.press, self.chat_key(update), query.data
        )
        chat = update.effective_chat
        if chat is not None:
            await self._settle_choice(context, chat.id, query.message.message_id, reply)
        await self._answer(update, context, reply)

    async def inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Inline mode: ``@bot question`` in any chat offers up to five answers."""
        query = update.inline_query
        if query is None:
            return
        replies = await self._call(self.service.search, query.query.strip(), INLINE_RESULTS)
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
        Bot API itself reported. A request Telegram refused (400, 403) is one line with
        Telegram's reason and no frames.
        """
        error = context.error
        if error is None:
            return
        if not isinstance(update, Update):
            # Errors outside an update: network trouble while polling and the like.
            logger.warning("Telegram connection problem: %s: %s", type(error).__name__, error)
            return
        if isinstance(error, BadRequest | Forbidden):
            # Telegram refused the request and said why: that is the whole story.
            logger.error(
                "update %s failed with %s: %s", update.update_id, type(error).__name__, error
            )
            if UPGRADED in error.message.lower():
                return  # the chat has a new id: an apology here would be refused too
        else:
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
