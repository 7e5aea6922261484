"""Reading words as members type them: misspellings read towards the words the detectors
look for (never away from a real word), words run together split, spaced-out and stretched
letters joined, fillers left out of the matcher's form; and the word lists checked at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from groupbot.core.errors import ContentError
from groupbot.moderation import wordlists
from groupbot.moderation.normalise import Normalised, normalise
from groupbot.moderation.reading import Reading
from groupbot.moderation.reading import read as read_with
from groupbot.moderation.spelling import Speller
from groupbot.moderation.vocabulary import speller


def read(norm: Normalised) -> Reading:
    return read_with(norm, speller())


def words(text: str) -> list[str]:
    return [t for t in read(normalise(text)).tokens if t not in (".", ",", '"')]


@pytest.mark.parametrize(("typed", "meant"), [
    ("sucide", "suicide"),    # a letter left out
    ("haet", "hate"),         # two neighbours swapped
    ("stupd", "stupid"),      # a letter left out
    ("worht", "worth"),       # a swap, where a change would reach "worst" too
    ("killd", "killed"),      # a dropped letter beats an added one ("kill")
])
def test_a_misspelling_is_read_as_the_word_meant(typed: str, meant: str) -> None:
    assert speller().read(typed) == (meant,)


@pytest.mark.parametrize("word", ["hare", "have", "late", "dye", "phore", "gonna", "xyzzy"])
def test_real_words_and_unclear_tokens_are_left_alone(word: str) -> None:
    # a real word is never "corrected" ("have" is not "hate"); an insult is reached only by
    # a swap or a dropped letter ("phore" is not that word); nothing is guessed from nothing
    assert speller().read(word) == (word,)


def test_a_tie_between_two_different_words_is_no_correction() -> None:
    sp = Speller(["trash", "trans"], ["the"])
    assert sp.correct("trahs") == "trash"  # a swap is likelier than a changed letter
    sp = Speller(["glare", "glade"], [])
    assert sp.correct("glaxe") is None  # two changes as likely as each other
    sp = Speller(["woman", "women"], [], {"woman": "G", "women": "G"})
    assert sp.correct("womn") in ("woman", "women")  # the same meaning either way


def test_words_run_together_are_split_only_where_a_key_word_is() -> None:
    assert words("Ihate them") == ["i", "hate", "them"]
    assert words("iwanttodie")[:1] != ["i"]  # three words: left alone, not guessed
    assert words("sunflower") == ["sunflower"]  # a real word stays whole


def test_spaced_and_stretched_letters_are_joined() -> None:
    assert words("I h a t e this") == ["i", "hate", "this"]
    assert words("k i l l myself") == ["kill", "myself"]
    assert words("soooo tired") == ["so", "tired"]


def test_fillers_stay_in_the_tokens_but_leave_the_matchers_form() -> None:
    reading = read(normalise("I want to fucking die"))
    assert "fucking" in reading.tokens
    assert reading.flat == " i want to die " and reading.changed


def test_plain_chat_is_read_as_it_is() -> None:
    reading = read(normalise("thanks, see you tomorrow."))
    assert not reading.changed
    assert list(reading.tokens) == ["thanks", ",", "see", "you", "tomorrow", "."]


def test_a_message_of_random_letters_costs_a_bounded_spelling_search() -> None:
    junk = " ".join("qzx" + "abcdefghij"[i % 10] * 2 + str(i) for i in range(2000))
    reading = read(normalise(junk))
    assert len([t for t in reading.tokens if t.startswith("qzx")]) == 2000


def test_a_class_file_names_file_line_and_class_of_a_mistake(tmp_path: Path) -> None:
    good = "[group]\nwomen, men\n# a comment\n[pos]\nkind\n"
    assert wordlists.parse_classes(good, "x.txt", ["group", "pos"]) == {
        "group": frozenset({"women", "men"}), "pos": frozenset({"kind"})}
    with pytest.raises(ContentError) as info:
        wordlists.parse_classes("[group]\nwomen, don't\n", "x.txt", ["group"])
    assert info.value.line == 2 and info.value.field == "group" and "x.txt:2" in str(info.value)
    with pytest.raises(ContentError) as info:
        wordlists.parse_classes("[grup]\nwomen\n", "x.txt", ["group"])
    assert "unknown class [grup]" in str(info.value) and info.value.line == 1
    with pytest.raises(ContentError) as info:
        wordlists.parse_classes("women\n", "x.txt", ["group"])
    assert "before the first [class]" in str(info.value)
    with pytest.raises(ContentError) as info:
        wordlists.parse_classes("[group]\nwomen\n", "x.txt", ["group", "pos"])
    assert "missing classes: pos" in str(info.value)


def test_the_shipped_word_lists_load() -> None:
    assert "women" in wordlists.load_classes("abuse.txt")["group"]
    assert "hopeless" in wordlists.load_classes("care.txt")["state"]
    assert "because" in wordlists.load_words("english.txt")
