"""The conversation: (chat state, message or button press) -> reply. No transport here.

Every adapter (Telegram, the terminal, tests) calls :meth:`Dialogue.handle` and renders the
:class:`~bot.replies.Reply` it gets back in its own way.
"""

from __future__ import annotations

import logging

from bot.content import (
    FIND_THERAPIST,
    MAX_MESSAGE_CHARS,
    RED_FLAGS,
    Content,
    Response,
    load_content,
    render_answer,
)
from bot.matching import Decision, Matcher, normalise
from bot.replies import MENU, Button, ChatState, Reply
from bot.settings import Clinic, MatchSettings, Settings

logger = logging.getLogger(__name__)

MORE_WORDS = frozenset({"more", "tell me more", "go on", "continue", "what else"})


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
        decision = self.matcher.decide(text)
        reply = self.reply_for(decision)
        if reply.kind == "fallback" and state.last_intent and normalise(text) in MORE_WORDS:
            reply = self._more(state.last_intent)
        if reply.intent is not None:
            state = ChatState(last_intent=reply.intent)
        return reply, state

    def _press(self, state: ChatState, payload: str) -> tuple[Reply, ChatState]:
        if payload == MENU:
            return self.menu(), state
        if payload in self.content.responses:
            return self.answer(payload), ChatState(last_intent=payload)
        logger.info("stale or unknown button payload (%d bytes)", len(payload.encode()))
        return self._with_menu("stale_button", kind="stale_button"), state

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
        elif response.book and response.intent != FIND_THERAPIST:
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
