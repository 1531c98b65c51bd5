"""The safety screen on the classes missed or alarmed on the tuning part of
``blind8_safety.yml`` (every urgent sign told once in passing in long posts, texts, carers'
messages and dictation): each class with an urgent sign beside a look-alike of the same words.

Every sentence here was written for this file, before the rule it tests.
"""

from __future__ import annotations

import pytest
from screening import assert_both_ways

from bot.safety import SafetyScreen


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # an explanation said not to hold ("not been dieting") explains nothing
        (
            "My brother has lost stones in weight this spring and he hasn't been dieting.",
            "My brother has lost stones in weight this spring and he has been dieting.",
        ),
        (
            "I've lost a lot of weight since March and I'm not on a diet.",
            "I've lost a lot of weight since March, I'm on a diet.",
        ),
    ],
)
def test_an_explanation_said_not_to_hold(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a patient's or resident's cancer and their back pain are the carer's working day
        (
            "My mum had breast cancer years ago and now her spine aches all the time.",
            "I'm a district nurse and one of my patients has cancer in her bones, she is in "
            "pain every night. My own back aches from the lifting.",
        ),
        (
            "My husband had bowel cancer and he now has pain in his back at night.",
            "I work in a care home and one of the residents has cancer that has reached his "
            "spine, he is getting thinner. My lower back is sore.",
        ),
    ],
)
def test_a_patients_cancer_and_pain_are_the_carers_work(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # the foot of a thing (a machine, a bed, a ladder) is no foot that drops
        (
            "Since Tuesday my right foot keeps dropping when I walk.",
            "The ladder's foot keeps dropping into the soft soil when I prune the hedge.",
        ),
        (
            "My left foot drags and catches on the carpet.",
            "The foot of the bed drags on the carpet every time I make it.",
        ),
    ],
)
def test_the_foot_of_a_thing(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a toilet accident is no fall or crash
        (
            "I had an accident on my bike on Sunday and my back has been agony since.",
            "My daughter is 5 and keeps having wee accidents at school, the GP says she "
            "holds on too long. Carrying her has hurt my back.",
        ),
        (
            "Had an accident in the car yesterday and now my back is killing me.",
            "Our little boy had two poo accidents this week while he's constipated, and "
            "cleaning up has hurt my back.",
        ),
    ],
)
def test_a_toilet_accident_is_no_fall(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a fall a clinician examined and found nothing broken after
        (
            "I fell down the stairs on Saturday and my back has been awful since.",
            "I fell down the stairs on Saturday, the x-ray showed no fracture and the doctor "
            "said it's only bruised.",
        ),
        (
            "Slipped on the ice this morning and landed hard on my back.",
            "Slipped on the ice last week, A&E found nothing broken and my back is easing.",
        ),
    ],
)
def test_a_fall_found_to_have_broken_nothing(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # soiling oneself in everyday verbs
        (
            "I pooed myself in the supermarket today without feeling it coming.",
            "My puppy pooed on the kitchen floor today without any warning.",
        ),
        (
            "Last night he messed himself in bed and didn't know.",
            "Last night he messed up the bed sheets with his muddy boots.",
        ),
    ],
)
def test_soiling_oneself_in_everyday_verbs(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # no urine passed since a time, told with "any"
        (
            "She hasn't passed any urine since this morning.",
            "She hasn't passed any exams since this morning's resits, poor thing.",
        ),
        (
            "I haven't passed any water since yesterday.",
            "I haven't passed any water bottles round since yesterday's match.",
        ),
    ],
)
def test_no_urine_passed_told_with_any(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # the writer's own present ("I'm just curious") is not someone else's now
        (
            "I'm just back from my dad's and he has wet himself twice today.",
            "I'm just curious because my uncle had a kidney infection once.",
        ),
        (
            "We're only asking because my wife can't feel her bottom since this morning.",
            "We are just wondering since my mum had a bladder infection once.",
        ),
    ],
)
def test_the_writers_own_present(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a question about one's own sign, answered no at the opening of the next sentence
        (
            "Say I had lost weight without trying, would that matter with sciatica? I have, "
            "nearly a stone since June.",
            "Say I had lost weight without trying, would that matter with sciatica? I haven't, "
            "my weight is steady.",
        ),
        (
            "Supposing I got a temperature with this back pain, is that serious? Because I've "
            "got one now, 38.6.",
            "Supposing I got a temperature with this back pain, is that serious? I don't, "
            "I'm just planning ahead.",
        ),
    ],
)
def test_a_question_answered_no_in_the_next_sentence(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # the need to wee told, and nothing when trying
        (
            "I've needed a pee for hours and when I sit down nothing happens.",
            "I was desperate for a wee on the train and when I tried the toilet door nothing "
            "happened, it was locked.",
        ),
        (
            "Bursting for a wee since teatime, but nothing comes when I try.",
            "Bursting for a wee since teatime, the queue for the ladies was huge but nothing "
            "comes of complaining.",
        ),
    ],
)
def test_the_need_to_go_with_nothing_when_trying(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a numbness that goes by itself within a minute or so, told in the same sentence
        (
            "Both my feet went numb in yoga and it still hasn't gone after an hour.",
            "Both my feet go numb when I kneel in church, then it goes after a minute of standing.",
        ),
        (
            "My feet are both numb since I sat cross-legged, and it doesn't go when I walk about.",
            "If I squat to weed the garden both feet tingle and go numb, and it passes after "
            "a minute or two.",
        ),
    ],
)
def test_a_numbness_gone_within_a_minute(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # someone else's condition long ago, with only its lasting aid told now
        (
            "My uncle had cauda equina surgery years ago and now he can't pee again.",
            "My uncle had cauda equina years ago and now self-catheterises, he manages fine.",
        ),
        (
            "My gran had cancer of the womb years ago and now her back is agony.",
            "A friend from church had cauda equina a long time ago and now uses a wheelchair.",
        ),
    ],
)
def test_someone_elses_old_condition_and_its_lasting_aid(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)
