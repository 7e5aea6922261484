"""Words as members type them: a letter dropped, swapped or doubled ("sucide", "haet",
"stupd"), or two words run together ("Ihate", "todie").

Only a token that is not an English word is read again, and only towards a word the detectors
look for (a key word): "hare" stays "hare", because it is a word, while "haet" becomes "hate".
A correction must be one edit away (a letter deleted, inserted, changed, or two neighbours
swapped) and unique; short words are left alone, where one edit reaches too many words.
A run-together token is split in two only where both halves are words and one is a key word.
English words come from SCOWL (see `groupbot/data/words/english.txt` for its notice).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from groupbot.moderation.wordlists import load_words

# A token shorter than this is never corrected (one edit from "hat" reaches dozens of words).
MIN_CORRECT: Final = 4
# A key word reached by deleting or changing a letter of the token must be at least this
# long ("wmen" -> "women", but "dye" is not read as "die").
MIN_KEY_EDIT: Final = 5
# Split halves: a key half of at least this many letters; "i", "a" and "u" may stand alone.
MIN_KEY_PART: Final = 3
_ONE_LETTER: Final = frozenset(("i", "a", "u"))
_CACHE_MAX: Final = 8192


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_swap_or_change(a: str, b: str) -> bool:
    """Whether `a` and `b` (same length) differ by one changed letter or one swap of
    neighbours."""
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        return True
    return (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]])


class Speller:
    """Corrections and splits towards `keys`, never away from a word in `known`."""

    def __init__(self, keys: Iterable[str], known: Iterable[str],
                 families: dict[str, str] | None = None,
                 delicate: Iterable[str] = ()) -> None:
        self.keys = frozenset(k for k in keys if k.isalpha())
        # Words a wrong guess would make an insult of ("phore" is not "whore"): reached only
        # by a swap or a dropped letter, the slips that keep every letter typed.
        self.delicate = frozenset(delicate)
        # Key words that mean the same to the detectors ("woman", "women"): a tie between
        # them is no ambiguity.
        self.families = families or {}
        self.known = frozenset(known) | self.keys
        self._by_delete: dict[str, set[str]] = {}
        for key in self.keys:
            if len(key) >= MIN_CORRECT:
                for d in _deletes(key):
                    self._by_delete.setdefault(d, set()).add(key)
        self._cache: dict[str, tuple[str, ...]] = {}

    def read(self, token: str) -> tuple[str, ...]:
        """What `token` stands for: itself, a corrected key word, or two words."""
        if token in self.known:
            return (token,)
        found = self._cache.get(token)
        if found is None:
            found = self._read(token)
            if len(self._cache) >= _CACHE_MAX:
                self._cache.clear()
            self._cache[token] = found
        return found

    def _read(self, token: str) -> tuple[str, ...]:
        if not token.isalpha() or not token.isascii():
            return (token,)
        split = self.split(token)  # (first: "ihate" is "i hate", not "hate" with an "i" too many)
        if split is not None:
            return split
        if len(token) >= MIN_CORRECT:
            fixed = self.correct(token)
            if fixed is not None:
                return (fixed,)
        return (token,)

    def correct(self, token: str) -> str | None:
        """The key word one edit away from `token`, by the likeliest kind of slip first:
        two neighbours swapped ("haet"), then a letter left out ("hatrd"), then one typed
        twice or too many ("hatte"), then one changed ("stupud"). None when no key word is
        one edit away, or two are by the same kind of slip."""
        swapped: set[str] = set()
        dropped: set[str] = set()
        added: set[str] = set()
        changed: set[str] = set()
        by_delete = self._by_delete
        for key in by_delete.get(token, ()):  # a letter of the key was left out
            if len(key) >= MIN_KEY_EDIT:
                dropped.add(key)
        n = len(token)
        for d in _deletes(token):
            if d in self.keys and len(d) >= MIN_CORRECT and d not in self.delicate:
                added.add(d)  # a letter too many ("hatte")
            for key in by_delete.get(d, ()):  # a letter changed, or two swapped
                if len(key) != n or key == token:
                    continue
                if _swapped(token, key):
                    swapped.add(key)
                elif (len(key) >= MIN_KEY_EDIT and key not in self.delicate
                      and _one_swap_or_change(token, key)):
                    changed.add(key)
        for tier in (swapped, dropped, added, changed):
            if len(tier) == 1:
                return next(iter(tier))
            if tier:
                kinds = {self.families.get(k, k) for k in tier}
                if len(kinds) == 1:
                    return min(tier)  # the same meaning either way ("womn")
                return None  # two readings as likely as each other: leave the word be
        return None

    def split(self, token: str) -> tuple[str, str] | None:
        """`token` as two words, one of them a key word ("ihate" -> "i", "hate")."""
        best: tuple[str, str] | None = None
        best_len = 0
        known, keys = self.known, self.keys
        for i in range(1, len(token)):
            a, b = token[:i], token[i:]
            if (len(a) == 1 and a not in _ONE_LETTER) or (len(b) == 1 and b not in _ONE_LETTER):
                continue
            if a not in known or b not in known:
                continue
            key_len = max(len(a) if a in keys else 0, len(b) if b in keys else 0)
            if key_len >= MIN_KEY_PART and key_len > best_len:
                best, best_len = (a, b), key_len
        return best


def _swapped(a: str, b: str) -> bool:
    """Whether `a` is `b` with two neighbouring letters swapped."""
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]])


def english() -> frozenset[str]:
    return load_words("english.txt")
