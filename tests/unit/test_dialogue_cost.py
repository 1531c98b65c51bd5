"""What keeps the context reading cheap changes no answer."""

from __future__ import annotations

import copy
import gc

import pytest
import yaml
from locations import REPO

from bot.dialogue import ANY_FACET, FACET_WORDS, FACETS, OPEN_FACETS, Dialogue, _facets_in
from bot.evaluation.dialogues import _fastest_pair
from bot.replies import ChatState
from bot.text import normalise

DATA = REPO / "tests" / "data"


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
                if pattern.search(short):
                    want.append(name)
                    if name not in OPEN_FACETS:
                        break
        assert [name for name, _ in found] == want, text


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
    bare = copy.copy(dialogue)  # the same dialogue, its table emptied
    bare._word_names = {}
    assert dialogue._word_names and any(dialogue._word_names.values())
    for state in states:
        for text in said:
            assert dialogue.handle(state, text) == bare.handle(state, text), (last, text)


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
