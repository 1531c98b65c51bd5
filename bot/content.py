"""Load and validate the bot's content: ``intents/*.yml`` and ``responses/*.yml``.

Content is data. Intent files hold what people say (``intents:`` with examples), the
red-flag screen (``screen:``) and a synonym lexicon (``synonyms:``); response files hold what
the bot answers (``responses:``), its own messages (``messages:``) and the topic ``menu:``.
``responses/article.txt`` is the clinic's article: every excerpt must stand in it word for word.

Every problem is reported with the file and line it comes from, all at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter
from types import MappingProxyType

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

ARTICLE_FILE = "article.txt"

REQUIRED_INTENTS: tuple[str, ...] = (
    "sciatica_definition",
    "sciatica_symptoms",
    "sciatica_causes",
    "piriformis_syndrome",
    "piriformis_muscle",
    "sciatica_vs_piriformis",
    "trigger_point_4",
    "risk_factors",
    "massage_for_sciatica",
    "neuromuscular_massage",
    "other_treatments",
    "find_therapist",
    "greeting",
    "thanks",
    "goodbye",
    "about_bot",
    "red_flags",
    "when_to_get_help",
)
"""Intents other tools rely on; each must exist with a response."""

RED_FLAGS = "red_flags"
WHEN_TO_GET_HELP = "when_to_get_help"
FIND_THERAPIST = "find_therapist"
SMALL_TALK: frozenset[str] = frozenset({"greeting", "thanks", "goodbye", "about_bot"})


def is_topic(intent: str | None) -> bool:
    """Whether an intent may be remembered as a chat's topic (for Back and "tell me more").

    Small talk is not a topic, and the urgent-symptoms answer is never remembered, however it
    was reached: nothing about urgent symptoms is kept.
    """
    return intent is not None and intent not in SMALL_TALK and intent != RED_FLAGS


REQUIRED_MESSAGES: tuple[str, ...] = (
    "welcome",
    "fallback",
    "menu",
    "did_you_mean",
    "stale_button",
    "empty",
    "not_text",
    "clinic_intro",
    "book_label",
    "menu_label",
    "back_label",
    "crisis",
    "safety_line",
    "not_urgent_label",
    "not_urgent",
    "urgent_advice",
    "clinic_missing",
    "clinic_no_contact",
    "help",
    "no_memory",
    "no_history",
    "emoji_only",
    "english_only",
    "more_label",
    "as_above",
    "details_label",
    "privacy_on_disk",
    "privacy_in_memory",
    "privacy",
    "privacy_handover",
    "privacy_commands",
    "privacy_opted_out",
    "privacy_remembered",
    "privacy_summary",
    "privacy_summary_handover",
    "privacy_summary_commands",
    "privacy_summary_group",
    "forget_done",
    "forget_unfinished",
    "forget_handover",
    "optout_done",
    "optout_handover",
    "optin_done",
    "privacy_failed",
    "slow_down",
    "handover_opted_out",
    "handover_type",
    "handover_asked",
    "handover_empty",
    "handover_urgent",
    "handover_as_well",
    "handover_confirm",
    "handover_cancelled",
    "handover_nothing_waiting",
    "handover_type_first",
    "handover_sent",
    "handover_sent_urgent",
    "handover_passed_on",
    "handover_reply_closed",
    "handover_closed",
    "handover_intro",
    "handover_unnamed_clinic",
    "handover_replied",
    "handover_replied_head",
    "handover_only_text",
    "handover_unreachable",
    "handover_call",
    "handover_contact_at",
    "handover_book_online",
    "handover_address",
    "handover_contact",
    "handover_unreachable_urgent",
    "handover_someone",
    "handover_ask_label",
    "handover_send_label",
    "handover_cancel_label",
    "handover_done_label",
    "handover_take_label",
    "handover_taken_label",
    "handover_answered_label",
    "handover_closed_label",
    "handover_closed_unreachable",
    "handover_closed_optout",
    "handover_a_colleague",
    "handover_ticket",
    "handover_follow_up",
    "handover_by",
    "handover_no_such",
    "handover_was_closed",
    "handover_yours",
    "handover_has_it",
    "handover_state_taken",
    "handover_state_answered",
    "handover_state_closed",
    "handover_now_closed",
    "handover_now_closed_told",
    "handover_already_closed",
    "handover_had_taken",
    "handover_already_answered",
    "handover_undeliverable",
    "handover_not_relayed",
    "handover_gone",
    "handover_optout_closed",
    "handover_open_none",
    "handover_open_head",
    "handover_open_line",
    "handover_open_line_urgent",
    "handover_open_by",
    "handover_open_answered",
    "handover_open_waiting",
    "handover_open_foot",
    "handover_staff_help",
    "handover_help_line",
    "handover_limit",
    "handover_private_only",
    "admins_only",
    "chosen",
    "voice_not_heard",
    "voice_heard",
    "voice_too_long",
    "voice_unreadable",
    "voice_busy",
    "voice_not_heard_handover",
)

MESSAGE_FIELDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "as_above": frozenset({"title"}),
        "crisis": frozenset({"emergency_number", "crisis_line"}),
        "urgent_advice": frozenset({"urgent_advice_line"}),
        "privacy": frozenset({"where", "days", "chars"}),
        "privacy_handover": frozenset({"days"}),
        "privacy_summary": frozenset({"where", "days"}),
        "optout_handover": frozenset({"numbers"}),
        "handover_asked": frozenset({"question"}),
        "handover_confirm": frozenset({"question"}),
        "handover_sent": frozenset({"number", "hours"}),
        "handover_sent_urgent": frozenset({"emergency_number"}),
        "handover_passed_on": frozenset({"number"}),
        "handover_reply_closed": frozenset({"number"}),
        "handover_closed": frozenset({"number"}),
        "handover_intro": frozenset({"clinic", "hours"}),
        "handover_replied": frozenset({"number", "text"}),
        "handover_replied_head": frozenset({"number"}),
        "handover_call": frozenset({"phone"}),
        "handover_book_online": frozenset({"url"}),
        "handover_address": frozenset({"address"}),
        "handover_unreachable_urgent": frozenset({"emergency_number"}),
        "handover_taken_label": frozenset({"name"}),
        "handover_answered_label": frozenset({"name"}),
        "handover_closed_label": frozenset({"name"}),
        "handover_ticket": frozenset({"name", "number", "question"}),
        "handover_follow_up": frozenset({"name", "number", "question"}),
        "handover_by": frozenset({"name"}),
        "handover_no_such": frozenset({"number"}),
        "handover_was_closed": frozenset({"by", "number"}),
        "handover_yours": frozenset({"number"}),
        "handover_has_it": frozenset({"name", "number", "state"}),
        "handover_now_closed": frozenset({"by", "number"}),
        "handover_now_closed_told": frozenset({"by", "number"}),
        "handover_already_closed": frozenset({"number"}),
        "handover_had_taken": frozenset({"name", "number"}),
        "handover_already_answered": frozenset({"name", "number"}),
        "handover_undeliverable": frozenset({"number"}),
        "handover_not_relayed": frozenset({"number"}),
        "handover_gone": frozenset({"number"}),
        "handover_optout_closed": frozenset({"number"}),
        "handover_open_head": frozenset({"count", "urgent"}),
        "handover_open_line": frozenset({"day", "number", "state"}),
        "handover_open_line_urgent": frozenset({"day", "number", "state"}),
        "handover_open_by": frozenset({"name", "state"}),
        "handover_staff_help": frozenset({"urgent_mark"}),
        "handover_limit": frozenset({"max_open"}),
        "chosen": frozenset({"title"}),
        "voice_heard": frozenset({"text"}),
    }
)
"""The ``{fields}`` each message may use (filled in by the bot; ``{{`` and ``}}`` write a brace
there). Any other message is shown as written and may hold no brace."""

MESSAGE_NEEDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {"handover_ticket": frozenset({"number"})}
)
"""The ``{fields}`` a message must use: the bot finds a question's number in the staff group's
message by the words around ``{number}``."""

MIN_EXAMPLES = 15
MAX_PAYLOAD_BYTES = 64
MAX_MESSAGE_CHARS = 4096
MAX_TITLE_CHARS = 40

_INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML was built with it (about ten times faster), else PyYAML's."""

RESERVED_PAYLOADS = frozenset({"menu", "back", "not_urgent"})
"""Button payloads with a meaning of their own (:data:`bot.replies.MENU` and ``BACK``)."""


@dataclass(frozen=True)
class Where:
    """A place in a content file (1-based line)."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content."""

    where: Where
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ContentError(Exception):
    """The content has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.where.path, p.where.line, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class ContentUnreadable(ContentError):
    """A content file or folder cannot be read (permissions, encoding): ``problems`` lists
    only those, since whatever else is reported about the rest would be misleading."""


@dataclass(frozen=True)
class Example:
    """One way people phrase an intent."""

    text: str
    intent: str
    where: Where


@dataclass(frozen=True)
class Intent:
    """What people mean, with the phrasings that teach the matcher."""

    name: str
    examples: tuple[Example, ...]
    where: Where


@dataclass(frozen=True)
class Response:
    """What the bot answers for one intent.

    Attributes:
        intent: The intent answered.
        title: Short label for buttons and menus.
        text: A framing line in the clinic's own words (may be empty).
        excerpts: Sentences quoted word for word from the article.
        care: The recommendation to see a qualified professional.
        follow_ups: Intents offered next, as buttons.
        book: Whether to offer "Book a session".
        kind: ``article`` (quotes the article), ``not_covered`` (a topic the article is silent
            on, answered honestly), ``guidance`` (the clinic's general guidance), ``clinic``
            (one of the clinic's own facts, ``text`` filled in by the clinic) or ``small_talk``.
    """

    intent: str
    title: str
    text: str
    excerpts: tuple[str, ...]
    care: str
    follow_ups: tuple[str, ...]
    book: bool
    where: Where
    kind: str = "article"

    @property
    def medical(self) -> bool:
        """True when the answer quotes the article."""
        return bool(self.excerpts)


@dataclass(frozen=True)
class ScreenRule:
    """A red-flag rule: fires when every group has a term in the message.

    Attributes:
        name: What the rule catches, for logs and tests.
        groups: Each group is a tuple of alternative terms (words or phrases).
        window: Most tokens the matched terms may span (0: anywhere in the clause; negative:
            anywhere in the sentence, across its clauses).
        unless: Terms that stop the rule from firing ("fell asleep" is not a fall).
        kind: ``urgent`` (a red flag) or ``crisis`` (thoughts of suicide or self-harm).
        history_counts: The person's own past counts as a red flag today ("had cancer").
        mention: A denied mention of the first group alone ("peeing is fine") still earns
            the safety line.
        subject: The last group is the subject of the first (a foot that "won't do what it's
            told", a bladder that "won't empty"): it stands before the first group's words in
            their clause, with no other subject between, or is a pronoun ("it", "they", "I",
            "he") there with one of the group's things named before.
    """

    name: str
    groups: tuple[tuple[str, ...], ...]
    window: int
    where: Where
    unless: tuple[str, ...] = ()
    kind: str = "urgent"
    history_counts: bool = False
    mention: bool = False
    subject: bool = False


ASK_KINDS: tuple[str, ...] = (
    "heals",
    "duration",
    "soon",
    "lasting",
    "price",
    "place",
    "instead",
    "fails",
    "kind",
    "todo",
    "treat",
    "which",
    "safe",
    "whom",
    "sessions",
    "often",
    "normal",
    "provider",
    "offer",
    "signs",
    "condition",
    "compare",
    "cause",
    "risk",
    "meaning",
    "effects",
    "worth",
    "diagnose",
    "better",
)
"""Kinds of short question about the last answer ("how long?", "how much?", "where?"); the
dialogue knows how each is worded, ``asks:`` in a response file says what each asks for."""

ASK_ANY = "any"
"""In ``asks:``, ``after: any`` matches whatever the last topic was."""

ASK_HISTORY = "history"
"""In ``asks:``, ``after: [history]`` matches a message about someone's past red flag."""

ASK_SAME = "same"
"""In ``asks:``, ``ask: same`` is the last topic itself."""


@dataclass(frozen=True)
class AskRule:
    """After one of ``after`` (topics, ``any`` or ``history``), a short question of one kind
    is about ``ask`` (a topic, or ``same``: the last topic)."""

    after: frozenset[str]
    ask: str
    where: Where


RULE_KINDS = frozenset({"urgent", "crisis"})
RESPONSE_KINDS = frozenset({"article", "not_covered", "guidance", "clinic", "small_talk"})

CONTEXT_KEYS: tuple[str, ...] = (
    "negation_before",
    "negation_after",
    "pseudo",
    "faculties",
    "terminators",
    "negation_ends",
    "clause_starters",
    "hypothetical",
    "question_openers",
    "first_person",
    "historical",
    "resolved",
    "current",
    "present_tense",
    "experiencers",
    "third_person",
    "affirming",
    "antecedents",
    "object_markers",
    "known_conditions",
    "hypothetical_after",
    "excuses",
    "denied_all",
    "answered_no",
    "lasting_aids",
)
"""Trigger lists of the safety screen's context rules (``context:`` in an intent file)."""


@dataclass(frozen=True)
class Content:
    """All the bot knows, validated."""

    intents: Mapping[str, Intent]
    responses: Mapping[str, Response]
    screen: tuple[ScreenRule, ...]
    context: Mapping[str, tuple[str, ...]]
    synonyms: Mapping[str, str]
    out_of_scope: tuple[str, ...]
    messages: Mapping[str, str]
    menu: tuple[str, ...]
    article: str = field(repr=False)
    asks: Mapping[str, tuple[AskRule, ...]] = field(
        default_factory=lambda: MappingProxyType({}), repr=False
    )
    """For each of :data:`ASK_KINDS`, what a short question of that kind asks for, by the
    last topic; the first rule that fits decides."""
    spelt_right: tuple[str, ...] = ()
    """Everyday words the safety screen never reads as a typo of one of its words ("did she
    overdo it" is not an overdose; ``spelt_right:`` in an intent file)."""


# --- YAML with line numbers -------------------------------------------------------------


class _Doc:
    """A parsed YAML file that keeps nodes, so every value knows its line."""

    def __init__(
        self, path: Path, display: str, problems: list[Problem], failures: list[Problem]
    ) -> None:
        self.display = display
        self.problems = problems
        self.root: Node | None = None
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            failures.append(Problem(Where(display, 1), f"cannot read file: {reason}"))
            return
        try:
            self.root = yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 if mark is not None else 1
            detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            failures.append(Problem(Where(display, line), f"YAML error: {detail}"))

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(Where(self.display, line), message))

    def at(self, node: Node) -> Where:
        return Where(self.display, node.start_mark.line + 1)

    def bad(self, node: Node, message: str) -> None:
        self.problems.append(Problem(self.at(node), message))

    def mapping(self, node: Node, what: str, allowed: set[str]) -> dict[str, Node] | None:
        """Return ``{key: value node}``, reporting unknown and repeated keys."""
        if not isinstance(node, MappingNode):
            self.bad(node, f"{what} must be a mapping")
            return None
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key is None or key not in allowed:
                self.bad(key_node, f"unknown key {key!r} in {what}; allowed: {sorted(allowed)}")
            elif key in out:
                self.bad(key_node, f"key {key!r} repeated in {what}")
            else:
                out[key] = value_node
        return out

    def sequence(self, node: Node, what: str) -> list[Node]:
        if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, SequenceNode):
            self.bad(node, f"{what} must be a list")
            return []
        return list(node.value)

    def string(self, node: Node, what: str, *, allow_empty: bool = False) -> str | None:
        if not isinstance(node, ScalarNode) or node.tag.endswith((":null", ":bool")):
            self.bad(node, f"{what} must be text")
            return None
        value = str(node.value).strip()
        if not value and not allow_empty:
            self.bad(node, f"{what} is empty")
            return None
        return value

    def boolean(self, node: Node, what: str) -> bool:
        if isinstance(node, ScalarNode) and node.tag.endswith(":bool"):
            return node.value.lower() in {"true", "yes", "on"}
        self.bad(node, f"{what} must be true or false")
        return False

    def integer(self, node: Node, what: str) -> int:
        if isinstance(node, ScalarNode) and node.tag.endswith(":int"):
            return int(node.value)
        self.bad(node, f"{what} must be a whole number")
        return 0


def _yaml_files(
    folder: Path,
    root: Path,
    problems: list[Problem],
    unreadable: list[Problem],
    unparsed: list[Problem],
) -> Iterator[_Doc]:
    """The folder's YAML files, parsed; a file or folder that cannot be read goes to
    ``unreadable``, a file that is not valid YAML to ``unparsed``."""
    try:
        names = sorted(
            entry.name for entry in os.scandir(folder) if entry.name.endswith((".yml", ".yaml"))
        )
    except (FileNotFoundError, NotADirectoryError):
        problems.append(Problem(Where(str(folder), 1), "folder not found"))
        return
    except OSError as exc:  # permission denied on the folder or on one above it
        message = f"cannot read folder: {exc.strerror or type(exc).__name__}"
        unreadable.append(Problem(Where(str(folder), 1), message))
        return
    if not names:
        problems.append(Problem(Where(str(folder), 1), "no .yml files in folder"))
    for name in names:
        path = folder / name
        try:
            display = str(path.relative_to(root))
        except ValueError:
            display = str(path)
        failures: list[Problem] = []
        doc = _Doc(path, display, problems, failures)
        for failure in failures:
            bucket = unreadable if failure.message.startswith("cannot read") else unparsed
            bucket.append(failure)
        yield doc


def collapse_spaces(text: str) -> str:
    """Collapse every run of whitespace to one space (for word-for-word comparison)."""
    return " ".join(text.split())


# --- the loader -------------------------------------------------------------------------


class _Builder:
    """Collects content from many files, then validates the whole."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.intents: dict[str, Intent] = {}
        self.responses: dict[str, Response] = {}
        self.screen: list[ScreenRule] = []
        self.context: dict[str, tuple[str, ...]] = {}
        self.synonyms: dict[str, str] = {}
        self.synonym_where: dict[str, Where] = {}
        self.out_of_scope: list[str] = []
        self.spelt_right: list[str] = []
        self.messages: dict[str, str] = {}
        self.message_where: dict[str, Where] = {}
        self.messages_where: Where | None = None  # the first ``messages:`` block read
        self.menu: list[str] = []
        self.menu_where: list[Where] = []
        self.asks: dict[str, list[AskRule]] = {}
        self.article = ""
        self.item_lines: dict[tuple[str, str], list[Where]] = {}

    # intents/*.yml
    def read_intent_file(self, doc: _Doc) -> None:
        if doc.root is None:
            return
        top = doc.mapping(
            doc.root,
            "the file",
            {"intents", "screen", "context", "spelt_right", "synonyms", "out_of_scope"},
        )
        if top is None:
            return
        for node in doc.sequence(top["intents"], "intents") if "intents" in top else []:
            self._intent(doc, node)
        for node in doc.sequence(top["screen"], "screen") if "screen" in top else []:
            self._rule(doc, node)
        if "context" in top:
            self._context(doc, top["context"])
        if "synonyms" in top:
            self._synonyms(doc, top["synonyms"])
        for node in doc.sequence(top["spelt_right"], "spelt_right") if "spelt_right" in top else []:
            word = doc.string(node, "a word spelt right")
            if word is not None:
                self.spelt_right.append(word.lower())
        for node in (
            doc.sequence(top["out_of_scope"], "out_of_scope") if "out_of_scope" in top else []
        ):
            word = doc.string(node, "an out-of-scope term")
            if word is not None:
                self.out_of_scope.append(word.lower())

    def _intent(self, doc: _Doc, node: Node) -> None:
        fields = doc.mapping(node, "an intent", {"intent", "examples"})
        if fields is None:
            return
        if "intent" not in fields:
            doc.bad(node, "intent without a name (key 'intent')")
            return
        name = doc.string(fields["intent"], "intent name")
        if name is None:
            return
        if not _INTENT_NAME.match(name):
            doc.bad(fields["intent"], f"intent name {name!r} must be lower_snake_case")
        if name in RESERVED_PAYLOADS:
            doc.bad(fields["intent"], f"intent name {name!r} is reserved for a button")
        if name in self.intents:
            first = self.intents[name].where
            doc.bad(fields["intent"], f"intent {name!r} already defined at {first}")
            return
        examples: list[Example] = []
        example_nodes = (
            doc.sequence(fields["examples"], f"examples of {name}")
            if ("examples" in fields)
            else []
        )
        for ex_node in example_nodes:
            text = doc.string(ex_node, f"an example of {name}")
            if text is not None:
                examples.append(Example(text, name, doc.at(ex_node)))
        if len(examples) < MIN_EXAMPLES:
            doc.bad(node, f"intent {name!r} has {len(examples)} examples; at least {MIN_EXAMPLES}")
        self.intents[name] = Intent(name, tuple(examples), doc.at(fields["intent"]))

    def _rule(self, doc: _Doc, node: Node) -> None:
        fields = doc.mapping(
            node,
            "a screen rule",
            {"rule", "all", "window", "unless", "kind", "history_counts", "mention", "subject"},
        )
        if fields is None:
            return
        name = doc.string(fields["rule"], "rule name") if "rule" in fields else None
        if name is None:
            doc.bad(node, "screen rule without a name (key 'rule')")
            return
        groups: list[tuple[str, ...]] = []
        group_nodes = (
            doc.sequence(fields["all"], f"'all' of rule {name!r}") if "all" in fields else []
        )
        for group_node in group_nodes:
            if isinstance(group_node, ScalarNode):
                terms = [doc.string(group_node, f"a term of rule {name!r}")]
            else:
                terms = [
                    doc.string(t, f"a term of rule {name!r}")
                    for t in doc.sequence(group_node, f"a group of rule {name!r}")
                ]
            clean = tuple(t for t in terms if t)
            if clean:
                groups.append(clean)
        if not groups:
            doc.bad(node, f"screen rule {name!r} has no terms")
            return
        window = doc.integer(fields["window"], "window") if "window" in fields else 0
        unless_nodes = doc.sequence(fields["unless"], "unless") if "unless" in fields else []
        # a shared list (`*bladder_explained`) may stand among a rule's own terms
        unless = tuple(
            t
            for n in unless_nodes
            for m in (n.value if isinstance(n, SequenceNode) else [n])
            if (t := doc.string(m, "an 'unless' term"))
        )
        kind = doc.string(fields["kind"], "kind") if "kind" in fields else "urgent"
        if kind not in RULE_KINDS:
            doc.bad(fields["kind"], f"rule kind {kind!r} is not one of {sorted(RULE_KINDS)}")
        flags = {
            key: doc.boolean(fields[key], key) if key in fields else False
            for key in ("history_counts", "mention", "subject")
        }
        if flags["subject"] and len(groups) != 2:
            doc.bad(node, f"screen rule {name!r}: 'subject' needs two groups, a verb and who")
            return
        self.screen.append(
            ScreenRule(
                name,
                tuple(groups),
                window,
                doc.at(node),
                unless,
                kind=kind or "urgent",
                history_counts=flags["history_counts"],
                mention=flags["mention"],
                subject=flags["subject"],
            )
        )

    def _context(self, doc: _Doc, node: Node) -> None:
        fields = doc.mapping(node, "context", set(CONTEXT_KEYS))
        for key, list_node in (fields or {}).items():
            if key in self.context:
                doc.bad(list_node, f"context list {key!r} is defined twice")
            terms = [
                t.lower()
                for n in doc.sequence(list_node, f"context list {key!r}")
                if (t := doc.string(n, f"a term of {key!r}"))
            ]
            self.context[key] = tuple(terms)

    def _synonyms(self, doc: _Doc, node: Node) -> None:
        fields = doc.mapping(node, "synonyms", _AnyKey())
        for canonical, variants_node in (fields or {}).items():
            for v_node in doc.sequence(variants_node, f"synonyms of {canonical!r}"):
                variant = doc.string(v_node, f"a synonym of {canonical!r}")
                if variant is None:
                    continue
                variant = variant.lower()
                if variant in self.synonyms and self.synonyms[variant] != canonical:
                    doc.bad(
                        v_node,
                        f"synonym {variant!r} already maps to {self.synonyms[variant]!r} "
                        f"at {self.synonym_where[variant]}",
                    )
                    continue
                self.synonyms[variant] = canonical
                self.synonym_where[variant] = doc.at(v_node)

    # responses/*.yml
    def read_response_file(self, doc: _Doc) -> None:
        if doc.root is None:
            return
        top = doc.mapping(doc.root, "the file", {"responses", "messages", "menu", "asks"})
        if top is None:
            return
        for node in doc.sequence(top["responses"], "responses") if "responses" in top else []:
            self._response(doc, node)
        if "messages" in top:
            if self.messages_where is None:
                self.messages_where = doc.at(top["messages"])
            for key, value in (doc.mapping(top["messages"], "messages", _AnyKey()) or {}).items():
                text = doc.string(value, f"message {key!r}")
                if text is not None:
                    if key in self.messages:
                        doc.bad(
                            value, f"message {key!r} already defined at {self.message_where[key]}"
                        )
                    self.messages[key] = text
                    self.message_where[key] = doc.at(value)
        if "asks" in top:
            self._asks(doc, top["asks"])
        if "menu" in top:
            for item in doc.sequence(top["menu"], "menu"):
                name = doc.string(item, "a menu entry")
                if name is not None:
                    self.menu.append(name)
                    self.menu_where.append(doc.at(item))

    def _asks(self, doc: _Doc, node: Node) -> None:
        """``asks: {kind: [{after: [topic, ...] | any, ask: topic | same}, ...]}``."""
        for kind, rules_node in (doc.mapping(node, "asks", set(ASK_KINDS)) or {}).items():
            if kind in self.asks:
                doc.bad(rules_node, f"asks {kind!r} is defined twice")
                continue
            rules: list[AskRule] = []
            for rule_node in doc.sequence(rules_node, f"asks {kind!r}"):
                fields = doc.mapping(rule_node, f"a rule of asks {kind!r}", {"after", "ask"})
                if fields is None:
                    continue
                if "after" not in fields or "ask" not in fields:
                    doc.bad(rule_node, f"a rule of asks {kind!r} needs 'after' and 'ask'")
                    continue
                after_node = fields["after"]
                if isinstance(after_node, ScalarNode):
                    after = [doc.string(after_node, "after")]
                else:
                    nodes = doc.sequence(after_node, "after")
                    after = [doc.string(n, "a topic of after") for n in nodes]
                ask = doc.string(fields["ask"], "ask")
                if ask is None or None in after:
                    continue
                rules.append(AskRule(frozenset(a for a in after if a), ask, doc.at(rule_node)))
            self.asks[kind] = rules

    def _response(self, doc: _Doc, node: Node) -> None:
        allowed = {"intent", "title", "text", "excerpts", "care", "follow_ups", "book", "kind"}
        fields = doc.mapping(node, "a response", allowed)
        if fields is None:
            return
        name = doc.string(fields["intent"], "intent name") if "intent" in fields else None
        if name is None:
            doc.bad(node, "response without an intent (key 'intent')")
            return
        if name in self.responses:
            doc.bad(
                fields["intent"], f"response for {name!r} already at {self.responses[name].where}"
            )
            return

        def text_of(key: str) -> str:
            if key not in fields:
                return ""
            return doc.string(fields[key], f"{key} of {name}", allow_empty=True) or ""

        def list_of(key: str) -> tuple[str, ...]:
            nodes = doc.sequence(fields[key], f"{key} of {name}") if key in fields else []
            return tuple(s for n in nodes if (s := doc.string(n, f"an item of {key}")))

        title = text_of("title")
        if not title:
            doc.bad(node, f"response {name!r} needs a title (its button label)")
        book = doc.boolean(fields["book"], "book") if "book" in fields else False
        kind = text_of("kind") or ("small_talk" if name in SMALL_TALK else "article")
        if kind not in RESPONSE_KINDS:
            doc.bad(fields["kind"], f"kind {kind!r} is not one of {sorted(RESPONSE_KINDS)}")
        self.responses[name] = Response(
            intent=name,
            title=title,
            text=text_of("text"),
            excerpts=list_of("excerpts"),
            care=text_of("care"),
            follow_ups=list_of("follow_ups"),
            book=book,
            where=doc.at(fields["intent"]),
            kind=kind,
        )
        # Keep the line of each excerpt and follow-up for precise problems.
        for key in ("excerpts", "follow_ups"):
            if key in fields and isinstance(fields[key], SequenceNode):
                self.item_lines[(name, key)] = [doc.at(n) for n in fields[key].value]

    # whole-content checks
    def validate(self) -> None:
        self._check_intents_vs_responses()
        self._check_examples_unique()
        self._check_responses()
        self._check_messages_and_menu()
        self._check_asks()

    def _check_intents_vs_responses(self) -> None:
        for name, intent in self.intents.items():
            if name not in self.responses:
                self._add(intent.where, f"intent {name!r} has no response")
        for name, response in self.responses.items():
            if name not in self.intents:
                self._add(response.where, f"response for unknown intent {name!r}")
        anywhere = Where("intents", 1)
        for name in REQUIRED_INTENTS:
            if name not in self.intents:
                self._add(anywhere, f"required intent {name!r} is missing")

    def _check_examples_unique(self) -> None:
        seen: dict[str, Example] = {}
        for intent in self.intents.values():
            for example in intent.examples:
                key = " ".join(re.sub(r"[^\w#]+", " ", example.text.casefold()).split())
                first = seen.get(key)
                if first is None:
                    seen[key] = example
                elif first.intent != example.intent:
                    self._add(
                        example.where,
                        f"example {example.text!r} is under {example.intent!r} and also under "
                        f"{first.intent!r} at {first.where}",
                    )
                else:
                    self._add(
                        example.where, f"example {example.text!r} repeated (see {first.where})"
                    )

    def _check_responses(self) -> None:
        article = collapse_spaces(self.article)
        for name, response in self.responses.items():
            lines = self.item_lines.get((name, "excerpts"), [])
            for i, excerpt in enumerate(response.excerpts):
                if article and collapse_spaces(excerpt) not in article:
                    where = lines[i] if i < len(lines) else response.where
                    self._add(where, f"excerpt of {name!r} is not word for word in the article")
            if response.excerpts and not response.care:
                self._add(response.where, f"medical answer {name!r} needs a 'care' line")
            if name == RED_FLAGS and response.excerpts:
                self._add(response.where, "red_flags must not quote the article")
            if response.kind == "clinic" and response.excerpts:
                self._add(response.where, f"clinic fact {name!r} must not quote the article")
            if (
                response.kind == "article"
                and name not in SMALL_TALK
                and not response.excerpts
                and name
                not in {
                    RED_FLAGS,
                    FIND_THERAPIST,
                    WHEN_TO_GET_HELP,
                }
            ):
                self._add(response.where, f"answer {name!r} quotes no excerpt of the article")
            follow_lines = self.item_lines.get((name, "follow_ups"), [])
            for i, target in enumerate(response.follow_ups):
                where = follow_lines[i] if i < len(follow_lines) else response.where
                if target not in self.intents:
                    self._add(where, f"follow-up {target!r} of {name!r} is not an intent")
                elif len(target.encode()) > MAX_PAYLOAD_BYTES:
                    self._add(where, f"button payload {target!r} is over {MAX_PAYLOAD_BYTES} bytes")
            if len(response.title) > MAX_TITLE_CHARS:
                self._add(response.where, f"title of {name!r} is over {MAX_TITLE_CHARS} characters")
            length = len(render_answer(response))
            if length > MAX_MESSAGE_CHARS:
                self._add(
                    response.where,
                    f"answer {name!r} is {length} characters; Telegram allows {MAX_MESSAGE_CHARS}",
                )
        for name in self.intents:
            if len(name.encode()) > MAX_PAYLOAD_BYTES:
                self._add(self.intents[name].where, f"intent name {name!r} over 64 bytes")

    def _check_messages_and_menu(self) -> None:
        anywhere = Where("responses", 1)
        for key in REQUIRED_MESSAGES:
            if key not in self.messages:
                self._add(self.messages_where or anywhere, f"message {key!r} is missing")
        for key, text in self.messages.items():
            if len(text) > MAX_MESSAGE_CHARS:
                self._add(self.message_where[key], f"message {key!r} is over 4096 characters")
            problem = _field_problem(text, MESSAGE_FIELDS.get(key, frozenset()))
            needed = MESSAGE_NEEDS.get(key, frozenset())
            if problem is None and needed:
                used = {f for _, f, _, _ in Formatter().parse(text) if f is not None}
                lacking = sorted(needed - used)
                if lacking:
                    problem = f"it must use {{{lacking[0]}}}"
            if problem:
                self._add(self.message_where[key], f"message {key!r}: {problem}")
        if not self.menu:
            self._add(anywhere, "the topic menu ('menu:') is missing or empty")
        for name, where in zip(self.menu, self.menu_where, strict=True):
            if name not in self.intents:
                self._add(where, f"menu entry {name!r} is not an intent")

    def _check_asks(self) -> None:
        for kind, rules in self.asks.items():
            for rule in rules:
                for name in rule.after - {ASK_ANY, ASK_HISTORY}:
                    if name not in self.responses:
                        self._add(rule.where, f"asks {kind!r}: after {name!r} is not a topic")
                if ASK_ANY in rule.after and len(rule.after) > 1:
                    self._add(rule.where, f"asks {kind!r}: 'any' stands alone")
                if rule.ask != ASK_SAME and rule.ask not in self.responses:
                    self._add(rule.where, f"asks {kind!r}: ask {rule.ask!r} is not a topic")
                if rule.ask == ASK_SAME and ASK_HISTORY in rule.after:
                    self._add(rule.where, f"asks {kind!r}: after a history, 'same' has no topic")

    def _add(self, where: Where, message: str) -> None:
        self.problems.append(Problem(where, message))


def _field_problem(text: str, allowed: frozenset[str]) -> str | None:
    """What is wrong with the ``{fields}`` of a message, or None.

    Args:
        text: The message as written.
        allowed: The fields the bot fills in for it.
    """
    if not allowed:
        if "{" in text or "}" in text:
            return "this message takes no {fields}, so it may hold no braces"
        return None
    try:
        fields = [f for _, f, _, _ in Formatter().parse(text) if f is not None]
    except ValueError as exc:  # a lone "{" or "}"
        return f"{exc}; write {{{{ or }}}} for a brace"
    unknown = sorted({f for f in fields if f not in allowed})
    if not unknown:
        return None
    known = ", ".join(f"{{{f}}}" for f in sorted(allowed)) or "none"
    return f"unknown field {{{unknown[0]}}} (this message may use: {known})"


class _AnyKey(set[str]):
    """An ``allowed`` set that admits every key (for free-form mappings)."""

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str)


def render_answer(response: Response) -> str:
    """The plain text of an answer: framing line, quoted excerpts, care line."""
    parts: list[str] = []
    if response.text:
        parts.append(response.text)
    parts.extend(f"“{excerpt}”" for excerpt in response.excerpts)
    if response.care:
        parts.append(response.care)
    return "\n\n".join(parts)


def load_content(intents_dir: Path, responses_dir: Path) -> Content:
    """Load, validate and freeze all content.

    Args:
        intents_dir: Folder of intent files (``*.yml``).
        responses_dir: Folder of response files and ``article.txt``.

    Raises:
        ContentUnreadable: a file or folder cannot be read; only those are listed.
        ContentError: listing every problem found, each with file and line; when a file
            is not valid YAML, only the files that are not.
    """
    root = Path.cwd()
    builder = _Builder()
    unreadable: list[Problem] = []
    unparsed: list[Problem] = []
    article_path = responses_dir / ARTICLE_FILE
    try:
        builder.article = article_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        builder.problems.append(Problem(Where(str(article_path), 1), "article not found"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        unreadable.append(Problem(Where(str(article_path), 1), f"cannot read article: {reason}"))
    for doc in _yaml_files(intents_dir, root, builder.problems, unreadable, unparsed):
        builder.read_intent_file(doc)
    for doc in _yaml_files(responses_dir, root, builder.problems, unreadable, unparsed):
        builder.read_response_file(doc)
    # A file that cannot be read or parsed is reported first and alone: what the other
    # checks would say (intents without responses...) follows from it and would mislead.
    if unreadable:
        raise ContentUnreadable(unreadable)
    if unparsed:
        raise ContentError(unparsed)
    builder.validate()
    if builder.problems:
        raise ContentError(builder.problems)
    return Content(
        intents=MappingProxyType(dict(builder.intents)),
        responses=MappingProxyType(dict(builder.responses)),
        screen=tuple(builder.screen),
        context=MappingProxyType(dict(builder.context)),
        synonyms=MappingProxyType(dict(builder.synonyms)),
        out_of_scope=tuple(builder.out_of_scope),
        spelt_right=tuple(builder.spelt_right),
        messages=MappingProxyType(dict(builder.messages)),
        menu=tuple(builder.menu),
        article=builder.article,
        asks=MappingProxyType({k: tuple(v) for k, v in builder.asks.items()}),
    )
