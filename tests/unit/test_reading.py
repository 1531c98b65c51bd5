"""The ask in a story (``bot/reading.py``): which sentences are questions."""

from __future__ import annotations

from bot.reading import read


def test_a_question_after_a_dash_is_read_as_the_ask() -> None:
    reading = read(
        "Im a hairdresser so on my feet all day. a friend swears massage sorted hers out - "
        "can massage actually help sciatica or is that wishful thinking"
    )
    assert [p.question for p in reading.parts] == [False, False, True]
    assert reading.parts[-1].text.startswith("can massage actually help sciatica")
    # A dash inside a statement splits nothing: "mid-30s", "back - and leg".
    assert len(read("I'm in my mid-30s. back - and leg - hurt all day.").parts) == 2


def test_a_statement_that_drops_its_subject_is_not_a_question() -> None:
    reading = read(
        "Physio gave me a sheet of hamstring stretches. Doesn't seem to do much. "
        "Haven't been sleeping well either. Y/N. "
        "Does stretching help sciatica at all"
    )
    assert [p.question for p in reading.parts] == [False, False, False, False, True]


def test_a_sentence_opening_with_what_i_felt_was_is_a_statement() -> None:
    reading = read(
        "What I felt was a hot ache from my hip to my heel. "
        "What my GP said is that it should settle. "
        "What I need to know is how long it lasts"
    )
    assert [p.question for p in reading.parts] == [False, False, True]


def test_an_aside_that_asks_nothing_is_not_the_ask() -> None:
    reading = read(
        "My leg has hurt for six weeks now (but who's counting?). "
        "What a week that was! "
        "Is it worth trying massage?"
    )
    assert [p.question for p in reading.parts] == [False, False, True]
    # The aside's words are dropped from what the sentence tells.
    assert reading.parts[0].text == "my leg has hurt for six weeks now but"
    # A real question that merely starts like an exclamation is still one.
    assert read("What are the stretches for piriformis?").parts == ()
    assert read("Sore leg. What a pain, what can I take?").parts[-1].question


def test_wondering_aloud_in_the_past_is_asking() -> None:
    reading = read("My back went into spasm after a massage. I wondered if I should go back.")
    assert [p.question for p in reading.parts] == [False, True]


def test_a_request_to_explain_is_the_ask() -> None:
    reading = read("Please explain sciatica and how it is treated. My leg hurts when I sit.")
    assert [p.question for p in reading.parts] == [True, False]
    assert read("Could you explain the difference between them. Thanks").parts[0].question


def test_a_short_question_judging_something_unnamed_points_back() -> None:
    reading = read(
        "My sister had a massage for hers and swears by it. Worth a go? What can I take?"
    )
    assert [p.question for p in reading.parts] == [False, True, True]
    # "worth a go?" judges what was just told; "what can I take?" names its own subject
    assert [p.refers for p in reading.parts[1:]] == [True, False]
    # a long question naming its subject does not point back
    assert not read("Ok. Is massage safe when you are thirty weeks pregnant?").parts[1].refers


def test_asking_whether_someone_was_right_judges_what_was_told() -> None:
    reading = read("The nurse said sitting all night is asking for trouble. Is she right?")
    assert reading.parts[1].question and reading.parts[1].judges and reading.parts[1].refers
    assert not read("My back hurts. Is it right to rest it?").parts[1].judges


def test_announcing_what_follows_and_telling_what_helped_ask_nothing() -> None:
    told = read(
        "Can I just say, I was a doubter. What finally made a difference was a massage "
        "therapist. What helped you, was it massage?"
    )
    assert [p.question for p in told.parts] == [False, False, True]


def test_wanting_to_know_is_asking() -> None:
    reading = read("Ive been burned before. Honestly just want to know if massage helps sciatica")
    assert [p.question for p in reading.parts] == [False, True]


def test_a_short_question_naming_its_subject_points_nowhere() -> None:
    reading = read("My wife booked me in for friday evening. is massage ok?")
    assert reading.parts[1].question and not reading.parts[1].refers


def test_a_clause_of_time_place_or_reason_tells_without_a_question_mark() -> None:
    reading = read(
        "When I sit down it burns. Where I live there is no clinic. "
        "Why it started is a mystery. Which was odd. When will it stop"
    )
    assert [p.question for p in reading.parts] == [False, False, False, False, True]
    # with an auxiliary straight after the question word, or a question mark, it asks
    assert read("My leg hurts. Why does it hurt").parts[1].question
    assert read("My leg hurts. Why it hurts?").parts[1].question


def test_a_question_in_quotation_marks_is_someone_else_s_words() -> None:
    reading = read(
        'The therapist asked, "Any pain today?" I said no. '
        '"Should we work the hips?" he said. Is massage safe for me?'
    )
    assert [p.question for p in reading.parts] == [False, False, False, False, True]
    # the closing mark of a quoted question, left before the next sentence, opens nothing
    assert [p.question for p in read('"Any pain today?" Is it safe?').parts] == [False, True]


def test_a_question_after_a_comma_about_what_to_do_stands_on_its_own() -> None:
    reading = read("had a bad cold all week, should i still come in on friday")
    assert [(p.text, p.question) for p in reading.parts] == [
        ("had a bad cold all week", False),
        ("should i still come in on friday", True),
    ]
    # a request before the comma, a question pointing back at it, or a short question keeps
    # the sentence whole
    for whole in (
        "explain massage for sciatica please, do i need a referral",
        "the tablets make me dizzy all day, should i stop them now",
        "i am the one with sciatica, can i book",
    ):
        assert read(whole).parts == (), whole


def test_a_question_after_a_later_comma_or_after_fillers_stands_on_its_own() -> None:
    reading = read("my leg aches all day, and at night too, so um can i still have a massage")
    assert [(p.text, p.question) for p in reading.parts] == [
        ("my leg aches all day and at night too", False),
        ("can i still have a massage", True),
    ]
    # "I" and an auxiliary in the sentence, but not opening what follows a comma
    assert read("i can walk fine, but the pain comes back at night").parts == ()
