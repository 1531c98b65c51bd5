"""Transport-neutral replies: what the bot says, whichever way it is said."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

MENU = "menu"
"""Button payload that opens the topic menu."""

BACK = "back"
"""Button payload that returns to the previous topic."""

NOT_URGENT = "not_urgent"
"""Button payload under the urgent answer: "I don't have these symptoms"."""

REST = "rest:"
"""Payload prefix of "More" under an answer cut for a phone screen: ``rest:<intent>``."""

DETAILS = "privacy_details"
"""Button payload under the short ``/privacy``: the whole text."""

PHONE_CHARS = 700
"""About one phone screen: longer answers are cut at a paragraph or sentence end, with
"More" for the rest."""

_ENDS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"[.!?…][\"'”’)]*\s"))
"""Where a long text may be cut, most natural first: paragraphs, lines, sentences."""


def cut(text: str, limit: int = PHONE_CHARS) -> tuple[str, str]:
    """Cut ``text`` at the last paragraph, line or sentence end within ``limit`` characters.

    Args:
        text: Plain text.
        limit: The most the first part may hold.

    Returns:
        The first part and the rest, both stripped; the rest is empty when ``text`` fits.
        Joined with a blank line or space they hold every word of ``text`` in order.
    """
    text = text.strip()
    if len(text) <= limit:
        return text, ""
    for pattern in _ENDS:
        ends = [m.end() for m in pattern.finditer(text, 0, limit + 1) if m.end() >= limit // 3]
        if ends:
            return text[: ends[-1]].strip(), text[ends[-1] :].strip()
    head = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return head.strip(), text[len(head) :].strip()


class ReplyKind(StrEnum):
    """What a :class:`Reply` is; the value is what logs and the daily counters record."""

    ANSWER = "answer"
    """A topic's answer."""
    RED_FLAG = "red_flag"
    """A topic's answer to a message that described urgent symptoms (the urgent advice)."""
    CRISIS = "crisis"
    """The crisis answer."""
    DID_YOU_MEAN = "did_you_mean"
    """A question back offering the likely topics."""
    FALLBACK = "fallback"
    """What the bot can answer, when it could not place the message."""
    REST = "rest"
    """The rest of an answer cut for a phone screen ("More")."""
    AS_ABOVE = "as_above"
    """A pointer to the answer just given instead of repeating it."""
    MENU = "menu"
    """The topic menu."""
    WELCOME = "welcome"
    """The greeting of ``/start``."""
    STALE_BUTTON = "stale_button"
    """A button of an older menu was pressed."""
    NO_HISTORY = "no_history"
    """Back pressed with no earlier topic."""
    NO_MEMORY = "no_memory"
    """A reference to earlier topics in a chat the bot keeps nothing of."""
    EMPTY = "empty"
    """An empty message."""
    EMOJI_ONLY = "emoji_only"
    """A message of emoji, punctuation or symbols only."""
    ENGLISH_ONLY = "english_only"
    """A message in another language."""
    NOT_TEXT = "not_text"
    """A message the bot cannot read (a sticker, a photo)."""
    HELP = "help"
    """The answer to ``/help``."""
    PRIVACY = "privacy"
    """The answer to ``/privacy`` (short or whole)."""
    NOTE = "note"
    """A short note: a command's result, a hand-over's receipt."""
    HANDOVER_ASK = "handover_ask"
    """The hand-over asks for the question to pass on."""
    HANDOVER_CONFIRM = "handover_confirm"
    """The hand-over asks to confirm what goes to the clinic."""
    NOT_HEARD = "not_heard"
    """A voice note nothing (or nothing sure) was heard in."""


@dataclass(frozen=True)
class Button:
    """A quick-reply button.

    Attributes:
        label: What the person sees.
        payload: What pressing it sends back (an intent name or ``MENU``); at most 64 bytes.
        url: When set, the button opens this address instead of sending a payload.
    """

    label: str
    payload: str = ""
    url: str = ""


@dataclass(frozen=True)
class ChatState:
    """The little a conversation remembers between messages.

    Attributes:
        last_intent: The topic answered last ("tell me more" and "and the treatment?"
            follow on from it).
        history: Earlier topics, oldest first, for the Back button.
        last_kind: What the last reply was, for reading the next message in its light:
            empty after a topic or nothing, ``fallback``, ``did_you_mean``, ``urgent`` (the urgent
            answer: "no, nothing like that" then means "I don't have these symptoms"),
            ``history`` (a red flag in the past or someone else's: "what are the signs?"
            then asks when to get help), ``crisis`` (the crisis answer: taking it back,
            "I'm fine, I won't do anything", gets it again).
        offered: The topics a "Did you mean" offered, in order ("the second one").
    """

    last_intent: str | None = None
    history: tuple[str, ...] = ()
    last_kind: str = ""
    offered: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reply:
    """One answer of the bot.

    Attributes:
        text: Plain text (not HTML, not Markdown); adapters escape it.
        buttons: Quick replies, in display order.
        intent: The intent answered, ``None`` for the fallback, the menu and notes.
        score: Match confidence 0-100 (100 for button presses and commands).
        red_flag: True when the message described urgent symptoms.
        kind: What the reply is (:class:`ReplyKind`).
        sensitive: The message touched on urgent symptoms or a crisis in any way: nothing of
            it may be kept.
        candidates: The best intents with their scores, best first (for evaluation and logs).
        title: The topic's short title, when the reply answers a topic.
    """

    text: str
    buttons: tuple[Button, ...] = ()
    intent: str | None = None
    score: float = 0.0
    red_flag: bool = False
    kind: ReplyKind = ReplyKind.ANSWER
    sensitive: bool = False
    candidates: tuple[tuple[str, float], ...] = field(default=(), compare=False)
    title: str = ""
