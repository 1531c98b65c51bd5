"""A conversation in the terminal: the same service as on Telegram, buttons as numbers."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from typing import TextIO

from bot.replies import Reply
from bot.service import ChatService

QUIT_WORDS = frozenset({"/quit", "/exit", "quit", "exit"})

CHAT_KEY = "terminal"
"""The terminal's chat key in the store (there is one terminal conversation)."""


def render(reply: Reply, width: int = 78) -> str:
    """Plain-text rendering of a reply: wrapped text, then numbered buttons."""
    paragraphs = reply.text.split("\n")
    lines = [textwrap.fill(p, width) if p else "" for p in paragraphs]
    for number, button in enumerate(reply.buttons, 1):
        target = f" -> {button.url}" if button.url else ""
        lines.append(f"  [{number}] {button.label}{target}")
    return "\n".join(lines)


def chat(
    service: ChatService,
    read: Callable[[str], str] = input,
    out: TextIO = sys.stdout,
    *,
    chat_key: str = CHAT_KEY,
) -> int:
    """Hold a conversation until the person quits or input ends.

    Typing a button's number presses it; the Telegram commands work too (``/topics``,
    ``/privacy``, ``/forget``...); ``/quit`` (or Ctrl-D) ends the chat. What the service
    remembers survives a restart, as on Telegram.
    """
    reply = service.dialogue.welcome()
    print(render(reply), file=out)
    print("(type a question, a button's number, /topics, /privacy, or /quit)", file=out)
    while True:
        try:
            line = read("\nyou> ")
        except (EOFError, KeyboardInterrupt):
            print("\nGoodbye, and take care.", file=out)
            return 0
        text = line.strip()
        if text.lower() in QUIT_WORDS:
            print("Goodbye, and take care.", file=out)
            return 0
        word, _, argument = text.partition(" ")
        if len(word) > 1 and word.startswith("/"):  # unknown commands get the help text
            name = "topics" if word.lower() == "/menu" else word[1:]
            reply = service.command(chat_key, name, argument)
        elif text.isdigit() and 1 <= int(text) <= len(reply.buttons):
            button = reply.buttons[int(text) - 1]
            if button.url:
                print(f"bot> Open {button.url} in your browser.", file=out)
                continue
            reply = service.press(chat_key, button.payload)
        else:
            reply = service.message(chat_key, line)
        print("bot> " + render(reply), file=out)
