"""The hand-over on Telegram: posts tickets to the staff group and carries replies both ways.

What to say and which message belongs to which ticket is decided by :mod:`bot.handover`;
this module only sends and copies messages and reports their ids back. Its handlers run in
:data:`HANDOVER_GROUP`, before the bot's ordinary handlers, and stop an update there once
they have dealt with it:

- "Send" under a question: the ticket goes to the staff group (``STAFF_CHAT_ID``);
- every new message in the staff group: ``/open``, ``/done 12``, and replies to a ticket's
  messages, relayed to the person; anything else there is ignored;
- the staff group's "I'll take it" and "Done" buttons, which edit the ticket's message so
  colleagues see who has it and that it is closed;
- the staff group becoming a supergroup (``migrate_to_chat_id``): followed at once, and the
  log says which ``STAFF_CHAT_ID`` to set;
- a person's reply to a relayed answer: passed back to the staff group under the ticket;
- "Ask the clinic" and ``/ask`` in a group other than the staff's: a pointer to the private
  chat (questions are private).

"Ask the clinic", the question itself and "Cancel" in a private chat go through
:class:`bot.service.ChatService` like any other message.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from telegram import (
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    Message,
    ReplyParameters,
    Update,
    User,
)
from telegram.constants import ChatType, ParseMode, ReactionEmoji
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.handover import (
    ASK,
    CANCEL,
    DONE_PREFIX,
    SEND,
    TAKE_PREFIX,
    HandOver,
    Opened,
    Staff,
)
from bot.replies import Button
from bot.service import ChatService
from bot.store import TicketRow, TicketStore
from bot.telegram.apptype import BotApplication
from bot.telegram.handlers import (
    COMMANDS,
    NEW_MESSAGE,
    TelegramAdapter,
    acknowledge,
    show_work,
)
from bot.telegram.render import NO_PREVIEW, escape, keyboard_for

if TYPE_CHECKING:
    from bot.settings import Settings

logger = logging.getLogger(__name__)

HANDOVER_GROUP = -1
"""Handler group of the hand-over: before the ordinary handlers (group 0)."""

AFTER_GROUP = 1
"""Handler group of what follows an ordinary handler (the staff note after /optout)."""

ASK_COMMAND = ("ask", "Ask the clinic a question")
"""The ``/ask`` entry of the command menu (only when ``STAFF_CHAT_ID`` is set). Like
:data:`~bot.telegram.handlers.COMMANDS` and :data:`STAFF_COMMANDS`, the menu's descriptions
stay beside the command names they describe, not in ``messages.yml``."""

STAFF_COMMANDS: tuple[tuple[str, str], ...] = (
    ("open", "List the open questions, urgent first"),
    ("done", "Close a question: /done 12"),
    ("help", "How answering questions works"),
)
"""The staff group's command menu."""

RELAYED_MEDIA = ("photo", "document", "video", "audio", "voice", "animation")
"""Staff replies relayed with ``copyMessage`` (the kinds that carry a caption)."""

_DONE_ARGUMENT = re.compile(r"^#?(\d{1,9})$")


def _chat_key(chat_id: int) -> str:
    return f"telegram:{chat_id}"


def _chat_id(key: str) -> int:
    return int(key.removeprefix("telegram:"))


def _from_bot(message: Message | None, bot_id: int) -> bool:
    return message is not None and message.from_user is not None and message.from_user.id == bot_id


class HandOverHandlers:
    """The hand-over's Telegram handlers.

    Args:
        handover: The hand-over's logic.
        adapter: The bot's adapter (sending replies, the flood guard).
        staff_chat_id: The staff group's chat id.
    """

    def __init__(self, handover: HandOver, adapter: TelegramAdapter, staff_chat_id: int) -> None:
        self.handover = handover
        self.adapter = adapter
        self.staff_chat_id = staff_chat_id
        self.staff_filter = filters.Chat(chat_id=staff_chat_id)
        """Matches the staff group (its new id too, once it became a supergroup)."""

    # -- the person's side --------------------------------------------------------------

    async def send(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """ "Send": open the ticket, post it to the staff group, confirm to the person."""
        query = update.callback_query
        if query is None:
            return
        await acknowledge(update)
        chat = update.effective_chat
        if query.message is None or chat is None:
            raise ApplicationHandlerStop
        if chat.type != ChatType.PRIVATE:
            await self._private_only(context, chat.id)
            raise ApplicationHandlerStop
        if not await self.adapter.admit(update, context):
            raise ApplicationHandlerStop
        opened = self.handover.open(_chat_key(chat.id))
        if not isinstance(opened, Opened):
            await self.adapter.send(context, chat, opened)
            raise ApplicationHandlerStop
        user = update.effective_user
        text = self.handover.staff_text(opened, user.first_name if user else "")
        await show_work(context, chat.id)
        try:
            posted = await self._post(
                context, text, buttons=self.handover.ticket_buttons(opened.number)
            )
        except TelegramError as exc:
            _log_staff_failure(exc)
            reply = self.handover.not_reachable(opened)
        else:
            reply = self.handover.posted(opened, posted.message_id)
        await self.adapter.send(context, chat, reply)
        raise ApplicationHandlerStop

    async def person_reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A person's reply to a relayed answer goes back to the ticket in the staff group.

        Replies to anything else are left to the ordinary handlers.
        """
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None:
            return
        replied = message.reply_to_message
        if not _from_bot(replied, context.bot.id):
            return
        assert replied is not None
        ticket = self.handover.person_ticket(_chat_key(chat.id), replied.message_id)
        if ticket is None:
            return
        if not await self.adapter.admit(update, context):
            raise ApplicationHandlerStop
        if ticket.closed:
            await self.adapter.send(context, chat, self.handover.closed_note(ticket))
            raise ApplicationHandlerStop
        if not message.text:
            await self.adapter.send(context, chat, self.handover.only_text_note())
            raise ApplicationHandlerStop
        user = update.effective_user
        follow = self.handover.follow_up(ticket, message.text, user.first_name if user else "")
        if follow.urgent_reply is not None:  # safety first, before anything is passed on
            await self.adapter.send(context, chat, follow.urgent_reply)
        try:
            posted = await self._post(context, follow.staff_text, reply_to=ticket.staff_message)
        except TelegramError as exc:
            _log_staff_failure(exc)
            reply = self.handover.not_reachable()
        else:
            reply = self.handover.followed_up(ticket, posted.message_id)
        await self.adapter.send(context, chat, reply)
        raise ApplicationHandlerStop

    async def elsewhere(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """ "Ask the clinic", "Cancel" or ``/ask`` in a group: point to the private chat.

        In a private chat they are left to the ordinary handlers (the service answers them).
        """
        chat = update.effective_chat
        if chat is None or chat.type == ChatType.PRIVATE:
            return
        await acknowledge(update)
        if update.callback_query is None or update.callback_query.message is not None:
            await self._private_only(context, chat.id)
        raise ApplicationHandlerStop

    async def _private_only(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
        await context.bot.send_message(
            chat_id=chat_id,
            text=escape(self.handover.dialogue.content.messages["handover_private_only"]),
            parse_mode=ParseMode.HTML,
        )

    # -- the staff group ----------------------------------------------------------------

    def _staff_member(self, user: User | None) -> Staff:
        """The staff member who sent an update (``handover_a_colleague`` when Telegram shows
        no name)."""
        nameless = self.handover.dialogue.content.messages["handover_a_colleague"]
        if user is None:
            return Staff(0, nameless)
        return Staff(user.id, " ".join(user.first_name.split())[:64] or nameless)

    async def staff_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every new message in the staff group: commands and replies to tickets; the rest
        is ignored (the bot does not chat in the staff group)."""
        message = update.effective_message
        if message is not None:
            if message.migrate_to_chat_id:
                self.follow(message.migrate_to_chat_id)
            elif message.text and message.text.startswith("/"):
                await self._staff_command(message, context)
            elif message.reply_to_message is not None:
                await self._staff_reply(message, context)
        raise ApplicationHandlerStop

    async def done_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The "Done" button under a ticket (only the staff group's buttons count)."""
        query = update.callback_query
        await acknowledge(update)
        chat = update.effective_chat
        if query is None or query.data is None or chat is None or query.message is None:
            raise ApplicationHandlerStop
        match = _DONE_ARGUMENT.match(query.data.removeprefix(DONE_PREFIX))
        if match is None:  # not a ticket number the bot gave (forged, or out of range)
            raise ApplicationHandlerStop
        number = int(match.group(1))
        await self._close(context, _chat_key(chat.id), number, query.from_user, query.message)
        raise ApplicationHandlerStop

    async def take_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """ "I'll take it" under a ticket, or the status button that replaced it: the
        presser is told (a pop-up), colleagues see the name on the ticket."""
        query = update.callback_query
        chat = update.effective_chat
        if query is None or query.data is None or chat is None or query.message is None:
            await acknowledge(update)
            raise ApplicationHandlerStop
        number = int(query.data.removeprefix(TAKE_PREFIX))
        taken = self.handover.take(_chat_key(chat.id), number, self._staff_member(query.from_user))
        if taken is None:
            await acknowledge(update)
            raise ApplicationHandlerStop
        note, changed = taken
        try:
            await query.answer(note)
        except TelegramError as exc:
            logger.warning("could not answer a button press: %s", type(exc).__name__)
        if changed:
            await self._edit_ticket(context, number, query.message.message_id)
        raise ApplicationHandlerStop

    async def after_optout(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """After a person's /optout: tell the staff group which questions it closed."""
        chat = update.effective_chat
        if chat is None:
            return
        for ticket in self.handover.quietly_closed(_chat_key(chat.id)):
            await self._edit_ticket(context, ticket.number, ticket.staff_message)
            await self._tell_staff(context, self.handover.optout_note(ticket), ticket.staff_message)

    async def migrated(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: follow it when it is the staff group (the ordinary
        handlers then move what is stored about any group)."""
        message = update.effective_message
        if message is None:
            return
        if message.migrate_from_chat_id == self.staff_chat_id:
            self.follow(message.chat_id)
            raise ApplicationHandlerStop

    def follow(self, new_chat_id: int) -> None:
        """The staff group is ``new_chat_id`` from now on (it became a supergroup)."""
        if new_chat_id == self.staff_chat_id:
            return
        old = self.staff_chat_id
        self.staff_chat_id = new_chat_id
        self.staff_filter.add_chat_ids(new_chat_id)
        self.handover.migrated(_chat_key(new_chat_id))
        logger.error(
            "hand-over: the staff group %s became a supergroup; questions now go to %s. "
            "Set STAFF_CHAT_ID=%s so the bot finds it after a restart",
            old,
            new_chat_id,
            new_chat_id,
        )

    async def _close(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        key: str,
        number: int,
        user: User | None,
        message: object,
    ) -> None:
        """Close ticket ``number`` for staff member ``user``: edit its message, tell the
        person, confirm in the group."""
        reply_to = message.message_id if isinstance(message, Message) else None
        closing = self.handover.closing(key, number, self._staff_member(user))
        if closing is None:
            return
        ticket = closing.ticket
        if ticket is not None:
            await self._edit_ticket(context, number, ticket.staff_message)
            try:
                await context.bot.send_message(
                    chat_id=_chat_id(ticket.chat),
                    text=escape(closing.person_text),
                    parse_mode=ParseMode.HTML,
                )
            except (Forbidden, BadRequest) as exc:  # blocked or gone: nothing to tell
                logger.info("hand-over: ticket #%d closed, person not told: %s", number, exc)
        await self._tell_staff(context, closing.note, reply_to)

    async def _edit_ticket(
        self, context: ContextTypes.DEFAULT_TYPE, number: int, message_id: int | None
    ) -> None:
        """Show the ticket's state in the buttons under its message in the staff group."""
        if message_id is None:
            return
        try:
            await context.bot.edit_message_reply_markup(
                chat_id=self.staff_chat_id,
                message_id=message_id,
                reply_markup=keyboard_for(self.handover.ticket_buttons(number)),
            )
        except TelegramError as exc:  # too old, deleted, or in the group before it migrated
            logger.info("hand-over: ticket #%d's message not updated: %s", number, exc)

    async def _staff_command(self, message: Message, context: ContextTypes.DEFAULT_TYPE) -> None:
        word, _, rest = (message.text or "").partition(" ")
        name, _, target = word[1:].partition("@")
        if target and target.lower() != (context.bot.username or "").lower():
            return  # a command for another bot in the group
        key = _chat_key(message.chat_id)
        name = name.lower()
        if name == "open":
            note = self.handover.open_list(key)
        elif name == "done":
            number = _done_number(rest.strip(), message, self.handover, key)
            if number is None:
                note = "Which question? For example: /done 12 (or reply /done to its message)."
            else:
                await self._close(context, key, number, message.from_user, message)
                return
        elif name in ("help", "start"):
            note = self.handover.staff_help()
        else:
            return
        if note is not None:
            await self._tell_staff(context, note, message.message_id)

    async def _staff_reply(self, message: Message, context: ContextTypes.DEFAULT_TYPE) -> None:
        replied = message.reply_to_message
        if replied is None or not _from_bot(replied, context.bot.id):
            return  # staff talking among themselves
        ticket = self.handover.staff_ticket(_chat_key(message.chat_id), replied.message_id)
        if ticket is None:
            number = self.handover.ticket_number(replied.text or "")
            if number is not None:
                await self._tell_staff(context, self.handover.gone_note(number), message.message_id)
            return
        await self._relay(ticket, message, context)

    async def _relay(
        self, ticket: TicketRow, message: Message, context: ContextTypes.DEFAULT_TYPE
    ) -> None:
        """Carry one staff reply to the person, then confirm (or explain) in the group."""
        person = _chat_id(ticket.chat)
        try:
            if message.text:
                sent = await context.bot.send_message(
                    chat_id=person,
                    text=escape(self.handover.relay_text(ticket, message.text)),
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                )
                relayed_id = sent.message_id
            elif any(getattr(message, kind) for kind in RELAYED_MEDIA):
                copied = await context.bot.copy_message(
                    chat_id=person,
                    from_chat_id=message.chat_id,
                    message_id=message.message_id,
                    caption=escape(self.handover.relay_caption(ticket, message.caption or "")),
                    parse_mode=ParseMode.HTML,
                )
                relayed_id = copied.message_id
            else:
                await self._tell_staff(
                    context, self.handover.not_relayed_note(ticket), message.message_id
                )
                return
        except (Forbidden, BadRequest) as exc:
            if isinstance(exc, BadRequest) and "chat not found" not in exc.message.lower():
                raise
            logger.info("hand-over: ticket #%d undeliverable: %s", ticket.number, exc.message)
            closed = self.handover.undeliverable(ticket)
            await self._edit_ticket(context, ticket.number, ticket.staff_message)
            await self._tell_staff(context, closed, message.message_id)
            return
        note, changed = self.handover.relayed(
            ticket, relayed_id, self._staff_member(message.from_user)
        )
        if changed:
            await self._edit_ticket(context, ticket.number, ticket.staff_message)
        if note is not None:
            await self._tell_staff(context, note, message.message_id)
        try:
            await message.set_reaction(ReactionEmoji.THUMBS_UP)
        except TelegramError:  # reactions turned off in the group: say it instead
            await self._tell_staff(
                context, f"Sent to question #{ticket.number}.", message.message_id
            )

    async def _tell_staff(
        self, context: ContextTypes.DEFAULT_TYPE, text: str, reply_to: int | None
    ) -> None:
        await self._post(context, text, reply_to=reply_to)

    async def _post(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        text: str,
        *,
        reply_to: int | None = None,
        buttons: tuple[Button, ...] = (),
    ) -> Message:
        """Send ``text`` (plain) to the staff group; a group that became a supergroup is
        followed, and the message sent there."""
        for _ in range(2):
            try:
                return await context.bot.send_message(
                    chat_id=self.staff_chat_id,
                    text=escape(text),
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                    reply_parameters=_reply_to(reply_to),
                    reply_markup=keyboard_for(buttons) if buttons else None,
                )
            except ChatMigrated as exc:
                self.follow(exc.new_chat_id)
                reply_to = None  # that message stayed in the old group
        raise ChatMigrated(self.staff_chat_id)


def _reply_to(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id=message_id, allow_sending_without_reply=True)


def _done_number(argument: str, message: Message, handover: HandOver, key: str) -> int | None:
    """The ticket ``/done`` names: its argument, else the ticket its message replies to."""
    match = _DONE_ARGUMENT.match(argument)
    if match:
        return int(match.group(1))
    if argument or message.reply_to_message is None:
        return None
    ticket = handover.staff_ticket(key, message.reply_to_message.message_id)
    return ticket.number if ticket is not None else None


def _log_staff_failure(exc: TelegramError) -> None:
    if isinstance(exc, ChatMigrated):
        logger.error(
            "hand-over: the staff group became a supergroup; set STAFF_CHAT_ID=%s",
            exc.new_chat_id,
        )
    else:
        logger.error(
            "hand-over: cannot post to the staff group (STAFF_CHAT_ID): %s: %s",
            type(exc).__name__,
            exc,
        )


def register(application: BotApplication, settings: Settings, adapter: TelegramAdapter) -> None:
    """Turn the hand-over on when ``STAFF_CHAT_ID`` is set: its handlers, ``/ask`` in the
    command menu, and "Ask the clinic" buttons (through the service).

    Args:
        application: The application being built.
        settings: ``STAFF_CHAT_ID`` and the clinic's details.
        adapter: The bot's adapter, whose service gets the hand-over.
    """
    staff_chat_id = settings.staff_chat_id
    if staff_chat_id is None:
        return
    service = adapter.service
    if not isinstance(service, ChatService):
        logger.warning("hand-over: the service has no store; questions to the clinic are off")
        return
    handover = HandOver(
        TicketStore(service.store),
        service.dialogue,
        _chat_key(staff_chat_id),
        clinic=settings.clinic,
    )
    service.handover = handover
    handlers = HandOverHandlers(handover, adapter, staff_chat_id)
    staff = handlers.staff_filter
    private = filters.ChatType.PRIVATE
    asking = rf"^({re.escape(ASK)}|{re.escape(CANCEL)}|{re.escape(SEND)})$"
    application.add_handlers(
        [
            MessageHandler(NEW_MESSAGE & staff, handlers.staff_message),
            MessageHandler(filters.StatusUpdate.MIGRATE, handlers.migrated),
            CallbackQueryHandler(handlers.done_button, pattern=rf"^{DONE_PREFIX}\d+$"),
            CallbackQueryHandler(handlers.take_button, pattern=rf"^{TAKE_PREFIX}\d{{1,9}}$"),
            CallbackQueryHandler(handlers.send, pattern=rf"^{re.escape(SEND)}$"),
            CallbackQueryHandler(handlers.elsewhere, pattern=asking),
            MessageHandler(NEW_MESSAGE & private & filters.REPLY, handlers.person_reply),
            CommandHandler("ask", handlers.elsewhere, filters=NEW_MESSAGE & ~private),
        ],
        group=HANDOVER_GROUP,
    )
    application.add_handler(
        CommandHandler("optout", handlers.after_optout, filters=NEW_MESSAGE & private),
        group=AFTER_GROUP,
    )
    # Menus per audience: people in private chats see /ask, other groups the plain menu,
    # the staff group its own commands.
    application.bot_data["command_scopes"] = (
        (BotCommandScopeDefault(), COMMANDS),
        (BotCommandScopeAllPrivateChats(), (*COMMANDS[:3], ASK_COMMAND, *COMMANDS[3:])),
        (BotCommandScopeChat(staff_chat_id), STAFF_COMMANDS),
    )
    logger.info("questions to the clinic go to the staff group %s", staff_chat_id)
