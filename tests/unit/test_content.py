"""The loader accepts the bundled content and reports every problem with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from locations import REPO

from bot.content import (
    MESSAGE_FIELDS,
    REQUIRED_INTENTS,
    REQUIRED_MESSAGES,
    Content,
    ContentError,
    ContentUnreadable,
    collapse_spaces,
    load_content,
)
from bot.dialogue import Dialogue
from bot.replies import DETAILS
from bot.service import ChatService
from bot.store import Store


def _problems(intents: Path, responses: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_content(intents, responses)
    return [str(p) for p in info.value.problems]


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_bundled_content_is_valid(content: Content) -> None:
    assert set(REQUIRED_INTENTS) <= set(content.intents)
    assert set(content.intents) == set(content.responses)
    assert "fallback" not in content.intents
    for intent in content.intents.values():
        assert len(intent.examples) >= 15, intent.name


def test_a_shared_list_stands_among_a_rules_own_unless_terms(content: Content) -> None:
    # `unless: [comfortable, ..., *sat_too_long]`: the shared list's terms and the rule's own
    rule = next(r for r in content.screen if r.name == "cannot feel the seat")
    assert {"comfortable", "long drive", "hours on the bike"} <= set(rule.unless)


def test_every_excerpt_stands_in_the_article(content: Content) -> None:
    article = collapse_spaces(content.article)
    quoted = [e for r in content.responses.values() for e in r.excerpts]
    assert quoted
    for excerpt in quoted:
        assert collapse_spaces(excerpt) in article


def test_medical_answers_quote_and_recommend_care(content: Content) -> None:
    small_talk = {"greeting", "thanks", "goodbye", "about_bot", "find_therapist", "red_flags"}
    for name, response in content.responses.items():
        if name in small_talk or response.kind != "article":
            continue
        assert response.excerpts, name
        assert response.care, name
    assert not content.responses["red_flags"].excerpts


def test_answers_the_article_does_not_cover_say_so_and_quote_nothing(content: Content) -> None:
    kinds = {r.kind for r in content.responses.values()}
    assert {"article", "not_covered", "guidance", "clinic"} <= kinds
    for name, response in content.responses.items():
        if response.kind in ("not_covered", "guidance", "clinic"):
            assert not response.excerpts, name
        if response.kind in ("not_covered", "guidance"):
            assert response.care, name
            assert "article" in response.text.lower(), name


def test_project_article_is_the_shared_source() -> None:
    root = REPO
    shared = root.parent / "shared" / "seeds" / "000_f5658acb16fe1be5.txt"
    if not shared.exists():
        pytest.skip("shared source article not present beside the project")
    assert (root / "responses" / "article.txt").read_text() == shared.read_text()


def test_yaml_error_names_file_and_line(content_copy: tuple[Path, Path]) -> None:
    intents, responses = content_copy
    path = intents / "smalltalk.yml"
    lines = path.read_text().splitlines()
    lines.insert(5, "      - [unclosed")
    path.write_text("\n".join(lines) + "\n")
    problems = _problems(intents, responses)
    assert any(p.startswith(str(path)) and "YAML error" in p for p in problems), problems


def test_unknown_key_is_reported_with_line(content_copy: tuple[Path, Path]) -> None:
    intents, responses = content_copy
    path = responses / "answers.yml"
    text = path.read_text().replace("    title:", "    titel:", 1)
    path.write_text(text)
    line = _line_of(path, "titel:")
    problems = _problems(intents, responses)
    assert any(p.startswith(f"{path}:{line}:") and "unknown key 'titel'" in p for p in problems)


def test_intent_without_response_and_response_without_intent(
    content_copy: tuple[Path, Path],
) -> None:
    intents, responses = content_copy
    extra = intents / "extra.yml"
    examples = "\n".join(f"      - lonely example number {i}" for i in range(15))
    extra.write_text(f"intents:\n  - intent: lonely\n    examples:\n{examples}\n")
    answers = responses / "answers.yml"
    answers.write_text(
        answers.read_text()
        + "\n  - intent: ghost\n    title: Ghost\n    text: nobody asks for this\n"
    )
    problems = _problems(intents, responses)
    assert any(p.startswith(f"{extra}:2:") and "'lonely' has no response" in p for p in problems)
    ghost_line = _line_of(answers, "intent: ghost")
    assert any(
        p.startswith(f"{answers}:{ghost_line}:") and "unknown intent 'ghost'" in p for p in problems
    )


def test_follow_up_to_unknown_intent(content_copy: tuple[Path, Path]) -> None:
    intents, responses = content_copy
    answers = responses / "answers.yml"
    text = answers.read_text()
    first = text.index("follow_ups: [") + len("follow_ups: [")
    answers.write_text(text[:first] + "no_such_topic, " + text[first:])
    line = _line_of(answers, "no_such_topic")
    problems = _problems(intents, responses)
    assert any(f"{answers}:{line}:" in p and "'no_such_topic'" in p for p in problems), problems


def test_same_example_under_two_intents(content_copy: tuple[Path, Path]) -> None:
    intents, responses = content_copy
    path = intents / "smalltalk.yml"
    text = path.read_text()
    # The first example of the file moves, as a copy, under the last intent of the file too.
    first_example = next(
        line.strip()[2:]
        for line in text.splitlines()
        if line.strip().startswith("- ") and "intent:" not in line
    )
    path.write_text(text.rstrip("\n") + f"\n      - {first_example.upper()}\n")
    problems = _problems(intents, responses)
    last_line = len(path.read_text().splitlines())
    assert any(p.startswith(f"{path}:{last_line}:") and "also under" in p for p in problems), (
        problems
    )


def test_excerpt_must_be_word_for_word(content_copy: tuple[Path, Path]) -> None:
    intents, responses = content_copy
    answers = responses / "answers.yml"
    text = answers.read_text()
    changed = text.replace("shooting pain", "stabbing pain", 1)
    assert changed != text
    answers.write_text(changed)
    line = _line_of(answers, "stabbing pain")
    problems = _problems(intents, responses)
    assert any(p.startswith(f"{answers}:{line}:") and "word for word" in p for p in problems)


def test_payload_over_64_bytes_and_answer_over_4096(content_copy: tuple[Path, Path]) -> None:
    intents, responses = content_copy
    long_name = "x" * 70
    examples = "\n".join(f"      - very long topic phrasing {i}" for i in range(15))
    (intents / "long.yml").write_text(
        f"intents:\n  - intent: {long_name}\n    examples:\n{examples}\n"
    )
    answers = responses / "answers.yml"
    answers.write_text(
        answers.read_text()
        + f'\n  - intent: {long_name}\n    title: Long\n    text: "{"word " * 900}"\n'
    )
    problems = _problems(intents, responses)
    assert any("over 64 bytes" in p for p in problems), problems
    assert any("Telegram allows 4096" in p for p in problems), problems


def test_every_problem_is_reported_at_once(content_copy: tuple[Path, Path]) -> None:
    intents, responses = content_copy
    greetings = intents / "smalltalk.yml"
    greetings.write_text(greetings.read_text().replace("- intent:", "- intnt:", 1))
    answers = responses / "answers.yml"
    answers.write_text(answers.read_text().replace("    title:", "    titel:", 1))
    problems = _problems(intents, responses)
    assert any("intnt" in p for p in problems)
    assert any("titel" in p for p in problems)


def test_a_file_that_fails_to_parse_is_reported_first_and_alone(
    content_copy: tuple[Path, Path],
) -> None:
    """A YAML error in one responses file would otherwise bring a line per intent whose
    response sits in that file ("has no response"), all ahead of the real cause."""
    intents, responses = content_copy
    clinic = responses / "clinic.yml"
    lines = clinic.read_text().splitlines()
    lines.insert(len(lines) // 2, "  - intent: [unclosed")
    clinic.write_text("\n".join(lines) + "\n")
    answers = responses / "answers.yml"
    answers.write_text(answers.read_text().replace("    title:", "    titel:", 1))
    problems = _problems(intents, responses)
    assert len(problems) == 1, problems
    assert problems[0].startswith(str(clinic)) and "YAML error" in problems[0]


def test_an_unreadable_file_is_its_own_kind_of_problem(
    content_copy: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    intents, responses = content_copy
    real_read = Path.read_text

    def refuse(path: Path, *args: object, **kwargs: object) -> str:
        if path == responses / "clinic.yml":
            raise PermissionError(13, "Permission denied", str(path))
        return real_read(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", refuse)
    with pytest.raises(ContentUnreadable) as info:
        load_content(intents, responses)
    assert [str(p) for p in info.value.problems] == [
        f"{responses / 'clinic.yml'}:1: cannot read file: Permission denied"
    ]


def test_missing_folder_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    problems = _problems(tmp_path / "nope", tmp_path / "nothing")
    assert any("folder not found" in p for p in problems)


def test_message_fields_are_checked_with_their_line(content_copy: tuple[Path, Path]) -> None:
    intents, responses = content_copy
    path = responses / "messages.yml"
    text = path.read_text()
    text = text.replace("after {days} days without a message from", "after {day} days without a", 1)
    text = text.replace('slow_down: "You are', 'slow_down: "{You are', 1)
    path.write_text(text)
    problems = _problems(intents, responses)
    privacy = _line_of(path, "  privacy: |-")
    assert any(
        p.startswith(f"{path}:{privacy}:") and "message 'privacy': unknown field {day}" in p
        for p in problems
    ), problems
    slow = _line_of(path, "slow_down:")
    assert any(
        p.startswith(f"{path}:{slow}:") and "message 'slow_down'" in p and "brace" in p
        for p in problems
    ), problems


def test_a_missing_or_malformed_bot_message_is_reported_with_file_and_line(
    content_copy: tuple[Path, Path],
) -> None:
    """Deleting a message, breaking a brace or dropping a field the bot needs: each is a
    problem at the file and line an editor has to open."""
    intents, responses = content_copy
    path = responses / "messages.yml"
    lines = path.read_text().splitlines(keepends=True)
    lines = [line for line in lines if not line.startswith("  voice_busy:")]
    text = "".join(lines)
    text = text.replace('chosen: "You chose: {title}"', 'chosen: "You chose: {title"', 1)
    text = text.replace('handover_ticket: "Question #{number} from', 'handover_ticket: "From', 1)
    text = text.replace("/done {number} closes it.", "/done closes it.", 1)
    text = text.replace('handover_has_it: "{name} has', 'handover_has_it: "{who} has', 1)
    path.write_text(text)
    problems = _problems(intents, responses)
    block = _line_of(path, "messages:") + 1  # the first message: where the block starts
    assert f"{path}:{block}: message 'voice_busy' is missing" in problems, problems
    chosen = _line_of(path, "  chosen:")
    assert any(
        p.startswith(f"{path}:{chosen}: message 'chosen':") and "brace" in p for p in problems
    ), problems
    ticket = _line_of(path, "  handover_ticket:")
    assert f"{path}:{ticket}: message 'handover_ticket': it must use {{number}}" in problems
    has_it = _line_of(path, "  handover_has_it:")
    assert any(
        p.startswith(f"{path}:{has_it}: message 'handover_has_it': unknown field {{who}}")
        for p in problems
    ), problems
    assert len(problems) == 4, problems


def test_every_message_the_bot_fills_in_uses_only_its_fields(content: Content) -> None:
    """The shipped wording formats with the fields the bot passes, and every wording that
    left the code is required content."""
    for key, fields in MESSAGE_FIELDS.items():
        content.messages[key].format(**{f: "x" for f in fields})
    moved = {
        "voice_not_heard",
        "voice_heard",
        "voice_too_long",
        "voice_unreadable",
        "voice_busy",
        "handover_private_only",
        "admins_only",
        "chosen",
        "handover_ticket",
        "handover_staff_help",
        "handover_take_label",
        "handover_done_label",
        "handover_limit",
        "handover_open_head",
    }
    assert moved <= set(REQUIRED_MESSAGES)


def test_the_privacy_wording_is_content(content: Content) -> None:
    """The privacy texts come from messages.yml, with their fields filled in."""
    service = ChatService(Dialogue(content), Store(retention_days=12))
    text = service.command("telegram:1", "privacy").text
    assert "12 days" in text and "{" not in text
    details = service.press("telegram:1", DETAILS).text
    first = content.messages["privacy"].split("\n")[0].format(where="X")
    assert details.replace(content.messages["privacy_in_memory"], "X").startswith(first)
