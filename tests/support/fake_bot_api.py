"""A fake Telegram Bot API for tests: no network beyond 127.0.0.1, ever.

One :class:`FakeBotApi` holds the state (the bot's identity, an update queue, every call
received, injected faults, the registered webhook) and answers API methods. Two
transports share it:

* :class:`FakeRequest` - a :class:`telegram.request.BaseRequest` for an in-process
  :class:`~telegram.ext.Application` (``build_application(..., request=FakeRequest(api))``);
* :class:`FakeBotApiServer` - a loopback HTTP server speaking the same protocol at
  ``/bot<token>/<method>``, for a bot started as a subprocess with
  ``TELEGRAM_API_BASE_URL=server.base_url``; it can also POST updates to the bot's webhook.

Tests push updates with the ``push_*`` helpers and wait for the bot's calls with
:meth:`FakeBotApi.wait_for` (async) or :meth:`FakeBotApi.wait_for_sync` (threads), which
poll the call log with a timeout instead of sleeping fixed times.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"
"""A token shaped like a real one, so tests can look for it in output."""

BOT_USER: dict[str, Any] = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "Clinic Test Bot",
    "username": "clinic_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}

_OK_TRUE = frozenset(
    {
        "setMyCommands",
        "deleteMyCommands",
        "setMyDescription",
        "setMyShortDescription",
        "setChatMenuButton",
        "answerCallbackQuery",
        "answerInlineQuery",
        "deleteWebhook",
        "sendChatAction",
        "deleteMessage",
        "setMessageReaction",
        "close",
        "logOut",
    }
)
"""Methods whose whole answer is ``true``."""

_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "query",
        "callback_query_id",
        "inline_query_id",
        "url",
        "secret_token",
        "parse_mode",
        "next_offset",
        "description",
        "short_description",
        "language_code",
        "ip_address",
    }
)
"""Parameters that are strings even when they look like JSON (``text="42"``)."""

_TAG = re.compile(r"<[^>]+>")
_MENTION = re.compile(r"@[A-Za-z0-9_]{5,32}")


def decode_params(raw: dict[str, str]) -> dict[str, Any]:
    """Decode parameters the way the Bot API does.

    python-telegram-bot sends strings as they are and everything else JSON-encoded
    (:attr:`telegram.request.RequestData.json_parameters`); this undoes that.

    Args:
        raw: Parameter name -> string value.

    Returns:
        Parameter name -> decoded value.
    """
    decoded: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _STRING_PARAMS:
            decoded[key] = value
            continue
        try:
            decoded[key] = json.loads(value)
        except ValueError:
            decoded[key] = value
    return decoded


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (how Telegram measures entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def entities_for(text: str) -> list[dict[str, Any]]:
    """The entities Telegram would attach: a leading bot command and ``@mentions``."""
    entities: list[dict[str, Any]] = []
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
    for match in _MENTION.finditer(text):
        entities.append(
            {
                "type": "mention",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            }
        )
    return entities


def html_to_text(text: str) -> str:
    """Strip HTML the way Telegram does for ``parse_mode=HTML`` (tags out, entities decoded)."""
    return html.unescape(_TAG.sub("", text))


MAX_TEXT_UTF16 = 4096
"""Telegram's limit for one message, after entity parsing, in UTF-16 code units."""

MAX_CALLBACK_DATA_BYTES = 64

_HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a"}
    | {"tg-emoji", "code", "pre", "blockquote"}
)
_HTML_TOKEN = re.compile(
    r"<(/?)([a-z-]+)((?:\s+[a-z-]+(?:=\"[^\"]*\"|='[^']*')?)*)\s*>"
    r"|&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});"
    r"|[<>&]"
)


class HtmlError(ValueError):
    """Text Telegram would reject with "can't parse entities"."""


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse ``parse_mode=HTML`` text as strictly as the Bot API documents it.

    Only the supported tags are accepted, every ``<``, ``>`` and ``&`` outside a tag or an
    entity is an error, tags must nest properly.

    Args:
        text: The ``text`` parameter of a ``sendMessage``.

    Returns:
        The plain text and the entities (``{"type": tag, "offset", "length"}`` in UTF-16).

    Raises:
        HtmlError: Telegram would answer 400 "can't parse entities".
    """
    plain: list[str] = []
    entities: list[dict[str, Any]] = []
    open_tags: list[tuple[str, int]] = []
    position = 0
    length = 0
    for match in _HTML_TOKEN.finditer(text):
        before = text[position : match.start()]
        plain.append(before)
        length += utf16_len(before)
        position = match.end()
        token = match.group()
        if token in "<>&":
            raise HtmlError(f"unescaped {token!r} at byte offset {match.start()}")
        if token.startswith("&"):
            decoded = html.unescape(token)
            plain.append(decoded)
            length += utf16_len(decoded)
            continue
        closing, name = match.group(1), match.group(2)
        if name not in _HTML_TAGS:
            raise HtmlError(f"unsupported start tag {name!r}")
        if not closing:
            open_tags.append((name, length))
            continue
        if not open_tags or open_tags[-1][0] != name:
            raise HtmlError(f"unmatched end tag {name!r}")
        _, start = open_tags.pop()
        entities.append({"type": name, "offset": start, "length": length - start})
    if open_tags:
        raise HtmlError(f"unclosed tag {open_tags[-1][0]!r}")
    plain.append(text[position:])
    return "".join(plain), entities


def check_message_text(text: str, parse_mode: str | None) -> str:
    """Validate a message text like the Bot API; returns the text the person sees.

    Raises:
        ApiError: 400 with Telegram's wording (empty, can't parse entities, too long).
    """
    if parse_mode == "HTML":
        try:
            text, _ = parse_html(text)
        except HtmlError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_len(text) > MAX_TEXT_UTF16:
        raise ApiError(400, "Bad Request: message is too long")
    return text


def check_markup(markup: dict[str, Any] | None) -> None:
    """Validate an inline keyboard like the Bot API (callback data of 1-64 bytes).

    Raises:
        ApiError: 400 BUTTON_DATA_INVALID.
    """
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise ApiError(400, "Bad Request: a button without text")


_NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
"""Update types Telegram sends only when asked for by name."""


class ApiError(Exception):
    """Raised by a method handler of the fake: answered as ``{"ok": false}``."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass(frozen=True)
class Call:
    """One request the bot made.

    Attributes:
        method: Bot API method, e.g. ``sendMessage``.
        params: Decoded parameters.
        token: The token in the URL.
        status: The HTTP status the fake answered with.
        at: ``time.monotonic()`` when it arrived.
    """

    method: str
    params: dict[str, Any]
    token: str
    status: int = 200
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Fault:
    """An error answer queued for a method."""

    status: int
    description: str
    parameters: dict[str, Any] | None = None


class FakeBotApi:
    """The shared state and logic of the fake Bot API (thread-safe).

    Args:
        token: The token the fake accepts; any other gets 401 Unauthorized.
        bot_user: What ``getMe`` returns.
    """

    def __init__(self, token: str = TOKEN, bot_user: dict[str, Any] | None = None) -> None:
        self.token = token
        self.bot_user = dict(bot_user or BOT_USER)
        self.calls: list[Call] = []
        self.webhook: dict[str, Any] | None = None
        self.closed = False
        self.last_update_id = 0
        """The newest update id pushed so far."""
        self._updates: deque[dict[str, Any]] = deque()
        self._faults: dict[str, deque[Fault]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._chat_faults: dict[int, Fault] = {}
        self._outage_until = 0.0
        self._outage_status = 502
        self._chats: dict[int, dict[str, Any]] = {}
        self.sent: list[dict[str, Any]] = []
        """Every message the bot sent or copied, as Telegram returned it, oldest first."""
        self._members: dict[tuple[int, int], str] = {}
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._ids = itertools.count(1)
        self._cond = threading.Condition()
        self.files: dict[str, bytes] = {}
        self.allowed_updates: set[str] | None = None
        self._migrated: dict[int, int] = {}
        """Update types the bot asked for (``None``: Telegram's default)."""
        """Files the bot may download (``getFile`` and the file route), by file id."""

    # -- building updates -----------------------------------------------------------

    @staticmethod
    def user(user_id: int = 1001, first_name: str = "Pat") -> dict[str, Any]:
        """A Telegram user object for a person."""
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}

    def chat(self, chat_id: int = 1001, chat_type: str = "private") -> dict[str, Any]:
        """A chat object; remembered so ``sendMessage`` can answer with the same chat."""
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "Pat"
        else:
            chat["title"] = f"Group {chat_id}"
        with self._cond:
            self._chats[chat_id] = chat
        return chat

    def next_update_id(self) -> int:
        """A fresh update id (for updates delivered by webhook)."""
        with self._cond:
            return next(self._update_ids)

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (``update_id`` is added when missing); returns its id."""
        if "update_id" not in update:
            update["update_id"] = self.next_update_id()
        with self._cond:
            self.last_update_id = max(self.last_update_id, int(update["update_id"]))
            self._updates.append(update)
            self._cond.notify_all()
        return int(update["update_id"])

    def message(
        self,
        text: str | None = None,
        *,
        chat_id: int = 1001,
        chat_type: str = "private",
        user_id: int | None = None,
        reply_to: dict[str, Any] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Build a message object (without queueing it)."""
        if user_id is None:
            user_id = chat_id if chat_type == "private" else 1001
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id, chat_type),
            "from": self.user(user_id),
        }
        if text is not None:
            message["text"] = text
            entities = entities_for(text)
            if entities:
                message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(fields)
        return message

    def push_message(self, text: str | None = None, **kwargs: Any) -> int:
        """Queue a new message (see :meth:`message` for the arguments); returns the update id."""
        return self.push_update({"message": self.message(text, **kwargs)})

    def push_edited_message(self, text: str, **kwargs: Any) -> int:
        """Queue an edited message; returns the update id."""
        message = self.message(text, **kwargs)
        message["edit_date"] = message["date"] + 5
        return self.push_update({"edited_message": message})

    def push_sticker(self, **kwargs: Any) -> int:
        """Queue a sticker message."""
        sticker = {
            "file_id": "sticker-file",
            "file_unique_id": "sticker-unique",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return self.push_message(None, sticker=sticker, **kwargs)

    def push_photo(self, caption: str | None = None, **kwargs: Any) -> int:
        """Queue a photo message, optionally with a caption."""
        photo = [{"file_id": "photo-file", "file_unique_id": "photo-u", "width": 90, "height": 90}]
        extra: dict[str, Any] = {"photo": photo}
        if caption is not None:
            extra["caption"] = caption
            if entities := entities_for(caption):
                extra["caption_entities"] = entities
        return self.push_message(None, **extra, **kwargs)

    def push_voice(
        self,
        data: bytes | None = None,
        *,
        duration: int = 3,
        file_size: int | None = None,
        video_note: bool = False,
        **kwargs: Any,
    ) -> int:
        """Queue a voice note (a round video note with ``video_note``); ``data`` is what
        downloading it returns (``getFile`` says "file not found" without it)."""
        file_id = f"voice-{next(self._ids)}"
        if data is not None:
            self.files[file_id] = data
        size = file_size if file_size is not None else len(data or b"")
        note: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"{file_id}-u"}
        note.update(duration=duration, file_size=size)
        if video_note:
            return self.push_message(None, video_note={**note, "length": 240}, **kwargs)
        return self.push_message(None, voice={**note, "mime_type": "audio/ogg"}, **kwargs)

    def push_location(self, **kwargs: Any) -> int:
        """Queue a shared location."""
        return self.push_message(None, location={"latitude": 51.5, "longitude": -0.12}, **kwargs)

    def push_callback(
        self,
        data: str,
        *,
        chat_id: int = 1001,
        chat_type: str = "private",
        user_id: int | None = None,
        message_id: int | None = None,
        first_name: str = "Pat",
    ) -> int:
        """Queue a button press on a message the bot sent earlier; returns the update id."""
        bot_message = {
            "message_id": message_id or next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id, chat_type),
            "from": self.bot_user,
            "text": "(an earlier answer)",
        }
        query = {
            "id": f"cbq-{next(self._ids)}",
            "from": self.user(user_id or chat_id, first_name),
            "chat_instance": f"ci-{chat_id}",
            "message": bot_message,
            "data": data,
        }
        return self.push_update({"callback_query": query})

    def push_inline_query(self, query: str, *, user_id: int = 1001) -> int:
        """Queue an inline query (``@bot query`` typed in any chat); returns the update id."""
        inline = {
            "id": f"iq-{next(self._ids)}",
            "from": self.user(user_id),
            "query": query,
            "offset": "",
        }
        return self.push_update({"inline_query": inline})

    def bot_message(self, chat_id: int, chat_type: str = "group", text: str = "An answer") -> dict:
        """A message *from the bot* (to reply to in group tests)."""
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id, chat_type),
            "from": self.bot_user,
            "text": text,
        }

    def migrate(self, old: int, new: int, *, user_id: int = 1001, announce: bool = True) -> None:
        """The group ``old`` becomes the supergroup ``new``, as Telegram does it: the two
        service messages arrive (unless ``announce`` is false: it happened while the bot was
        not running), and from now on sending to ``old`` fails with ``migrate_to_chat_id``."""
        with self._cond:
            self._migrated[old] = new
            self.chat(new, "supergroup")
        if not announce:
            return
        self.push_message(
            None, chat_id=old, chat_type="group", user_id=user_id, migrate_to_chat_id=new
        )
        self.push_message(
            None, chat_id=new, chat_type="supergroup", user_id=user_id, migrate_from_chat_id=old
        )

    def _check_migrated(self, chat_id: int) -> None:
        new = self._migrated.get(chat_id)
        if new is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": new},
            )

    # -- faults -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 500,
        *,
        times: int = 1,
        description: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``status``."""
        parameters = {"retry_after": retry_after} if retry_after else None
        text = description or f"{HTTPStatus(status).phrase}"
        with self._cond:
            queue = self._faults.setdefault(method, deque())
            queue.extend(Fault(status, text, parameters) for _ in range(times))

    def slow_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` only after ``seconds``.

        A client whose read timeout is shorter gives up (``TimedOut``); with the in-process
        :class:`FakeRequest` such a call is recorded with status 0 and *not* carried out
        (the request never reached Telegram's servers).
        """
        with self._cond:
            self._delays.setdefault(method, deque()).extend([seconds] * times)

    def take_delay(self, method: str) -> float:
        """The injected delay for this call of ``method`` (0 when none)."""
        with self._cond:
            queue = self._delays.get(method)
            return queue.popleft() if queue else 0.0

    def fail_chat(
        self,
        chat_id: int,
        status: int = 403,
        description: str = "Forbidden: bot was blocked by the user",
    ) -> None:
        """Make every ``sendMessage`` to ``chat_id`` fail from now on (blocked, deleted...)."""
        with self._cond:
            self._chat_faults[chat_id] = Fault(status, description)

    def outage(self, seconds: float, status: int = 502) -> None:
        """Answer every call with ``status`` for the next ``seconds`` (Telegram is down)."""
        with self._cond:
            self._outage_until = time.monotonic() + seconds
            self._outage_status = status

    @property
    def in_outage(self) -> bool:
        """True while an :meth:`outage` lasts."""
        return time.monotonic() < self._outage_until

    def record(self, token: str, method: str, params: dict[str, Any], status: int) -> None:
        """Record a call that got no answer from the fake (e.g. the client timed out)."""
        with self._cond:
            self.calls.append(Call(method, params, token, status))
            self._cond.notify_all()

    # -- answering --------------------------------------------------------------------

    def updates_ready(self, offset: int | None) -> bool:
        """True when ``getUpdates`` with ``offset`` would return something right now."""
        with self._cond:
            return any(u["update_id"] >= (offset or 0) for u in self._updates) or self.closed

    def wait_updates(self, offset: int | None, timeout: float) -> None:
        """Block (a server thread) until updates are ready or ``timeout`` passes."""
        with self._cond:
            self._cond.wait_for(
                lambda: self.closed or any(u["update_id"] >= (offset or 0) for u in self._updates),
                timeout=timeout,
            )

    def close(self) -> None:
        """Wake every long poll (used when a server stops)."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def dispatch(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict]:
        """Answer one API call without blocking; records it.

        Args:
            token: The token from the URL.
            method: The API method.
            params: Decoded parameters.

        Returns:
            HTTP status and the JSON body (``{"ok": ..., "result"|"description": ...}``).
        """
        with self._cond:
            status, body = self._answer(token, method, params)
            self.calls.append(Call(method, params, token, status))
            self._cond.notify_all()
        return status, body

    @staticmethod
    def _error(status: int, description: str, parameters: dict | None = None) -> tuple[int, dict]:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return status, body

    def _answer(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict]:
        if token != self.token:
            return self._error(401, "Unauthorized")
        if self.in_outage:
            return self._error(self._outage_status, HTTPStatus(self._outage_status).phrase)
        faults = self._faults.get(method)
        if faults:
            fault = faults.popleft()
            return self._error(fault.status, fault.description, fault.parameters)
        handler: Callable[[dict[str, Any]], Any] | None = getattr(self, f"_m_{method}", None)
        if handler is not None:
            try:
                result = handler(params)
            except ApiError as exc:
                return self._error(exc.status, exc.description, exc.parameters)
        elif method in _OK_TRUE:
            result = True
        else:
            return self._error(404, "Not Found: method not found")
        return 200, {"ok": True, "result": result}

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id"))
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        size = len(self.files[file_id])
        path = f"voice/{file_id}.oga"
        return {
            "file_id": file_id,
            "file_unique_id": f"{file_id}-u",
            "file_size": size,
            "file_path": path,
        }

    def download(self, token: str, path: str) -> tuple[int, bytes]:
        """The file route, ``/file/bot<token>/<file_path>``: the file's bytes or 404."""
        with self._cond:
            self.calls.append(Call("download", {"file_path": path}, token, 200))
            self._cond.notify_all()
        if token != self.token:
            return 401, b"Unauthorized"
        file_id = path.rpartition("/")[2].removesuffix(".oga")
        data = self.files.get(file_id)
        return (200, data) if data is not None else (404, b"Not Found")

    def allows(self, update: dict[str, Any]) -> bool:
        """True when the bot asked for ``update``'s type (``allowed_updates`` of its last
        ``getUpdates`` or ``setWebhook`` that named them; by default every type but
        ``chat_member`` and the reactions, as Telegram does)."""
        kind = next((key for key in update if key != "update_id"), "")
        if self.allowed_updates is None:
            return kind not in _NOT_BY_DEFAULT
        return kind in self.allowed_updates

    def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        self._remember_allowed(params)
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()  # confirmed by the offset
        # Telegram never delivers a type the bot did not ask for: it is dropped.
        self._updates = deque(u for u in self._updates if self.allows(u))
        return list(itertools.islice(self._updates, limit))

    def _remember_allowed(self, params: dict[str, Any]) -> None:
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):  # [] means "the default" again
            self.allowed_updates = set(allowed) if allowed else None

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """Give ``user_id`` a status in ``chat_id``: ``creator``, ``administrator``,
        ``member`` (everyone's default), ``left``..."""
        with self._cond:
            self._members[(chat_id, user_id)] = status

    def _m_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        if chat_id not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        status = self._members.get((chat_id, user_id), "member")
        member: dict[str, Any] = {"status": status, "user": self.user(user_id)}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                dict.fromkeys(
                    [
                        "can_be_edited",
                        "can_manage_chat",
                        "can_delete_messages",
                        "can_manage_video_chats",
                        "can_restrict_members",
                        "can_promote_members",
                        "can_change_info",
                        "can_invite_users",
                        "can_post_stories",
                        "can_edit_stories",
                        "can_delete_stories",
                        "is_anonymous",
                    ],
                    False,
                )
            )
        elif status == "kicked":
            member["until_date"] = 0  # banned for ever
        elif status == "restricted":
            raise ApiError(400, "Bad Request: restricted members are not simulated")
        return member

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = dict(params)
        self._remember_allowed(params)
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        url = (self.webhook or {}).get("url", "")
        return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        self._check_migrated(chat_id)
        fault = self._chat_faults.get(chat_id)
        if fault is not None:
            raise ApiError(fault.status, fault.description)
        text = check_message_text(str(params.get("text", "")), params.get("parse_mode"))
        check_markup(params.get("reply_markup"))
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chats.get(chat_id, {"id": chat_id, "type": "private"}),
            "from": self.bot_user,
            "text": text,
        }
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        if "reply_parameters" in params:
            message["reply_to_id"] = params["reply_parameters"].get("message_id")
        self.sent.append(message)
        return message

    def _m_copyMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        self._check_migrated(chat_id)
        fault = self._chat_faults.get(chat_id)
        if fault is not None:
            raise ApiError(fault.status, fault.description)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chats.get(chat_id, {"id": chat_id, "type": "private"}),
            "from": self.bot_user,
            "copied_from": (int(params["from_chat_id"]), int(params["message_id"])),
        }
        if "caption" in params:
            caption = check_message_text(str(params["caption"]), params.get("parse_mode"))
            if utf16_len(caption) > 1024:
                raise ApiError(400, "Bad Request: message caption is too long")
            message["caption"] = caption
        self.sent.append(message)
        return {"message_id": message["message_id"]}

    def _sent_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        for message in self.sent:
            if message["chat"]["id"] == chat_id and message["message_id"] == message_id:
                return message
        raise ApiError(400, "Bad Request: message to edit not found")

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._sent_message(params)
        markup = params.get("reply_markup")
        check_markup(markup)
        if markup == message.get("reply_markup") or (not markup and "reply_markup" not in message):
            raise ApiError(400, "Bad Request: message is not modified")
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return message

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._sent_message(params)
        text = check_message_text(str(params.get("text", "")), params.get("parse_mode"))
        check_markup(params.get("reply_markup"))
        if text == message.get("text") and params.get("reply_markup") == message.get(
            "reply_markup"
        ):
            raise ApiError(400, "Bad Request: message is not modified")
        message["text"] = text
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        return message

    def message_in(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """The bot's message ``message_id`` in ``chat_id`` as it stands now (after edits)."""
        with self._cond:
            return dict(self._sent_message({"chat_id": chat_id, "message_id": message_id}))

    def last_sent(self, chat_id: int) -> dict[str, Any]:
        """The last message the bot sent to ``chat_id`` (to reply to it in a test)."""
        with self._cond:
            for message in reversed(self.sent):
                if message["chat"]["id"] == chat_id:
                    return message
        raise AssertionError(f"the bot sent nothing to {chat_id}")

    def _m_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        results = params.get("results") or []
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [str(result.get("id", "")) for result in results]
        if len(set(ids)) != len(ids) or any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        for result in results:
            if not str(result.get("title", "")).strip():
                raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
            content = result.get("input_message_content") or {}
            check_message_text(str(content.get("message_text", "")), content.get("parse_mode"))
            check_markup(result.get("reply_markup"))
        return True

    # -- inspecting -------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        """Every recorded call of ``method``, oldest first."""
        with self._cond:
            return [call for call in self.calls if call.method == method]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """The ``text`` of every ``sendMessage`` (optionally to one chat)."""
        return [
            call.params["text"]
            for call in self.calls_to("sendMessage")
            if chat_id is None or call.params.get("chat_id") == chat_id
        ]

    def delivered(self, chat_id: int | None = None) -> list[Call]:
        """Every *successful* ``sendMessage`` (optionally to one chat), oldest first."""
        return [
            call
            for call in self.calls_to("sendMessage")
            if call.status == 200 and (chat_id is None or call.params.get("chat_id") == chat_id)
        ]

    def _matching(self, method: str, where: Callable[[Call], bool] | None) -> list[Call]:
        return [c for c in self.calls_to(method) if c.status == 200 and (where is None or where(c))]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        where: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,
    ) -> list[Call]:
        """Wait (async) until at least ``count`` successful calls of ``method`` arrived.

        Raises:
            AssertionError: on timeout, listing what did arrive.
        """
        deadline = time.monotonic() + timeout
        while True:
            found = self._matching(method, where)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"waited {timeout}s for {count} x {method}, got {len(found)}; "
                    f"calls: {[c.method for c in self.calls]}"
                )
            await asyncio.sleep(0.005)

    def wait_for_sync(
        self,
        method: str,
        count: int = 1,
        *,
        where: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,
    ) -> list[Call]:
        """Like :meth:`wait_for`, blocking (for tests driving a subprocess)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = self._matching(method, where)
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"waited {timeout}s for {count} x {method}, got {len(found)}; "
                        f"calls: {[c.method for c in self.calls]}"
                    )
                self._cond.wait(timeout=min(remaining, 0.1))


def split_api_url(url: str) -> tuple[str, str]:
    """``…/bot<token>/<method>`` -> ``(token, method)``."""
    path = urllib.parse.urlsplit(url).path
    head, _, method = path.rstrip("/").rpartition("/")
    token = head.rpartition("/")[2]
    return (token[3:] if token.startswith("bot") else token), method


def split_file_url(url: str) -> tuple[str, str] | None:
    """``…/file/bot<token>/<file_path>`` -> ``(token, file_path)``; None for API calls."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    _, found, rest = path.partition("/file/bot")
    if not found:
        return None
    token, _, file_path = rest.partition("/")
    return token, file_path


class FakeRequest(BaseRequest):
    """In-process transport: python-telegram-bot's requests go straight to ``api``.

    Args:
        api: The shared fake.
        max_long_poll: Cap (seconds) for ``getUpdates`` long polling, to keep tests snappy.
    """

    def __init__(
        self, api: FakeBotApi, max_long_poll: float = 1.0, read_timeout: float = 5.0
    ) -> None:
        self.api = api
        self.max_long_poll = max_long_poll
        self._read_timeout = read_timeout
        self.refuse = False
        """When True, every request fails as if the connection was refused."""

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout: a call slowed down beyond it raises ``TimedOut``."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Answer one request from the shared fake."""
        if (file := split_file_url(url)) is not None:
            return self.api.download(*file)
        token, api_method = split_api_url(url)
        params = decode_params(request_data.json_parameters) if request_data else {}
        if self.refuse:
            self.api.record(token, api_method, params, 0)
            raise NetworkError("httpx.ConnectError: [Errno 111] Connection refused")
        delay = self.api.take_delay(api_method)
        if delay:
            limit = read_timeout if isinstance(read_timeout, int | float) else self.read_timeout
            if limit is not None and delay > limit:
                await asyncio.sleep(limit)
                self.api.record(token, api_method, params, 0)
                raise TimedOut("Timed out")
            await asyncio.sleep(delay)
        if api_method == "getUpdates":
            wait = min(float(params.get("timeout") or 0), self.max_long_poll)
            deadline = time.monotonic() + wait
            offset = params.get("offset")
            while not self.api.updates_ready(offset) and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
        status, body = self.api.dispatch(token, api_method, params)
        return status, json.dumps(body).encode()


class _Handler(BaseHTTPRequestHandler):
    """HTTP front of :class:`FakeBotApi` (one thread per request)."""

    server: _Server
    protocol_version = "HTTP/1.1"
    # http.server writes headers and body separately; with Nagle's algorithm and the
    # client's delayed ACK every answer would wait about 40 ms on loopback.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""

    def _params(self) -> dict[str, Any]:
        query = urllib.parse.urlsplit(self.path).query
        raw = {k: v[-1] for k, v in urllib.parse.parse_qs(query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise ConnectionResetError("the client went away in the middle of its request")
        kind = self.headers.get_content_type()
        if kind == "application/json" and body:
            return {**decode_params(raw), **json.loads(body)}
        if kind == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body.decode(), keep_blank_values=True)
            raw.update({k: v[-1] for k, v in form.items()})
        return decode_params(raw)

    def _serve(self) -> None:
        api = self.server.api
        if (file := split_file_url(self.path)) is not None:
            status, data = api.download(*file)
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        token, method = split_api_url(self.path)
        params = self._params()
        delay = api.take_delay(method)
        if delay:
            time.sleep(delay)  # the client may have given up meanwhile
        if method == "getUpdates":
            wait = min(float(params.get("timeout") or 0), self.server.max_long_poll)
            api.wait_updates(params.get("offset"), wait)
        status, body = api.dispatch(token, method, params)
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the bot hung up (e.g. a long poll cancelled at shutdown)

    do_POST = _serve
    do_GET = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    api: FakeBotApi
    max_long_poll: float

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A bot stopped in the middle of a long poll is not an error worth a traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class FakeBotApiServer:
    """The fake Bot API on ``http://127.0.0.1:<free port>``.

    Use as a context manager. Point the bot at it with
    ``TELEGRAM_API_BASE_URL=server.base_url``.

    Args:
        api: The shared fake (a new one when omitted).
        max_long_poll: Cap (seconds) for ``getUpdates`` long polling.
    """

    def __init__(self, api: FakeBotApi | None = None, max_long_poll: float = 2.0) -> None:
        self.api = api or FakeBotApi()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.api = self.api
        self._server.max_long_poll = max_long_poll
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """Value for ``TELEGRAM_API_BASE_URL``."""
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> FakeBotApiServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wake any long polls."""
        self.api.close()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeBotApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def deliver_webhook(
        self, update: dict[str, Any], *, secret: str | None = None, timeout: float = 10.0
    ) -> int:
        """POST ``update`` to the webhook the bot registered, as Telegram would.

        The bot registers its webhook a moment before its server listens, so refused
        connections are retried until ``timeout``.

        Args:
            update: The update (``update_id`` is added when missing).
            secret: Override the secret header (default: the one the bot registered).
            timeout: Seconds to keep retrying a refused connection.

        Returns:
            The HTTP status the bot answered with; 0 when the bot did not ask for this
            type of update (``allowed_updates``), so Telegram would not send it.
        """
        webhook = self.api.webhook
        if not webhook:
            raise AssertionError("the bot has not registered a webhook")
        url = webhook["url"]
        host = urllib.parse.urlsplit(url).hostname
        if host not in {"127.0.0.1", "localhost"}:
            raise AssertionError(f"refusing to post to a non-loopback webhook: {url}")
        update.setdefault("update_id", self.api.next_update_id())
        if not self.api.allows(update):
            return 0  # Telegram does not send a type the bot did not ask for
        headers = {"Content-Type": "application/json"}
        token = webhook.get("secret_token") if secret is None else secret
        if token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        request = urllib.request.Request(
            url, data=json.dumps(update).encode(), headers=headers, method="POST"
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    return int(response.status)
            except urllib.error.HTTPError as exc:
                return int(exc.code)
            except urllib.error.URLError as exc:
                refused = isinstance(exc.reason, ConnectionRefusedError)
                if not refused or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


def post_raw(
    url: str, body: bytes, headers: dict[str, str] | None = None, *, timeout: float = 5.0
) -> int:
    """POST ``body`` as it is to a loopback ``url``; returns the HTTP status (0: no answer)."""
    host = urllib.parse.urlsplit(url).hostname
    if host not in {"127.0.0.1", "localhost"}:
        raise AssertionError(f"refusing to post to a non-loopback address: {url}")
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def buttons_of(call: Call) -> list[dict[str, Any]]:
    """All inline keyboard buttons of a ``sendMessage`` call, row by row."""
    markup = call.params.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]
