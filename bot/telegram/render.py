"""How replies look on Telegram: HTML-escaped text split to Telegram's limits, inline keyboards
and inline-mode results."""

from __future__ import annotations

import functools
import html
import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
)
from telegram.constants import MessageLimit, ParseMode

from bot.replies import Button, Reply

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)


MAX_MESSAGE_LENGTH: int = MessageLimit.MAX_TEXT_LENGTH
"""Telegram's limit for one text message (4096), counted in UTF-16 code units."""

MAX_CALLBACK_DATA_BYTES = 64
"""Telegram's limit for ``callback_data``."""

INLINE_RESULTS = 5
"""How many answers an inline query offers."""

INLINE_CACHE_SECONDS = 10
"""How long Telegram may cache an inline answer (per user, see ``is_personal``)."""


NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


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
            escape(body[0]), parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        ),
        reply_markup=keyboard_for(url_buttons),
    )
