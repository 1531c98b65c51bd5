"""Transport-neutral replies: what the bot says, whichever way it is said."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
            then asks when to get help).
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
        kind: ``answer``, ``red_flag``, ``crisis``, ``did_you_mean``, ``fallback``, ``menu``,
            ``welcome``, ``stale_button``, ``empty`` and other notes.
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
    kind: str = "answer"
    sensitive: bool = False
    candidates: tuple[tuple[str, float], ...] = field(default=(), compare=False)
    title: str = ""
