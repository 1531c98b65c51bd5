"""What keeps the context reading cheap changes no answer."""

from __future__ import annotations

import copy
import dataclasses
import gc
import importlib
from typing import Any

import pytest
import yaml
from locations import REPO

from bot.content import RED_FLAGS
from bot.dialogue import (
    ANY_FACET,
    BARE_ELLIPSIS,
    CONDITION_KEYS,
    ELLIPSIS_OWN_SCORE,
    EXCEPT,
    EXCEPT_KEYS,
    FACET_KEYS,
    FACET_NEEDS,
    FACET_WORDS,
    FACETS,
    FACETS_OF_KEY,
    INSTEAD,
    INSTEAD_KEYS,
    IS_IT_THE_CONDITION,
    NEW_SUBJECT,
    NEW_SUBJECT_KEYS,
    NOT_THE_FACET,
    OPEN_FACETS,
    PLAIN,
    REFERS,
    Dialogue,
    _facet,
    _facets_in,
    _facets_to_try,
    _found,
    _may_ask,
    _refers,
    _with_buttons,
    _with_fields,
)
from bot.evaluation.dialogues import _fastest_pair
from bot.replies import BACK, Button, ChatState, Reply, ReplyKind
from bot.text import normalise, sentences

DATA = REPO / "tests" / "data"
sre: Any = importlib.import_module("re._constants")  # the regular expression parser's
sre_parse: Any = importlib.import_module("re._parser")  # own view of a pattern


def _messages() -> list[str]:
    texts = [
        item["q"]
        for name in ("questions", "conversations", "safety")
        for item in yaml.safe_load((DATA / f"{name}.yml").read_text(encoding="utf-8"))
    ]
    for conv in yaml.safe_load((DATA / "dialogues.yml").read_text(encoding="utf-8")):
        texts += [turn["say"] for turn in conv["turns"] if "say" in turn]
    return texts


def test_one_scan_for_any_facet_finds_what_each_facet_finds() -> None:
    said = [normalise(text) for text in _messages()]
    said += ["how long", "how much?", "where", "what if i", "and for piriformis", "side effect"]
    hits = 0
    for text in said:
        each = any(pattern.search(text) for _, pattern in FACETS)
        assert (ANY_FACET.search(text) is not None) == each, text
        hits += each
    assert 50 < hits < len(said)


def test_the_facets_found_are_those_of_trying_every_facet() -> None:
    for text in (normalise(t) for t in _messages()):
        short, found = _facets_in(text)
        want = []
        if 0 < len(text.split()) <= FACET_WORDS:
            for name, pattern in FACETS:
                unlike = NOT_THE_FACET.get(name)
                if pattern.search(short) and not (unlike and unlike.search(short)):
                    want.append(name)
                    if name not in OPEN_FACETS:
                        break
        assert [name for name, _ in found] == want, text


def _wordings(items: Any, most: int = 3) -> list[str]:
    """Every string a parsed pattern matches (a repeat up to ``most`` more times than its
    least); a part of a pattern this cannot spell out fails the test."""
    out = [""]
    for op, arg in items:
        if op is sre.LITERAL:
            alts = [chr(arg)]
        elif op is sre.AT:
            alts = [""]
        elif op is sre.BRANCH:
            alts = [s for branch in arg[1] for s in _wordings(branch, most)]
        elif op is sre.SUBPATTERN:
            alts = _wordings(arg[3], most)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            least, at_most, sub = arg
            one = _wordings(sub, most)
            alts = []
            for times in range(least, min(at_most, least + most) + 1):
                spelt = [""]
                for _ in range(times):
                    spelt = [a + b for a in spelt for b in one]
                alts += spelt
        else:
            raise AssertionError(f"cannot spell out {op} in a facet's pattern")
        out = [a + b for a in out for b in alts]
    return out


def test_every_wording_of_a_facet_holds_one_of_its_keys() -> None:
    """The keys that let a message skip a facet's search are in everything it matches."""
    spelt = 0
    for name, pattern in FACETS:
        for wording in _wordings(sre_parse.parse(pattern.pattern)):
            assert pattern.search(wording), (name, wording)
            assert not FACET_KEYS[name].isdisjoint(wording.split()), (name, wording)
            assert _may_ask(FACET_NEEDS.get(name), set(wording.split())), (name, wording)
            spelt += 1
    assert spelt > 500


def test_the_finer_needs_of_a_facet_leave_out_words_its_keys_let_through() -> None:
    """The needs are finer than the keys: messages with a key of the facet but none of its
    ways of wording are not searched (and none of those would have matched)."""
    said = [normalise(text) for text in _messages()]
    skipped = 0
    for name, pattern in FACETS:
        needs = FACET_NEEDS.get(name)
        for text in said:
            words = set(text.split())
            if "'" in text or "#" in text or FACET_KEYS[name].isdisjoint(words):
                continue
            if not _may_ask(needs, words):
                assert pattern.search(text) is None, (name, text)
                skipped += 1
    assert skipped > 500
    assert not _may_ask(FACET_NEEDS["treat"], {"what", "about", "for", "my", "lower", "back"})
    assert _may_ask(FACET_NEEDS["treat"], {"can", "massage", "help"})


def test_the_facets_a_message_may_ask_are_told_from_its_words_bits_as_from_its_words() -> None:
    """:func:`_facets_to_try` finds, from the words' bits, the facets with a key among the
    words and one of their needs held (:func:`_may_ask`), in order: for every run of one
    to :data:`FACET_WORDS` words of every other labelled message, and every wording of
    every facet."""
    runs = set(_runs(FACET_WORDS))
    runs.update(w for _, pattern in FACETS for w in _wordings(sre_parse.parse(pattern.pattern)))
    tried = 0
    for run in runs:
        words = run.split()
        held = set(words)
        keyed = {k for word in words for k in FACETS_OF_KEY.get(word, ())}
        want = [k for k in sorted(keyed) if _may_ask(FACET_NEEDS.get(FACETS[k][0]), held)]
        assert _facets_to_try(words) == want, run
        tried += len(want) > 1
    assert tried > 1000


def test_a_plain_message_without_its_keys_has_nothing_left_out() -> None:
    """What :data:`EXCEPT` finds in a message holds one of its keys; without one, the message
    is not searched and is kept as it is."""
    for text in (normalise(t) for t in _messages()):
        if EXCEPT_KEYS.isdisjoint(text.split()):
            assert EXCEPT.search(text) is None, text
    for text in ("the price without insurance", "not including the massage", "except my leg"):
        assert _facets_in(text)[0] != text and EXCEPT.search(text)


def test_a_message_with_an_apostrophe_is_searched_for_every_facet() -> None:
    assert [n for n, _ in _facets_in("how long'")[1]] == ["duration"]
    assert [n for n, _ in _facets_in("#where")[1]] == ["place"]
    assert _facets_in("no keys here at all")[1] == []


@pytest.mark.parametrize(
    "last", ["massage_safety", "heat_ice", "find_therapist", "medicines", "clinic_prices", None]
)
def test_the_words_known_to_name_a_topic_give_the_answers_of_reading_them(
    dialogue: Dialogue, last: str | None
) -> None:
    """Short questions about the last topic read the same with the table of words that name
    a topic and with every leftover read by the matcher."""
    states = [ChatState(last_intent=last, history=(last,) if last else ())]
    states.append(ChatState(last_kind="history"))
    said = [t for t in _messages() if len(t.split()) <= FACET_WORDS][:400]
    said += ["how soon after?", "how long should i keep it on for", "how much per session"]
    bare = copy.copy(dialogue)  # the same dialogue, its tables emptied
    bare._word_names = {}
    bare._leftover_names = lambda words, sure=None: bare._names_a_topic(words)  # type: ignore[method-assign]
    assert dialogue._word_names and any(dialogue._word_names.values())
    for state in states:
        for text in said:
            assert dialogue.handle(state, text) == bare.handle(state, text), (last, text)


def test_what_a_short_question_leaves_names_a_topic_as_the_matcher_reads_it(
    dialogue: Dialogue,
) -> None:
    """Words read by their terms (no term known, or an example word's terms) name a topic
    exactly when the matcher's reading of them does: every run of one to three words of the
    labelled messages, and words with nothing known."""
    runs: set[str] = {"him", "abouts", "in pregnancy", "try tablets", "the of", "tho"}
    for text in _messages()[::3]:
        words = normalise(text).split()
        for n in (1, 2, 3):
            runs.update(" ".join(words[k : k + n]) for k in range(len(words) - n + 1))
    table = 0
    for run in sorted(runs):
        assert dialogue._leftover_names(run) == dialogue._names_a_topic(run), run
        table += tuple(dialogue.matcher.analyzer.terms(run)) in dialogue._terms_name
    assert len(runs) > 3000 and table > 1000
    assert dialogue._terms_name and not all(dialogue._terms_name.values())


def test_a_reply_given_other_buttons_is_the_reply_a_replace_makes(dialogue: Dialogue) -> None:
    """The Back button is added by copying the reply's fields: the copy is what
    :func:`dataclasses.replace` makes, field by field (candidates, which equality skips,
    too), and a reply still checks nothing when it is built."""
    assert not hasattr(Reply, "__post_init__") and not hasattr(Reply, "__slots__")
    buttons = (Button("Back", BACK),)
    for reply in (
        dialogue.answer("heat_ice", score=71.5, candidates=(("heat_ice", 71.5),)),
        dialogue.urgent(),
        dialogue.menu(),
        dialogue.handle(ChatState(), "purple zebra")[0],
    ):
        made = _with_buttons(reply, buttons)
        assert made.__dict__ == dataclasses.replace(reply, buttons=buttons).__dict__
        assert made.buttons == buttons and reply.buttons != buttons  # the original is kept
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.text = ""  # type: ignore[misc]


def test_a_reply_given_other_fields_is_the_reply_a_replace_makes(dialogue: Dialogue) -> None:
    """ "As above" copies the reply with its text and kind changed: what
    :func:`dataclasses.replace` makes, and the original is kept."""
    reply = dialogue.answer("heat_ice", score=71.5, candidates=(("heat_ice", 71.5),))
    made = _with_fields(reply, text="As above.", kind=ReplyKind.AS_ABOVE)
    want = dataclasses.replace(reply, text="As above.", kind=ReplyKind.AS_ABOVE)
    assert made.__dict__ == want.__dict__ and reply.kind == ReplyKind.ANSWER
    again, _ = dialogue.handle(ChatState("heat_ice"), "is heat or ice better")
    assert again.kind == ReplyKind.AS_ABOVE and again.intent == "heat_ice"


def test_a_message_of_one_clause_has_no_clause_to_ask_a_facet(dialogue: Dialogue) -> None:
    """The clause reading is skipped for one sentence without a comma, semicolon or dash:
    one clause, and the reading needs two. With a comma it still reads the clauses."""
    state = ChatState("heat_ice")
    checked = 0
    for text in _messages()[::3]:
        split = sentences(text)
        marks = any(t in ("|", "-") for s in split for t in s.tokens)
        if len(split) == 1 and not marks:
            assert dialogue._facet_clause(split, state, None) is None
            checked += 1
    assert checked > 100
    split = sentences("is it safe for me though, i have diabetes")
    assert dialogue._facet_clause(split, ChatState("massage_for_sciatica"), None) is not None


def test_a_clause_read_already_is_skipped_with_the_same_result(dialogue: Dialogue) -> None:
    """The follow-up reading passes the words it found to ask no facet; the clause reading
    skips a clause of those words. Skipped or read again, every clause gives the same topic,
    for every clause of many messages with a comma, after several topics."""
    states = [ChatState(t) for t in ("heat_ice", "massage_for_sciatica", "piriformis_syndrome")]
    checked = found = 0
    for text in _messages()[::2]:
        split = sentences(text)
        if not any(t in ("|", "-") for s in split for t in s.tokens) and len(split) == 1:
            continue
        for state in states:
            for words in {normalise(part) for part in text.replace(".", ",").split(",")}:
                if _facet(words) is not None or dialogue._facet_core(
                    words, state, None, _facets_in(words)
                ):
                    continue  # asks a facet: never passed as tried
                whole = dialogue._facet_clause(split, state, None)
                assert dialogue._facet_clause(split, state, None, words) == whole
                checked += 1
                found += whole is not None
    assert checked > 200 and found > 0
    split = sentences("ok thanks. and can i get a massage if pregnant")
    tried = "and can i get a massage if pregnant"
    state = ChatState("massage_for_sciatica")
    assert dialogue._facet_clause(split, state, None, tried) is None


def test_timing_a_pair_leaves_the_garbage_collector_as_it_was() -> None:
    runs: list[str] = []
    assert gc.isenabled()
    first, second = _fastest_pair(lambda: runs.append("a"), lambda: runs.append("b"), 3)
    assert runs == ["a", "b"] * 3 and first >= 0 and second >= 0
    assert gc.isenabled()
    gc.disable()
    try:
        _fastest_pair(lambda: None, lambda: None, 2)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_words_said_surely_to_name_a_topic_are_named_by_the_matcher(dialogue: Dialogue) -> None:
    """Words told to name a topic from their best topic and the small talk near it (rather
    than a full reading) are named by the matcher's reading of them: every run of one to
    four words of the labelled messages; small talk and words naming nothing are not."""
    runs: set[str] = {"normal sciatica", "try tablets", "60 minutes", "thanks", "hello there"}
    for text in _messages()[::2]:
        words = normalise(text).split()
        for n in (1, 2, 3, 4):
            runs.update(" ".join(words[k : k + n]) for k in range(len(words) - n + 1))
    sure = 0
    matcher = dialogue.matcher
    for run in sorted(runs):
        best: list[str] = []
        if dialogue._surely_names(run, tuple(matcher.analyzer.terms(run)), best):
            assert dialogue._names_a_topic(run), run
            # the best topic it gives is the best of all topics, as found without a floor
            assert best == [matcher.best(matcher.query(run), dialogue._topics, limit=1)[0][0]]
            sure += 1
        else:
            assert best == [], run
    assert len(runs) > 10000 and sure > 1000
    for said in ("thanks", "hello there", "purple zebra", "same longer"):
        assert not dialogue._surely_names(said, tuple(dialogue.matcher.analyzer.terms(said)))
    assert dialogue._surely_names(
        "normal sciatica", tuple(dialogue.matcher.analyzer.terms("normal sciatica"))
    )


def test_a_bare_ellipsis_is_told_as_scoring_every_intent_tells_it(dialogue: Dialogue) -> None:
    """ "And X?" with words of no example is told from the two best intents of all (with
    no runner-up left out) and the subjects named, whichever is looked at first: every
    run of one or two words of the labelled messages after "and", told from the message's
    own ranking (the lead adds no term) and, without one, by scoring."""
    matcher = dialogue.matcher

    def told(rest: str) -> bool:  # every intent scored, the subjects looked at last
        # words no topic knows weigh nothing ("what about my purple elbow" is the elbow)
        query = matcher._query_of(matcher.analyzer.terms(rest), unknown=False)
        ranked = matcher.best(query, dialogue._intents, limit=2)
        ranked = [kv for kv in ranked if kv[1] >= matcher.threshold]
        if ranked and ranked[0][1] >= ELLIPSIS_OWN_SCORE:
            return False
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < matcher.margin:
            return False
        return not matcher.subjects(rest)

    runs: set[str] = set()
    for text in _messages()[::2]:
        words = normalise(text).split()
        for n in (1, 2):
            runs.update(" ".join(words[k : k + n]) for k in range(len(words) - n + 1))
    scored = bare = ranked = 0
    for rest in sorted(runs):
        if rest in dialogue._word_decision or _facet(rest) is not None:
            continue  # read from the table of example words, or a facet: not this reading
        if any(dialogue._is_name(t.stem) for t in matcher.analyzer.terms(rest)):
            continue
        said = f"and {rest}"
        lead = BARE_ELLIPSIS.match(said)
        if lead is None or said[lead.end() :].strip() != rest:
            continue  # the lead takes more than "and " (as "and for ..."): another rest
        scored += 1
        decision = matcher.decide(said)
        ranked += decision.read is not None and decision.read[0] == said
        unread = dataclasses.replace(decision, read=None)
        assert dialogue._bare_ellipsis(said, decision) == told(rest), rest
        assert dialogue._bare_ellipsis(said, unread) == told(rest), rest
        bare += told(rest)
    assert scored > 2000 and bare > 100 and ranked > 1000


def _runs(most: int) -> list[str]:
    """Every run of one to ``most`` words of every other labelled message, normalised."""
    runs: set[str] = set()
    for text in _messages()[::2]:
        words = normalise(text).split()
        for n in range(1, most + 1):
            runs.update(" ".join(words[k : k + n]) for k in range(len(words) - n + 1))
    return sorted(runs)


def test_scoring_words_against_an_indexed_set_gives_what_best_gives(dialogue: Dialogue) -> None:
    """The topics, all intents and small talk, indexed at start, give for a few words the
    list :meth:`Matcher.best` gives for the same intents (scores, order, ties), with every
    limit, floor and lead the dialogue asks with."""
    matcher = dialogue.matcher
    pools = (
        (dialogue._topic_pool, dialogue._topics),
        (dialogue._intent_pool, dialogue._intents),
        (dialogue._small_talk_pool, dialogue._small_talk),
    )
    asks: list[dict[str, Any]] = [
        {"limit": 1},
        {"limit": 1, "floor": matcher.threshold},
        {"limit": 2, "floor": matcher.threshold, "lead": matcher.margin},
        {"limit": 1, "floor": 40.0},
    ]
    found = 0
    for run in _runs(3)[::3]:
        query = matcher.query(run)
        for pool, names in pools:
            for ask in asks:
                best = matcher.best(query, names, **ask)
                assert matcher.best_in(query, pool, **ask) == best, (run, ask)
                found += bool(best)
    assert found > 5000


def test_the_follow_up_reading_is_the_clear_best_of_scoring_its_pool(dialogue: Dialogue) -> None:
    """What :meth:`Matcher.clear_best` tells (the last topic's pool, indexed at start, with
    the message's own candidates) is what the best two of those intents tell: the best, if
    it clears the threshold and ``beat`` and leads the runner-up by the margin; after every
    topic, for runs of the labelled messages, with and without a score to beat or a topic
    left out."""
    matcher = dialogue.matcher
    topics = sorted(dialogue.content.responses)
    runs = _runs(4)[::7]
    clear = 0
    for n, run in enumerate(runs):
        last = topics[n % len(topics)]
        own = [c.intent for c in matcher.candidates(run, limit=4)]
        query = matcher.query(f"{run} {last.replace('_', ' ')}")
        beat = (None, 60.0, 80.0, 92.5)[n % 4]
        skip = last if n % 5 == 0 else ""
        pool = {last, *dialogue.content.responses[last].follow_ups, *own}
        pool.difference_update({RED_FLAGS, skip, *dialogue._small_talk})
        ranked = matcher.best(query, pool, limit=2)
        above = (
            ranked and ranked[0][1] >= matcher.threshold and (beat is None or ranked[0][1] > beat)
        )
        leads = len(ranked) < 2 or ranked[0][1] - ranked[1][1] >= matcher.margin
        want = ranked[0] if above and leads else None
        bar = matcher.threshold if beat is None else max(beat, matcher.threshold)
        mine = [o for o in own if o != RED_FLAGS and o not in dialogue._small_talk]
        got = matcher.clear_best(
            query,
            dialogue._contexts[last],
            mine,
            skip=skip,
            floor=bar - matcher.margin - 0.1,
            beat=beat,
        )
        assert got == want, (run, last, beat, skip)
        clear += got is not None
    assert len(runs) > 1000 and clear > 100


def test_plain_words_tell_what_the_context_patterns_find(dialogue: Dialogue) -> None:
    """Told from the words of a plain message, whether it refers back, turns to a new
    subject, wants something instead or asks which condition it is gives what searching
    the patterns gives; a message that is not plain is searched."""
    said = [normalise(text) for text in _messages()]
    said += [
        "unrelated but",
        "ok and you",
        "what about it",
        "how about massage",
        "it s",
        "re-new q",
    ]
    plain = 0
    for text in said:
        words = text.split() if PLAIN.fullmatch(text) else None
        plain += words is not None
        assert _refers(text, words) == (REFERS.search(text) is not None), text
        for pattern, keys in (
            (NEW_SUBJECT, NEW_SUBJECT_KEYS),
            (INSTEAD, INSTEAD_KEYS),
            (IS_IT_THE_CONDITION, CONDITION_KEYS),
        ):
            found = _found(pattern, keys, text, words)
            searched = pattern.search(text)
            assert (found and found.span()) == (searched and searched.span()), (text, pattern)
    assert plain > len(said) // 2
    assert PLAIN.fullmatch("it s") and not PLAIN.fullmatch("re-new q")


def test_an_answer_written_at_start_is_the_answer_written_anew(dialogue: Dialogue) -> None:
    """Each topic's answer text and buttons, written at start, are those written for it
    when asked, cut or whole."""
    for intent in dialogue.content.responses:
        assert dialogue._answers[intent] == dialogue._answer_parts(intent, False), intent
        whole = dialogue.answer(intent, whole=True)
        assert (whole.text, whole.buttons) == dialogue._answer_parts(intent, True), intent
