"""The safety screen in the register of real people's long posts (issue 21, seventh round):
classes of reading that failed on the tuning part of ``blind5_safety.yml``, each with an
urgent sign beside a look-alike of the same words.

Every sentence here was written for this file, before the rule it tests.
"""

from __future__ import annotations

import pytest
from screening import assert_both_ways

from bot.safety import SafetyScreen


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a fever that a named everyday infection explains is that infection's, in every
        # wording of a fever ("has had a temperature" as much as "a fever")
        (
            "i've had a temperature since saturday and my lower back is killing me",
            "my daughter has had a temperature with a chest infection since saturday, and "
            "carrying her about has set my back off",
        ),
        # "fever pitch" is excitement, not a fever
        (
            "fever and shaking last night, and the back pain is the worst it has been",
            "things at the warehouse are at fever pitch before christmas and my back is "
            "paying for it",
        ),
    ],
)
def test_a_fever_explained_or_in_another_sense(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # the waterworks or the bladder beside a house's boiler, pipes or plumber are the house's
        (
            "my waterworks have given up since the disc went, i stand there and nothing",
            "the waterworks in the flat have given up and the plumber can't come until "
            "friday, so i've been hauling buckets and my back's gone",
        ),
        (
            "since sunday i have had trouble with my bladder, i have to strain",
            "the radiator valve is leaking and the cistern has a problem, i spent the "
            "morning on the bathroom floor and now my sciatica is back",
        ),
        # a bladder named plainly stays the person's beside a plumber; the house's water
        # shares only "waterworks", "stream" and "flow"
        (
            "the boiler packed in on monday and since then i keep leaking pee without knowing",
            "the boiler packed in on monday, the waterworks have given up and the flow from "
            "the taps is a trickle",
        ),
    ],
)
def test_a_houses_plumbing_is_no_bladder(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # someone who died of an illness had it: their history, however it began
        (
            "my dad has prostate cancer and his back has been agony all week",
            "my uncle died of lung cancer and his started with a cough, so every ache scares me",
        ),
        (
            "my mum has had cancer and now her back hurts at night",
            "my gran passed away from bowel cancer and it started with back pain for her, so "
            "i worry",
        ),
    ],
)
def test_someone_who_died_of_it_had_it(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # someone else's sign told in the past tense of a story of these days ("on Sunday",
        # "by Wednesday", "all afternoon") is theirs now; years ago it is history
        (
            "my dad slipped on the ice on tuesday and landed on his back",
            "my dad slipped on the ice years ago and landed on his back",
        ),
        (
            "by thursday my husband had been trying to go all afternoon and only a few drops came",
            "in 2015 my husband had been trying to go for hours and only a few drops came, "
            "it was his prostate and he had it sorted",
        ),
        (
            "at 2am on friday my grandad fell down the last three stairs and landed on his bottom",
            "my grandad fell down the stairs when he was a boy and landed on his bottom",
        ),
    ],
)
def test_someone_elses_sign_in_a_story_of_these_days(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # incontinence told by what was found: sitting in a wet chair, not noticed; and soiling
        # not felt, even on a walk with the dog
        (
            "the carer found my aunt sitting in a wet chair and she hadn't noticed",
            "the carer found my aunt sitting in a wet chair because she had knocked her tea over",
        ),
        (
            "my grandad had been found sitting in a wet chair by the warden and hadn't noticed",
            "years ago my grandad was found sitting in a wet chair and hadn't noticed, it "
            "turned out to be his tablets",
        ),
        (
            "out walking the dog i soiled myself and did not feel it happen",
            "the dog soiled himself in the car on the way to the vet, poor lad",
        ),
    ],
)
def test_incontinence_told_by_what_was_found(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a bladder a nurse or a doctor finds full, told as a likeness
        (
            "the nurse pressed his tummy and said his bladder was like a football",
            "the nurse said his belly was like a football because of all the wind",
        ),
    ],
)
def test_a_bladder_found_full(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # not able to tell what one is sitting on is no feeling where one sits
        (
            "since my back went i can't tell if i'm sitting on my bottom or on a cushion",
            "i can't tell if i'm sitting on the remote or my phone, the sofa eats everything",
        ),
    ],
)
def test_the_seat_not_felt(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # one leg now as bad as the other: both legs
        (
            "by monday the left was as bad as the right, all the way down to the feet",
            "the left was as bad as the right in my driving test, i failed on both turns",
        ),
    ],
)
def test_one_leg_as_bad_as_the_other(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a writer convinced of a condition fears it; what a form asks about is asked
        (
            "i can't feel anything when i wipe and i have cauda equina, the a&e doctor said",
            "i'm convinced the twinge in my calf is the start of cauda equina after reading "
            "a forum",
        ),
        (
            "i have bladder problems since the disc went",
            "the intake form asks about bladder problems, so i ticked no",
        ),
    ],
)
def test_a_condition_feared_or_asked_on_a_form(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a sign that went within a day or two, after a cause was found, is over
        (
            "i've had tingling in both feet since my back went and it's spreading",
            "i had tingling in both feet from tight new shoes and it went within a day",
        ),
    ],
)
def test_a_sign_that_went_within_days(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a leg that is less there each day is weakness getting worse; less pain is not
        (
            "every day there is a bit less of my right leg, today it would not hold me",
            "every day there is a bit less pain in my right leg, the stretches are working",
        ),
    ],
)
def test_less_of_a_leg_each_day(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a clinician's questions reported in one sentence and all answered no at the opening
        # of the next are denied; answered yes, or with no answer, they are the writer's
        (
            "The nurse asked whether I had any numbness between my legs, any trouble peeing "
            "or any fever. Yes, the numbness, since Sunday.",
            "The nurse asked whether I had any numbness between my legs, any trouble peeing "
            "or any fever. None of that, thankfully, just the leg.",
        ),
        (
            "My physio asked about my bladder, whether I can feel when it's full, and any "
            "numbness in my saddle area. I can't feel when it's full any more.",
            "My physio asked about my bladder, whether I can feel when it's full, and any "
            "numbness in my saddle area. There wasn't any of that, she was happy.",
        ),
    ],
)
def test_a_clinicians_questions_answered_no(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # someone else's cancer told as history, then their own back or leg pain now in a
        # later sentence: their red flag now; the writer's pain, their back fine, or a person
        # who died of it, is not
        (
            "My uncle had bowel cancer in 2017. Since the summer he has had a pain in his "
            "back that keeps him up at night.",
            "My uncle had bowel cancer in 2017. Since the summer I have had a pain in my back "
            "that keeps me up at night.",
        ),
        (
            "My mum had a lumpectomy in 2019 and was signed off last year. Lately she is "
            "complaining about her lower back and her hip.",
            "My mum had a lumpectomy in 2019 and was signed off last year. Lately her back is "
            "fine, it is my hip that is complaining.",
        ),
        (
            "My grandad had prostate cancer in 2015. Now his back hurts all the time.",
            "My grandad died of prostate cancer in 2015. Now my back hurts all the time, and "
            "his back was always bad too.",
        ),
    ],
)
def test_someone_elses_cancer_then_their_back_now(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # cauda equina named as something studied, or as what took someone else into hospital
        # or theatre, is no emergency of the writer's; named as the writer's own now, it is
        (
            "the out of hours doctor thinks i have cauda equina, i'm waiting for the ambulance",
            "we did cauda equina in today's lecture and now i'm paranoid about my own sciatica",
        ),
        (
            "my brother says he has cauda equina, he can't feel his bum since monday",
            "my colleague was admitted with cauda equina last week, so i'm nervous about my "
            "own sciatica",
        ),
        (
            "i think it's cauda equina, i can't feel the loo seat since last night",
            "my neighbour's son went into hospital on sunday night with cauda equina and has "
            "had the operation",
        ),
        (
            "i'm sure it's cauda equina this time, the same as my dad had",
            "my dad had emergency surgery for cauda equina on friday and is recovering well",
        ),
    ],
)
def test_cauda_equina_studied_or_in_hospital_care(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a clinician's pin or touch test not felt around the bottom or the genitals
        (
            "The physio had me lie on my side and pricked around my bottom with a pin, and I "
            "couldn't feel it on the left.",
            "The physio had me lie on my side and pricked around my bottom with a pin, and I "
            "could feel it everywhere, she was pleased.",
        ),
        # a bed found damp, with no memory of waking
        (
            "Every morning this week I have found the sheets damp and I have no memory of waking.",
            "Every morning this week I have found the sheets damp with sweat from the "
            "menopause, and I have no memory of waking.",
        ),
        # someone else's cancer told as history in a clause of its own, then their pain now
        # in the rest of the sentence
        (
            "My brother, who had testicular cancer in 2018, now has pain in his lower back that "
            "wakes him at night.",
            "My brother, who had testicular cancer in 2018, now helps me with my lower back "
            "exercises at night.",
        ),
        (
            "My dad, who had a kidney removed for cancer in 2019, has had a terrible back since "
            "June.",
            "My dad, who had a kidney removed for cancer in 2019, has been fine since, and my "
            "back has been terrible since June.",
        ),
    ],
)
def test_found_by_a_test_a_bed_or_a_clause(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a birth is a time: what happened when the waters broke is history
        (
            "since my back went on friday i can't make it to the toilet in time",
            "the night my waters broke with my son i couldn't make it to the toilet in time",
        ),
        # signs a leaflet names as reasons to go to A&E are talked about
        (
            "i have numbness around my back passage and problems peeing since monday",
            "the practice leaflet names numbness around your back passage and problems peeing "
            "as reasons to go to a&e",
        ),
        # cauda equina as a professional sees it in others
        (
            "the a&e doctor thinks i have cauda equina and i'm waiting for a scan",
            "my sister is a spinal nurse and has seen cauda equina a handful of times",
        ),
        # someone else's fall whose injury is a broken arm or wrist, or a sprained ankle
        (
            "our neighbour's lad came off his bike on saturday and landed on his back",
            "our neighbour's lad came off his bike on saturday and broke his arm",
        ),
        # someone else's pain now after their cancer, whatever the painkiller does not touch
        (
            "Dad had bowel cancer in 2016. Since March he has had a pain in his back that "
            "ibuprofen doesn't touch.",
            "Dad had bowel cancer in 2016. Since March there has been no pain in his back at "
            "all, which is a relief.",
        ),
        # a foot that will not go up onto a kerb or a step
        (
            "on the monday i couldn't get my right foot up onto the kerb, it caught every time",
            "on the monday i couldn't get the pram up onto the kerb, the wheel caught every time",
        ),
    ],
)
def test_second_look_at_the_real_register(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a pad found soaked by someone who had no clue
        (
            "the nurse noticed mum's pad was soaked and mum hadn't a clue",
            "the nurse noticed the baby's nappy was soaked and the baby hadn't a care",
        ),
        # the seat felt as if it were not there
        (
            "when i sat on the toilet on saturday the seat felt like it wasn't there",
            "when i sat on the toilet on saturday the seat felt loose, like the hinge had gone",
        ),
        # cancer as the place someone works
        (
            "my wife had chemo last year and her back is agony now",
            "the chemo unit where my wife works is short-staffed, and my back is bad from "
            "doing all the lifting at home",
        ),
        # an animal's wet bed, told a few words from the animal
        (
            "my husband was found lying in a wet bed on monday and had not noticed",
            "our old dog was found lying in a wet bed on monday, the vet says kidneys",
        ),
    ],
)
def test_third_look_at_the_real_register(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # cauda equina surgery in a decade long gone is history
        (
            "the surgeon thinks i need cauda equina surgery tonight",
            "my great-uncle had cauda equina surgery in the eighties, it is family legend",
        ),
        # wetting most days with dementia is the dementia's
        (
            "since monday she wets herself and doesn't know, she never did before",
            "my nan has dementia and wets herself most days now, lifting her has hurt my back",
        ),
        # a fear that was, after a video or a post
        (
            "i am convinced it is cauda equina because since yesterday i can't feel my bum",
            "i was convinced for a week that i had a tumour on my spine after a video",
        ),
        # the children's fever on a given day is theirs
        (
            "on sunday i had a fever of 38.6 and my back is agony",
            "on sunday the kids had a fever and i was up all night with them",
        ),
        # the feeling there told as reduced, after the region
        (
            "the gp said the feeling around my back passage is reduced",
            "the gp said the swelling around my back passage is reduced",
        ),
        # nothing would come when trying to pee
        (
            "on sunday night i got up to pee and nothing would come",
            "on sunday night i got up to pee and then could not get back to sleep",
        ),
    ],
)
def test_fourth_look_at_the_real_register(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # "When the nurse came, she noticed ..." tells a time: no question
        (
            "When the district nurse came on Wednesday she noticed mum's pad was soaked and mum "
            "hadn't a clue",
            "when should i worry that mum's pad is soaked and she hasn't a clue",
        ),
    ],
)
def test_a_when_that_tells_a_time(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a leg that "simply wasn't there" and put the person on the floor
        (
            "I went to stand up and my left leg simply wasn't there, I went straight down",
            "I went to stand up and my left slipper simply wasn't there, I looked everywhere",
        ),
    ],
)
def test_a_leg_that_was_not_there(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a toddler's temperature after the jabs, in any wording of a fever
        (
            "on saturday i had a temperature of 39 and my back has been agony since",
            "on saturday our toddler had a temperature of 39 after his jabs",
        ),
        # legs like jelly after a long run
        (
            "since sunday my legs are like jelly and keep giving way on the stairs",
            "my legs were like jelly after the sunday long run, the sciatica is the real problem",
        ),
    ],
)
def test_fifth_look_at_the_real_register(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)
