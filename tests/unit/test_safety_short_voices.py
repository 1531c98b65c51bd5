"""The safety screen on short, broken and second-hand voices (issue 21, round six): classes of
reading that failed on thread replies, dictation, one-liners, second-language English and
look-alikes from sport, fiction, animals and children, each with an urgent sign beside a
look-alike of the same words.

Every sentence here was written for this file, before the rule it tests.
"""

from __future__ import annotations

import pytest
from screening import assert_both_ways

from bot.safety import Outcome, SafetyScreen


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a horse, a donkey or a foal is an animal whose lost foot or legs are its own
        (
            "my nan can't pick up her left foot since the weekend, she scuffs it everywhere",
            "the old gelding can't pick up his hind foot and the vet is coming on friday",
        ),
        (
            "my husband's legs went from under him twice today",
            "our donkey's legs went from under him in the field, the vet thinks it's arthritis",
        ),
    ],
)
def test_a_horse_or_a_donkey_has_its_own_signs(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a character in a book, a film or a drama "where" something happens has it, not the
        # writer or the writer's family
        (
            "i've lost the use of both legs since i slipped on the ice on monday",
            "reading a novel where the heroine loses the use of both legs after a car crash",
        ),
        (
            "my partner can't pee at all since he hurt his back yesterday",
            "my son is watching a film where the pilot can't pee after he ejects, grim stuff",
        ),
    ],
)
def test_a_character_in_a_story_has_the_story_s_signs(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a clinician's screening questions about the signs are a check, like "asked about"
        (
            "the gp asked how long i've had it, i can't feel my bum or pee properly since friday",
            "the nurse asked me all the questions about my bladder and bowels and numbness, "
            "no to all",
        ),
    ],
)
def test_screening_questions_check_the_signs(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # being found wet afterwards ("I keep finding myself damp") is wetting not felt; wet
        # from the rain, a shower or sweat is not
        (
            "since my back went i keep finding myself wet and i've no clue when it happened",
            "cycling to work in this weather i keep finding myself soaked from the rain",
        ),
        (
            "i've found myself damp three times this week, back pain since the fall",
            "i find myself damp with sweat after every gym class, my hamstring is tight",
        ),
    ],
)
def test_wetness_found_afterwards(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a bladder or bowel word that "happens" without the person knowing: passing not felt
        (
            "wees keep happening without me knowing since the op",
            "my wees happen more often since i started drinking two litres a day",
        ),
    ],
)
def test_passing_happens_without_knowing(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a likeness of sleep for the saddle region ("down there is like sleeping") is
        # numbness; a bottom that went to sleep on a long sit and woke is not
        (
            "down there is like sleeping since the weekend and my back is agony",
            "my bum went to sleep on the long train ride, fine once i got up",
        ),
    ],
)
def test_the_saddle_region_like_sleeping(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # second-language slips: "cannot to feel", "the my bottom" read as "cannot feel",
        # "my bottom"
        (
            "since monday i cannot to feel the my bottom when i sit",
            "i cannot to sit long on the my chair at work because the leg pain",
        ),
    ],
)
def test_second_language_slips_read_through(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


def test_not_waking_told_as_a_past_fact_is_no_wish(screen: SafetyScreen) -> None:
    # "... and didn't wake up" tells what a night was like: the sign in it counts, and no
    # crisis is read; the wish not to wake still is one
    told = screen.assess("wet myself in my sleep last night and didn't wake up")
    assert told.outcome == Outcome.URGENT, told
    wished = screen.assess("some nights i wish i didn't wake up at all")
    assert wished.outcome == Outcome.CRISIS, wished


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # legs that gave out or went numb at the end of a race or a set to failure are spent
        (
            "my legs gave out on the stairs this morning and again in the kitchen",
            "my legs gave out on the last rep of squats, training to failure is brutal",
        ),
        (
            "lost all feeling in my legs walking back from the shop, still can't feel them",
            "lost all feeling in my legs over the last mile of the half marathon, lol",
        ),
    ],
)
def test_legs_spent_by_sport(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a toddler's or an infant's fever is a child's illness, not a red flag of the back
        (
            "my husband has had a fever for two days and his back pain is worse",
            "the toddler has had a fever since tuesday so i've been carrying her all day",
        ),
    ],
)
def test_a_small_child_s_fever(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a sign at a child's birth ("when she had our son") is history
        (
            "my wife lost feeling in both legs after her fall on tuesday",
            "my wife lost feeling in both legs with the epidural when she had our daughter",
        ),
        # someone who "now walks fine" after it has recovered
        (
            "my brother has cauda equina and can't walk now",
            "my brother had cauda equina surgery last year and now walks fine",
        ),
    ],
)
def test_history_told_by_a_birth_or_a_recovery(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a leg "the same" as the one before is both legs; sciatica the same as before is
        # unchanged
        (
            "started in my left leg and now the right leg is the same, numb and heavy",
            "the sciatica i had before is the same, right leg, no worse",
        ),
        # pads for periods are no sign of leaking
        (
            "started wearing pads because i keep leaking since my back went",
            "started wearing pads because my periods are all over the place",
        ),
    ],
)
def test_unchanged_and_period_pads(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a muscle pulled in sport ("pulled up with both hamstrings") is a strain, not the
        # nerve in both legs
        (
            "both my hamstrings have gone numb and weak since saturday",
            "our keeper pulled up with both hamstrings tight in the warm-up",
        ),
    ],
)
def test_a_muscle_pulled_in_sport(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a part of a car or a house that fell off is no fall of a person
        (
            "fell off the kerb on the way to work and landed on my back, legs tingling",
            "the van's bumper fell off on the motorway and i lay under it to tie it back on",
        ),
    ],
)
def test_a_thing_that_fell_off(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a child of nursery or infant-school age named by age wets the bed as children do
        (
            "my husband wet the bed last night and didn't even notice, his back is bad",
            "my son wet the bed again, he's 4, and i hurt my back lifting the mattress",
        ),
        (
            "my wife has wet the bed twice this week and she has sciatica in both legs",
            "our girl wet the bed again, she's 3, so i was up at 2am and my back hurts",
        ),
    ],
)
def test_a_young_child_named_by_age(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a fever told as over ("gone", "broke", "went down") is over; one that has gone up
        # is not, and a sign after a "but" is not over with it
        (
            "my fever has gone up to 39 and my back is worse",
            "the fever has gone now, my lower back is still sore",
        ),
        (
            "the fever broke last night but now i can't feel my bum",
            "my fever went down yesterday and my back still aches from the sofa",
        ),
    ],
)
def test_a_fever_told_as_over(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a checklist the writer ticks off: a sign followed by "no" at the end of its item,
        # or asked and answered "no." in the next sentence, is denied; a "no" that goes on to
        # deny something else is not
        (
            "numb bum, no feeling when i wipe, weak legs, started sunday",
            "numb bum - no, trouble peeing - no, both legs - no, just my right calf",
        ),
        (
            "numbness down there? yes, since friday. can't pee either",
            "numbness down there? no. trouble with the toilet? no. just the leg pain",
        ),
    ],
)
def test_a_checklist_ticked_off(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # an emoji standing for a word of the body or the toilet reads as the word
        (
            "my \U0001f351 has gone completely numb since the weekend",
            "my \U0001f351 hurts on the right when i sit, sciatica again",
        ),
        # and a bottom numb from a long sit on a coach, fine after a walk, stays no sign
        (
            "my \U0001f351 is numb and i can't feel the seat, it's been days",
            "numb \U0001f351 after 5 hours on the train, fine after a walk",
        ),
        (
            "\U0001f4a9 came out without me knowing twice today",
            "\U0001f4a9 week, the sciatica is back in my left leg",
        ),
    ],
)
def test_an_emoji_reads_as_its_word(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # second-language "she is not feel her legs" is "she cannot feel her legs"; "she is
        # not feeling well" stays as it is
        (
            "my mother she is not feel her legs both since the morning",
            "my mother she is not feeling so well with the cold, and my back is sore",
        ),
    ],
)
def test_second_language_is_not_feel(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # the need to go not felt, told with "need to go" and no toilet word
        (
            "honestly i cannot feel when i need to go any more",
            "i cannot feel my left little toe when i need to go for a run",
        ),
        # second-language "not able to control the toilet" is control lost
        (
            "now i am not able to control the toilet since the weekend",
            "i am not able to use the toilet upstairs because the stairs hurt my back",
        ),
        # and "my legs is not strong" is weak legs
        (
            "since yesterday my legs is not strong, both of them",
            "the tablets is not strong enough for my leg pain",
        ),
    ],
)
def test_signs_in_plain_and_second_language_words(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a long sit on the loo to get anything out is retention; a long sit with a phone
        # is a habit
        (
            "i have to sit on the toilet for twenty minutes to get anything out now",
            "i sit on the toilet for twenty minutes with my phone, my wife says it's why",
        ),
    ],
)
def test_a_long_sit_to_get_anything_out(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a slip told as no fall ("but didn't fall", "caught myself") is none
        (
            "slipped on the wet floor and landed on my back, now my legs are tingling",
            "slipped on the wet kitchen floor but didn't fall, my back twinged though",
        ),
        # a player who "went down in the box" dived for a penalty
        (
            "went down hard on the ice at the rink and now my back is agony",
            "their winger went down in the box and i was shouting so much my back went",
        ),
    ],
)
def test_a_slip_or_a_dive_that_was_no_fall(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # legs shaking after a set to failure ache from the set
        (
            "my legs are killing me and shaking since i woke up, can barely stand",
            "went to failure on the leg press and my legs were killing me after",
        ),
        # a pipe or a tap leaking in the bathroom is the plumbing's
        (
            "i keep leaking in the bathroom before i can get my trousers down",
            "the pipe under the bathroom sink keeps leaking and i've been on my knees all day",
        ),
    ],
)
def test_a_gym_set_or_a_leaking_pipe(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # more everyday and second-language words: "the old chap", "pipi"
        (
            "since the fall i cant feel my old chap at all",
            "the old chap next door helped me in with the shopping, my back is sore",
        ),
        (
            "today i can not to make pipi and my back is bad",
            "i make pipi jokes with my toddler all day, my back is bad from lifting him",
        ),
        # a trickle after a long sit on the loo
        (
            "i sit on the loo for ages and only a trickle comes out",
            "i sit on the loo for ages reading, the only quiet place in the house",
        ),
        # days since the last wee
        (
            "it's been two days now since i had a wee",
            "it's been two days now since i had a massage and the leg is tight again",
        ),
    ],
)
def test_more_everyday_words_for_the_signs(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a crash in which no one was hurt, a fall at an age long past, a set to failure
        (
            "crashed the car on the way home and now my legs are tingling",
            "the lad next door crashed his car, no one hurt, i helped push it and my back went",
        ),
        (
            "fell down the stairs last night and landed on my back",
            "fell out of a tree aged 9 and broke my wrist, now 40 with sciatica",
        ),
        (
            "my legs are like jelly and keep giving way since yesterday",
            "muscle failure on every set today, legs like jelly, love it",
        ),
    ],
)
def test_a_crash_unhurt_a_fall_long_ago_a_set(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)
