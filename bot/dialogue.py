"""The conversation: (chat state, message or button press) -> reply. No transport here.

Every adapter (Telegram, the terminal, tests) calls :meth:`Dialogue.handle` and renders the
:class:`~bot.replies.Reply` it gets back in its own way.
"""

from __future__ import annotations

import dataclasses
import logging
import re

from bot.content import (
    FIND_THERAPIST,
    MAX_MESSAGE_CHARS,
    RED_FLAGS,
    SMALL_TALK,
    WHEN_TO_GET_HELP,
    Content,
    Response,
    is_topic,
    load_content,
    render_answer,
)
from bot.matching import Decision, Matcher
from bot.replies import BACK, MENU, NOT_URGENT, REST, Button, ChatState, Reply, ReplyKind, cut
from bot.safety import Assessment, Outcome, SafetyScreen
from bot.settings import Clinic, MatchSettings, SafetySettings, Settings
from bot.text import Sentence, normalise, other_language, sentences

logger = logging.getLogger(__name__)

MORE_WORDS = frozenset({"more", "tell me more", "go on", "continue", "what else"})
"""Messages that mean "the next topic after the last one" (normalised)."""

BACK_WORDS = frozenset({"back", "go back", "previous", "previous topic"})
"""Messages that mean "the topic before this one" when there is one (normalised)."""

_NAV_FILLER_TEXT = (
    "ok okay wait sorry hmm um please pls can could we i you me us let lets want to just "
    "actually so and oh the a that this it one answer topic thing page bit again see show "
    "take tell about give there was is what some little should know"
)
NAV_FILLER = frozenset(_NAV_FILLER_TEXT.split())
"""Words that may surround the words of Back and "more" ("can we go back please")."""

BACK_MARKS = (
    re.compile(r"\b(?:go back|back|return|previous|earlier)\b"),
    re.compile(r"\b(?:one|thing|answer|topic) before\b|\blast (?:one|thing|answer|topic)\b"),
)
MORE_MARKS = re.compile(r"\b(?:more|else|go on|keep going|carry on|continue|next)\b")
NAV_WORDS = 9
"""Back and "more" in other words are at most this long."""

REFERS = re.compile(
    r"\b(?:it|its|that|this|them|they|those|these|one|ones|same|instead|there)\b"
    r"|^(?:and|so|but|also|then|ok and|what about|how about)\b"
)
"""A message that leans on the one before: a pronoun, or "and ...", "what about ..."."""

ACK = re.compile(
    r"^(?:(?:ok|okay|k|kk|thanks|thank you|thx|ta|cheers|great|brilliant|perfect|lovely|"
    r"cool|nice|right|ah|oh|yep|yes|yeah|got it|fair enough|good to know|interesting|"
    r"makes sense|that makes sense|i see|understood|noted|that helps|helpful|awesome|"
    r"fab|fantastic|excellent|wow|super|amazing|that clears it up|huh|hmm|aha|alright|"
    r"sure|ahh|oh i see|that explains it)\b\s*)+"
)
"""The start of an acknowledgement ("ah ok that makes sense")."""

QUESTION_START = re.compile(
    r"^(?:and |so |but |then )*(?:what|how|why|when|where|which|who|can|could|should|"
    r"would|is|are|does|do|did|will|any|tell)\b"
)
ACK_WORDS = 10
QUESTION_WORD = re.compile(r"\b(?:what|how|why|when|where|which|who)\b")
WH_WORD = re.compile(r"\b(?:what|how|why|when|where|which|who|back)\b")
"""Words that make a message starting "ok ..." more than an acknowledgement."""

CORRECTION = re.compile(
    r"^(?:no|nope|sorry|not quite|wrong|oops)\b(?:\s+(?:no|sorry|not quite|wrong))*\s*"
    r"(?:i meant|i mean|meant|what i meant was|i was asking about|i was asking)?\s*"
    r"(?:not (?:the |that |this )?\w+ )?"
)
"""The start of "no, I meant ..." (or "no, not the pain, the appointment")."""

NOT_PART = re.compile(r"\bnot (?:the |that |this |a |an )?\w+")
"""What a correction says it did not mean ("the syndrome not the muscle")."""

DENIAL = re.compile(
    r"\b(?:no|nope|nah|not|none)\b|\b(?:do not have|did not|none of|nothing like that|"
    r"not me|just asking|just curious|hypothetical|typed (?:that|it) wrong|was confused|"
    r"i am fine|i am ok|was not me|not mine|my (?:mum|mom|dad|mother|father|wife|husband|"
    r"partner|friend|son|daughter|nan|gran|grandad|brother|sister))\b"
)
"""Words that, right after the urgent answer, say "I don't have these symptoms"."""

FACETS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("duration", re.compile(r"\bhow (?:long|soon)\b")),
    ("price", re.compile(r"\bhow much\b|\b(?:price|prices|cost|costs|charge|fee)\b")),
    ("place", re.compile(r"\bwhere\b")),
    ("instead", re.compile(r"\binstead\b|\b(?:does|did) not (?:work|help)\b|\balternatives?\b")),
    ("kind", re.compile(r"\b(?:what|which) (?:kind|type|sort)\b")),
    (
        "treat",
        re.compile(
            r"\bget rid of\b|\btreat(?:ment|ments)?\b|\bwhat (?:can|should) i do\b"
            r"|\bcan (?:you|they|massage|a therapist) (?:massage|help|fix|treat)\b"
        ),
    ),
    ("which", re.compile(r"\bwhich (?:one|is it)\b|\btell (?:them |the two )?apart\b")),
    (
        "safe",
        re.compile(r"\b(?:is|it|that|this) (?:safe|ok|okay) for me\b|\b(?:is|it|that) safe\b"),
    ),
    ("whom", re.compile(r"\bwho (?:should|do|can) i (?:see|go to|ask)\b")),
    ("signs", re.compile(r"\b(?:signs|warning|look out for|watch for|watch out for)\b")),
)
"""Short questions about "the previous topic" ("how long?", "how much?", "where?")."""

_FACET_FILLER_TEXT = (
    "and so ok okay then is it that this does do will take to get better until works work "
    "for each time long how soon much where exactly a an the i can need usually normally "
    "what are they them of its on be last about instead if help not did could else signs "
    "warning look out watch kind type sort which should rid he she treat you with would "
    "massage therapist see go ask tell have got one really safe for me"
)
FACET_FILLER = frozenset(_FACET_FILLER_TEXT.split())
"""Words a short question about the previous topic may have besides its facet."""

FACET_WORDS = 8

CLINIC = "clinic_"
"""Intent names of the clinic's own facts start with this."""

TREATMENTS = frozenset(
    {"massage_for_sciatica", "neuromuscular_massage", "other_treatments", "find_therapist"}
)
BODY = frozenset(
    {"trigger_point_4", "piriformis_muscle", "piriformis_syndrome", "sciatica_vs_piriformis"}
)
OWN_DURATION = frozenset({"heat_ice", "stretches_exercise", "pregnancy", "massage_safety"})
"""Topics that answer "how long?" about themselves (how long to ice, how soon to massage)."""

CLOSEST = 3
"""Topics a fallback offers: the closest to the message and the conversation."""

SLIPS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"\bdose(?=\s+(?:it|this|that|he|she|they|the|my|your|a|an|massage|sciatica|"
            r"piriformis|pain|stretching|heat|ice|sitting)\b)",
            re.IGNORECASE,
        ),
        "does",
    ),
)
"""Real words typed for another ("how long dose it last"): the word meant, where the words
around it leave no doubt."""

FOR_SOME = {
    "pregnancy": re.compile(
        r"pregnan|\bbaby\b|\bbabies\b|\bexpecting\b|trimester|\bbump\b|\bmidwife\b"
        r"|\bmaternity\b|\bweeks along\b|\b(?:i am|im|i m) \d+ weeks\b"
    )
}
"""Topics for some people only: answered or offered only to someone who mentioned them (or
whose chat is on that topic)."""

REMEDY = re.compile(r"\b(?:cure|cures|remedy|remedies|fix for)\b")
"""A question asking what treats the pain ("whats the cure")."""

TIME = re.compile(r"\bhow (?:long|soon|quickly)\b|\bgo away\b|\blast\b|\bwhen\b")
TIME_TOPICS = frozenset({"how_long"})
"""A remedy question that does not ask about time is not answered with how long it lasts."""

REMEDIES = (
    "other_treatments",
    "massage_for_sciatica",
    "neuromuscular_massage",
    "stretches_exercise",
    "medicines",
    "heat_ice",
)
"""Topics that answer "what treats it", best first."""

FRAMES = (re.compile(r"\bhow (?:often|regularly|frequently)\b|\bhow many (?:sessions|times)\b"),)
"""Question frames whose answer lies in one topic ("how often should I come?"): among the
close candidates, the topic whose examples ask the same way is meant."""

GADGET = re.compile(
    r"^(?:\w+ ){0,3}?(?:can|could|do|does|will|would|is|are|should)\b(?: \w+){0,3}? "
    r"(?:massage )?(?:gun|guns|chair|chairs|machine|machines|device|devices|gadget|gadgets|"
    r"app|apps|belt|belts|cushion|cushions|mat|mats)\b(?: \w+){0,2}? "
    r"(?:help|helps|work|works|any good|worth it|good for)\b"
)
"""A short question whether a product helps ("can a massage gun help"): when the article's
examples never name the product, unsure, not an answer about something else."""

_PRODUCTS_TEXT = "gun chair machine device gadget app belt cushion mat"
PRODUCTS = frozenset(w for word in _PRODUCTS_TEXT.split() for w in (word, f"{word}s"))
"""Products people ask about, singular and plural."""

ORDINALS = {"first": 0, "1": 0, "1st": 0, "second": 1, "2": 1, "2nd": 1, "third": 2, "3": 2}

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
        examples = [
            (name, normalise(example.text))
            for name, intent in content.intents.items()
            for example in intent.examples
        ]
        self._products = PRODUCTS & frozenset(w for _, said in examples for w in said.split())
        self._asked: dict[re.Pattern[str], frozenset[str]] = {
            frame: frozenset(name for name, said in examples if frame.search(said))
            for frame in FRAMES
        }
        """For each of :data:`FRAMES`, the intents with an example that asks that way."""

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
        self,
        state: ChatState,
        text: str | None = None,
        *,
        payload: str | None = None,
        shared: bool = False,
    ) -> tuple[Reply, ChatState]:
        """Answer a typed message or a button press.

        Args:
            state: What the chat remembers.
            text: The message as typed (any Unicode, any length).
            payload: The data of a pressed button; takes precedence over ``text``.
            shared: A chat of several people: an answer given again is given whole (in a
                private chat it says "as above").

        Returns:
            The reply and the chat's new state.
        """
        state = self.known(state)
        reply, new_state = self._handle(state, text, payload)
        if reply.kind == "as_above" and shared and reply.intent is not None:
            whole = self.answer(reply.intent, score=reply.score, candidates=reply.candidates)
            reply = dataclasses.replace(reply, text=whole.text, kind=ReplyKind.ANSWER)
        return reply, new_state

    def _handle(
        self, state: ChatState, text: str | None, payload: str | None
    ) -> tuple[Reply, ChatState]:
        if payload is not None:
            return self._press(state, payload)
        if text is None or not text.strip():
            return self._note("empty"), state
        text = _mended(text)
        said = normalise(text)
        nav = _navigation(said)
        if nav is not None:
            if nav == "back" and (state.history or self._undoable(state)):
                return self._back(state)
            if nav == "more" and state.last_intent:
                return self._moved(state, self._more(state))
            return self._with_menu("no_history", kind=ReplyKind.NO_HISTORY), _forget_kind(state)
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
            return self.crisis(), _forget_kind(state)
        if assessment.outcome == Outcome.URGENT:
            return self.urgent(), dataclasses.replace(state, last_kind="urgent", offered=())
        if assessment.outcome == Outcome.ASKING:
            reply = self.answer(WHEN_TO_GET_HELP)
            return self._moved(state, self._screened(reply, assessment))
        if not said:  # emoji, punctuation, symbols
            return self._with_menu("emoji_only", kind=ReplyKind.EMOJI_ONLY), state
        language = other_language(text)
        if language is not None:
            key = f"english_only_{language}"
            key = key if key in self._messages else "english_only"
            return self._note(key, ReplyKind.ENGLISH_ONLY), state
        if (
            state.last_kind == "urgent"
            or (state.last_intent == WHEN_TO_GET_HELP and not state.last_kind)
        ) and _is_denial(said, text):
            return self._with_menu("not_urgent", kind=ReplyKind.MENU), _forget_kind(state)
        reply = self._in_context(state, said, text, split)
        reply = self._by_class(reply, said, state)
        if reply.kind in ("fallback", "did_you_mean"):
            reply = self._unsure(reply, state, said)
        reply, new_state = self._moved(state, self._screened(reply, assessment))
        if assessment.outcome in (Outcome.PAST, Outcome.OTHER_HISTORY):
            new_state = dataclasses.replace(new_state, last_kind="history")
        return reply, new_state

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
            return self._with_menu("not_urgent", kind=ReplyKind.MENU), _forget_kind(state)
        if payload == BACK:
            if state.history or self._undoable(state):
                return self._back(state)
            return self.menu(), state
        if payload in self.content.responses:
            return self._moved(state, self.answer(payload))
        if payload.startswith(REST) and payload[len(REST) :] in self.content.responses:
            return self._rest(state, payload[len(REST) :])
        logger.info("stale or unknown button payload (%d bytes)", len(payload.encode()))
        return self._with_menu("stale_button", kind=ReplyKind.STALE_BUTTON), state

    def _moved(self, state: ChatState, reply: Reply) -> tuple[Reply, ChatState]:
        """The chat's state after ``reply``, and the reply with a Back button when the
        chat has somewhere to go back to. Only topics enter the history (not small talk
        or urgent-care answers)."""
        if reply.kind in ("fallback", "did_you_mean"):
            offered = tuple(b.payload for b in reply.buttons if b.payload in self.content.responses)
            new_state = dataclasses.replace(
                state,
                last_kind=reply.kind,
                offered=offered if reply.kind == "did_you_mean" else (),
            )
            return self._with_undo(reply, new_state), new_state
        if reply.intent is None or reply.intent == RED_FLAGS:
            return reply, _forget_kind(state)
        history = state.history
        previous = state.last_intent
        if not is_topic(reply.intent) and is_topic(previous) and not state.last_kind:
            return reply, state  # "thanks" or "hi" keeps the topic the chat is on
        if previous and previous != reply.intent and is_topic(previous):
            history = (*history, previous)[-MAX_HISTORY:]
        if reply.intent == previous and not state.last_kind and reply.kind == "answer":
            reply = self._as_above(reply)
        new_state = ChatState(last_intent=reply.intent, history=history)
        return self._with_back(reply, new_state), new_state

    def _undoable(self, state: ChatState) -> bool:
        """True when the last reply missed (fallback, "Did you mean") after a topic: Back
        then shows that topic again."""
        return state.last_kind in ("fallback", "did_you_mean") and state.last_intent is not None

    def _back(self, state: ChatState) -> tuple[Reply, ChatState]:
        """Return to the topic before the current one, or after a miss to the topic
        answered before it."""
        if self._undoable(state):
            assert state.last_intent is not None
            new_state = ChatState(state.last_intent, state.history)
            return self._with_back(self.answer(state.last_intent), new_state), new_state
        *rest, target = state.history
        new_state = ChatState(last_intent=target, history=tuple(rest))
        return self._with_back(self.answer(target), new_state), new_state

    def _with_undo(self, reply: Reply, state: ChatState) -> Reply:
        """A fallback or "Did you mean" after a topic, with Back to that topic."""
        return self._plus_back(reply) if self._undoable(state) else reply

    def _with_back(self, reply: Reply, state: ChatState) -> Reply:
        if not state.history or reply.intent is None or not is_topic(reply.intent):
            return reply
        return self._plus_back(reply)

    def _plus_back(self, reply: Reply) -> Reply:
        """``reply`` with a Back button, before Topics when it ends with that."""
        back = Button(self._messages["back_label"], BACK)
        buttons = list(reply.buttons)
        at = len(buttons) - 1 if buttons and buttons[-1].payload == MENU else len(buttons)
        buttons.insert(at, back)
        return dataclasses.replace(reply, buttons=tuple(buttons))

    def _in_context(self, state: ChatState, said: str, text: str, split: list[Sentence]) -> Reply:
        """The reply to a message read with the chat's last answer in mind.

        A message that names its own topic is read as before. One that leans on the last
        answer is read with it: an acknowledgement gets "you're welcome", "no, I meant ..."
        is read without the topic it corrects, a short question ("how long?", "how much?",
        "where?") is asked about the last topic, and a pronoun or "and ..." brings the last
        topic's words in.
        """
        last = state.last_intent
        if ACK.match(said) and _is_acknowledgement(said, text):
            decision = self.matcher.decide(text, split)
            if decision.kind == "intent" and decision.intent in ("goodbye", "thanks"):
                return self.reply_for(decision)
            return self.answer("thanks")
        if state.last_kind == "did_you_mean" and state.offered:
            picked = _ordinal(said, state.offered)
            if picked is not None:
                return self.answer(picked)
        corrected = CORRECTION.match(said) if last else None
        if corrected and corrected.end() > 0 and corrected.end() < len(said):
            reply = self._correction(state, said[corrected.end() :])
            if reply is not None:
                return reply
        if last is not None or state.last_kind == "history":
            facet = _facet(said)
            if facet is not None:
                intent = self._facet_intent(facet, state)
                if intent in self.content.responses:  # a topic the clinic removed is not
                    assert intent is not None
                    return self.answer(intent)
        decision = self.matcher.decide(text, split)
        if decision.kind == "did_you_mean" and state.last_kind == "did_you_mean":
            # asked again, unsure again: the one topic both "Did you mean"s offered
            common = [o for o in decision.options if o in state.offered]
            if len(common) == 1:
                return self.answer(common[0], score=decision.score, candidates=_pairs(decision))
        if last is None or not is_topic(last) or state.last_kind:
            return self.reply_for(decision)
        refers = REFERS.search(said) is not None
        if decision.kind == "intent" and not refers:
            return self.reply_for(decision)
        if decision.kind == "fallback" and not refers:
            return self.reply_for(decision)
        clear = decision.score >= CLEAR_SCORE and decision.intent not in SMALL_TALK
        if decision.kind == "intent" and clear:  # the message's own topic, clearly
            return self.reply_for(decision)
        about = self._about(said, last, decision)
        if about is not None and (
            decision.kind != "intent" or decision.intent in SMALL_TALK or about[1] > decision.score
        ):
            return self.answer(about[0], score=about[1], candidates=_pairs(decision))
        reply = self.reply_for(decision)
        if reply.kind == "did_you_mean":
            return self._settled(reply, decision, last)
        return reply

    def _about(
        self, said: str, last: str, decision: Decision, exclude: str = ""
    ) -> tuple[str, float] | None:
        """The topic a message means when read with the last topic's words, among that topic,
        the topics it points to and the message's own candidates (a handful, so this costs
        a fraction of a full match); None when no one of them is clear."""
        # not understood alone: only a message in the bot's own words leans on the last
        # topic ("what about my purple zebra" does not)
        if (
            decision.kind == "fallback"
            and self.matcher.unknown_share(self.matcher.query(said)) > MAX_UNKNOWN_SHARE
        ):
            return None
        pool = {last, *self.content.responses[last].follow_ups}
        pool.update(c.intent for c in decision.candidates[:POOL_OWN])
        pool.difference_update((RED_FLAGS, exclude, *SMALL_TALK))
        query = self.matcher.query(said if exclude else f"{said} {_subject(last)}")
        ranked = sorted(self.matcher.score(query, pool).items(), key=lambda kv: -kv[1])
        if not ranked or ranked[0][1] < self.matcher.threshold:
            return None
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < self.matcher.margin:
            return None
        return ranked[0]

    def _correction(self, state: ChatState, rest: str) -> Reply | None:
        """ "No, I meant X": X read alone, then with the last topic's words, never the
        topic it corrects."""
        last = state.last_intent
        assert last is not None
        rest = NOT_PART.sub(" ", rest).strip() or rest
        decision = self.matcher.decide(rest)
        if decision.kind == "intent" and decision.intent not in (last, *SMALL_TALK):
            assert decision.intent is not None
            return self.answer(decision.intent, score=decision.score)
        for words in dict.fromkeys((_subject(last), _facet_words(last))):
            about = self._about(f"{rest} {words}", last, decision, exclude=last)
            if about is not None:
                return self.answer(about[0], score=about[1])
        if decision.kind == "did_you_mean" and last not in decision.options:
            return self.reply_for(decision)  # unsure, but never the topic just corrected
        return None

    def _facet_intent(self, facet: str, state: ChatState) -> str | None:
        """The topic a short question about the last one asks for."""
        last = state.last_intent or ""
        clinic = last.startswith(CLINIC)
        if facet == "signs":
            if state.last_kind == "history" or last in (WHEN_TO_GET_HELP, RED_FLAGS):
                return WHEN_TO_GET_HELP
            return None
        if state.last_kind and not (state.last_kind == "fallback" and last):
            return None
        if facet == "duration":
            if clinic:
                return "clinic_session_length"
            return last if last in OWN_DURATION else "how_long"
        if facet == "price":
            return last if last == "clinic_cancellation" else "clinic_prices"
        if facet == "kind":
            return "neuromuscular_massage" if last == "massage_for_sciatica" else None
        if facet == "which":
            if last in BODY or last.startswith("sciatica") or last == "trigger_point_4":
                return "sciatica_vs_piriformis"
            return None
        if facet == "safe":
            return "massage_safety" if last in TREATMENTS | {"massage_safety"} else None
        if facet == "whom":
            return "find_therapist" if last in TREATMENTS | {"massage_safety"} else WHEN_TO_GET_HELP
        if facet == "treat":
            if last.startswith("piriformis"):
                return "neuromuscular_massage"
            if last in BODY or last.startswith("sciatica") or last == "risk_factors":
                return "massage_for_sciatica"
            return None
        if facet == "place":
            if clinic or last in TREATMENTS:
                return "clinic_location_hours" if clinic else "find_therapist"
            if last in BODY or last.startswith("sciatica"):
                return "piriformis_muscle"
            return None
        if facet == "instead" and last in TREATMENTS | {"massage_safety"}:
            return "other_treatments"
        return None

    def _settled(self, reply: Reply, decision: Decision, last_intent: str) -> Reply:
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
                kind=ReplyKind.DID_YOU_MEAN,
                candidates=candidates,
                sensitive=decision.near_urgent,
            )
        fallback = self._with_menu("fallback", kind=ReplyKind.FALLBACK)
        below = fallback.buttons
        if decision.near_urgent:
            below = (self._topic_button(RED_FLAGS), *below)
        return Reply(
            fallback.text,
            below,
            score=decision.score,
            kind=ReplyKind.FALLBACK,
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
        whole: bool = False,
    ) -> Reply:
        """The answer for ``intent`` with its buttons.

        An answer longer than a phone screen is cut at a paragraph or sentence end with a
        "More" button for the rest, unless ``whole``; the urgent-symptoms answer never is.
        """
        response = self.content.responses[intent]
        red = intent == RED_FLAGS
        text = self._whole_text(intent)
        buttons = () if red else self._buttons(response)
        if not (whole or red):
            text, rest = cut(text)
            if rest:
                buttons = (Button(self._messages["more_label"], f"{REST}{intent}"), *buttons)
        if intent == WHEN_TO_GET_HELP and self.safety.urgent_advice_line:
            text = f"{text}\n\n{self._messages['urgent_advice']}"
        return Reply(
            text[:MAX_MESSAGE_CHARS],
            buttons,
            intent=intent,
            score=score,
            red_flag=red,
            kind=ReplyKind.RED_FLAG if red else ReplyKind.ANSWER,
            candidates=candidates,
            title=response.title,
            sensitive=red,
        )

    def _whole_text(self, intent: str) -> str:
        """The whole text of ``intent``'s answer, before any cut (without the urgent advice
        line, which both parts of a cut answer end with)."""
        response = self.content.responses[intent]
        if intent == FIND_THERAPIST:
            text = self._clinic_text(response)
        elif response.kind == "clinic":
            text = self._clinic_fact(response)
        else:
            text = self._fill(render_answer(response))
        return text.strip()

    def _rest(self, state: ChatState, intent: str) -> tuple[Reply, ChatState]:
        """ "More" under a cut answer: the rest of it, word for word, with the answer's
        buttons; the chat is on that topic."""
        _, rest = cut(self._whole_text(intent))
        whole = self.answer(intent, whole=True)
        if rest and intent == WHEN_TO_GET_HELP and self.safety.urgent_advice_line:
            rest = f"{rest}\n\n{self._messages['urgent_advice']}"
        reply = dataclasses.replace(whole, text=rest or whole.text, kind=ReplyKind.REST)
        if state.last_intent == intent and not state.last_kind:
            return self._with_back(reply, state), state
        return self._moved(state, dataclasses.replace(reply, kind=ReplyKind.ANSWER))

    def _as_above(self, reply: Reply) -> Reply:
        """The same answer asked for again right after it: a short pointer, same buttons."""
        text = self._messages["as_above"].format(title=reply.title)
        return dataclasses.replace(reply, text=text, kind=ReplyKind.AS_ABOVE)

    def _by_class(self, reply: Reply, said: str, state: ChatState) -> Reply:
        """Questions whose kind decides the topic, whatever words they share with another:
        a product the article does not cover is not answered with another topic, nor is a
        topic for some people only given to someone who did not mention it; a question for
        a remedy gets a treatment topic, and "how often" the topic that answers it."""
        if reply.kind not in ("answer", "did_you_mean", "fallback"):
            return reply
        gadget = GADGET.search(said)
        named = set(gadget.group().split()) & PRODUCTS if gadget else set()
        some = FOR_SOME.get(reply.intent or "")
        unmentioned = some is not None and not some.search(said)
        if unmentioned and reply.intent != state.last_intent and reply.kind == "answer":
            return self._not_sure(reply)
        if named and not named & self._products:
            return self._not_sure(reply)
        own = [c for c, _ in reply.candidates]
        remedy = REMEDY.search(said) and not TIME.search(said)
        if remedy and (reply.kind != "answer" or reply.intent in TIME_TOPICS):
            pick = next((c for c in own if c in REMEDIES), REMEDIES[0])
            if pick in self.content.responses:
                return self.answer(pick, score=reply.score, candidates=reply.candidates)
        for frame in FRAMES:
            asked = self._asked[frame]
            if frame.search(said) and reply.intent not in asked:
                for intent in own:
                    if intent != RED_FLAGS and intent in asked:
                        return self.answer(intent, score=reply.score, candidates=reply.candidates)
        return reply

    def _not_sure(self, reply: Reply) -> Reply:
        """``reply`` turned into the fallback (its buttons follow in :meth:`_unsure`); what
        the safety screen noted about the message stays."""
        return dataclasses.replace(
            reply, text=self._messages["fallback"], kind=ReplyKind.FALLBACK, intent=None, title=""
        )

    def _unsure(self, reply: Reply, state: ChatState, said: str) -> Reply:
        """A fallback or "Did you mean" that helps: never a topic for some people only
        (pregnancy) to someone who did not mention it; a fallback offers the closest
        topics, from the message and then the conversation, and the full menu only as
        Topics."""

        def fits(intent: str) -> bool:
            pattern = FOR_SOME.get(intent)
            return pattern is None or pattern.search(said) is not None

        if reply.kind == "did_you_mean":
            buttons = tuple(b for b in reply.buttons if not b.payload or fits(b.payload))
            topics = [b for b in buttons if b.payload in self.content.responses]
            if topics:
                return dataclasses.replace(reply, buttons=buttons)
            reply = dataclasses.replace(
                reply, text=self._messages["fallback"], kind=ReplyKind.FALLBACK
            )
        closest: list[str] = []
        pool = [c for c, _ in reply.candidates]
        previous = self.content.responses.get(state.last_intent or "")
        if previous is not None:
            pool.extend(previous.follow_ups)
        pool.extend(self.content.menu)
        for intent in pool:
            if (
                intent in self.content.responses
                and is_topic(intent)
                and intent not in (RED_FLAGS, *closest)
                and fits(intent)
            ):
                closest.append(intent)
            if len(closest) == CLOSEST:
                break
        urgent = [b for b in reply.buttons if b.payload == RED_FLAGS]
        buttons = (*urgent, *(self._topic_button(i) for i in closest), self._menu_button())
        return dataclasses.replace(reply, buttons=buttons)

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
            kind=ReplyKind.CRISIS,
            red_flag=True,
            sensitive=True,
        )

    def welcome(self) -> Reply:
        """The first message: what the bot does, and the topic menu."""
        return self._with_menu("welcome", kind=ReplyKind.WELCOME)

    def menu(self) -> Reply:
        """The topic menu."""
        return self._with_menu("menu", kind=ReplyKind.MENU)

    def help(self) -> Reply:
        """How to use the bot: typing, buttons and the commands."""
        return self._note("help")

    def about(self) -> Reply:
        """What the bot is (the ``about_bot`` answer)."""
        return self.answer("about_bot")

    def no_memory(self) -> Reply:
        """Why "tell me more" cannot work in a chat that opted out of being remembered."""
        return self._with_menu("no_memory", kind=ReplyKind.NO_MEMORY)

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

    def _note(self, key: str, kind: ReplyKind | None = None) -> Reply:
        return Reply(self._messages[key], (self._menu_button(),), kind=kind or ReplyKind(key))

    def _with_menu(self, key: str, *, kind: ReplyKind) -> Reply:
        buttons = tuple(self._topic_button(i) for i in self.content.menu)
        return Reply(self._messages[key], buttons, kind=kind)


MAX_UNKNOWN_SHARE = 0.5
"""A message the matcher cannot place alone is read with the last topic only when at most
this share of its words is known to no topic."""

CLEAR_SCORE = 95.0
"""A message matching its own topic this well is not read with the last one."""

POOL_OWN = 4
"""The message's own candidates (all the matcher gives) that compete with the last topic's."""


GENERIC_NAME_WORDS = frozenset(
    {"clinic", "definition", "causes", "symptoms", "vs", "for", "factors", "what", "to"}
)


def _pairs(decision: Decision) -> tuple[tuple[str, float], ...]:
    return tuple((c.intent, c.score) for c in decision.candidates)


def _subject(intent: str) -> str:
    """The words a topic's name gives a follow-up ("piriformis_syndrome" -> "piriformis
    syndrome")."""
    words = [w for w in intent.split("_") if w not in GENERIC_NAME_WORDS and not w.isdigit()]
    return " ".join(words)


def _facet_words(intent: str) -> str:
    """What the last topic asked, for a correction naming only its subject ("no, the
    appointment" after "how long does it last")."""
    return "how long" if intent in ("how_long", "clinic_session_length") else _subject(intent)


def _forget_kind(state: ChatState) -> ChatState:
    if not state.last_kind and not state.offered:
        return state
    return dataclasses.replace(state, last_kind="", offered=())


def _navigation(said: str) -> str | None:
    """``back`` or ``more`` when the message asks for one of them in everyday words."""
    if said in BACK_WORDS:
        return "back"
    if said in MORE_WORDS:
        return "more"
    words = said.split()
    if not words or len(words) > NAV_WORDS:
        return None
    rest = said
    kind = None
    for pattern in BACK_MARKS:
        if pattern.search(rest):
            kind = "back"
            rest = pattern.sub(" ", rest)
    if kind is None and MORE_MARKS.search(rest):
        kind = "more"
        rest = MORE_MARKS.sub(" ", rest)
    if kind is None or any(
        w not in NAV_FILLER and w not in ("before", "last") for w in rest.split()
    ):
        return None
    return kind


def _is_denial(said: str, text: str) -> bool:
    """True for "no, nothing like that, I was just asking"; a denial that goes on to ask
    something ("no, I meant how long it lasts") is read as that question."""
    if not DENIAL.search(said) or "?" in text:
        return False
    rest = CORRECTION.sub("", said, count=1)
    return not (QUESTION_START.match(rest) or QUESTION_WORD.search(rest))


def _is_acknowledgement(said: str, text: str) -> bool:
    """True for "ok thanks", "ah that makes sense", "got it": short, no question."""
    if "?" in text or len(said.split()) > ACK_WORDS:
        return False
    rest = ACK.sub("", said).strip()
    return not (QUESTION_START.match(rest) or WH_WORD.search(rest) or rest.startswith("but"))


def _ordinal(said: str, offered: tuple[str, ...]) -> str | None:
    """The topic "the second one" picks among those a "Did you mean" offered."""
    words = said.split()
    if len(words) > 4:
        return None
    for word in words:
        at = ORDINALS.get(word)
        if at is not None and at < len(offered):
            return offered[at]
    return None


def _facet(said: str) -> str | None:
    """The facet of a short question about the last topic ("how long?"), when the message
    names nothing else."""
    words = said.split()
    if not words or len(words) > FACET_WORDS:
        return None
    for name, pattern in FACETS:
        if pattern.search(said):
            rest = pattern.sub(" ", said).split()
            if all(w in FACET_FILLER for w in rest):
                return name
            return None
    return None


def _mended(text: str) -> str:
    """``text`` with the real-word slips of :data:`SLIPS` put right."""
    for pattern, word in SLIPS:
        text = pattern.sub(word, text)
    return text
