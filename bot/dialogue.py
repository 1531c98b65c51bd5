"""The conversation: (chat state, message or button press) -> reply. No transport here.

Every adapter (Telegram, the terminal, tests) calls :meth:`Dialogue.handle` and renders the
:class:`~bot.replies.Reply` it gets back in its own way.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Sequence
from functools import lru_cache

from bot.content import (
    ASK_ANY,
    ASK_HISTORY,
    ASK_KINDS,
    ASK_SAME,
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
from bot.matching import ContextPool, Decision, Matcher, Query, Term
from bot.reading import read
from bot.replies import BACK, MENU, NOT_URGENT, REST, Button, ChatState, Reply, ReplyKind, cut
from bot.safety import Assessment, Outcome, SafetyScreen
from bot.settings import Clinic, MatchSettings, SafetySettings, Settings
from bot.text import BOUNDARY, DASH, Sentence, normalise, other_language, sentences

logger = logging.getLogger(__name__)

MORE_WORDS = frozenset({"more", "tell me more", "go on", "continue", "what else"})
"""Messages that mean "the next topic after the last one" (normalised)."""

BACK_WORDS = frozenset({"back", "go back", "previous", "previous topic"})
"""Messages that mean "the topic before this one" when there is one (normalised)."""

_NAV_FILLER_TEXT = (
    "ok okay wait sorry hmm um please pls can could we i you me us let lets want to just "
    "actually so and oh the a that this it one answer topic thing page bit again see show "
    "take tell about give there was is what some little should know anything any did "
    "detail details info information"
)
NAV_FILLER = frozenset(_NAV_FILLER_TEXT.split())
"""Words that may surround the words of Back and "more" ("can we go back please")."""

BACK_MARKS = (
    re.compile(r"\b(?:go back|back|return|previous|earlier|undo)\b|\b(?:say|said) before\b"),
    re.compile(r"\b(?:one|thing|answer|topic) before\b|\blast (?:one|thing|answer|topic)\b"),
)
MENU_MARKS = re.compile(r"\b(?:topics|menu|options|list)\b")
"""The topic menu asked for in words ("show me the topics", "list them all")."""
_MENU_FILLER_TEXT = "show me the list of all your main do you have cover what which them everything"
MENU_FILLER = frozenset(_MENU_FILLER_TEXT.split())

MORE_MARKS = re.compile(r"\b(?:more|else|go on|keep going|carry on|continue|next)\b")
NAV_WORDS = 9
"""Back and "more" in other words are at most this long."""

BACK_CORE = re.compile(
    r"\b(?:go|going|take|get|jump|bring|head|skip|flip|scroll|move|step)\b(?: \w+){0,2}? "
    r"back\b(?! (?:pain|ache|aches|of|muscle|muscles|problem|problems|hurts|to me|to us)\b)"
    r"|^back\b(?= (?:to|one|a|please|pls|plz|again|up)\b|$)|\bback (?:one|a step|a sec|a bit|up)\b"
    r"|\b(?:previous|earlier) (?:one|answer|topic|thing|bit|page|message|reply)\b"
    r"|\b(?:one|thing|answer|topic|bit|page|step) before\b|\bbefore that\b"
    r"|\blast (?:one|thing|answer|topic|bit|page)\b|\bundo\b|\breturn to\b"
    r"|\b(?:say|said|wrote|told me) (?:before|earlier)\b"
)
"""The core of Back in a longer message ("oops wrong button, take me back"): "back" after a
verb of moving or before "one"/"a step", "the one before", "what you said earlier"; never the
body part ("my back", "back pain"), nor a reply asked for ("get back to me")."""

NAV_CORE_WORDS = 14
"""Back and "more" found by their core are read in messages at most this long."""

NAV_QUESTION = re.compile(
    r"\b(?:how|why|when|where|which|who|will|would|does|do|am|are|has|have)\b"
)
"""A question word left beside the core asks something of its own ("how do I get back to
work", "will I get back to normal", "is there more I can do")."""

REFERS = re.compile(
    r"\b(?:it|its|that|this|them|they|those|these|one|ones|same|instead|there)\b"
    r"|^(?:and|so|but|also|then|ok and|what about|how about)\b"
)
"""A message that leans on the one before: a pronoun, or "and ...", "what about ..."."""
_REFERS_TEXT = "it its that this them they those these one ones same instead there"
REFERS_WORDS = frozenset(_REFERS_TEXT.split())
REFERS_LEADS = frozenset({"and", "so", "but", "also", "then"})
REFERS_PAIRS = frozenset({("ok", "and"), ("what", "about"), ("how", "about")})
""":data:`REFERS` as words: a word of the first set, or a start of the other two."""

PLAIN = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
"""Normalised text of plain words parted by single spaces: in it, a pattern's whole words
are words of the text, so a test of its word set tells whether the pattern can be found."""

ACK = re.compile(
    r"^(?:(?:ok|okay|k|kk|thanks|thank you|thx|ta|cheers|great|brilliant|perfect|lovely|"
    r"cool|nice|right|ah|oh|yep|yes|yeah|got it|fair enough|good to know|interesting|"
    r"makes sense|that makes sense|i see|understood|noted|that helps|helpful|awesome|"
    r"fab|fantastic|excellent|wow|super|amazing|that clears it up|huh|hmm|aha|alright|"
    r"sure|ahh|oh i see|that explains it|brill|ace|ty|tysm|thank u|nice one|sound|good stuff|"
    r"gotcha|will do|that (?:is )?helpful|very helpful|really helpful|"
    r"(?:i )?did not know that|(?:i )?never knew that|(?:i )?did not realise that)\b\s*)+"
)
"""The start of an acknowledgement ("ah ok that makes sense")."""

QUESTION_START = re.compile(
    r"^(?:and |so |but |then )*(?:what|how|why|when|where|which|who|can|could|should|"
    r"would|is|are|does|do|did|will|any|tell)\b"
)
ACK_WORDS = 10
GOES_ON = re.compile(r"^(?:and|also|plus|what about|how about)\b\s*")
"""After an acknowledgement, the start of a follow-up ("ok and for piriformis?"): what
follows, unless it is only more thanks, is asked."""
NEW_SUBJECT = re.compile(
    r"\b(?:different|another|other|unrelated|separate|new|random|quick|side) "
    r"(?:thing|question|topic|subject|note|q)\b|\bunrelated\b|\bchanging (?:the )?subject\b"
)
"""Words that turn to a new subject ("different question", "unrelated but ..."): what
follows is read on its own words, never with the last topic."""
_NEW_SUBJECT_TEXT = "different another other unrelated separate new random quick side changing"
NEW_SUBJECT_KEYS = frozenset(_NEW_SUBJECT_TEXT.split())
"""Words one of which every wording :data:`NEW_SUBJECT` finds has."""
MEANT = re.compile(r"\b(?:i meant|i mean|meant)\b")
"""A correction after "oh" or "ok" ("oh no, I meant the pain") is no acknowledgement."""
ASKS = re.compile(
    r"\b(?:do|does|can|could|will|would|should|is|are) (?:you|u|i|it|they|we|he|she)\b"
)
"""A question put by inversion ("do you take card", "can she have massage") somewhere in a
message."""
REQUEST = re.compile(
    r"^(?:(?:can|could) (?:you|u) |please |pls )?(?:book|send|give|tell|show|email|text|sign"
    r"|put|fit|squeeze) (?:me|us)\b"
)
"""A request after an acknowledgement ("ok book me in", "great, send me the address"): no
acknowledgement, the request is read."""
WILL_DO = re.compile(
    r"^(?:then |so )?(?:i will|i would like to|i want to|i d like to|let me|lets)\b"
)
"""After an acknowledgement, what the person means to do next ("ok, I'll book"): when it
clearly names a topic (and thanks for nothing: "ok I'll ring them, thank you" is a goodbye
in all but name), the message asks about that topic."""
THANKS = r"(?:thanks|thank you|thank u|thx|ty|cheers|ta)"
"""The words of thanks."""
THANKING = re.compile(rf"\b{THANKS}\b")
THANKS_LAST = re.compile(rf"\b{THANKS}(?: (?:so much|very much|a lot|again|mate))?$")
"""Thanks that close a message ("sorted, cheers", "ok will check with the gp, thanks")."""
FAREWELL_LAST = re.compile(
    r"\b(?:bye|bye bye|goodbye|bye for now|see (?:you|ya|u)(?: later| soon| then)?|cya|take care"
    r"|(?:speak|talk|chat) (?:soon|later)|catch you later|ttyl|laters|good night|night night)"
    r"(?: (?:all|mate|then|now|x+))?$"
)
"""Leave taken at the end of a message ("gotta go, the baby is crying, bye")."""
FAREWELL_WORDS = 25
"""A message closed by leave-taking says goodbye when it is at most this long."""
FAREWELL_CLAUSE_WORDS = 4
"""The leave-taking is a clause of at most this many words ("bye for now then")."""
PLAN = re.compile(
    r"^(?:then |so )?(?:will|i ll|ill|gonna|going to)\s+"
    r"(?!(?:it|this|that|you|u|i|they|he|she|we|there)\b)"
)
"""What the person will do next, without a subject ("will check with the gp"): told, not
asked ("will it help" asks)."""
HELLO = re.compile(
    r"^(?:(?:hello|hi|hey|hiya|heya|yo|howdy|greetings|good (?:morning|afternoon|evening))"
    r"(?: there| again| bot)?\b\s*)+"
)
"""A greeting at the start of a message ("hello, is this a bot")."""
PLEASANTRY_WORDS = 5
"""A greeting's pleasantry ("hope you're well") is at most this long."""
QUESTION_WORD = re.compile(r"\b(?:what|how|why|when|where|which|who)\b")
NEGATED_OPENING = re.compile(r"^(?:do|does|did|is|are|will|would|can|could|should) not\b")
"""An opening that tells, not asks ("don't worry", "can't complain")."""
JOINING_WHEN = re.compile(r"\bwhen (?=(?:i|you|he|she|we|they|it)\b)")
"""A "when" that joins a clause to the one before ("my foot lifts fine when I try")."""
WH_WORD = re.compile(r"\b(?:what|how|why|when|where|which|who|back)\b")
"""Words that make a message starting "ok ..." more than an acknowledgement."""

CORRECTION = re.compile(
    r"^(?:(?:oh|ah|hmm|um|erm|wait)\s+)?"
    r"(?:(?:no|nope|sorry|not quite|wrong|oops"
    r"|not (?:that|this)(?: one)?(?= (?:the|a|an|i meant|i mean|how|what|where|when|which"
    r"|who|is|are|can|do|does)\b))"
    r"\b(?:\s+(?:no|sorry|not quite|wrong))*\s*"
    r"(?:i meant|i mean|meant|what i meant was|i was asking about|i was asking)?"
    r"|(?:actually )?i meant\b)\s*"
    r"(?:not (?:the |that |this )?\w+ )?"
)
"""The start of "no, I meant ..." (or "no, not the pain, the appointment", "oh no I meant
...", "not that, the muscle")."""

ELLIPSIS = re.compile(
    r"^(?:(?:ok|okay|so|and|but|then|what about|how about|is it|the|same|and the same)\s+)*"
    r"(?:the same\s+)?for\b"
)
"""The last question asked again about something else ("and for piriformis?")."""

IF_ASKED_WORDS = 2
"""A question before "if" and the person's case has at least this many words ("is it",
"which one"): "and if ...", "what if ..." are questions of their own."""

CIRCUMSTANCE = re.compile(
    r"^(?:(?:ok|okay|so|and|but|then)\s+)*(?:what|how) about "
    r"(?:after|during|before|while|when|with|without|if|in|at)\b"
)
"""The last question asked again in other circumstances ("what about after surgery" after
massage safety): what follows the preposition is when, not what, so a subject it names
("surgery") is not the message's own topic."""

CHOICE = re.compile(r"\bthe \w+ one or the \w+ one\b")
CHOICE_WORDS = 16
"""A choice between two ("the real one or the fake one", "the nerve one or the muscle
one") in a message at most this long asks which one it is, as "which one?" does."""
IF_CLAUSE = re.compile(r"\bif\b")
"""A clause of what may happen ("and if I can't make it", "if not, can we move it")."""
AND_IF = re.compile(r"^(?:(?:ok|okay|so)\s+)*(?:and|but|or) if\s+")
"""A question that starts "and if ..." asks what "what if ..." asks, when it ends with a
question mark (without one, "and if I sit long it hurts" tells)."""

BARE_ELLIPSIS = re.compile(
    r"^(?:(?:ok|okay|so|then|right)\s+)*(?:(?:and|or|what about|how about|and what about"
    r"|and how about|plus)\s+|(?=(?:on|with|without|at|during|while|in|for)\s))"
    r"(?:(?:for|with|without|in|on|at|during|while|the|a|an|my|your|some)\s+)*"
)
"""The lead of "and weekends?", "what about for diabetes", "on my back ok?": what follows
is asked the last question about."""
ELLIPSIS_WORDS = 2
"""What follows the lead of a bare ellipsis is at most this long."""
SELF = re.compile(
    r"^(?:(?:well|so|but|and|ok|okay|yeah|yes|yep)\s+)*"
    r"(?:(?:i am|im|i m)\s+(?:a|an|\d+)\b"
    r"|(?:i work as|i work in|i work at|i work on|my job is)\s+\S)"
)
SELF_WORDS = 6
"""A short message telling who the person is ("im a builder", "im 12 weeks", "i work as a
nurse"): when the matcher cannot place it alone, it goes on from the last answer. How the
person feels ("im bored", "im confused") is not who they are."""
TOLD = re.compile(
    r"^(?:(?:well|so|but|and|ok|okay|yeah|yes|yep)\s+)*"
    r"(?:(?:it s|its|it|it has|i ve|ive|i have)\s+(?:been|had (?:it|this|them))\s+(?:for\s+)?"
    r"(?:about |around |nearly |almost |over |like |just )?"
    r"(?:\d+|a|an|one|two|three|four|five|six|few|couple)\b"
    r"|still\s+(?!not\b)\w+|i do (?!not\b)\w+)"
)
TOLD_WORDS = 12
BARELY_SCORE = 60.0
"""A message telling how things stand ("its been 8 months now", "still awake at 3am every
night", "i do night shifts"): when the matcher cannot place it alone, it goes on from the
last answer, as who the person is does (:data:`SELF`). A topic the matcher gives either
alone below :data:`BARELY_SCORE` does not stand against the last answer."""
CURRENCY = re.compile(r"[£$€]")
"""A currency sign, which a message of symbols alone asks the price with ("££?")."""
REPORTED = re.compile(
    r"^(?:(?:well|so|but|and|ok|okay|yeah)\s+)*(?:my|the|a|his|her) (?:gp|doctor|dr|physio"
    r"|physiotherapist|consultant|nurse|specialist|surgeon|osteopath|chiropractor|midwife"
    r"|pharmacist) (?:said|says|told me|tells me|thinks|reckons)(?: that)?\s+"
)
"""Whose words a message reports ("my GP said massage is fine to try"): what follows is
read as a short question about the last answer would be ("massage is fine")."""
KIN = (
    r"(?:mum|mom|dad|mother|father|wife|husband|partner|friend|son|daughter|nan|gran|grandad"
    r"|brother|sister)"
)
"""Someone close, told of as "my ..."."""
FOR_KIN = re.compile(
    r"^(?:(?:ok|okay|so|but|then|oh|sorry)\s+)*(?:and\s+)?(?:(?:what|how) about\s+)?"
    r"(?:(?:it is|its|it s|this is|that is|thats|that s|i am|im|i m|i was|just)\s+)?"
    r"(?:asking\s+)?(?:for\s+)?"
    rf"(?:my|our) {KIN}\b"
)
"""The last question asked for someone else ("what about my mum, she's 80", "and my
husband, he's diabetic", "it's for my husband actually", "asking for my son")."""
THE_ONE = re.compile(
    r"^(?:(?:ok|okay|so|and|but|oh)\s+)*(?:is|was) (?:that|it|this) the (?:one|ones|thing)\b"
)
"""Whether the last answer is what the person knows ("is that the one with the ball")."""
THATS_ME = re.compile(
    r"\b(?:that is|thats|that s|sounds like|that sounds like|that ll be|that would be) me"
    r"(?: (?:then|every (?:day|night|time)|all over|to a t))?$"
)
"""A message that ends by finding the person in the last answer ("im a dentist, guess
that's me", "sounds like me"): however long what they told first, the answer stands."""
IS_THAT_WHY = re.compile(
    r"\b(?:(?:could|can|might|would) (?:it|that|this) be (?:it|that|why|the cause|the reason)"
    r"|is (?:that|this|it) (?:why|the cause|the reason|what caused it))$"
)
"""A closing question whether what the person told is the cause ("i cycle a lot, could
that be it")."""
CAUSE_TOPICS = frozenset({"sciatica_causes", "risk_factors"})
"""Topics that answer what causes the pain and who gets it."""
ELLIPSIS_OWN_SCORE = 85.0
"""What follows the lead of a bare ellipsis names a topic of its own when it matches one
this well alone ("yoga": the exercises; "weekends" matches the booking topic less well,
and after the opening hours asks about them)."""
SHARED_STEM = 4
SHARED_PREFIX = 6
"""Stems that begin with this many letters in common are one word's."""
_NAME_STOP_TEXT = "when who how what get help long other first find and of the a an to for vs"
NAME_STOP = frozenset(_NAME_STOP_TEXT.split())
"""Words of the topics' titles that name no topic on their own."""

INSTEAD = re.compile(r"\binstead\b|\brather than\b")
INSTEAD_KEYS = frozenset({"instead", "rather"})
"""A message naming what it wants in place of the last topic."""

LEAD = re.compile(r"^(?:(?:ok|okay|so|and|but|then|what about|how about)\b\s*)+")
"""Words that lead into a follow-up ("and what about massage instead")."""

SUBJECT_ONLY_WORDS = 3
"""A correction this short names only what it meant ("no, I meant the pain")."""

SLIP_OWNED = re.compile(
    r"\b(?:i )?(?:typed|wrote|put|pressed) (?:the |it )?wrong(?: thing| word| one| button)?\b"
    r"|\b(?:my )?typo\b|\bmy (?:bad|mistake)\b|\bautocorrect(?:ed)?(?: it)?\b"
)
"""A slip owned beside a correction ("sorry, I meant piriformis, typed the wrong thing"):
it names nothing meant."""

THE_OTHER = re.compile(r"^(?:the )?other(?: one)?\b\s*")
"""A correction's "the other one", which says only what :meth:`Dialogue._correction` knows:
not the topic it corrects ("no the other one, the syndrome")."""

NOT_PART = re.compile(r"\bnot (?:the |that |this |a |an )?\w+")
"""What a correction says it did not mean ("the syndrome not the muscle")."""

DENIAL = re.compile(
    r"\b(?:no|nope|nah|not|none)\b|\b(?:do not have|did not|none of|nothing like that|"
    r"not me|(?:just|only) (?:asking|curious|wondering)|hypothetical|"
    r"typed (?:that|it) wrong|was confused|"
    rf"i am fine|i am ok|was not me|not mine|my {KIN})\b"
)
"""Words that, right after the urgent answer, say "I don't have these symptoms"."""

DISOWNED = re.compile(
    r"\b(?:do not have|did not|none of|nothing like that|not me|was not me|not mine|"
    r"(?:just|only) (?:asking|curious|wondering)|hypothetical|typed (?:that|it) wrong|"
    rf"was confused|my {KIN})\b"
)
"""The words of :data:`DENIAL` that say the sign is not the writer's or was never meant
("that was my mum"), as opposed to a bare "no" or "not" (which a sign played down has too:
"not that bad")."""

PLAYED_DOWN = re.compile(
    r"\b(?:not (?:that |too |so |very |all that )?(?:bad|serious|severe)|"
    r"(?:probably|prob|prolly|likely|most likely) nothing|nothing serious|"
    r"(?:no|not a|not that) big deal|(?:it|its|it is) (?:fine|ok|okay) (?:really|honestly|tbh)|"
    r"that(?: is)? all it is)\b"
)
"""Words that play a sign down without denying it ("it's not that serious", "probably
nothing", "that's all it is"): right after the urgent answer, the sign still stands."""

RELUCTANT = re.compile(
    r"\b(?:do not|did not|cannot|can not|could not|will not|would not|am not|not|never)"
    r"(?: \w+){0,4}? (?:the |a |an |my )?(?:a e|a and e|hospital|casualty|emergency room"
    r"|emergency department|urgent care|doctors?|gp|ambulance|11|999|911)\b"
    r"|\b(?:do not|cannot|can not) (?:have|get|find|afford) (?:a |any )?(?:car|lift|ride|taxi"
    r"|transport)\b"
)
"""Words of not wanting or not being able to get care ("I don't want to go to A&E", "I'm not
calling an ambulance for this", "I don't have a car"): right after the urgent answer they
deny no sign, and the urgent answer stands."""

TAKEN_BACK = re.compile(
    r"\b(?:not (?:going|gonna) to do anything|will not do anything|would not do anything|"
    r"(?:i am|i am just|just) (?:tired|exhausted|fine|ok|okay)|do not worry|ignore (?:me|that|it)|"
    r"forget (?:it|that|i said|what i said)|did not mean (?:it|that))\b"
)
"""Words that take a crisis back or play it down ("I'm not going to do anything, I'm just
tired"): right after the crisis answer, with nothing asked, the crisis answer stands."""

FACETS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "heals",
        re.compile(
            r"\bhow long (?:will |does |would |could |might |until |till |before |for )?"
            r"(?:it|this|the pain|my pain|the sciatica|my sciatica|it all|things) (?:take to |to )?"
            r"(?:goes away|go away|goes|go|clears up|clear up|clears|clear|heals|heal|gets better"
            r"|get better|settles|settle|eases off|ease off|eases|ease|stops|stop|calms down"
            r"|calm down|passes|pass)\b"
        ),
    ),
    ("duration", re.compile(r"\bhow long\b")),
    ("soon", re.compile(r"\bhow (?:soon|quickly)\b")),
    (
        "lasting",
        re.compile(
            r"\b(?:is|will|would|can|could|does|do) (?:it|this|that|they|the pain|the results"
            r"|the effects|the fix) (?:be |last |stay )?(?:permanent|permanently|forever"
            r"|for life|lifelong)\b"
            r"|\b(?:will|would|can|could|does|do|might) (?:it|this|that|they|the pain"
            r"|the results|the effects) (?:ever )?(?:come back|return|recur)\b"
            r"|\bwill i (?:have|be stuck with) (?:it|this|that) (?:forever|for life|permanently)\b"
            r"|\b(?:can|will|does|would|could) (?:it|this|that|the nerve) (?:ever )?(?:heal"
            r"|recover|fully heal|fully recover)\b"
        ),
    ),
    (
        "price",
        re.compile(
            r"\bhow much\b|\b(?:price|prices|cost|costs|charge|charged|charges|charging|fee|fees)\b"
            r"|\b(?:pay|paying|payment)\b"
        ),
    ),
    (
        "place",
        re.compile(
            r"\bwhere\b|\bnear (?:me|here|by|us|where i live)\b|\bnearby\b"
            r"|\bclose (?:to me|to here|by)\b|\blocal to me\b"
        ),
    ),
    ("instead", re.compile(r"\binstead\b|\balternatives?\b")),
    (
        "fails",
        re.compile(
            r"\b(?:does|do|did) not (?:work|help|go away|get better|improve)\b"
            # the verb left out, the last question's ("and if it doesn't?", "what if not?")
            r"|\bif (?:it|they|that|this|them|those) (?:does|do|did|will|would) not$"
            r"|\bif not$"
        ),
    ),
    ("kind", re.compile(r"\b(?:what|which) (?:kind|type|sort)\b")),
    (
        "todo",
        re.compile(
            r"\bwhat (?:can|should|do) (?:i|he|she|they|we) do\b"
            r"|\bwhat now\b|\bnext steps?\b|\bwhere do i go from here\b"
        ),
    ),
    (
        "treat",
        re.compile(
            r"\bget rid of\b|\btreat(?:ment|ments|ed|ing)?\b"
            r"|\bwhat (?:helps|works|will help|would help)\b"
            r"|\bspeed (?:it |that |this |things |the healing |the recovery |recovery "
            r"|healing )?up\b"
            r"|\b(?:the|a|any|best|a quick) (?:fix|cure|remedy|remedies|cures)\b"
            r"|\b(?:best|good|anything|something|the thing|things)(?: thing| things| stuff"
            r"| treatment| option| way)? for (?:it|this|that|them)$"
            r"|\b(?:heal|recover|get better|go away|clear up) (?:faster|quicker|sooner)\b"
            r"|\bcan (?:you|they|massage|a therapist) (?:massage|help|fix|treat)\b"
            r"|\bhow (?:(?:do|does|would|will|can|could|should) (?:you|they|one|someone|i|we"
            r"|a therapist|a massage therapist|massage) |to )"
            r"(?:massage|fix|treat|work on|release|loosen|relax|ease|sort)\b"
        ),
    ),
    (
        "which",
        re.compile(
            r"\bwhich (?:one|is it)\b|\btell (?:them |the two )?apart\b"
            r"|\bwhich (?:one |of (?:them|the two) )?(?:do i have|have i got|i have|i ve got"
            r"|is mine|is it likely)\b"
            r"|\bhow (?:do|can|would|will) (?:i|you|we|they) (?:know|tell) (?:if|whether)\b"
            r"|\bhow (?:do|can|would|will) (?:i|you|we|they) (?:know|tell) for sure\b"
            r"|\bwhich (?:is|one is|of them is|of the two is) (?:more|most|less|least)"
            r" (?:common|likely|serious|painful|usual)\b"
            r"|\b(?:can|could|would|will|do|does) (?:you|they|someone|anyone"
            r"|(?:a |an |the |my )?(?:massage )?(?:therapist|doctor|gp|physio|physiotherapist"
            r"|specialist|osteopath|chiropractor|scan|mri|x ray|xray)) (?:tell|know|say)"
            r"(?: (?:which|if|whether|for sure|the difference))?$"
            r"|\b(?:is|could|might) (?:that|it|this) (?:be )?what i (?:have|got|ve got)\b"
            r"|\b(?:do|could|might) i have (?:it|that|this|that one|this one)$"
        ),
    ),
    (
        "safe",
        re.compile(
            r"\b(?:is|it|that|this) (?:safe|ok|okay|fine) for me\b"
            r"|\b(?:is|it|its|that|this|they|they are|one|these|those) (?:safe|fine)\b"
        ),
    ),
    (
        "whom",
        re.compile(
            r"\bwho (?:should|do|can|could) i (?:see|go to|ask|call|ring|phone|contact"
            r"|speak to|talk to)\b"
            r"|\bwho (?:can|could|should|would) (?:check|look at|examine|diagnose)\b"
        ),
    ),
    (
        "sessions",
        re.compile(
            r"(?:^|\b(?:i|we|to) )(?:keep|carry on|continue|go on) (?:coming back|coming in|coming"
            r"|booking in|booking"
            r"|having sessions|having massages|with the sessions|with the massages)\b"
            r"(?: (?:in |back )?(?:once|twice|every|each) (?:a |per )?(?:week|month|fortnight"
            r"|few weeks|couple of weeks))?"
            r"|\bhow (?:often|regularly|frequently) (?:should|do|would|must|will|can) (?:i|we)"
            r" (?:come back|come in|come|book in|book|visit)\b"
        ),
    ),
    (
        "often",
        re.compile(
            r"\bhow (?:often|many times|frequently|regularly)\b"
            r"|\bhow many (?:reps|repetitions|sets|rounds|a day|per day|each day|a week)\b"
            r"|\bhow (?:far apart|much time between|long between|spaced out)\b"
        ),
    ),
    (
        "effects",
        re.compile(
            r"\bside effects?\b|\b(?:any )?(?:risks|downsides)\b"
            r"|\b(?:will|would|could|might) i (?:feel|be) (?:worse|sore|achy|bruised)\b"
            r"|\b(?:will|would|could|does|can) (?:it|that|this) (?:make (?:me|it|things) )?"
            r"(?:worse|sore)\b"
            # soreness after it, in other words ("is it normal to feel sore the next day")
            r"|\b(?:(?:normal|ok|okay|usual|common|fine) (?:to|if i) (?:feel |be |am |get )?"
            r"(?:sore|achy|stiff|tender|bruised|worse)"
            r"|(?:will|would|could|might) i (?:ache|be stiff|be tender|feel stiff|feel tender))"
            r"(?: (?:after|afterwards|after them|after it|the next day|the day after))?\b"
        ),
    ),
    ("normal", re.compile(r"\b(?:is|it|that|this) (?:normal|usual|common|typical)\b")),
    (
        "provider",
        re.compile(
            r"\bwho (?:does|do|offers|provides|can do)\b"
            r"|\bwho (?:orders|order|prescribes|prescribe|does|gives|give|refers|refer"
            r"|arranges|arrange|decides|checks|can order|can give|can prescribe|should do"
            r"|would do)(?: me)? (?:it|that|this|them|those|one)$"
            r"|\b(?:qualifications|qualified|training|trained|certified|accredited|registered)\b"
        ),
    ),
    (
        "offer",
        re.compile(
            r"\b(?:do|can|could) you (?:do|offer|provide|give)\b"
            r"|\bdo you have (?:someone|somebody|anyone|anybody|a therapist|therapists)\b"
        ),
    ),
    ("signs", re.compile(r"\b(?:signs|warning|look (?:out )?for|watch (?:out )?for)\b")),
    (
        "cause",
        re.compile(
            r"\bwhat (?:else )?(?:could|might|would|can) (?:it|this|that) be\b"
            r"|\bwhat (?:is |s )?caus(?:es|ing) (?:it|this|that)\b"
            r"|\b(?:how|why) (?:does|do|did|would|can) (?:it|that|this|they) (?:even )?"
            r"(?:happen|start|occur|come on|develop|get tight)\b"
            r"|\bwhy (?:do|did|would) i (?:get|have|develop) (?:it|this|that)\b"
            # in other words: what brings it on, sets it off, makes it come; how the muscle
            # just described gives someone sciatica
            r"|\bwhat (?:is |s )?(?:brings|bring|brought|sets|set|triggers|trigger|triggered)"
            r" (?:it|this|that|the pain|this pain)(?: on| off)?$"
            r"|\bwhat (?:is |s )?(?:makes|make|made) (?:it|this|that|the pain|this pain)"
            r" (?:come|come on|start|happen|flare|flare up)$"
            r"|\bhow (?:does|do|did|would|can|could) (?:it|that|this|they) (?:cause|give (?:you"
            r"|me|people|someone)|lead to|bring on|trigger) (?:sciatica|the sciatica|the pain"
            r"|pain)\b"
        ),
    ),
    (
        "risk",
        re.compile(
            r"\bwho (?:gets|get|can get|is likely to get|is at risk)\b"
            r"|\b(?:can|do|does|could) (?:kids|children|teenagers|teens|young people|women"
            r"|men|anyone|everyone|older people|runners|athletes|people|i|you) (?:get|develop)"
            r" (?:it|this|that|them)(?: too| as well| also)?$"
            r"|\b(?:am i|are they|is he|is she|are you) (?:more )?(?:at risk|likely to get)\b"
            r"|\bis (?:it|this|that) (?:hereditary|genetic|inherited)\b"
        ),
    ),
    (
        "compare",
        re.compile(
            r"\b(?:is|are) (?:it|that|this|they|those) (?:the same|different)\b"
            r"|\bhow (?:is|does) (?:it|that|this) (?:differ|compare)\b"
            r"|\b(?:is|are) (?:it|that|this|they|those) (?:any )?(?:worse|more serious"
            r"|less serious|more painful|as bad|as serious)\b"
        ),
    ),
    (
        "condition",
        re.compile(r"^(?:(?:and|so|but|ok|okay) )*(?:what|how about) if\b"),
    ),
    (
        "meaning",
        re.compile(
            r"\bwhat (?:does|do|did) (?:that|it|this|those|these|you|u) (?:all )?mean\b"
            r"|\bwhat do (?:you|u) mean\b|\bis (?:it|that|this) (?:bad|dangerous)\b"
        ),
    ),
    (
        "better",
        re.compile(
            r"\b(?:better|worse|more effective|safer|quicker|faster) than\b"
            r"|\bwhich (?:is|one is|works) (?:better|best)\b"
            r"|\b(?:is|would|will) (?:it|that|this|massage|stretching|they) (?:be )?(?:better"
            r"|more effective|quicker|faster)$"
        ),
    ),
    ("diagnose", re.compile(r"\b(?:diagnose|diagnosed|diagnosis|diagnosing|tested for)\b")),
    (
        "worth",
        re.compile(
            r"\bworth (?:it|the money|a try|trying|doing|a go|paying)\b"
            r"|\bshould i (?:bother |even bother |really |still )?(?:get|getting|have|having"
            r"|try|trying|bother with) (?:one|it|that|this|them)\b"
            r"|\bdo i (?:really |even |actually )?need (?:one|it|that|this|them)\b"
        ),
    ),
)
"""How each kind of short question about the previous topic is worded ("how long?", "how
much?", "where?"). What each kind asks for after each topic is content: ``asks:`` in
``responses/follow_ups.yml``."""

NOT_THE_FACET = {
    "price": re.compile(
        r"\bhow much (?:does|do|will|would|can|could|should|did) (?:it|that|this|they|i|you"
        r"|massage|the massage|the pain|stretching) (?!cost|costs|charge|be\b|set\b)\w+"
        r"|\bhow much (?:notice|warning|time|sleep|rest|exercise|walking|sitting|pressure"
        r"|difference)\b"
    )
}
"""Wordings a facet's pattern finds that ask something else: "how much" with a verb of its
own ("how much does it hurt", "how much will it help") asks how much, not the price, as
does "how much" of something not paid ("how much notice do you need")."""

_FACET_FILLER_TEXT = (
    "and so ok okay then is it that this does do will take to get better until works work "
    "for each time long how soon much where exactly a an the i can need usually normally "
    "what are they them of its on be last about instead if help not did could else signs "
    "warning look out watch kind type sort which should rid he she treat you with would "
    "massage therapist see go ask tell have got one really safe for me worse worst better best "
    "more most common likely serious till notice difference results there anything "
    "other bad good main anyway anyways btw though tho again exactly please pls make"
)
FACET_FILLER = frozenset(_FACET_FILLER_TEXT.split())
"""Words a short question about the previous topic may have besides its facet."""

WORK_NOUN = re.compile(r"\b(?:at|to|for|from|off|after|before) work\b")
"""Work the place ("what can I do about it at work"), which names a topic, unlike work the
verb ("until it works", a filler word of a short question)."""

EXCEPT = re.compile(r"\b(?:without|except|excluding|not including) (?:the |a |an |my )?\w+")
"""What a short question leaves out, which names no topic it asks about."""
EXCEPT_KEYS = frozenset({"without", "except", "excluding", "not"})
"""Words one of which all that :data:`EXCEPT` finds has: a plain message without any is
not searched."""

OPEN_FACETS = frozenset({"condition", "compare", "meaning", "worth", "better"})
"""Facets whose question goes on in words of its own ("what if I have a disc bulge"): read
with the last topic unless the message clearly names a topic of its own."""
NAMES_THE_OTHER = frozenset({"compare", "meaning"})
"""Open facets whose own words name another topic by design ("is that the same as
sciatica?" after piriformis syndrome compares the two; "what does that mean?" after the
urgent answer asks about it, whatever else it names)."""

OBJECT_FACETS = frozenset({"offer"})
"""Facets whose other words are what is asked about ("do you do X"): when no topic's
examples use those words, the question is not about the last topic."""

FACET_WORDS = 9
"""A short question about the last topic has at most this many words."""

ANY_FACET = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in FACETS))
"""Any of :data:`FACETS` at all: one scan tells most messages they ask none."""

_FACET_KEYS_TEXT = {
    "heals": "long",
    "duration": "long",
    "soon": "soon quickly",
    "lasting": "permanent permanently forever life lifelong back return recur heal recover",
    "price": "much price prices cost costs charge charged charges charging fee fees pay paying "
    "payment",
    "place": "where near nearby close local",
    "instead": "instead not alternative alternatives",
    "fails": "not",
    "kind": "kind type sort",
    "todo": "do now next here",
    "treat": "rid treat treatment treatments treated treating helps works help can "
    "massage fix work release loosen relax ease sort speed faster quicker sooner for cure "
    "remedy remedies cures",
    "which": "which apart if whether tell know say what have sure more most less least",
    "safe": "me safe fine",
    "whom": "who",
    "sessions": "keep carry continue go often regularly frequently",
    "often": "often times frequently regularly many far time between spaced",
    "normal": "normal usual common typical",
    "provider": "who qualifications qualified training trained certified accredited registered",
    "offer": "you",
    "signs": "signs warning look watch",
    "cause": "be causes causing happen start occur come develop get have brings bring brought "
    "sets set triggers trigger triggered flare cause give lead",
    "risk": "who get develop risk likely hereditary genetic inherited",
    "compare": "same different differ compare worse serious painful bad",
    "condition": "if",
    "meaning": "mean bad dangerous",
    "effects": "side risks downsides worse sore achy bruised ache stiff tender",
    "better": "better worse effective safer quicker faster best",
    "diagnose": "diagnose diagnosed diagnosis diagnosing tested",
    "worth": "worth should need",
}
FACET_KEYS = {name: frozenset(words.split()) for name, words in _FACET_KEYS_TEXT.items()}
"""For each of :data:`FACETS`, words one of which every wording it matches holds: a message
without any of them (its words parted by spaces only) is not searched for it."""

_FACET_NEEDS_TEXT = {
    "lasting": "permanent permanently forever life lifelong & it this that they pain results "
    "effects fix; back return recur & it this that they pain results effects; heal recover & it "
    "this that nerve",
    "todo": "now next here; what & do",
    "treat": "rid treat treatment treatments treated treating helps works help "
    "speed fix cure remedy remedies cures faster quicker sooner; for & it this that "
    "them; can & massage help fix treat; how & massage fix treat work release loosen relax ease "
    "sort",
    "which": "which apart tell know say have; what & got",
    "cause": "causes causing; what & be; how why & happen start occur come develop get; "
    "why & have; what & brings bring brought sets set triggers trigger triggered; "
    "what & makes make made & come start happen flare; how & cause give lead bring trigger",
    "risk": "who risk likely hereditary genetic inherited; get develop & it this that them",
}
FACET_NEEDS = {
    name: tuple(
        tuple(frozenset(part.split()) for part in need.split("&")) for need in text.split(";")
    )
    for name, text in _FACET_NEEDS_TEXT.items()
}
"""For some of :data:`FACETS` with common keys, finer than :data:`FACET_KEYS`: ways of
wording, one of which every wording it matches holds, each a few sets of words each of
which shares a word with it ("can" and one of "massage help fix treat" for "can massage
help"): a plain message holding none is not searched for the facet."""

FACETS_OF_KEY: dict[str, tuple[int, ...]] = {
    key: tuple(k for k, (name, _) in enumerate(FACETS) if key in FACET_KEYS[name])
    for key in set().union(*FACET_KEYS.values())
}
"""For each word of :data:`FACET_KEYS`, the positions in :data:`FACETS` of the facets it is a
key of: a message's keys name the only facets it may ask, found in a few look-ups."""

FacetsFound = tuple[str, list[tuple[str, re.Pattern[str]]]]
"""A short message without what it leaves out, and the facets it asks (:func:`_facets_in`)."""

assert {name for name, _ in FACETS} == set(ASK_KINDS) == set(FACET_KEYS) >= set(FACET_NEEDS)

FACET_NEEDS_AT = tuple(FACET_NEEDS.get(name) for name, _ in FACETS)
""":data:`FACET_NEEDS` by position in :data:`FACETS` (None for a facet its keys tell)."""


def _facet_masks() -> tuple[dict[str, int], int, tuple[tuple[int, ...] | None, ...]]:
    """:data:`FACET_KEYS` and :data:`FACET_NEEDS` as bits, for :func:`_facets_to_try`."""
    by_word: dict[str, int] = {}
    for key, places in FACETS_OF_KEY.items():
        for k in places:
            by_word[key] = by_word.get(key, 0) | 1 << k
    bit = len(FACETS)  # the bits after the facets': one for each part of each need
    needs_at: list[tuple[int, ...] | None] = []
    for needs in FACET_NEEDS_AT:
        if needs is None:
            needs_at.append(None)
            continue
        masks: list[int] = []
        for need in needs:
            mask = 0
            for part in need:
                for word in part:
                    by_word[word] = by_word.get(word, 0) | 1 << bit
                mask |= 1 << bit
                bit += 1
            masks.append(mask)
        needs_at.append(tuple(masks))
    return by_word, (1 << len(FACETS)) - 1, tuple(needs_at)


FACET_BITS, FACETS_MASK, FACET_NEED_BITS = _facet_masks()
"""For each word of :data:`FACET_KEYS` or :data:`FACET_NEEDS`, a bit for each facet it is a
key of and for each part of a need it is in; the bits of the facets; and by position in
:data:`FACETS`, each need as the bits of its parts (None for a facet its keys tell)."""


def _facets_to_try(words: list[str]) -> list[int]:
    """The positions in :data:`FACETS` of the facets plain words may ask, in order: those
    with a key among the words and, when they have :data:`FACET_NEEDS`, one of them held
    (:func:`_may_ask`), told from the words' bits in one pass."""
    got = 0
    for word in words:
        got |= FACET_BITS.get(word, 0)
    at = got & FACETS_MASK
    places: list[int] = []
    while at:
        low = at & -at
        at ^= low
        k = low.bit_length() - 1
        needs = FACET_NEED_BITS[k]
        if needs is None:
            places.append(k)
            continue
        for need in needs:
            if got & need == need:
                places.append(k)
                break
    return places


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
    (re.compile(r"\b(?:tht|thta|taht|tha t)\b", re.IGNORECASE), "that"),
    (re.compile(r"\b(?:wht|whta)\b", re.IGNORECASE), "what"),
)
"""Real words typed for another ("how long dose it last"): the word meant, where the words
around it leave no doubt."""

FOR_SOME = {
    "pregnancy": re.compile(
        r"pregnan|\bbaby\b|\bbabies\b|\bexpecting\b|trimester|\bbump\b|\bmidwife\b"
        r"|\bmaternity\b|\bweeks along\b|\b(?:i am|im|i m|she is|shes|she s|she) \d+ weeks\b"
        r"|\b(?:the )?birth\b|\bpost ?natal\b|\bpostpartum\b|\bbreast ?feed"
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

FRAMES = (
    re.compile(r"\bhow (?:often|regularly|frequently)\b|\bhow many (?:sessions|times)\b"),
    re.compile(
        r"\b(?:tell|know|distinguish) (?:\w+ ){1,3}?(?:from|apart)\b|\bdifference between\b"
    ),
)
"""Question frames whose answer lies in one topic ("how often should I come?", "how do you
tell one from the other?"): among the close candidates, the topic whose examples ask the same
way is meant."""

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

OPTION_WORDS = 6
OPTION_MARK = frozenset({"one", "ones", "option", "bit", "thing"})
"""Words that pick an option of a "Did you mean" by what it is ("the massage one")."""
_OPTION_FILLER_TEXT = (
    "the one ones option bit thing that this please pls i meant mean no yes ok sorry oh about"
)
OPTION_FILLER = frozenset(_OPTION_FILLER_TEXT.split())

EMPHATIC = frozenset({"itself", "themselves", "actual", "actually", "just", "proper", "real"})
"""Words that stress what a correction names ("the muscle itself", "the actual session")
and name nothing more."""

ORDINALS = {"first": 0, "1": 0, "1st": 0, "second": 1, "2": 1, "2nd": 1, "third": 2, "3": 2}

DEFAULT_CRISIS_LINE = (
    "a crisis line in your country (your doctor or emergency number can give you one)"
)
"""What the crisis answer names when ``CRISIS_LINE`` is not set."""

SESSION_REFERENT = "massage_for_sciatica"
"""What "it" is after one of the clinic's facts when a question is about the treatment: the
massage the clinic gives."""

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
        self._back_button: Button | None = None  # made when first needed
        self._as_above_texts = {
            response.title: self._messages["as_above"].format(title=response.title)
            for response in content.responses.values()
        }
        """The pointer to an answer just given (:meth:`_as_above`), by the answer's title."""
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
        self._contexts: dict[str, ContextPool] = {
            topic: self.matcher.context(
                name
                for name in (topic, *response.follow_ups)
                if name != RED_FLAGS and name not in SMALL_TALK
            )
            for topic, response in content.responses.items()
        }
        """For each topic, it and the topics it points to, indexed for
        :meth:`Matcher.clear_best`: what a message read after it is compared with, besides
        its own candidates (small talk and the red flags are never read into a topic)."""
        self._word_names: dict[str, bool] = {}
        """For each word of the examples, whether it names a topic on its own (see
        :meth:`_names_a_topic`): what a short question leaves besides its facet is most often
        one such word ("how soon after?"), read here once rather than for every message."""
        self._word_decision: dict[str, Decision] = {}
        """For each word of :attr:`_word_names`, how the matcher reads it alone."""
        self._word_topic: dict[str, str] = {}
        """For each word of :attr:`_word_names` that names one topic outright, that topic."""
        self._facet_default = {
            facet: rule.ask
            for facet, rules in content.asks.items()
            for rule in reversed(rules)
            if ASK_ANY in rule.after and rule.ask != ASK_SAME
        }
        """For each facet, the topic it asks after any topic (``after: any``), if one."""
        self._terms_name: dict[tuple[Term, ...], bool] = {}
        """The same by the words' terms, for words that the matcher reads by their terms
        alone (below): other words with those terms ("in pregnancy") name a topic or not
        as they do."""
        self._topics = tuple(n for n in content.intents if n not in (RED_FLAGS, *SMALL_TALK))
        self._name_stems = frozenset(
            term.stem
            for name in self._topics
            if name in content.responses
            for word in f"{normalise(content.responses[name].title)} {_subject(name)}".split()
            if word not in NAME_STOP
            for term in self.matcher.analyzer.terms(word)
        )
        """The stems of the words the topics are called by (their titles and names): a
        word among them names a topic ("and the symptoms?"), any other word only what the
        last question is asked about ("and weekends?")."""
        self._name_starts = frozenset(
            name[:k] for name in self._name_stems for k in range(SHARED_STEM, len(name) + 1)
        )
        """The beginnings of :attr:`_name_stems` at least :data:`SHARED_STEM` long."""
        """The intents the matcher may answer that name a topic (not small talk)."""
        self._small_talk = tuple(name for name in content.intents if name in SMALL_TALK)
        self._intents = tuple(n for n in content.intents if n != RED_FLAGS)
        """The intents the matcher may answer (the red flags are the safety screen's)."""
        """The small-talk intents the content has."""
        texts = {said for _, said in examples}
        clashes: set[tuple[Term, ...]] = set()
        for word in sorted({w for _, said in examples for w in said.split()} - FACET_FILLER):
            decision = self.matcher.decide(word)
            self._word_names[word] = named = _names(decision)
            self._word_decision[word] = decision
            if decision.kind == "intent" and decision.intent is not None:
                self._word_topic[word] = decision.intent
            # a "Did you mean" may turn to an example said word for word: that reading is of
            # the text, not of its terms alone
            reading = read(word)
            if decision.kind == "did_you_mean" or word in texts or reading.story:
                continue
            key = tuple(self.matcher.analyzer.terms(reading.whole))
            if self._terms_name.setdefault(key, named) != named:
                clashes.add(key)
        for key in clashes:
            del self._terms_name[key]
        self._topic_pool = self.matcher.context(self._topics)
        self._intent_pool = self.matcher.context(self._intents)
        self._small_talk_pool = self.matcher.context(self._small_talk)
        """The topics, all the intents the matcher may answer and small talk, indexed for
        :meth:`Matcher.best_in`: a few words are read against them all."""
        self._answers = {intent: self._answer_parts(intent, False) for intent in content.responses}
        """Each topic's answer (its text, cut to a phone screen, and buttons), written at
        start: the same for every message."""

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
        crisis_before = state.last_kind == "crisis"
        if crisis_before:
            state = _forget_kind(state)
        if payload is not None:
            return self._press(state, payload)
        if text is None or not text.strip():
            return self._note("empty"), state
        text = _mended(text)
        said = normalise(text)
        if crisis_before and _taken_back(said, text):
            # "I'm not going to do anything, I'm just tired": taking a crisis back is no
            # reason to stop offering help
            return self.crisis(), dataclasses.replace(state, last_kind="crisis")
        nav = _navigation(said)
        target: str | None = None
        if nav is None:
            found = self._navigation_core(state, said)
            # other words beside the core may tell of an urgent sign: the screen reads first
            if found is not None and self.screen.assess(text).outcome not in (
                Outcome.CRISIS,
                Outcome.URGENT,
            ):
                nav, target = found
        if nav == "menu":
            return self.menu(), _forget_kind(state)
        if target is not None:
            if state.history and target == state.history[-1]:
                return self._back(state)
            return self._moved(state, self.answer(target))
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
            return self.crisis(), dataclasses.replace(state, last_kind="crisis", offered=())
        if assessment.outcome == Outcome.URGENT or (
            # a sign played down, or care refused, right after the urgent answer still
            # stands; one told denied or over in the same message is corrected
            state.last_kind == "urgent"
            and assessment.outcome is None
            and (_played_down(said, text) or _reluctant(said, text))
        ):
            return self.urgent(), dataclasses.replace(state, last_kind="urgent", offered=())
        if assessment.outcome == Outcome.ASKING:
            reply = self.answer(WHEN_TO_GET_HELP)
            return self._moved(state, self._screened(reply, assessment))
        if not said:  # emoji, punctuation, symbols
            if CURRENCY.search(text):  # "££?": how much, a short question of price
                price = self._facet_intent("price", state)
                if price in self.content.responses:
                    assert price is not None
                    return self._moved(state, self.answer(price))
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
            return self._with_menu("not_urgent", kind=ReplyKind.MENU), _cleared(state)
        told = state
        if assessment.outcome in (Outcome.PAST, Outcome.OTHER_HISTORY) and not state.last_kind:
            # "my husband had cauda equina once, what should we watch for": the history is
            # what a short question in the same message leans on
            told = dataclasses.replace(state, last_kind="history")
        reply = self._in_context(told, said, text, split)
        reply = self._by_class(reply, said, state)
        if (
            reply.kind == "fallback"
            and state.last_kind == "urgent"
            and WHEN_TO_GET_HELP in self.content.responses
        ):
            # "it's been like that for ages": whatever is not understood right after the
            # urgent answer is about it, and is answered with when to get help
            reply = self.answer(WHEN_TO_GET_HELP)
        if reply.kind in ("fallback", "did_you_mean"):
            reply = self._unsure(reply, state, said)
        reply, new_state = self._moved(state, self._screened(reply, assessment))
        if assessment.outcome in (Outcome.PAST, Outcome.OTHER_HISTORY):
            new_state = dataclasses.replace(new_state, last_kind="history")
        return reply, new_state

    def _facet_core(
        self,
        said: str,
        state: ChatState,
        urgent: str | None,
        found: FacetsFound,
    ) -> str | None:
        """The facet of a short question about the last topic said with other words
        ("for how long tho", "how long do the effects last"): the other words are accepted
        unless they name a topic of their own. A facet that asks for no topic after the
        last answer (:meth:`_facet_intent`) is not looked for, so the other words are read
        only when they could decide something. ``found``: :func:`_facets_in` of
        ``said``."""
        said, facets = found
        for name, pattern in facets:
            if name in OPEN_FACETS:
                continue
            if self._facet_intent(name, state, urgent) not in self.content.responses:
                return None
            rest = WORK_NOUN.sub(" job ", pattern.sub(" ", said))
            left = " ".join(w for w in rest.split() if w not in FACET_FILLER)
            named = self._word_names.get(left)
            sure: list[str] = []  # the best topic of the words, when found on the way
            if named is None:
                if name in OBJECT_FACETS and not any(w in self._word_names for w in left.split()):
                    # an object no topic's examples name ("do you do reflexology"): the
                    # question is about something else, read on its own words
                    return None
                named = self._leftover_names(left, sure)
            if named and not self._names_the_asked(left, name, state, urgent, sure):
                return None  # the other words name a topic (or two) of their own
            return name
        return None

    def _names_the_asked(
        self,
        words: str,
        facet: str,
        state: ChatState,
        urgent: str | None,
        sure: Sequence[str] = (),
    ) -> bool:
        """True when the words a short question leaves besides its facet name only the
        topic it is asked about or the topic it asks for ("how long till I can sleep
        again" after sleeping positions, "how long before I stop" after driving, whose
        words read alone as how long it lasts): they restate the question, not a topic of
        its own. ``sure``: the topic :meth:`_surely_names` found best for the words, when
        it did (the same best topic, not looked for again)."""
        topic = self._word_topic.get(words)
        if topic is None and sure:
            topic = sure[0]
        if topic is None:  # the topic that matches them best (scoring a few, not all)
            best = self.matcher.best_in(self.matcher.query(words), self._topic_pool, limit=1)
            if not best:
                return False
            topic = best[0][0]
        asked = (
            state.last_intent,
            self._facet_intent(facet, state, urgent),
            self._facet_default.get(facet),
        )
        return topic in asked

    def _names_a_topic(self, words: str) -> bool:
        """Whether normalised ``words`` read alone name a topic (or two) other than small
        talk."""
        return _names(self.matcher.decide(words))

    def _leftover_names(self, words: str, sure: list[str] | None = None) -> bool:
        """:meth:`_names_a_topic` of the words a short question leaves, read from their
        terms when that tells: a one-sentence message is decided by its terms (and, for a
        "Did you mean", its text); words without a term any topic knows name none, and
        words with the terms of an example's word (:attr:`_terms_name`) name what it
        names. ``sure``: given, receives the best topic when :meth:`_surely_names` tells."""
        terms = tuple(self.matcher.analyzer.terms(words))
        known = any(t.confidence > 0 and t.stem in self.matcher.idf for t in terms)
        named = self._terms_name.get(terms) if known else False
        if named is None:
            if self._surely_names(words, terms, sure):
                return True
            return self._names_a_topic(words)
        reading = read(words)  # the words the matcher reads: these, as one sentence?
        if reading.story or reading.whole != words or self.matcher.asks_remedy(words):
            return self._names_a_topic(words)  # a plea ("any advice") is read by its text
        return named  # no known term: the matcher finds no candidate, the fallback

    def _surely_names(
        self, words: str, terms: tuple[Term, ...], sure: list[str] | None = None
    ) -> bool:
        """True when ``words`` (normalised, with these terms) surely name a topic, told from
        the best topic alone rather than a full reading: read as one sentence, their best
        topic clears the threshold and no small talk comes within the margin of it, so the
        matcher answers a topic or asks "Did you mean" between topics. False when that is
        not sure (the words are then read in full). ``sure``: given, receives the best topic
        when True (it is the best of all topics, as :meth:`_names_the_asked` looks for)."""
        reading = read(words)
        if reading.story or reading.whole != words:
            return False
        matcher = self.matcher
        query = matcher._query_of(terms)
        # the best topic's exact score, if it clears the threshold (none below is scored)
        best = matcher.best_in(query, self._topic_pool, limit=1, floor=matcher.threshold)
        if not best:
            return False
        # small talk near it (or above) could be what the matcher answers: not sure then
        near = best[0][1] - matcher.margin - 0.1  # scores are rounded to 0.1
        small_talk = self._small_talk_pool
        if any(term in small_talk.by_term for term in query) and matcher.best_in(
            query, small_talk, limit=1, floor=near
        ):  # (small talk knowing none of the words scores nothing)
            return False
        if sure is not None:
            sure.append(best[0][0])
        return True

    def _navigation_core(self, state: ChatState, said: str) -> tuple[str, str | None] | None:
        """Back or "more" in a message that says more than that ("oops wrong button, take
        me back", "ok cool tell me a bit more pls"): the core is found, and the other words
        are accepted unless they ask a question or name a topic of their own. "Back to the
        piriformis thing" goes to the topic it names when the chat has been there.

        Returns:
            ``("back" | "more", the topic to go to or None)``, or None when the message is
            not navigation.
        """
        words = said.split()
        if not words or len(words) > NAV_CORE_WORDS:
            return None
        if BACK_CORE.search(said):
            kind, rest = "back", BACK_CORE.sub(" ", said)
        elif MORE_MARKS.search(said) and _facet(ACK.sub("", said)) is None:
            kind, rest = "more", MORE_MARKS.sub(" ", said)
        else:
            return None
        left = " ".join(w for w in rest.split() if w not in NAV_FILLER)
        if not left:
            return kind, None
        if NAV_QUESTION.search(left):
            return None
        decision = self.matcher.decide(left)
        if kind == "back":
            named = set(decision.options) if decision.kind == "did_you_mean" else set()
            if decision.kind == "intent" and decision.intent is not None:
                named.add(decision.intent)
            been = (*state.history, state.last_intent) if self._undoable(state) else state.history
            for intent in reversed(been):
                if intent is not None and intent in named:
                    return kind, intent
        if decision.kind == "intent" and decision.intent not in SMALL_TALK:
            return None  # the other words name a topic of their own
        return kind, None

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
            return self._with_menu("not_urgent", kind=ReplyKind.MENU), _cleared(state)
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
        back = self._back_button
        if back is None:
            back = self._back_button = Button(self._messages["back_label"], BACK)
        buttons = reply.buttons
        at = len(buttons) - 1 if buttons and buttons[-1].payload == MENU else len(buttons)
        return _with_buttons(reply, (*buttons[:at], back, *buttons[at:]))

    def _in_context(self, state: ChatState, said: str, text: str, split: list[Sentence]) -> Reply:
        """The reply to a message read with the chat's last answer in mind.

        A message that names its own topic is read as before. One that leans on the last
        answer is read with it: an acknowledgement gets "you're welcome", "no, I meant ..."
        is read without the topic it corrects, a short question ("how long?", "how much?",
        "where?") is asked about the last topic, and a pronoun or "and ..." brings the last
        topic's words in.
        """
        after = RED_FLAGS if state.last_kind == "urgent" else None
        if state.last_kind in ("urgent", "cleared"):
            # "what does that mean?" after the urgent answer, "so what helps it?" after
            # denying its signs with no topic before: the urgent topic is the referent
            state = ChatState(last_intent=WHEN_TO_GET_HELP, history=state.history)
        last = state.last_intent
        # the words of plain text, which tell what some patterns find without a search
        words = said.split() if PLAIN.fullmatch(said) else None
        ack = ACK.match(said)
        # the message without its acknowledgement, found once (ACK only matches at the start)
        unacked = ACK.sub("", said) if ack else said
        if _thanks_for_all(said, text, split):
            # "sorted, cheers", "will ask my gp, thanks", a story opened by thanks that asks
            # nothing: thanks (or goodbye), not a topic some of its words name
            alone = self.matcher.decide(text, split)
            if alone.kind == "intent" and alone.intent in ("goodbye", "thanks"):
                return self.reply_for(alone)
            if ack or not _names_its_own(alone):
                return self.answer("thanks")
        if _takes_leave(said, text, split) and "goodbye" in self.content.responses:
            # "gotta go, the baby is crying, bye": leave taken, not the errand's topic
            alone = self.matcher.decide(text, split)
            if alone.kind == "intent" and alone.intent in ("goodbye", "thanks"):
                return self.reply_for(alone)
            return self.reply_for(alone) if _names_its_own(alone) else self.answer("goodbye")
        if ack and _is_acknowledgement(said, text):
            rest = unacked.strip()
            if not rest:  # nothing but "ah nice", "ok cool": an acknowledgement, not a goodbye
                return self.answer("thanks")
            if not (
                WILL_DO.match(rest)
                and not THANKING.search(said)
                and _names_its_own(self.matcher.decide(rest))
            ):
                alone = self.matcher.decide(text, split)
                if alone.kind == "intent" and alone.intent in ("goodbye", "thanks"):
                    return self.reply_for(alone)
                return self.answer("thanks")
            # "ok I'll book": what the person means to do next, read as the asking
        turn = _found(NEW_SUBJECT, NEW_SUBJECT_KEYS, said, words)
        if turn is not None:  # "unrelated, but where are you based": read on its own words
            rest = said[turn.end() :].strip(" ,.")
            if rest:
                alone = self.matcher.decide(rest)
                if alone.kind != "fallback":
                    return self.reply_for(alone)
        if state.last_kind == "did_you_mean" and state.offered:
            picked = _ordinal(said, state.offered) or self._named_option(said, state.offered)
            if picked is not None:
                return self.answer(picked)
        correcting = CORRECTION.match(said)  # looked for once, for both uses
        corrected = correcting if last else None
        if corrected and corrected.end() > 0 and corrected.end() < len(said):
            reply = self._correction(state, said[corrected.end() :])
            if reply is not None:
                return reply
        decision: Decision | None = None
        unsure = state.last_kind == "did_you_mean" and not (correcting and correcting.end())
        if last is not None or state.last_kind == "history" or unsure:
            asked = REPORTED.sub("", unacked, count=1)
            if text.rstrip().endswith("?"):  # "and if I have one?" asks "what if I have one?"
                asked = AND_IF.sub("what if ", asked, count=1)
            found = _facets_in(asked)  # looked for once, for both readings
            facet = _facet(asked, found) or self._facet_core(asked, state, after, found)
            if facet is None and len(asked.split()) <= CHOICE_WORDS and CHOICE.search(asked):
                facet = "which"  # "how would I know if I have the real one or the fake one"
            if facet is None:
                clause = self._facet_clause(split, state, after, asked)
                if clause is not None:
                    return self.answer(clause)
            if facet is not None:
                intent = self._facet_intent(facet, state, after)
                if intent in self.content.responses:  # a topic the clinic removed is not
                    assert intent is not None
                    if facet not in OPEN_FACETS:
                        return self.answer(intent)
                    decision = self.matcher.decide(text, split)
                    if facet in NAMES_THE_OTHER or not (
                        _names_its_own(decision)
                        or (intent == last and self._another_fact(decision, intent))
                    ):
                        return self.answer(intent, candidates=_pairs(decision))
        if decision is None:
            decision = self.matcher.decide(text, split)
            if ack:  # "great thanks, where are you based": the question, not the thanks
                decision = self._past_opening(said, unacked.strip(), decision)
        if decision.kind == "intent" and decision.intent == "greeting":
            decision = self._past_opening(said, HELLO.sub("", said, count=1).strip(), decision)
        elif decision.kind == "fallback" and HELLO.match(said) and self._pleasantry(said):
            return self.answer("greeting")
        if decision.kind == "did_you_mean" and state.last_kind == "did_you_mean":
            # asked again, unsure again: the one topic both "Did you mean"s offered
            common = [o for o in decision.options if o in state.offered]
            if len(common) == 1:
                return self.answer(common[0], score=decision.score, candidates=_pairs(decision))
        if state.last_kind == "did_you_mean" and state.offered:
            # "for piriformis?" after options that all ask the same of it (treatments)
            lean = unacked.strip() or said
            same = {self._for_condition(lean, option) for option in state.offered}
            same.discard(None)
            if len(same) == 1:
                (meant,) = same
                assert meant is not None
                return self.answer(meant, candidates=_pairs(decision))
        if state.last_kind == "did_you_mean" and decision.kind == "fallback":
            picked = self._offered_lead(said, state.offered, decision)
            if picked is not None:  # "what about over the counter stuff" after the options
                return self.answer(picked, candidates=_pairs(decision))
        if last is None or not is_topic(last) or state.last_kind:
            return self.reply_for(decision)
        other = self._for_condition(unacked.strip() or said, last)
        if other is not None:  # "and piriformis?": the last question, about that condition
            return self.answer(other, candidates=_pairs(decision))
        if self._bare_ellipsis(said, decision):  # "and weekends?": the last question, about that
            return self.answer(last, candidates=_pairs(decision))
        condition = _found(IS_IT_THE_CONDITION, CONDITION_KEYS, said, words)
        if (
            condition is not None
            and condition.group(1) not in last
            and WHICH_CONDITION in self.content.responses
        ):
            # "it hurts when I walk, is that sciatica?" after a massage: "that" is the
            # person's own pain, and the question is which condition it is (after an answer
            # about that condition, it asks about the answer and is read as before)
            return self.answer(WHICH_CONDITION, candidates=_pairs(decision))
        # "ok so what helps": the lead after an acknowledgement leans as much as without it
        refers = _refers(said, words) or (unacked != said and REFERS.search(unacked) is not None)
        if (decision.kind == "fallback" or decision.score < BARELY_SCORE) and _tells_self(said):
            # "im a builder", "im 12 weeks", "its been 8 months now" after an answer: the
            # person says who the last answer is for, or how things stand, in words the bot
            # does not know or barely places
            return self.answer(last, candidates=_pairs(decision))
        if last in CAUSE_TOPICS and IS_THAT_WHY.search(said) and not _names_its_own(decision):
            # "i cycle a lot, could that be it" after the causes: asked about them, whatever
            # topic the told activity's words are nearest
            return self.answer(last, candidates=_pairs(decision))
        if decision.kind == "intent" and not refers:
            return self.reply_for(decision)
        if decision.kind == "fallback" and not refers:
            return self.reply_for(decision)
        clear = decision.score >= CLEAR_SCORE and decision.intent not in SMALL_TALK
        elliptic = ELLIPSIS.match(said) is not None  # looked for once, for the three uses below
        if decision.kind == "intent" and clear and not elliptic:
            # the message's own topic, clearly (but "and for piriformis?" asks the last
            # question again about piriformis)
            return self.reply_for(decision)
        if (
            not elliptic
            and IF_CLAUSE.search(said)
            and self.content.responses[last].kind == "clinic"
            and self._another_fact(decision, last)
        ):
            # "and if I book and then can't make it" after the session's length: what may
            # happen at the clinic, another of its facts in its own words, is not asked of
            # the last one ("and half an hour?" after the prices still is)
            return self.reply_for(decision)
        if not elliptic and self._past_the_desk(decision, last):
            # "does it help with sciatica" after the prices: "it" is the massage, and the
            # question is read with the massage, not with the clinic's fact
            last = SESSION_REFERENT
        if (
            decision.kind == "intent"
            and decision.intent in self.matcher.subject_topics
            and not elliptic
            and not CIRCUMSTANCE.match(said)
            and decision.intent in self.matcher.subjects(said, decision)
        ):
            # the message names the subject of its own topic ("how long does it last in
            # pregnancy"): read as before, whatever "it" points to
            return self.reply_for(decision)
        instead = _found(INSTEAD, INSTEAD_KEYS, said, words)
        named = LEAD.sub("", INSTEAD.sub(" ", said)).strip() if instead else said
        if instead:  # "X instead" names what replaces the last topic: never that topic again
            # in place of a treatment, another treatment ("and what about massage instead")
            among: frozenset[str] | None = frozenset(REMEDIES) if last in REMEDIES else None
        # a reading with the last topic wins over the message's own clear topic only by
        # scoring above it (readings that cannot are not worked out)
        own = decision.kind == "intent" and decision.intent not in SMALL_TALK
        beat = decision.score if own and not elliptic else None
        if instead:
            about = self._about(named or said, last, decision, exclude=last, among=among, beat=beat)
        else:
            about = self._about(said, last, decision, beat=beat)
        if about is not None and (beat is None or about[1] > beat):
            return self.answer(about[0], score=about[1], candidates=_pairs(decision))
        reply = self.reply_for(decision)
        if reply.kind == "did_you_mean":
            return self._settled(reply, decision, last, said)
        return reply

    def _facet_clause(
        self,
        split: list[Sentence],
        state: ChatState,
        urgent: str | None,
        tried: str | None = None,
    ) -> str | None:
        """A short question about the last topic with an aside of its own ("is it safe for me
        though, I have diabetes", "which one is that then, sciatica or the piriformis
        thing"): the first or last clause asks a facet, and the other clauses name no other
        topic, or one after which the question asks the same. Returns the topic it asks for,
        or None. ``tried``: words already read for a facet (with this ``state`` and
        ``urgent``) and found to ask none: a clause of those very words, often the last
        after an acknowledgement, is not read again. In one sentence without a clause mark,
        "if" and the person's own case may be the aside ("is that what I have if it hurts
        when I sit")."""
        one = len(split) == 1 and BOUNDARY not in split[0].tokens and DASH not in split[0].tokens
        if one:  # one clause, or a question and "if" with the person's case
            clauses = _if_case(split[0].tokens)
        else:
            clauses = [
                " ".join(part) for sentence in split for part in _clauses(sentence.tokens) if part
            ]
        if len(clauses) < 2:
            return None
        for at in (0,) if one else (0, -1):
            asked = ACK.sub("", clauses[at]).strip()
            if asked == tried:
                continue  # read already, asking no facet
            found = _facets_in(asked)
            if not found[1] or found[1][0][0] in OPEN_FACETS:
                continue
            facet = _facet(asked, found) or self._facet_core(asked, state, urgent, found)
            if facet is None:
                continue
            intent = self._facet_intent(facet, state, urgent)
            if intent not in self.content.responses:
                continue
            aside = clauses[1:] if at == 0 else clauses[:-1]
            rest = self.matcher.decide(" ".join(aside))
            if rest.kind == "fallback" or rest.intent in (intent, *SMALL_TALK):
                return intent
            named = rest.options if rest.kind == "did_you_mean" else (rest.intent,)
            # an aside on a topic of its own, after which the question asks the same ("it
            # hurts more when I sit, which one is that"), is part of the question
            if any(
                topic is not None
                and (topic == intent or self._facet_intent(facet, ChatState(topic)) == intent)
                for topic in named
            ):
                return intent
        return None

    def _for_condition(self, said: str, last: str, bare: bool = False) -> str | None:
        """ "And piriformis?", "what about for piriformis": the last question asked again
        about the condition the message names (and nothing else). After a treatment written
        for one condition, that condition's treatment by its ``treat`` rule (massage for
        sciatica, then "and for piriformis?", is the massage for piriformis); after what one
        condition is, what the other is; after a topic for both (how long, heat, stretches),
        that topic. None otherwise: the message is read as before. ``bare``: ``said`` is
        what a correction meant ("no, I meant piriformis"), which needs no lead."""
        if not any(name in said for name in CONDITION_TOPICS):
            return None  # no condition named: no lead is looked for
        topic = None
        if bare:
            rests = [said.split()]
        else:  # the first lead whose rest fits
            leads = (ELLIPSIS, CONDITION_LEAD, CONDITION_ASKED)
            rests = [said[f.end() :].split() for lead in leads if (f := lead.match(said))]
        for rest in rests:
            named = [w for w in rest if w in CONDITION_TOPICS]
            if len(named) == 1 and all(w in CONDITION_TOPICS or w in ASIDE for w in rest):
                topic = CONDITION_TOPICS[named[0]]
                break
        if topic is None:
            return None
        if last in FOR_ONE_CONDITION:
            asked = self._facet_intent("treat", ChatState(last_intent=topic))
        elif last in CONDITION_TOPICS.values():
            asked = topic
        elif last in FOR_BOTH:
            asked = last
        else:
            return None
        return asked if asked in self.content.responses else None

    def _offered_lead(self, said: str, offered: tuple[str, ...], decision: Decision) -> str | None:
        """After a "Did you mean", the option a follow-up the matcher cannot place alone
        leans on ("what about over the counter stuff" after treatments or medicines): the
        message's own best candidate, when it is one of the options offered and leads the
        others by the margin, and the message is in the bot's words. The options are the
        context, as the last topic is after an answer."""
        if not offered or not decision.candidates or REFERS.search(said) is None:
            return None
        best = decision.candidates[0]
        if best.intent not in offered:
            return None
        others = [c.score for c in decision.candidates[1:] if c.intent in offered]
        if others and best.score - others[0] < self.matcher.margin:
            return None
        read = decision.read
        own = read[1] if read is not None and read[0] == said else self.matcher.query(said)
        if self.matcher.unknown_share(own) > MAX_UNKNOWN_SHARE:
            return None
        return best.intent

    def _bare_ellipsis(self, said: str, decision: Decision) -> bool:
        """True for "and weekends?", "what about diabetes", "and running?": a lead and a
        word or two that name no topic of their own clearly (read alone, no topic is
        clear, or the message's words are unknown to every topic), so the last question is
        asked again about them, and the last topic answers it. What names its own topic
        ("and the symptoms?", "what about massage") is read as before. ``decision``: the
        message's own (its ranking tells the same when the lead adds no term)."""
        found = BARE_ELLIPSIS.match(said)
        if found is None:
            return False
        rest = said[found.end() :].strip()
        if not rest or len(rest.split()) > ELLIPSIS_WORDS or _facet(rest) is not None:
            return False
        terms = self.matcher.analyzer.terms(rest)  # analysed once, for all that follows
        for term in terms:
            if self._is_name(term.stem):
                return False  # "and the symptoms?", "what about massage": a topic's name
        alone = self._word_decision.get(rest)
        if alone is not None:  # a word of the examples, read alone once at start
            if alone.kind == "did_you_mean" or alone.intent in SMALL_TALK:
                return False
            if alone.kind == "intent" and alone.score >= ELLIPSIS_OWN_SCORE:
                return False  # "what about yoga", "and an mri?": a topic's own word
            return not self.matcher.subjects(rest, alone)  # "what about surgery"
        # other words: only whether some intent matches them well, or two closely, counts
        matcher = self.matcher
        if matcher._named([terms]):  # what matcher.subjects(rest) finds, told before scoring
            return False
        # a word no topic knows says nothing of which topic is meant: "what about my purple
        # elbow" names the elbow as surely as "what about my elbow"
        query = matcher._query_of(terms, unknown=False)
        margin = matcher.margin
        read = decision.read
        if read is not None and read[0] == said and list(read[1].items()) == list(query.items()):
            # the lead added no term: the message's ranking is of this very query, and its
            # best two (all but the red flags may answer) have the scores looked for
            best = [c.score for c in read[3] if c.intent != RED_FLAGS][:2]
            scores = [score for score in best if score >= matcher.threshold]
        else:
            # a runner-up matters only within the margin of the best: those further behind
            # are not scored (the best is the same, and so is whether one comes within the
            # margin)
            ranked = matcher.best_in(
                query, self._intent_pool, limit=2, floor=matcher.threshold, lead=margin
            )
            scores = [score for _, score in ranked]
        if scores and scores[0] >= ELLIPSIS_OWN_SCORE:
            return False
        # unsure between two: a topic (or two) named
        return len(scores) < 2 or scores[0] - scores[1] >= margin

    def _is_name(self, stem: str) -> bool:
        """True when a stem is one of :attr:`_name_stems` or the same word's (:func:`_same_stem`),
        found by look-ups of its beginnings."""
        names = self._name_stems
        if stem in names or (len(stem) >= SHARED_STEM and stem in self._name_starts):
            return True
        if len(stem) >= SHARED_PREFIX and stem[:SHARED_PREFIX] in self._name_starts:
            return True
        return any(stem[:k] in names for k in range(SHARED_STEM, len(stem)))

    def _named_option(self, said: str, offered: tuple[str, ...]) -> str | None:
        """The option of a "Did you mean" that "the massage one" names by a word of its
        title (the first offered, best first, when several have it)."""
        words = said.split()
        if len(words) > OPTION_WORDS or not OPTION_MARK & set(words):
            return None
        named = {w for w in words if w not in OPTION_FILLER}
        if not named:
            return None
        for intent in offered:
            response = self.content.responses.get(intent)
            title = normalise(response.title) if response is not None else ""
            if named <= {*title.split(), *_subject(intent).split()}:
                return intent
        return None

    def _pleasantry(self, said: str) -> bool:
        """True when what follows a greeting is only a pleasantry ("hi, hope you're well"):
        no question, nothing about the person and no topic."""
        rest = HELLO.sub("", said, count=1).strip()
        if QUESTION_START.match(rest) or QUESTION_WORD.search(rest):
            return False
        if {"i", "my", "me", "im", "mine"} & set(rest.split()):
            return False  # "hi, my cat is ill" tells of something
        return len(rest.split()) <= PLEASANTRY_WORDS and not self._names_a_topic(rest)

    def _past_opening(self, said: str, rest: str, decision: Decision) -> Decision:
        """ "Hello, is this a bot?", "great thanks, where are you based": a greeting or thanks
        that goes on to ask something is the question (when the question alone is understood).
        ``rest``: ``said`` without its opening; ``decision``: the whole message's."""
        if not rest or rest == said or not QUESTION_START.match(rest):
            return decision
        asked = self.matcher.decide(rest)
        return asked if asked.kind in ("intent", "did_you_mean") else decision

    def _about(
        self,
        said: str,
        last: str,
        decision: Decision,
        exclude: str = "",
        among: frozenset[str] | None = None,
        beat: float | None = None,
        query: Query | None = None,
    ) -> tuple[str, float] | None:
        """The topic a message means when read with the last topic's words, among that topic,
        the topics it points to and the message's own candidates (a handful, so this costs
        a fraction of a full match), or only ``among`` when given; None when no one of them
        is clear. ``query``: ``said``'s query when the caller has it (with ``exclude``)."""
        # not understood alone: only a message in the bot's own words leans on the last
        # topic ("what about my purple zebra" does not)
        if decision.kind == "fallback":
            read = decision.read  # the message's query, when the decision read it
            own = read[1] if read is not None and read[0] == said else query
            own = self.matcher.query(said) if own is None else own
            if self.matcher.unknown_share(own) > MAX_UNKNOWN_SHARE:
                return None
        if exclude:
            query = self.matcher.query(said) if query is None else query
        else:  # the message's own query, from its reading, and the last topic's words
            query = self.matcher.query_after(decision, said, _subject(last))
        # only the best two matter, and only above where they could decide anything: the
        # best must clear the threshold, and a runner-up counts only within the margin
        # (or, given ``beat``, only when it scores above ``beat``: a reading that does not
        # may be left out, and None may be returned in its place)
        bar = self.matcher.threshold if beat is None else max(beat, self.matcher.threshold)
        floor = bar - self.matcher.margin - FLOOR_SLACK
        if among is None:
            # the last topic and those it points to, indexed at start, and the message's
            # own candidates
            context = self._contexts[last]
            mine = [
                c.intent
                for c in decision.candidates[:POOL_OWN]
                if c.intent != RED_FLAGS and c.intent not in SMALL_TALK
            ]
            return self.matcher.clear_best(
                query, context, mine, skip=exclude, floor=floor, beat=beat
            )
        pool = set(among) & set(self.content.responses)
        pool.difference_update((RED_FLAGS, exclude, *SMALL_TALK))
        ranked = self.matcher.best(
            query, pool, limit=2, floor=floor, lead=self.matcher.margin, need=bar
        )
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
        rest = THE_OTHER.sub("", rest) or rest
        rest = " ".join(SLIP_OWNED.sub(" ", rest).split()) or rest
        other = self._for_condition(rest, last, bare=True)
        if other is not None:  # "sorry, I meant piriformis": asked again about it
            return self.answer(other)
        facet = _facet(rest)  # "sorry, I meant how long is it" after the prices
        if facet is not None:
            intent = self._facet_intent(facet, state)
            if intent is not None and intent != last and intent in self.content.responses:
                return self.answer(intent)
        named = set(rest.split()) - OPTION_FILLER - EMPHATIC
        if named and len(rest.split()) <= SUBJECT_ONLY_WORDS + 1:
            # "no, I meant the muscle itself" after the syndrome: the one topic whose title
            # holds all it names ("itself", "actual" add nothing), before its words alone
            titled = [
                i for i in self.content.responses if i != last and self._titled(rest, i, EMPHATIC)
            ]
            if len(titled) == 1:
                return self.answer(titled[0])
        decision = self.matcher.decide(rest)
        asked = _facet_words(last)
        if asked.startswith("how ") and len(rest.split()) <= SUBJECT_ONLY_WORDS:
            # "no, I meant the pain" after the session length: the same question (how
            # long) about what it names, before what those few words mean alone
            again = self.matcher.decide(f"{asked} {rest}")
            if again.kind == "intent" and again.intent not in (last, *SMALL_TALK):
                assert again.intent is not None
                return self.answer(again.intent, score=again.score)
        if decision.kind == "intent" and decision.intent not in (last, *SMALL_TALK):
            assert decision.intent is not None
            return self.answer(decision.intent, score=decision.score)
        for words in dict.fromkeys((_subject(last), asked)):
            # the rest's query from its reading, with the words added (not read again)
            query = self.matcher.query_after(decision, rest, words)
            about = self._about(f"{rest} {words}", last, decision, exclude=last, query=query)
            if about is not None:
                return self.answer(about[0], score=about[1])
        if decision.kind == "did_you_mean":
            # "no, I meant the muscle": the one option whose title has the words meant
            titled = [o for o in decision.options if o != last and self._titled(rest, o)]
            if len(titled) == 1:
                return self.answer(titled[0], score=decision.score)
        if decision.kind == "did_you_mean" and last not in decision.options:
            return self.reply_for(decision)  # unsure, but never the topic just corrected
        return None

    def _another_fact(self, decision: Decision, intent: str) -> bool:
        """True when a message names another of the clinic's own facts ("what if I have to
        cancel" after insurance, which the facet would answer again): what may happen at the
        clinic is asked about in its own words, not as the last topic again."""
        own = decision.intent
        return (
            decision.kind == "intent"
            and own is not None
            and own != intent
            and own in self.content.responses
            and self.content.responses[own].kind == "clinic"
        )

    def _past_the_desk(self, decision: Decision, last: str) -> bool:
        """True when, after one of the clinic's own facts, a message's own reading is about
        the treatment or the condition (its best candidate no clinic fact nor small talk):
        the fact's words are no referent of its "it", the massage is (:data:`SESSION_REFERENT`:
        "is it safe when pregnant" after the session length asks about massage)."""
        if self.content.responses[last].kind != "clinic" or decision.kind == "fallback":
            return False
        if SESSION_REFERENT not in self.content.responses:
            return False
        if not decision.candidates:
            return False
        own = decision.candidates[0].intent
        response = self.content.responses.get(own)
        return response is not None and response.kind != "clinic" and own not in SMALL_TALK

    def _titled(self, words: str, intent: str, also: frozenset[str] = frozenset()) -> bool:
        """True when the words (besides fillers and ``also``, at most :data:`OPTION_WORDS`)
        are all words of the topic's title or name ("the muscle": the piriformis muscle)."""
        said = words.split()
        named = {w for w in said if w not in OPTION_FILLER and w not in also}
        if not named or len(said) > OPTION_WORDS:
            return False
        response = self.content.responses.get(intent)
        title = normalise(response.title) if response is not None else ""
        return named <= {*title.split(), *_subject(intent).split()}

    def _facet_intent(self, facet: str, state: ChatState, urgent: str | None = None) -> str | None:
        """The topic a short question about the last one asks for, by the content's
        ``asks:`` rules; None when no rule fits (the message is then read on its words).
        ``urgent`` (the red-flag topic) is the last answer when it was the urgent one: rules
        for it come first, then those for ``state``'s topic."""
        last = state.last_intent or ""
        if urgent is not None:
            for rule in self.content.asks.get(facet, ()):
                if urgent in rule.after:
                    return rule.ask if rule.ask != ASK_SAME else None
        if state.last_kind == "did_you_mean" and state.offered:
            # unsure which topic was meant, but a question whose answer is the same whichever
            # it was ("how would a therapist treat it" after piriformis syndrome or muscle)
            asked = {self._facet_intent(facet, ChatState(last_intent=o)) for o in state.offered}
            # an option the question asks nothing about ("is it safe for me?" after massage
            # safety or pregnancy... the pregnancy answer has no rule) does not count against
            # the one answer the others agree on
            asked.discard(None)
            return asked.pop() if len(asked) == 1 else None
        if state.last_kind == "history":
            after = ASK_HISTORY
        elif state.last_kind and not (state.last_kind == "fallback" and last):
            return None
        else:
            after = last
        for rule in self.content.asks.get(facet, ()):
            if after in rule.after or (ASK_ANY in rule.after and after != ASK_HISTORY):
                if rule.ask != ASK_SAME:
                    return rule.ask
                return last or None
        return None

    def _settled(self, reply: Reply, decision: Decision, last_intent: str, said: str) -> Reply:
        """Settle a "Did you mean" from context: "and the treatment?" after a topic means
        the close candidate that topic itself points to, when exactly one does (or exactly
        one of those the message names in full: "and the same for piriformis syndrome?")."""
        follow_ups = self.content.responses[last_intent].follow_ups
        offered = [b.payload for b in reply.buttons]
        near = [c for c in decision.candidates if c.intent in offered and c.intent in follow_ups]
        if len(near) > 1:  # the one whose name the message says in full
            words = set(said.split())
            near = [c for c in near if set(_subject(c.intent).split()) <= words]
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
            options = [self._topic_button(i) for i in decision.options]
            if decision.near_urgent:
                options.append(self._topic_button(RED_FLAGS))
            return Reply(
                self._messages["did_you_mean"],
                (*options, self._menu_button()),
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
        parts = None if whole else self._answers.get(intent)
        if parts is None:
            parts = self._answer_parts(intent, whole)
        text, buttons = parts
        return Reply(
            text,
            buttons,
            intent=intent,
            score=score,
            red_flag=red,
            kind=ReplyKind.RED_FLAG if red else ReplyKind.ANSWER,
            candidates=candidates,
            title=response.title,
            sensitive=red,
        )

    def _answer_parts(self, intent: str, whole: bool) -> tuple[str, tuple[Button, ...]]:
        """The text and buttons of :meth:`answer`'s reply for ``intent``."""
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
        return text[:MAX_MESSAGE_CHARS], buttons

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
        text = self._as_above_texts.get(reply.title)
        if text is None:
            text = self._messages["as_above"].format(title=reply.title)
        return _with_fields(reply, text=text, kind=ReplyKind.AS_ABOVE)

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

FLOOR_SLACK = 0.1
"""How far below threshold minus margin a topic read with the last one is still scored (a
runner-up further down cannot make a reading unclear)."""

POOL_OWN = 4
"""The message's own candidates (all the matcher gives) that compete with the last topic's."""


CONDITION_TOPICS = {"sciatica": "sciatica_definition", "piriformis": "piriformis_syndrome"}
"""The conditions a question can be asked about in turn ("and for piriformis?"), each with
the topic that explains it."""
FOR_ONE_CONDITION = frozenset(
    {"massage_for_sciatica", "neuromuscular_massage", "other_treatments", "other_body_parts"}
)
"""Treatments whose answer is written for one condition (or another part of the body):
asked again for a condition ("and for piriformis?"), that condition's treatment is meant
(heat, stretches and medicines answer for both)."""
FOR_BOTH = frozenset(
    {
        "how_long",
        "heat_ice",
        "stretches_exercise",
        "medicines",
        "sleep_position",
        "work_driving",
        "pregnancy",
        "when_to_get_help",
        "massage_safety",
    }
)
"""Topics whose answer holds for either condition: asked again for the other, the same."""
CONDITION_LEAD = re.compile(
    r"^(?:(?:ok|okay|so|but|then|right)\s+)*"
    r"(?:and what about|and how about|and the same for|and|what about|how about|same for)"
    r"(?:\s+(?:for|with|in))?\s+"
)
"""How "and piriformis?" leans on the last question (a bare "piriformis?" asks anew)."""
IS_IT_THE_CONDITION = re.compile(
    r"\b(?:is|could|might|can|would) (?:it|that|this|mine) (?:be |just |really |actually )?"
    r"(sciatica|piriformis)\b"
)
"""A question whether the person's own pain is one of the conditions ("is that sciatica?",
"could it be piriformis?")."""
CONDITION_KEYS = frozenset(CONDITION_TOPICS)
WHICH_CONDITION = "sciatica_vs_piriformis"
"""The topic that tells how the two conditions are told apart."""

CONDITION_ASKED = re.compile(
    r"^(?:(?:ok|okay|so|and|but|then|right)\s+)*"
    r"(?:does|do|is|are|can|could|will|would|should) (?:it|that|this|they|those|these)"
    r"(?: (?:work|works|help|helps|apply|applies|happen|hold|holds|go|count|also|the same))?"
    r"\s+(?:for|with|in|to)\s+"
)
"""The last question put again about a condition with a pronoun for its subject ("does
that work for piriformis?", "can it happen with piriformis too?"): "it" is what the last
answer was about, and only the condition is new."""
_ASIDE_TEXT = (
    "syndrome thing one too as well then though tho pain the my "
    "that i ive have had got since now also"
)
ASIDE = frozenset(_ASIDE_TEXT.split())
"""Words beside a condition's name that add nothing to "and for piriformis?", among them
the condition told as one's own and pointed at again ("and the sciatica I got since, that
one?")."""

GENERIC_NAME_WORDS = frozenset(
    {"clinic", "definition", "causes", "symptoms", "vs", "for", "factors", "what", "to"}
)


def _pairs(decision: Decision) -> tuple[tuple[str, float], ...]:
    return tuple((c.intent, c.score) for c in decision.candidates)


def _with_buttons(reply: Reply, buttons: tuple[Button, ...]) -> Reply:
    """``reply`` with other buttons: what :func:`dataclasses.replace` gives, copied field
    by field rather than built again (a reply checks nothing when it is built), since every
    answer that leaves a topic gets its Back button so."""
    return _with_fields(reply, buttons=buttons)


def _with_fields(reply: Reply, **fields: object) -> Reply:
    """``reply`` with other values of some fields: what :func:`dataclasses.replace` gives,
    copied field by field rather than built again (a reply checks nothing when it is built)."""
    other = object.__new__(Reply)
    other.__dict__.update(reply.__dict__, **fields)
    return other


def _names(decision: Decision) -> bool:
    """True when a decision is about a topic (or two) other than small talk."""
    return decision.kind == "did_you_mean" or (
        decision.kind == "intent" and decision.intent not in SMALL_TALK
    )


def _names_its_own(decision: Decision) -> bool:
    """True when a message clearly names a topic of its own (not small talk)."""
    return (
        decision.kind == "intent"
        and decision.score >= CLEAR_SCORE
        and decision.intent not in SMALL_TALK
    )


@lru_cache(maxsize=256)
def _subject(intent: str) -> str:
    """The words a topic's name gives a follow-up ("piriformis_syndrome" -> "piriformis
    syndrome"); worked out once per topic."""
    words = [w for w in intent.split("_") if w not in GENERIC_NAME_WORDS and not w.isdigit()]
    return " ".join(words)


def _clauses(tokens: tuple[str, ...]) -> list[list[str]]:
    """A sentence's words cut at its clause marks (commas, semicolons)."""
    parts: list[list[str]] = [[]]
    for token in tokens:
        if token in (BOUNDARY, DASH):
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _if_case(tokens: tuple[str, ...]) -> list[str]:
    """A sentence's question and the case an "if" after it tells ("is that what I have" and
    "it hurts when I sit"), or nothing when no "if" follows a question of a few words."""
    at = tokens.index("if") if "if" in tokens else 0
    if at < IF_ASKED_WORDS or at == len(tokens) - 1:
        return []
    return [" ".join(tokens[:at]), " ".join(tokens[at + 1 :])]


def _facet_words(intent: str) -> str:
    """What the last topic asked, for a correction naming only its subject ("no, the
    appointment" after "how long does it last")."""
    return "how long" if intent in ("how_long", "clinic_session_length") else _subject(intent)


def _same_stem(a: str, b: str) -> bool:
    """True when two stems are one word's ("driver", "drive"): equal, or one begins the
    other and the shorter has at least :data:`SHARED_STEM` letters."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= SHARED_STEM and long_.startswith(short):
        return True
    shared = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(short))
    return shared >= SHARED_PREFIX  # "pregnant", "pregnancy"


def _forget_kind(state: ChatState) -> ChatState:
    if not state.last_kind and not state.offered:
        return state
    return dataclasses.replace(state, last_kind="", offered=())


def _cleared(state: ChatState) -> ChatState:
    """The state after "I don't have these symptoms": the topic the chat was on, or with
    none, a mark that the urgent answer was the last thing talked about."""
    if state.last_intent is None:
        return dataclasses.replace(state, last_kind="cleared", offered=())
    return _forget_kind(state)


def _navigation(said: str) -> str | None:
    """``back``, ``more`` or ``menu`` when the message asks for one of them in everyday
    words."""
    if said in BACK_WORDS:
        return "back"
    if said in MORE_WORDS:
        return "more"
    words = said.split()
    if not words or len(words) > NAV_WORDS:
        return None
    if MENU_MARKS.search(said) and all(
        w in NAV_FILLER or w in MENU_FILLER for w in MENU_MARKS.sub(" ", said).split()
    ):
        return "menu"
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
    return DENIAL.search(said) is not None and not _asks(said, text)


def _asks(said: str, text: str) -> bool:
    """Whether a message puts a question: a question mark, a question word opening it (after
    a "no" or "I meant"; not "don't worry") or a question word inside it that does not join a
    clause ("fine when I try" asks nothing)."""
    if "?" in text:
        return True
    rest = CORRECTION.sub("", said, count=1)
    if QUESTION_START.match(rest) and not NEGATED_OPENING.match(rest):
        return True
    return QUESTION_WORD.search(JOINING_WHEN.sub("", rest)) is not None


def _played_down(said: str, text: str) -> bool:
    """True for a sign played down ("oh it's not that serious", "probably nothing"): not a
    correction ("no, ...", "sorry, ..."), not said to be someone else's or never meant, and
    asking nothing."""
    return (
        PLAYED_DOWN.search(said) is not None
        and not CORRECTION.match(said)
        and not DISOWNED.search(said)
        and not _asks_anything(said, text)
    )


def _reluctant(said: str, text: str) -> bool:
    """True for not wanting or not being able to get care (:data:`RELUCTANT`), asking
    nothing and not saying the sign is someone else's or was never meant: a "no" before it
    ("no, I'm not going to A&E") refuses the care, not the sign."""
    return (
        RELUCTANT.search(said) is not None
        and not DISOWNED.search(RELUCTANT.sub(" ", said))
        and not _asks_anything(said, text)
    )


def _taken_back(said: str, text: str) -> bool:
    """True for a crisis taken back or played down, asking nothing ("I'm not going to do
    anything, I'm just tired"; not "sorry, ignore that. how much is a massage")."""
    return TAKEN_BACK.search(said) is not None and not _asks_anything(said, text)


def _asks_anything(said: str, text: str) -> bool:
    """:func:`_asks`, or a question put by inversion anywhere ("... do you do evenings")."""
    return _asks(said, text) or ASKS.search(said) is not None


def _tells_self(said: str) -> bool:
    """True for a message that finds the person in the last answer (:data:`THATS_ME`), a
    short message telling who the person is (:data:`SELF`), how things stand
    (:data:`TOLD`, asking nothing), whom else the last question is for (:data:`FOR_KIN`) or
    whether the last answer is what the person knows (:data:`THE_ONE`)."""
    size = len(said.split())
    if (size <= SELF_WORDS and SELF.match(said)) or THATS_ME.search(said):
        return True
    if size > TOLD_WORDS:
        return False
    if FOR_KIN.match(said) or THE_ONE.match(said):
        return True
    return TOLD.match(said) is not None and not QUESTION_WORD.search(said)


def _thanks_for_all(said: str, text: str, split: list[Sentence]) -> bool:
    """True for a message that thanks and asks nothing: a few words closed by thanks
    ("sorted, cheers", "ok will check with the gp, thanks") or a story whose first sentence
    thanks ("just wanted to say a big thank you. I came in ..."), with no question put."""
    if "?" in text or ASKS.search(said) or REQUEST.search(said):
        return False
    if len(split) > 1:
        first = normalise(split[0].text)
        return THANKING.search(first) is not None and not any(
            QUESTION_START.match(normalise(s.text)) for s in split
        )
    if len(said.split()) > ACK_WORDS or not THANKS_LAST.search(said):
        return False
    rest = THANKS_LAST.sub("", ACK.sub("", said)).strip()
    if QUESTION_WORD.search(rest) or NEW_SUBJECT.search(rest) or MEANT.search(rest):
        return False
    return not QUESTION_START.match(rest) or PLAN.match(rest) is not None


def _takes_leave(said: str, text: str, split: list[Sentence]) -> bool:
    """True for a message that asks nothing and ends by taking leave in a clause of its own
    ("right, that's me sorted. off to make dinner, see you"), whatever errand it names on
    the way out ("I was told to take care" takes no leave)."""
    if "?" in text or len(said.split()) > FAREWELL_WORDS or not FAREWELL_LAST.search(said):
        return False
    if ASKS.search(said) or REQUEST.search(said) or QUESTION_WORD.search(said):
        return False
    last = " ".join(_clauses(split[-1].tokens)[-1]) if split else ""
    return len(last.split()) <= FAREWELL_CLAUSE_WORDS and FAREWELL_LAST.search(last) is not None


def _is_acknowledgement(said: str, text: str) -> bool:
    """True for "ok thanks", "ah that makes sense", "got it": short, no question (also none
    after a new start: "ok thanks. different thing, do you take card")."""
    if "?" in text or len(said.split()) > ACK_WORDS:
        return False
    rest = ACK.sub("", said).strip()
    if NEW_SUBJECT.search(rest) or ASKS.search(rest) or MEANT.search(rest):
        return False
    if REQUEST.match(rest):
        return False
    going_on = GOES_ON.match(rest)
    asked = rest[going_on.end() :] if going_on else ""
    if ACK.sub("", asked).strip() and not THANKING.search(asked):
        return False  # "ok and for piriformis?", "cool, what about the price": a follow-up
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


def _facets_in(said: str) -> FacetsFound:
    """A short message without what it leaves out, and the :data:`FACETS` it asks, in
    their order, up to the first that is not open (all that :func:`_facet` and
    :meth:`Dialogue._facet_core` look at); nothing for a longer message."""
    words = said.split()
    if not words or len(words) > FACET_WORDS:
        return said, []
    # words parted by spaces only are words to the patterns' \b: a facet none of whose
    # keys is among them is not searched for
    plain = "'" not in said and "#" not in said  # (EXCEPT leaves both as they are)
    if not plain or not EXCEPT_KEYS.isdisjoint(words):
        said = EXCEPT.sub(" ", said)  # "the price without insurance" asks the price
    found: list[tuple[str, re.Pattern[str]]] = []
    if not plain and not ANY_FACET.search(said):
        return said, found
    tried: Sequence[tuple[str, re.Pattern[str]]] = FACETS
    if plain:  # those with a key among the words of `said` (and maybe more), in order
        # (the words before EXCEPT left some out: as many or more, so no facet is missed)
        tried = [FACETS[k] for k in _facets_to_try(words)]
    for name, pattern in tried:
        if pattern.search(said):
            unlike = NOT_THE_FACET.get(name)
            if unlike is not None and unlike.search(said):
                continue  # "how much does it hurt" asks no price
            found.append((name, pattern))
            if name not in OPEN_FACETS:
                break
    return said, found


def _may_ask(needs: tuple[tuple[frozenset[str], ...], ...] | None, words: set[str]) -> bool:
    """Whether ``words`` hold one of a facet's :data:`FACET_NEEDS` (True for a facet with
    none)."""
    if needs is None:
        return True
    for need in needs:  # (loops, cheaper here than any() and all() of generators)
        for part in need:
            if part.isdisjoint(words):
                break
        else:
            return True
    return False


def _facet(said: str, found: FacetsFound | None = None) -> str | None:
    """The facet of a short question about the last topic ("how long?"), when the message
    names nothing else (``found``: :func:`_facets_in` of the message, when known)."""
    said, facets = found if found is not None else _facets_in(said)
    if not facets:
        return None
    name, pattern = facets[0]
    rest = pattern.sub(" ", said).split()
    if name in OPEN_FACETS or all(w in FACET_FILLER for w in rest):
        return name
    return None


def _mended(text: str) -> str:
    """``text`` with the real-word slips of :data:`SLIPS` put right."""
    for pattern, word in SLIPS:
        text = pattern.sub(word, text)
    return text


def _found(
    pattern: re.Pattern[str], keys: frozenset[str], said: str, words: list[str] | None
) -> re.Match[str] | None:
    """``pattern.search(said)``, not searched for when ``said`` is plain and has ``words``
    (:data:`PLAIN`) of which none is among ``keys``, words one of which every wording the
    pattern finds has."""
    if words is not None and keys.isdisjoint(words):
        return None
    return pattern.search(said)


def _refers(said: str, words: list[str] | None) -> bool:
    """Whether :data:`REFERS` is found in ``said``, told from its words when it is plain."""
    if words is None:
        return REFERS.search(said) is not None
    return (
        not REFERS_WORDS.isdisjoint(words)
        or words[0] in REFERS_LEADS
        or tuple(words[:2]) in REFERS_PAIRS
    )
