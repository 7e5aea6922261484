"""Street addresses in the shapes people write them in chat (all examples made up here),
and ordinary chat with numbers and street-ish words that must stay unflagged."""

from __future__ import annotations

import pytest

from groupbot.moderation import addresses, organisations, pii
from groupbot.moderation.engine import ModerationEngine

ENGINE = ModerationEngine()


def _addresses(text: str) -> list[str]:
    return [text[s.start:s.end] for s in pii.find(text) if s.kind == "address"]


@pytest.mark.parametrize(("text", "must_cover"), [
    ("come round, it's 42 Oak Avenue", "42 Oak Avenue"),
    ("I'm in Flat 3, 12 High St now", "Flat 3, 12 High St"),
    ("post it to 221B Baker Street please", "221B Baker Street"),
    ("1600 Pennsylvania Ave NW, Washington, DC 20500", "Ave NW, Washington, DC 20500"),
    ("send letters to PO Box 123 for now", "PO Box 123"),
    ("our office is 350 5th Ave, New York, NY 10118", "350 5th Ave, New York, NY 10118"),
    ("she moved to 9 Larkspur Way last spring", "9 Larkspur Way"),
    ("parcel for 17 Quarry Close, Leeds LS6 2AB", "Leeds LS6 2AB"),
    ("apt 4B, 88 West Harbour Rd, Halifax", "apt 4B, 88 West Harbour Rd"),
    ("Mailing: PSC 1234, Box 5678\nAPO AE 09012", "PSC 1234, Box 5678\nAPO AE 09012"),
    ("Wohnung in der Lindenstraße 14, bitte klingeln", "Lindenstraße 14"),
    ("she lives at Rua das Flores 120, Porto", "Rua das Flores 120"),
    ("write to: Dana Ng\n31 Wattle Crescent\nSuite 2\nBallarat VIC 3350", "Ballarat VIC 3350"),
    ("meet at the corner of Elm Street and Birch Lane", "Elm Street and Birch Lane"),
    ("ul. Lipowa 7, Kraków", "ul. Lipowa 7"),
    ("I'm at 1 Kossuth u. 12. for the week", "u. 12."),
])
def test_address_shapes_found(text: str, must_cover: str) -> None:
    found = _addresses(text)
    assert found, text
    start = text.index(must_cover)
    end = start + len(must_cover)
    spans = [s for s in pii.find(text) if s.kind == "address"]
    assert any(s.start <= start and end <= s.end for s in spans), (text, found)


@pytest.mark.parametrize("text", [
    "I walked 5 miles down the road",
    "see you at 10 on the corner",
    "room 101 is where the group meets",
    "page 42 of the book says it better",
    "we have 2 ways to go about this",
    "3 square meals a day helps",
    "I got 4 park tickets for 20 dollars",
    "the 1 place I feel safe is here",
    "meet at 7.30 pm on Tuesday 12 March",
    "I sent it via email 2 days ago",
    "we need to address 3 points tonight",
    "it cost £12 at the corner shop on the way",
    "COMIN 2 TOWN 1 ST WEEK OF MAY",
    "my sweetie 2 years now",
    "I live in a small town, 3 kids and 2 dogs",
])
def test_ordinary_chat_not_flagged(text: str) -> None:
    assert _addresses(text) == []
    assert "pii" not in ENGINE.decide(text).categories


def test_whose_address_sets_severity() -> None:
    own = ENGINE.decide("my new address is 14 Rowan Drive, come by")
    other = ENGINE.decide("Jordan lives at 14 Rowan Drive, go and find him")
    assert "pii" in own.categories and own.severity == 1 and "their own" in own.reason
    assert "pii" in other.categories and other.severity == 3
    assert "Rowan" not in own.reason + other.reason  # the value is never echoed


def test_written_out_address_block_is_one_span() -> None:
    text = "Ship to:\nAlex Moss\n77 Ferry Road\nApt 12\nDunedin 9016\nNew Zealand\n\nthanks!"
    spans = [s for s in pii.find(text) if s.kind == "address"]
    assert len(spans) == 1
    covered = text[spans[0].start:spans[0].end]
    assert covered.startswith("77 Ferry Road") and covered.endswith("New Zealand")


def test_address_span_stops_at_a_phone_number() -> None:
    text = "12 Sunset Boulevard\nLos Angeles, CA 90028\n(213) 555-0172"
    kinds = sorted(s.kind for s in pii.find(text))
    assert kinds == ["address", "phone"]


def test_engine_and_direct_call_agree() -> None:
    """The engine passes its own street-word flag; `find` alone works it out the same way."""
    for text in ("9 Larkspur Way", "ul. Lipowa 7", "PO Box 123", "rúa Nova 5",
                 "walked 5 miles down the road"):
        direct = {s.kind for s in pii.find(text)}
        via_engine = "pii" in ENGINE.decide(text).categories
        assert ("address" in direct) == via_engine, text


def test_long_adversarial_text_is_judged_correctly() -> None:
    """Thousands of near-misses (numbers, street words, postcodes, corners) before a real
    address: nothing in the junk is flagged, and the address inside the scan window is."""
    junk = ("12 st 5 miles down the road 7 way Box x corner of the room PO 1 NW DC 2 ave "
            "the 4 Strasse a1 u. tér 10 on the corner ") * 60
    assert len(junk) > 4000
    assert _addresses(junk) == []
    text = "hi, I moved to 8 Juniper Lane, Bristol BS1 4DJ. " + junk
    spans = [s for s in pii.find(text) if s.kind == "address"]
    assert spans and spans[0].start == text.index("8 Juniper Lane")
    assert text[spans[0].start:spans[0].end].endswith("BS1 4DJ")
    assert ENGINE.decide(text).error is None


def test_prefixed_addresses_found_by_their_prefixes_match_a_full_scan() -> None:
    """The prefixed-street pattern is tried only where a prefix occurs; on random text
    full of prefixes, names and numbers it finds exactly what scanning every word finds."""
    import random

    rng = random.Random(4)
    pieces = ["via", "Via", "rua", "Rúa", "praça", "av.", "AV", "calle", "ul.", "avenida",
              "Roma", "Sol", "Nova", "12", "3b", "7", ",", "and", "the", "x-y", "ul", "viale",
              "İstanbul"]
    for _ in range(3000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        low = text.lower()
        present = set(addresses.WORDS.findall(addresses._fold(low))) & addresses._PREFIXES
        slow = [m.span() for m in addresses._ADDRESS_PREFIXED.finditer(text)
                if addresses._prefixed_ok(m)]
        assert addresses._prefixed(text, low, present) == slow, text


def test_compound_street_gate_agrees_with_its_regex() -> None:
    import random

    rng = random.Random(6)
    pieces = ["haupt", "straße", "strasse", "weg", "gade", ".", " ", "5", "٣", "x", "vej",
              "allee", "laan", "12", "-", "katu"]
    for _ in range(5000):
        low = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        expected = addresses._COMPOUND_NUMBER.search(low) is not None
        assert addresses._compound_number(low) == expected, low


def test_email_spans_agree_with_the_regex_scan_on_random_text() -> None:
    """`_email_spans` tries the address pattern only at each "@"; on random text built
    from the characters that decide its edges it finds exactly what `finditer` finds."""
    import random

    rng = random.Random(5)
    alphabet = "ab9._%+-@@.. \n_éx-" + "co"
    checked = found = 0
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 90)))
        if rng.random() < 0.3:
            text = text.replace("@", "@ab.co", 1)
        if rng.random() < 0.1:
            text = "a" * rng.randint(60, 70) + text  # local parts near the 64 limit
        expected = [m.span() for m in pii._EMAIL.finditer(text)]
        assert pii._email_spans(text) == expected, text
        checked += 1
        found += len(expected)
    assert checked == 20_000 and found > 1_000  # the sample really holds addresses


@pytest.mark.parametrize("text", [
    "the domestic violence hotline is 1-800-799-7233, they helped me so much",
    "in the UK you can ring 0808 2000 247",
    "1800RESPECT is 1800 737 732 if you're in Australia",
    "Women's Refuge: 0800 733 843",
    "their freephone is +44 800 123 4567",
    # a number inside a link
    "here's the book on amazon https://www.amazon.com/dp/0894864025",
    "see https://example.org/page?id=5551234567",
    # lines the bot itself lists (resources.yaml), even mobile-shaped ones
    "text them on 0458 737 732",
    "Lifeline texts: 0477 13 11 14",
])
def test_helplines_and_numbers_in_links_are_not_personal_data(text: str) -> None:
    """Toll-free and freephone numbers are services' lines, never a person's own; a number
    in a link is part of an address on the web."""
    verdict = ENGINE.decide(text)
    assert "pii" not in verdict.categories, verdict.as_json()


@pytest.mark.parametrize("text", [
    "my sponsor's number is 555 201 3344 if anyone wants it",
    "call me at +44 7700 900123",
    "text me on 0412 345 678",
    "my number=555-867-5309",  # not a link
    "tel:/555-867-5309",
    "I have lost my card 180016070420458",  # a freephone prefix on a card-length number
])
def test_a_persons_own_number_is_still_personal_data(text: str) -> None:
    assert "pii" in ENGINE.decide(text).categories


def test_the_phone_cue_check_agrees_with_its_pattern_on_random_text() -> None:
    import random

    rng = random.Random(40)
    alphabet = "PHONE phone Tel TEL call Me at x .,;:!- \t\n0123456789abcringtextÄäßİK"
    for _ in range(20000):
        before = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert pii._phone_cue(before) == (pii._PHONE_CUE.search(before) is not None), before


@pytest.mark.parametrize("text", [
    # a distance or a count before a street type
    "it's only a 5 minute drive from the station",
    "about a 20 min walk from my flat, so not far",
    "we did the 3 hour drive twice last month",
    "grew up off 8 Mile Road, everyone knew the place",
    # a street type that is also an ordinary word, in lower case
    "the town has 40 community gardens now",
    # a prefix that is also an ordinary word
    "I heard about it via Episode 12 of the podcast",
    "they pushed it via Agenda 2030 apparently",
    # "I live at/on" and "my address is" idioms
    "where I live at least, people are kind about it",
    "I live at home with my mum still and that's fine",
    "I live on my own now and the evenings are hard",
    "I live on the streets some weeks",
    "my address is on my CV so they knew where I was",
    "I posted it to the address listed on 3/4 and it never came",
    "I wrote to the address 3 times before they answered",
])
def test_distances_idioms_and_ordinary_words_are_not_addresses(text: str) -> None:
    assert _addresses(text) == [], text
    assert "pii" not in ENGINE.decide(text).categories


@pytest.mark.parametrize("text", [
    "I live at 3 Copper Beech Close, pop round",
    "I live on Juniper Street by the park",
    "i live on larch road if anyone is near",
    "I live at the end house on the left of the green",
    "she lives on the far side of Rua Nova 12",
    "My address is Flat 2, 9 Mill Lane",
    "my address is 40 Thornfield Road",
    "what's your address? it is 17 Orchard Rise",
    "Via Garibaldi 21, Torino",
])
def test_places_after_a_lives_at_or_address_cue_are_still_addresses(text: str) -> None:
    assert _addresses(text), text


@pytest.mark.parametrize("text", [
    # amounts and ranges
    "I'm eating about 1400-1700 kcal a day and still tired",
    "rent here runs 1800-2400 a month for a one bed",
    "a decent used car is around £3500-5000",
    "we'd clear maybe 2500-3000$ after tax",
    "the settlement was 6000-12000 depending on the judge",
    "my balance is $10432.18 after this month",
    "she took home between 2100-2600 a month",
    # references, citations, versions
    "the study's protocol #2018345677 was approved last year",
    "my order number is 4417820931, it never arrived",
    "tracking number: 771234567890 says delivered, it wasn't",
    "case no. 2019-003417 is still open with the council",
    "Ref: 4321-8765-2109 on the letter from the bank",
    "invoice 20180923-0041 was charged twice",
    "under § 21-14-302 they can't tow it without a sign",
    "ISBN 978-1-4028-9462-6 is the workbook our group uses",
    "build 10.0.18362.1016 broke my laptop again",
    # dates, decimals, coordinates, long ids
    "it started on 2018-11-23 and I still think about it",
    "the appointment is 03-12-2019 at ten",
    "the pin was at 40.7127753 on the map",
    "I typed 31415926535897 into the calculator to calm down",
])
def test_numbers_that_are_not_phones(text: str) -> None:
    assert [s for s in pii.find(text) if s.kind == "phone"] == [], text
    assert "pii" not in ENGINE.decide(text).categories


@pytest.mark.parametrize("text", [
    "call me on 0161 496 0732 after six",
    "my number is 2345-6789, text me",  # a cue: not a range
    "ring 555-201-3344 people, she's expecting you",  # three groups are no amount
    "+44 7700 900431 claim it",
    "text 07700 900431 $5 each",  # a leading 0 is never an amount
    "my card # 503890547220 was swallowed by the machine",
    "the card 180012345678902 is the one I lost",
])
def test_phones_and_cards_next_to_amount_and_reference_words_still_found(text: str) -> None:
    assert "pii" in ENGINE.decide(text).categories, text


def test_a_number_inside_a_long_link_in_a_long_message_is_not_a_phone() -> None:
    """A long message is scanned in windows around its numbers; a window reaches back to
    the start of the link around a number, so an id deep in a long link stays a link's."""
    link = ("https://books.example.org/catalogue/workbooks/boundaries-and-you/edition-two"
            "?view=full&amp;lang=en&amp;session=7301948265&amp;page=3")
    text = "This workbook helped me a lot. " * 80 + f"[the workbook]({link}) if you want it."
    assert len(text) > 2000
    assert [s for s in pii.find(text) if s.kind in ("phone", "card")] == []
    assert "pii" not in ENGINE.decide(text).categories
    card_link = "see [this](https://img.example.net/uploads/77/460480635817839705/photo.png)"
    assert [s for s in pii.find(card_link) if s.kind == "card"] == []


@pytest.mark.parametrize("text", [
    # services', businesses' and public places' lines, mailboxes and addresses
    "solar panels fitted cheap, call us on 0161 496 0732 for a quote",
    "For Admissions +91 98450 12345",
    "you can contact the Ethics Review Board at (555) 010-4242 with any concerns",
    "questions about the study: the Principal Investigator, at r.okafor@uni.example.edu",
    "Ana Lima\nChief Executive\nana.lima@commission.example.org\n020 7946 0321",
    "email support@shopexample.com and they refund you",
    "I wrote to info@charity.example.org.uk about volunteering",
    "their team answers at hello@brightday.example.com",
    "bookings go through mossgreen@mossgreen.example.com",
    "the restaurant is at 42 Harbour Street if you want to join us",
    "our offices are located at 10 Kingsway, Leeds LS1 4AP",
    "the bus station is on 3 Market Road, right by the river",
    # an address inside a web link is the link's
    "the archive is at https://lists.example.org/search?l=peers@lists.example.org&q=group",
])
def test_organisations_details_are_not_personal_data(text: str) -> None:
    """Found as details (the spans are still there), but an organisation's, not a person's:
    no pii verdict."""
    verdict = ENGINE.decide(text)
    assert "pii" not in verdict.categories, (text, verdict.as_json())


@pytest.mark.parametrize("text", [
    "my office number is 0161 496 0732, call me there",
    "the office where she works is on 0161 496 0732",  # a person between: hers
    "her office is at 12 Mill Lane, wait for her there",  # no organisation's framing
    "my director's number is 555-201-3344",
    "email me at sam.rivers@example.com",
    "the shop assistant gave me her mobile, 07700 900431",
    "call us on 07700 900431, me and my wife are home all day",
    "jo.bloggs@example.com is the one she uses",
])
def test_a_persons_details_near_organisation_words_stay_personal_data(text: str) -> None:
    assert "pii" in ENGINE.decide(text).categories, text


def test_organisations_details_are_still_found_by_find() -> None:
    """`find` locates every detail; `detect` leaves out the organisations'."""
    text = "email support@shopexample.com or call us on 0161 496 0732"
    assert sorted(s.kind for s in pii.find(text)) == ["email", "phone"]
    findings, spans = pii.detect(text)
    assert findings == [] and spans == []


@pytest.mark.parametrize("text", [
    "in 2015 2016 2017 I barely left the house",
    "my weight went 182 176 171 168 over the spring",
    "quiz scores this term: 110 120 135 150 160",
    "my PHQ-9 went 23 19 16 13 over the last months",  # "PHQ" is no phone cue
    "I sleep 2300-0700 now and it helps",
    "shifts are 0900-1730 most days",
    "my daughter is 2 so can't road trip with her yet",  # chat words before "road"
    "the hotel 5557 2301 rooms were all booked",  # "hotel" holds "tel", no cue
])
def test_lists_times_and_words_holding_cues_are_not_personal_data(text: str) -> None:
    assert pii.find(text) == [], text
    assert "pii" not in ENGINE.decide(text).categories


@pytest.mark.parametrize("text", [
    "call me 06 12 34 56 78",  # climbing, but a trunk 0
    "my number 123 456 789",  # climbing, but after a phone cue
    "texts to 4567 3210 8899 reach me",
    "she called from 555 1234 last night",
])
def test_phone_numbers_that_look_like_lists_still_found(text: str) -> None:
    assert "pii" in ENGINE.decide(text).categories, text


def test_word_before_agrees_with_a_character_loop_on_random_text() -> None:
    """`_word_before` (one C-speed `rsplit`) gives what walking back over non-space
    characters, at most `_LINK_REACH` of them, gives."""
    import random

    rng = random.Random(41)
    alphabet = "ab/:.9 \n\t\u2003\x0b-?=&"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        if rng.random() < 0.1:
            text = "x" * rng.randint(290, 320) + text
        a = rng.randint(0, len(text))
        i = a
        while i > 0 and a - i < pii._LINK_REACH and not text[i - 1].isspace():
            i -= 1
        assert pii._word_before(text, a) == text[i:a], (text, a)


def test_organisation_word_gate_is_a_necessary_condition() -> None:
    """`_organisations` skips its framing pattern when none of `_ORG_WORDS` is in the
    text before a detail; every text the pattern matches holds one of those words."""
    import random

    rng = random.Random(42)
    pieces = ["the", "a", "our", "this", "clinic", "café", "Review", "Board", "office", "at",
              "call", "us", "for", "more", "info", "bookings", "Principal", "Investigator",
              "chief", "executive", "press", "officer", "my", "her", "on", ",", "co-",
              "researchers", "write", "to", "x", "ceo", "a quote", "further", "details"]
    matched = 0
    for _ in range(20000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 9))).lower()
        if organisations._ORG_BEFORE.search(text):
            matched += 1
            assert not organisations._ORG_WORDS.isdisjoint(addresses.WORDS.findall(text)), text
    assert matched > 1000
