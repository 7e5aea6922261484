"""Phrase lists as data (groupbot/data/words/phrases.txt): the pattern language, and a mistake
in the file stopped at load with the file, the line and the list named."""

from __future__ import annotations

import pytest

from groupbot.core.errors import ContentError
from groupbot.moderation import lexicon
from groupbot.moderation.phrases import MAX_PHRASES, expand, parse_phrases
from groupbot.moderation.wordlists import words_dir


def test_a_pattern_stands_for_each_of_its_phrases() -> None:
    assert sorted(expand("(go|) die")) == ["die", "go die"]
    assert sorted(expand("idiot+")) == ["idiot", "idiots"]
    assert set(expand("fuck+ing")) == {"fuck", "fucks", "fucking", "fucked", "fucker",
                                       "fuckers"}
    assert set(expand("hit by a (car|(big|) bus)")) == {"hit by a car", "hit by a big bus",
                                                        "hit by a bus"}


def test_a_list_keeps_its_tag_severity_and_each_phrase_once() -> None:
    lists = parse_phrases("# a comment\n[rude] insult 1\n(fuck|screw) you, fuck you\n"
                          "\n[kind] support 0\nyou matter # said often\n", "x.txt")
    assert list(lists) == ["rude", "kind"]
    rude = lists["rude"]
    assert (rude.tag, rude.severity) == ("insult", 1)
    assert rude.phrases == ("fuck you", "screw you")
    assert lists["kind"].phrases == ("you matter",)


@pytest.mark.parametrize("text, line, says", [
    ("[rude insult 1\nfuck you\n", 1, "[name] tag severity"),
    ("fuck you\n[rude] insult 1\n", 1, "before the first"),
    ("[rude] insult 1\nfuck you\n[rude] insult 2\n", 3, "appears twice"),
    ("[rude] insult 1\n\n(fuck|screw you\n", 3, "brackets"),
    ("[rude] insult 1\nfuck) (you\n", 2, "brackets"),
    ("[rude] insult 1\nFuck you\n", 2, "character"),
    ("[rude] insult 1\nfu+ck you\n", 2, "end of a word"),
    ("[rude] insult 1\nf'ck you\n", 2, "character"),
    ("[rude] insults 1\nfuck you\n", 1, "unknown tag"),
    ("[rude] insult 1\n( | )\n", 2, "no phrase"),
])
def test_a_mistake_names_the_file_and_the_line(text: str, line: int, says: str) -> None:
    with pytest.raises(ContentError) as caught:
        parse_phrases(text, "phrases.txt", tags=("insult", "support"))
    assert caught.value.path == "phrases.txt"
    assert caught.value.line == line
    assert says in str(caught.value)


def test_a_pattern_that_explodes_is_refused() -> None:
    alternation = "(" + "|".join(f"w{i}" for i in range(100)) + ")"
    with pytest.raises(ContentError) as caught:
        parse_phrases(f"[big] insult 1\n{alternation} {alternation}\n", "big.txt")
    assert str(MAX_PHRASES) in str(caught.value) and caught.value.line == 2


def test_the_shipped_lists_load_with_known_tags() -> None:
    text = (words_dir() / "phrases.txt").read_text(encoding="utf-8")
    lists = parse_phrases(text, "phrases.txt", lexicon.TAGS)
    assert {lst.tag for lst in lists.values()} == lexicon.TAGS
    # The matcher's entries leave out what the structural reader reads (slurs, codes).
    tags = {tag for _phrase, tag, _sev in lexicon.entries()}
    assert tags == (lexicon.TAGS - lexicon.STRUCTURAL_TAGS) | {"street"}
    assert "kys" in lexicon.phrases("attacks")
