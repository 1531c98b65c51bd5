"""The conversation: (chat state, message or button press) -> reply. No transport here.

Every adapter (Telegram, the terminal, tests) calls :meth:`Dialogue.handle` and renders the
:class:`~bot.replies.Reply` it gets back in its own way.
"""

from __future__ import annotations

import dataclasses
import logging

from bot.content import (
    FIND_THERAPIST,
    MAX_MESSAGE_CHARS,
    RED_FLAGS,
    SMALL_TALK,
    Content,
    Response,
    load_content,
    render_answer,
)
from bot.matching import Decision, Matcher, normalise
from bot.replies import BACK, MENU, Button, ChatState, Reply
from bot.settings import Clinic, MatchSettings, Settings

logger = logging.getLogger(__name__)

MORE_WORDS = frozenset({"more", "tell me more", "go on", "continue", "what else"})
"""Messages that mean "the next topic after the last one" (normalised)."""

BACK_WORDS = frozenset({"back", "go back", "previous", "previous topic"})
"""Messages that mean "the topic before this one" when there is one (normalised)."""

MAX_HISTORY = 5
"""Topics a chat can go back through."""


def _is_topic(intent: str) -> bool:
    return intent not in SMALL_TALK and intent != RED_FLAGS


class Dialogue:
    """The bot's conversation logic over validated content.

    Args:
        content: The knowledge base.
        clinic: The clinic's contact details (may be empty).
        match: Matcher thresholds.
    """

    def __init__(
        self,
        content: Content,
        clinic: Clinic | None = None,
        match: MatchSettings | None = None,
    ) -> None:
        match = match or MatchSettings()
        self.content = content
        self.clinic = clinic or Clinic()
        self.matcher = Matcher(content, threshold=match.threshold, margin=match.margin)
        self._messages = content.messages

    @classmethod
    def from_settings(cls, settings: Settings) -> Dialogue:
        """Load the content named by ``settings`` and build the dialogue.

        Raises:
            ContentError: the content has problems.
        """
        content = load_content(settings.intents_dir, settings.responses_dir)
        return cls(content, settings.clinic, settings.match)

    # --- the entry point ----------------------------------------------------------------

    def handle(
        self, state: ChatState, text: str | None = None, *, payload: str | None = None
    ) -> tuple[Reply, ChatState]:
        """Answer a typed message or a button press.

        Args:
            state: What the chat remembers.
            text: The message as typed (any Unicode, any length).
            payload: The data of a pressed button; takes precedence over ``text``.

        Returns:
            The reply and the chat's new state.
        """
        if payload is not None:
            return self._press(state, payload)
        if text is None or not text.strip():
            return self._note("empty"), state
        said = normalise(text)
        if said in BACK_WORDS and state.history:
            return self._back(state)
        decision = self.matcher.decide(text)
        reply = self.reply_for(decision)
        if reply.kind == "did_you_mean" and state.last_intent:
            reply = self._in_context(reply, decision, state.last_intent)
        if reply.kind == "fallback" and state.last_intent and said in MORE_WORDS:
            reply = self._more(state.last_intent)
        return self._moved(state, reply)

    def _press(self, state: ChatState, payload: str) -> tuple[Reply, ChatState]:
        if payload == MENU:
            return self.menu(), state
        if payload == BACK:
            return self._back(state) if state.history else (self.menu(), state)
        if payload in self.content.responses:
            return self._moved(state, self.answer(payload))
        logger.info("stale or unknown button payload (%d bytes)", len(payload.encode()))
        return self._with_menu("stale_button", kind="stale_button"), state

    def _moved(self, state: ChatState, reply: Reply) -> tuple[Reply, ChatState]:
        """The chat's state after ``reply``, and the reply with a Back button when the
        chat has somewhere to go back to. Only topics enter the history (not small talk
        or urgent-care answers)."""
        if reply.intent is None:
            return reply, state
        history = state.history
        previous = state.last_intent
        if previous and previous != reply.intent and _is_topic(previous):
            history = (*history, previous)[-MAX_HISTORY:]
        new_state = ChatState(last_intent=reply.intent, history=history)
        return self._with_back(reply, new_state), new_state

    def _back(self, state: ChatState) -> tuple[Reply, ChatState]:
        """Return to the topic before the current one."""
        *rest, target = state.history
        new_state = ChatState(last_intent=target, history=tuple(rest))
        return self._with_back(self.answer(target), new_state), new_state

    def _with_back(self, reply: Reply, state: ChatState) -> Reply:
        if not state.history or reply.intent is None or not _is_topic(reply.intent):
            return reply
        back = Button(self._messages["back_label"], BACK)
        buttons = list(reply.buttons)
        at = len(buttons) - 1 if buttons and buttons[-1].payload == MENU else len(buttons)
        buttons.insert(at, back)
        return dataclasses.replace(reply, buttons=tuple(buttons))

    def _in_context(self, reply: Reply, decision: Decision, last_intent: str) -> Reply:
        """Settle a "Did you mean" from context: "and the treatment?" after a topic means
        the close candidate that topic itself points to, when exactly one does."""
        follow_ups = self.content.responses[last_intent].follow_ups
        offered = [b.payload for b in reply.buttons]
        near = [c for c in decision.candidates if c.intent in offered and c.intent in follow_ups]
        if len(near) != 1:
            return reply
        return self.answer(near[0].intent, score=near[0].score, candidates=reply.candidates)

    def reply_for(self, decision: Decision) -> Reply:
        """Turn the matcher's decision into a reply."""
        candidates = tuple((c.intent, c.score) for c in decision.candidates)
        if decision.kind == "empty":
            return self._note("empty")
        if decision.kind == "red_flag":
            return self.answer(RED_FLAGS, score=decision.score, candidates=candidates)
        if decision.kind == "intent" and decision.intent is not None:
            return self.answer(decision.intent, score=decision.score, candidates=candidates)
        if decision.kind == "did_you_mean":
            top = decision.candidates[0].score
            options = [
                c.intent
                for c in decision.candidates
                if top - c.score < self.matcher.margin and c.score >= self.matcher.threshold
            ]
            buttons = [self._topic_button(i) for i in options] + [self._menu_button()]
            return Reply(
                self._messages["did_you_mean"],
                tuple(buttons),
                intent=None,
                score=decision.score,
                kind="did_you_mean",
                candidates=candidates,
            )
        fallback = self._with_menu("fallback", kind="fallback")
        return Reply(
            fallback.text,
            fallback.buttons,
            score=decision.score,
            kind="fallback",
            candidates=candidates,
        )

    # --- replies adapters ask for by name -----------------------------------------------

    def answer(
        self,
        intent: str,
        *,
        score: float = 100.0,
        candidates: tuple[tuple[str, float], ...] = (),
    ) -> Reply:
        """The answer for ``intent`` with its buttons."""
        response = self.content.responses[intent]
        red = intent == RED_FLAGS
        text = self._clinic_text(response) if intent == FIND_THERAPIST else render_answer(response)
        return Reply(
            text[:MAX_MESSAGE_CHARS],
            () if red else self._buttons(response),
            intent=intent,
            score=score,
            red_flag=red,
            kind="red_flag" if red else "answer",
            candidates=candidates,
            title=response.title,
        )

    def welcome(self) -> Reply:
        """The first message: what the bot does, and the topic menu."""
        return self._with_menu("welcome", kind="welcome")

    def menu(self) -> Reply:
        """The topic menu."""
        return self._with_menu("menu", kind="menu")

    def help(self) -> Reply:
        """What the bot can do (the ``about_bot`` answer)."""
        return self.answer("about_bot")

    def book(self) -> Reply:
        """How to book a session (the ``find_therapist`` answer)."""
        return self.answer(FIND_THERAPIST)

    def not_text(self) -> Reply:
        """The note for stickers, photos, voice and other non-text messages."""
        return self._note("not_text")

    def topic(self, intent: str) -> Reply | None:
        """The answer for a topic named directly (deep links); None when unknown."""
        if intent in self.content.responses:
            return self.answer(intent)
        return None

    def search(self, text: str, limit: int = 5) -> list[Reply]:
        """Answers for inline mode, best first; the red-flag answer leads when it fires."""
        if not text.strip():
            return [self.answer(i) for i in self.content.menu[:limit]]
        decision = self.matcher.decide(text)
        replies: list[Reply] = []
        if decision.kind == "red_flag":
            replies.append(self.answer(RED_FLAGS, score=decision.score))
        for cand in decision.candidates:
            if cand.score >= self.matcher.threshold and cand.intent != RED_FLAGS:
                replies.append(self.answer(cand.intent, score=cand.score))
        return replies[:limit]

    # --- helpers ------------------------------------------------------------------------

    def _more(self, last_intent: str) -> Reply:
        response = self.content.responses[last_intent]
        if not response.follow_ups:
            return self.menu()
        return self.answer(response.follow_ups[0])

    def _clinic_text(self, response: Response) -> str:
        clinic = self.clinic
        if not clinic.configured:
            return render_answer(response)
        lines = [self._messages["clinic_intro"]]
        if clinic.name:
            lines.append(clinic.name)
        for label, value in (
            ("Phone", clinic.phone),
            ("Book online", clinic.booking_url),
            ("Address", clinic.address),
            ("Hours", clinic.hours),
        ):
            if value:
                lines.append(f"{label}: {value}")
        return "\n".join(lines)

    def _buttons(self, response: Response) -> tuple[Button, ...]:
        buttons = [self._topic_button(i) for i in response.follow_ups]
        if response.intent == FIND_THERAPIST and self.clinic.booking_url:
            buttons.insert(0, Button(self._messages["book_label"], url=self.clinic.booking_url))
        elif response.book and FIND_THERAPIST not in (response.intent, *response.follow_ups):
            buttons.append(Button(self._messages["book_label"], FIND_THERAPIST))
        buttons.append(self._menu_button())
        return tuple(buttons)

    def _topic_button(self, intent: str) -> Button:
        return Button(self.content.responses[intent].title, intent)

    def _menu_button(self) -> Button:
        return Button(self._messages["menu_label"], MENU)

    def _note(self, key: str) -> Reply:
        return Reply(self._messages[key], (self._menu_button(),), kind=key)

    def _with_menu(self, key: str, *, kind: str) -> Reply:
        buttons = tuple(self._topic_button(i) for i in self.content.menu)
        return Reply(self._messages[key], buttons, kind=kind)
