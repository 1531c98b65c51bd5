"""The safety screen on long posts (issue 21, sixth round): classes of reading that failed on
a set of long forum posts, each with an urgent sign beside a look-alike of the same words.

Every sentence here was written for this file, before the rule it tests.
"""

from __future__ import annotations

import pytest
from screening import assert_both_ways

from bot.safety import SafetyScreen


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a medical word the English word list lacks is no typo of a screen word ("caudal"
        # is not "cauda"), while a real slip of the screen word still is
        (
            "i think this is caud equina, i can't feel anything when i wipe",
            "the pain clinic booked me a caudal steroid injection for the left leg",
        ),
        (
            "i've become incontinant since my back went on friday",
            "my consultant wants a sacral nerve block next, is massage ok before it?",
        ),
    ],
)
def test_medical_words_are_no_typos_of_screen_words(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # shivering that a cold room explains (a thermostat, a number of degrees, a broken
        # heating) is the room's; shivering though warm in bed is a fever
        (
            "i've been shivering for hours even with the heating on full and two duvets",
            "the heating at work is broken, it's 16 degrees and i'm shivering at my desk",
        ),
        (
            "teeth chattering all evening under a blanket and my back is agony",
            "the thermostat in our flat is stuck at 17 so i'm shivering and my back seizes up",
        ),
    ],
)
def test_shivering_a_cold_room_explains_is_no_fever(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # "came off" a bike or a horse is a fall; off a shift, a rota or a medicine it is not
        (
            "came off my bike on the ice this morning and now i can't feel my legs",
            "i came off nights on friday and my lower back has ached all weekend",
        ),
        (
            "my son came off his horse yesterday and landed on his back",
            "i came off the gabapentin last month and the leg pain has crept back",
        ),
        (
            "i came off the road on my motorbike this morning and my back is killing me",
            "i came off the phone to the gp and my back is still killing me",
        ),
    ],
)
def test_came_off_a_shift_or_a_medicine_is_no_fall(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a leak in pregnancy that the baby's weight on the bladder explains is no red flag,
        # told with the bladder rather than the baby and with words between; a new leak with
        # the back pain still is
        (
            "since the back pain started i've been leaking when i cough, that never happened "
            "before",
            "at 34 weeks he's sitting right on my bladder and i leak a little when i sneeze",
        ),
        (
            "i keep leaking without knowing and my sciatica is in both legs",
            "the baby is lying really low on my bladder, so i wet myself a bit laughing",
        ),
    ],
)
def test_a_leak_the_baby_on_the_bladder_explains(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # "he" or "his" after patients, residents or clients, with no one else named between,
        # is one of them: the writer's work or a story, not someone's emergency now
        (
            "i'm a nurse but tonight my dad can't feel his legs and he can't pee",
            "on the programme one of the patients had a crash, couldn't feel his legs and "
            "lost control of his bladder, now i'm scared",
        ),
        (
            "my husband has lost control of his bladder since this morning",
            "one of my residents fell last week and now she can't feel her legs, lifting her "
            "hurt my back",
        ),
    ],
)
def test_he_or_she_after_patients_is_one_of_them(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # legs that will not carry or hold the person, whoever it is ("carry her", "hold
        # him"); legs that will not carry one up a hill as fast as before are fitness
        (
            "since last night grandad's legs won't hold him and we have to lift him to the loo",
            "he sits the baby on his legs to hold him while i cook, and my back aches",
        ),
        (
            "her legs just won't carry her today, she's been stuck in the chair",
            "his legs carry him round the park every day and now his back aches",
        ),
    ],
)
def test_legs_that_will_not_carry_anyone(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # the saddle region named with anyone's possessive, felt or not felt by touch
        (
            "he says he can't feel the towel between his legs since yesterday",
            "he keeps a pillow between his legs at night and it helps the sciatica",
        ),
        (
            "she told the nurse she has no feeling around her bottom since monday",
            "she rubs cream around her bottom for the piles and her back is sore",
        ),
    ],
)
def test_the_saddle_region_of_anyone(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # waiting "to see what would happen" is a test the writer ran, and what "ended up"
        # happening happened; what would happen if, and what one might end up with, is not
        (
            "i held on all morning to see what would happen and ended up wetting myself "
            "without noticing",
            "i'm scared to see what would happen if this ends up with me losing control of "
            "my bladder",
        ),
        (
            "i didn't go all day to see what happens and ended up leaking without realising",
            "what would happen if i ended up wetting myself at work?",
        ),
    ],
)
def test_a_test_the_writer_ran_and_what_it_ended_up_doing(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # "not been right in myself", "not well", "not feeling myself" deny wellness, not the
        # signs told after them; a denial of the signs themselves still denies
        (
            "i haven't been right in myself: hot one minute, shivering the next, soaked "
            "sheets at night",
            "i haven't had a fever, chills or night sweats, just the back pain",
        ),
        (
            "not been well at all, burning up and then freezing cold with teeth chattering",
            "not been well with my back but no fever or sweats at all",
        ),
    ],
)
def test_not_right_in_oneself_denies_no_sign(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # "can't feel whether" or "if" is the feeling lost, not a question; "hasn't opened
        # his bowels" tells of not going, it denies no trouble
        (
            "since the weekend i can't feel whether my bowels are empty or not",
            "i can't feel whether the heat pad is even on, my lower back is that stiff",
        ),
        (
            "he hasn't opened his bowels in four days and can't feel if he needs to go",
            "no problems with my bladder or bowels, just the pain down my leg",
        ),
    ],
)
def test_not_feeling_whether_and_not_going_are_signs(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # the saddle region of whoever it is ("between her legs"), not felt though touched
        (
            "while drying her she said she couldn't feel the towel at all between her legs",
            "while drying her she said the towel felt rough between her toes",
        ),
        # wet without knowing, told as "been wet" and "didn't know"
        (
            "he's been wet three times today and didn't know",
            "he's been wet through from the rain twice today and his back aches",
        ),
    ],
)
def test_someone_elses_saddle_and_wetting_unknown(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # the fullness of the bowel or bladder not felt, with the toilet in the sentence
        (
            "on the toilet she tries but can't feel if anything is there at all",
            "the physio pressed my glute but i can't feel if anything is there, no knot",
        ),
        # a walk like a drunk's, no drink taken
        (
            "since tuesday he's walking like his legs are drunk, bumping into the walls",
            "we got drunk at the wedding and my legs were all over the place, back sore now",
        ),
    ],
)
def test_fullness_not_felt_and_legs_like_a_drunks(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # toes that will not come up off the floor are a foot that will not lift
        (
            "since sunday i can't pick my toes up off the floor on the left",
            "i can't pick the toys up off the floor without my back screaming",
        ),
        # weakness that has climbed from one part of the leg to the next
        (
            "the weakness began in my ankle and now it's up into my knee too",
            "the pain began in my ankle and now it's up into my knee too",
        ),
        (
            "the weakness started in my shin and now it's up into my thigh as well",
            "the ache started in my shin and now it's up into my thigh as well",
        ),
        # a stick newly needed to get about
        (
            "i need a stick to get to the kitchen now, i never did before",
            "i need to stick to the stretches now, the physio says",
        ),
        # a bowel that let go
        (
            "my bowels let go on the bus this morning and i didn't feel it coming",
            "i had to let go of my gym membership, my bowels are fine and so is my bladder",
        ),
    ],
)
def test_weakness_and_control_in_narrative_words(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a sign said to be rare is talked about
        (
            "i think i've got foot drop, my right foot slaps down when i walk",
            "my physio said foot drop is rare with a disc like mine",
        ),
        # legs like jelly or aching after a hike, a race or a leg workout are tired legs
        (
            "my legs have gone like jelly since this morning and i can't stand for long",
            "after the half marathon my legs were like jelly for two days",
        ),
        (
            "my legs have been weak and numb since yesterday, both of them",
            "did a 12 mile hike and my legs were dead the next day, and my sciatica flared",
        ),
        (
            "both my legs are killing me and going numb since the weekend",
            "my legs are killing me after leg day at the gym",
        ),
    ],
)
def test_a_sign_said_to_be_rare_and_legs_tired_by_exercise(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a bottom numb from a seat and fine on standing
        (
            "my bum has been numb since i woke up and i can't feel the toilet seat",
            "my bum went numb on the stadium seats at the match but was fine once i stood up",
        ),
        # the loo a job keeps one from
        (
            "i can't go to the loo even when i sit there for ages, nothing comes",
            "i can't go to the loo on my shift, no cover, so i hold it and my back aches",
        ),
        # the person driven to chemo has it
        (
            "i had chemo for lymphoma two years ago and now my back hurts at night",
            "i've been taking her to chemo twice a week and the car seats are killing my back",
        ),
        # someone's fall they are doing well after
        (
            "grandad fell this morning and now he can't get up off the floor",
            "my grandad fell in the spring and is doing really well now, back in the garden",
        ),
        # a fall named as a noun ("after her fall") with getting up not managed now
        (
            "mum was doing fine after her fall last week but today she can't get up",
            "mum was doing fine after her fall last week and today she got up and walked",
        ),
        # a stranger's cancer is theirs
        (
            "my mum has cancer and now her back is agony at night",
            "a man at my gym found out his back pain was a tumour, mine is just a sore glute",
        ),
        # each leg tested in turn
        (
            "numbness in each leg since this morning and it's spreading",
            "the physio spent ages testing how high i could lift each leg",
        ),
    ],
)
def test_look_alikes_told_with_their_circumstances(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a reason the person with the sign gives to play it down ("he says it's just
        # because he's not drinking much") explains nothing; the same reason told as the
        # writer's own account of a small change still does
        (
            "my brother hasn't had a wee since last night, he says it's just because he's "
            "not drinking much",
            "i haven't had a wee since lunch because i'm not drinking much, my back aches",
        ),
        (
            "dad can't go to the loo at all, he puts it down to being too busy to go",
            "i can't go to the loo at work because i'm too busy to go, and my back aches",
        ),
    ],
)
def test_a_reason_given_to_play_a_sign_down_explains_nothing(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a bottom numb from a bench or stadium seats, gone on standing
        (
            "my bum is numb all the time now, even lying down, since friday",
            "my bum went numb from the wooden benches at the school concert, gone once i stood up",
        ),
        # an accident that cut a hand is no fall
        (
            "i had an accident on my bike this morning and my back is agony now",
            "had a silly accident in the kitchen, cut my hand on the bread knife, sciatica "
            "is the same",
        ),
        # what a show or a thread was about, told in a "where" or "about" clause
        (
            "i watched a film last night and since then i can't feel my feet at all",
            "saw a programme yesterday where a woman's leg pain turned out to be a growth on "
            "her spine and she ended up unable to walk",
        ),
    ],
)
def test_a_seat_a_cut_and_a_show_told_in_full(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a resolution denied ("it hasn't worn off") is no resolution
        (
            "since lunch i can't feel the toilet seat under me and it hasn't worn off",
            "last night i couldn't feel the toilet seat under me but it has worn off now",
        ),
        (
            "my foot went floppy on monday and it still hasn't gone away",
            "my foot went floppy for a minute on monday and then it went away",
        ),
        # trying to go and managing only a trickle or nothing, no bladder word
        (
            "he was up all night trying to go, only managing a trickle, and now nothing at all",
            "i'm trying to go to the gym more but only managing a trickle of sessions",
        ),
        # someone else's sign told with today's waking, or with "can barely"
        (
            "my sister woke up with both legs numb and she can barely stand",
            "my sister woke up with a stiff neck and went to work as usual",
        ),
        # an abscess a tooth explains; a condition said to be permanent
        (
            "i've got an abscess on my spine, the hospital said, and a fever",
            "i'm on antibiotics for a tooth abscess and my sciatica is flaring",
        ),
        (
            "my dad had back surgery in 2019 and since this morning he can't feel his feet",
            "my dad had back surgery in 2019 and still can't feel his feet, it's permanent",
        ),
    ],
)
def test_resolutions_denied_and_signs_of_today(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a young child's wet bed after a nightmare or a new baby in the family
        (
            "my husband wet the bed last night and didn't wake, his back has been agony",
            "my little girl wet the bed after a nightmare and i was up at 3am changing sheets",
        ),
        (
            "my son is 30 and he's been wetting the bed since his back went on friday",
            "our son has been wetting the bed since his baby brother arrived, lifting him "
            "hurts my back",
        ),
        # service users in care are the carer's work
        (
            "i'm a carer but today my own dad can't feel his legs and he's wet himself",
            "i work as a carer and most of my service users wear pads, the hoisting is "
            "wrecking my back",
        ),
    ],
)
def test_a_childs_wet_bed_and_service_users(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a writer who says they nurse or care for a living: the strangers and the patient
        # of their day are their work, told anywhere in the message; their own family is not
        (
            "I'm a nurse. My husband has been incontinent since this morning and his legs "
            "are weak.",
            "I'm a community nurse. Today I saw a lady who had been incontinent all night, "
            "then my own back went lifting her.",
        ),
        # catheters changed are a task of the job, or the care of a long-standing one
        (
            "they had to put a catheter in at a&e last night because i couldn't pee",
            "half my shift is changing catheters and my lower back is wrecked",
        ),
        (
            "i work as a carer, and since yesterday my mum can't feel her legs",
            "i'm a paramedic and last night's patient couldn't feel his legs, it got me "
            "thinking about my own sciatica",
        ),
    ],
)
def test_the_people_of_a_carers_working_day(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # what a show was about, told in a "where" or "about" clause, runs to the end of it
        (
            "i was watching a documentary about spines and now both my legs are numb",
            "i saw a documentary on catch-up the other night about a retired teacher whose "
            "sciatica turned out to be a tumour and he lost the use of both his legs",
        ),
        (
            "there was a documentary on last night but since this morning i can't feel my feet",
            "watched a documentary last night where a young mum's back pain turned out to be "
            "a growth pressing on her spine and she lost control of her bladder",
        ),
    ],
)
def test_what_a_show_was_about(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a word the screen itself names is spelt right: "neither" is no "nether", while the
        # nether regions told as such still are the saddle
        (
            "since this morning my nether regions feel numb and different",
            "my gp and my osteo disagree and neither of them cares about the difference",
        ),
        # one back of a thigh is where sciatica runs; the backs of both thighs are the saddle
        (
            "the backs of both thighs have gone numb since yesterday",
            "a numb patch on the back of my thigh after a long ride on the bike",
        ),
        # a doubter is no sepsis; a public service announcement is no PSA test
        (
            "the doctor thinks the injection site went septic, i've got a fever and chills",
            "i was a total sceptic about massage until my sister dragged me to her therapist",
        ),
        (
            "my psa came back high and they found cancer in my prostate last year",
            "psa for the dancers: two years of sciatica that turned out to be my piriformis",
        ),
    ],
)
def test_words_of_everyday_posts_that_look_like_screen_words(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a whole leg gone weak, or too weak to lift, is severe; a weak leg that is no worse
        # than a month ago is not
        (
            "this afternoon my whole leg has gone weak and heavy and i keep stumbling",
            "my leg feels a bit weak after the gym but it's no worse than a month ago",
        ),
        (
            "the leg is so weak i can barely lift it into the car",
            "my calf feels weak-ish when i walk for an hour, same as ever",
        ),
    ],
)
def test_a_whole_leg_gone_weak(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)
