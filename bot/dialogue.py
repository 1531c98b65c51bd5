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
    WHEN_TO_GET_HELP,
    Content,
    Response,
    is_topic,
    load_content,
    render_answer,
)
from bot.matching import Decision, Matcher
from bot.replies import BACK, MENU, NOT_URGENT, Button, ChatState, Reply
from bot.safety import Assessment, Outcome, SafetyScreen
from bot.settings import Clinic, MatchSettings, SafetySettings, Settings
from bot.text import normalise, other_language, sentences

logger = logging.getLogger(__name__)

MORE_WORDS = frozenset({"more", "tell me more", "go on", "continue", "what else"})
"""Messages that mean "the next topic after the last one" (normalised)."""

BACK_WORDS = frozenset({"back", "go back", "previous", "previous topic"})
"""Messages that mean "the topic before this one" when there is one (normalised)."""

DEFAULT_CRISIS_LINE = (
    "a crisis line in your country (your doctor or emergency number can give you one)"
)
"""What the crisis answer names when ``CRISIS_LINE`` is not set."""

BOOKING = "clinic_booking"
"""The clinic's own "how to book" fact, when the content has it."""

MAX_HISTORY = 5
"""Topics a chat can go back through."""

RECENT_ANSWERS = 3
""""Tell me more" never offers a topic among this many last answers."""


class Dialogue:
    """The bot's conversation logic over validated content.

    Args:
        content: The knowledge base.
        clinic: The clinic's contact details (may be empty).
        match: Matcher thresholds.
        safety: Numbers the urgent and crisis answers give.
    """

    def __init__(
        self,
        content: Content,
        clinic: Clinic | None = None,
        match: MatchSettings | None = None,
        safety: SafetySettings | None = None,
    ) -> None:
        match = match or MatchSettings()
        self.content = content
        self.clinic = clinic or Clinic()
        self.safety = safety or SafetySettings()
        self.screen = SafetyScreen.from_content(content)
        self.matcher = Matcher(content, threshold=match.threshold, margin=match.margin)
        self._messages = {key: self._fill(text) for key, text in content.messages.items()}

    @classmethod
    def from_settings(cls, settings: Settings) -> Dialogue:
        """Load the content named by ``settings`` and build the dialogue.

        Raises:
            ContentError: the content has problems.
        """
        content = load_content(settings.intents_dir, settings.responses_dir)
        return cls(content, settings.clinic, settings.match, settings.safety)

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
        state = self.known(state)
        if payload is not None:
            return self._press(state, payload)
        if text is None or not text.strip():
            return self._note("empty"), state
        said = normalise(text)
        if said in BACK_WORDS or said in MORE_WORDS:
            if said in BACK_WORDS and state.history:
                return self._back(state)
            if said in MORE_WORDS and state.last_intent:
                return self._moved(state, self._more(state))
            return self._with_menu("no_history", kind="no_history"), state
        split = sentences(text)  # read once, by the screen and the matcher
        assessment = self.screen.assess(text, split)
        if assessment.outcome is not None:
            logger.debug(
                "safety: %s by rule %r (%s)",
                assessment.outcome,
                assessment.rule,
                (assessment.deciding.trigger if assessment.deciding else "") or "affirmed",
            )
        if assessment.outcome == Outcome.CRISIS:
            return self.crisis(), state
        if assessment.outcome == Outcome.URGENT:
            return self.urgent(), state
        if assessment.outcome == Outcome.ASKING:
            reply = self.answer(WHEN_TO_GET_HELP)
            return self._moved(state, self._screened(reply, assessment))
        if not said:  # emoji, punctuation, symbols
            return self._with_menu("emoji_only", kind="emoji_only"), state
        language = other_language(text)
        if language is not None:
            key = f"english_only_{language}"
            return self._note(key if key in self._messages else "english_only"), state
        decision = self.matcher.decide(text, split)
        reply = self.reply_for(decision)
        if reply.kind == "did_you_mean" and state.last_intent:
            reply = self._in_context(reply, decision, state.last_intent)
        return self._moved(state, self._screened(reply, assessment))

    def known(self, state: ChatState) -> ChatState:
        """``state`` without the topics the content no longer has.

        A chat remembered across a restart may name a topic that was removed from the
        content since; such names are dropped, so Back, "tell me more" and "and the
        treatment?" carry on from what is left.
        """
        responses = self.content.responses
        last = state.last_intent if state.last_intent in responses else None
        history = tuple(intent for intent in state.history if intent in responses)
        if last == state.last_intent and history == state.history:
            return state
        logger.info("chat state named a topic the content no longer has; dropped it")
        return ChatState(last_intent=last, history=history)

    def _screened(self, reply: Reply, assessment: Assessment) -> Reply:
        """Mark a reply with what the safety screen found. A red flag that was denied, is
        in the past or is someone else's history still gets one line on when to get help."""
        if assessment.outcome is None:
            return reply
        text = reply.text
        if assessment.outcome in (Outcome.DENIED, Outcome.PAST, Outcome.OTHER_HISTORY):
            line = self._messages["safety_line"]
            if len(text) + len(line) + 2 <= MAX_MESSAGE_CHARS:
                text = f"{text}\n\n{line}"
        return dataclasses.replace(reply, text=text, sensitive=True)

    def _press(self, state: ChatState, payload: str) -> tuple[Reply, ChatState]:
        if payload == MENU:
            return self.menu(), state
        if payload == NOT_URGENT:
            return self._with_menu("not_urgent", kind="menu"), state
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
        if reply.intent is None or reply.intent == RED_FLAGS:
            return reply, state
        history = state.history
        previous = state.last_intent
        if previous and previous != reply.intent and is_topic(previous):
            history = (*history, previous)[-MAX_HISTORY:]
        new_state = ChatState(last_intent=reply.intent, history=history)
        return self._with_back(reply, new_state), new_state

    def _back(self, state: ChatState) -> tuple[Reply, ChatState]:
        """Return to the topic before the current one."""
        *rest, target = state.history
        new_state = ChatState(last_intent=target, history=tuple(rest))
        return self._with_back(self.answer(target), new_state), new_state

    def _with_back(self, reply: Reply, state: ChatState) -> Reply:
        if not state.history or reply.intent is None or not is_topic(reply.intent):
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
        if decision.kind == "intent" and decision.intent is not None:
            return self.answer(decision.intent, score=decision.score, candidates=candidates)
        if decision.kind == "did_you_mean":
            buttons = [self._topic_button(i) for i in decision.options]
            if decision.near_urgent:
                buttons.append(self._topic_button(RED_FLAGS))
            return Reply(
                self._messages["did_you_mean"],
                (*buttons, self._menu_button()),
                intent=None,
                score=decision.score,
                kind="did_you_mean",
                candidates=candidates,
                sensitive=decision.near_urgent,
            )
        fallback = self._with_menu("fallback", kind="fallback")
        buttons = fallback.buttons
        if decision.near_urgent:
            buttons = (self._topic_button(RED_FLAGS), *buttons)
        return Reply(
            fallback.text,
            buttons,
            score=decision.score,
            kind="fallback",
            candidates=candidates,
            sensitive=decision.near_urgent,
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
        if intent == FIND_THERAPIST:
            text = self._clinic_text(response)
        elif response.kind == "clinic":
            text = self._clinic_fact(response)
        else:
            text = self._fill(render_answer(response))
        if intent == WHEN_TO_GET_HELP and self.safety.urgent_advice_line:
            text = f"{text}\n\n{self._messages['urgent_advice']}"
        return Reply(
            text[:MAX_MESSAGE_CHARS],
            () if red else self._buttons(response),
            intent=intent,
            score=score,
            red_flag=red,
            kind="red_flag" if red else "answer",
            candidates=candidates,
            title=response.title,
            sensitive=red,
        )

    def _fill(self, text: str) -> str:
        """Put the configured numbers into a text's ``{emergency_number}``,
        ``{urgent_advice_line}`` and ``{crisis_line}``."""
        if "{" not in text:
            return text
        return (
            text.replace("{emergency_number}", self.safety.emergency_number)
            .replace("{urgent_advice_line}", self.safety.urgent_advice_line)
            .replace("{crisis_line}", self.safety.crisis_line or DEFAULT_CRISIS_LINE)
        )

    def urgent(self) -> Reply:
        """The urgent-symptoms answer, with one way on: "I don't have these symptoms"."""
        reply = self.answer(RED_FLAGS)
        button = Button(self._messages["not_urgent_label"], NOT_URGENT)
        return dataclasses.replace(reply, buttons=(button,), sensitive=True)

    def crisis(self) -> Reply:
        """The answer to thoughts of suicide or self-harm, before anything else."""
        return Reply(
            self._messages["crisis"],
            (self._menu_button(),),
            kind="crisis",
            red_flag=True,
            sensitive=True,
        )

    def welcome(self) -> Reply:
        """The first message: what the bot does, and the topic menu."""
        return self._with_menu("welcome", kind="welcome")

    def menu(self) -> Reply:
        """The topic menu."""
        return self._with_menu("menu", kind="menu")

    def help(self) -> Reply:
        """How to use the bot: typing, buttons and the commands."""
        return self._note("help")

    def about(self) -> Reply:
        """What the bot is (the ``about_bot`` answer)."""
        return self.answer("about_bot")

    def no_memory(self) -> Reply:
        """Why "tell me more" cannot work in a chat that opted out of being remembered."""
        return self._with_menu("no_memory", kind="no_memory")

    def book(self) -> Reply:
        """How to book a session: the clinic's booking answer when the clinic's details are
        set, else how to find a qualified therapist."""
        if self.clinic.configured and BOOKING in self.content.responses:
            return self.answer(BOOKING)
        return self.answer(FIND_THERAPIST)

    def not_text(self) -> Reply:
        """The note for stickers, photos, voice and other non-text messages."""
        return self._note("not_text")

    def start(self, state: ChatState, argument: str = "") -> tuple[Reply, ChatState]:
        """``/start``: the welcome, or with a topic's name (deep links such as
        ``t.me/<bot>?start=piriformis_syndrome``) that topic, reached as if its button were
        pressed, so the chat's Back history is kept.

        Returns:
            The reply and the chat's new state.
        """
        state = self.known(state)
        intent = argument.strip()
        if intent in self.content.responses:
            return self._moved(state, self.answer(intent))
        return self.welcome(), state

    def topic(self, intent: str) -> Reply | None:
        """The answer for a topic named directly (deep links); None when unknown."""
        if intent in self.content.responses:
            return self.answer(intent)
        return None

    def search(self, text: str, limit: int = 5) -> list[Reply]:
        """Answers for inline mode, best first; the red-flag answer leads when it fires."""
        if not text.strip():
            return [self.answer(i) for i in self.content.menu[:limit]]
        split = sentences(text)
        assessment = self.screen.assess(text, split)
        if assessment.outcome == Outcome.CRISIS:
            return [self.crisis()]
        decision = self.matcher.decide(text, split)
        replies: list[Reply] = []
        if assessment.outcome == Outcome.URGENT:
            replies.append(self.urgent())
        elif assessment.outcome == Outcome.ASKING:
            replies.append(self.answer(WHEN_TO_GET_HELP))
        for cand in decision.candidates:
            if cand.score >= self.matcher.threshold and cand.intent != RED_FLAGS:
                replies.append(self.answer(cand.intent, score=cand.score))
        return replies[:limit]

    # --- helpers ------------------------------------------------------------------------

    def _more(self, state: ChatState) -> Reply:
        """The next topic after the last one: its first follow-up not shown in the last
        three answers, else the first such topic of the menu."""
        assert state.last_intent is not None
        recent = {state.last_intent, *state.history[-(RECENT_ANSWERS - 1) :]}
        response = self.content.responses[state.last_intent]
        for intent in (*response.follow_ups, *self.content.menu):
            if intent not in recent and intent != RED_FLAGS:
                return self.answer(intent)
        return self.menu()

    def _clinic_text(self, response: Response) -> str:
        if not self.clinic.configured:
            return render_answer(response)
        return "\n".join([self._messages["clinic_intro"], *self._contact_lines()])

    def _clinic_fact(self, response: Response) -> str:
        """One of the clinic's own facts, with its contact details. A fact the clinic has
        not filled in yet sends people to the clinic, never to another therapist."""
        lines = [response.text or self._messages["clinic_missing"]]
        contact = self._contact_lines()
        lines.extend(contact or [self._messages["clinic_no_contact"]])
        return "\n".join(lines)

    def _contact_lines(self) -> list[str]:
        clinic = self.clinic
        lines = [clinic.name] if clinic.name and clinic.configured else []
        for label, value in (
            ("Phone", clinic.phone),
            ("Book online", clinic.booking_url),
            ("Address", clinic.address),
            ("Hours", clinic.hours),
        ):
            if value:
                lines.append(f"{label}: {value}")
        return lines

    def _buttons(self, response: Response) -> tuple[Button, ...]:
        buttons = [self._topic_button(i) for i in response.follow_ups]
        label = self._messages["book_label"]
        if self.clinic.booking_url and (response.book or response.intent == FIND_THERAPIST):
            buttons.insert(0, Button(label, url=self.clinic.booking_url))
        elif response.book and self.clinic.configured and BOOKING in self.content.responses:
            if BOOKING not in (response.intent, *response.follow_ups):
                buttons.append(Button(label, BOOKING))
        elif (
            response.book
            and response.kind != "clinic"  # the clinic's own facts never send people elsewhere
            and not {FIND_THERAPIST, BOOKING} & {response.intent, *response.follow_ups}
        ):
            buttons.append(Button(label, FIND_THERAPIST))
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
