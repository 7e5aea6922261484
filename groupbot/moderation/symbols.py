"""Words to symbols: the step the structural readers share (abuse, care).

Each word class of a word list becomes one symbol (a letter); a sentence becomes a short
string of symbols, which the readers match with bounded regular expressions (linear in the
length of the message). A listed phrase is one symbol for all its words, and the longest
phrase at a position wins; among entries of the same length, the class listed first wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from groupbot.moderation.marks import CLAUSE, QUOTE, SENTENCE

Phrases = tuple[tuple[tuple[str, ...], str], ...]
# The phrases that start with a word, by their second word (a word like "a" starts dozens).
ByNext = dict[str, Phrases]
# Common words, most common first (roughly, as in chat): a reader's trigger for an entry is
# its least common word, so that common words rarely wake a reader for nothing.
COMMON: Final[tuple[str, ...]] = tuple(
    "the i to a and you it is of that in my me for on be this so just was with have not are "
    "but do its im can at all like if we they what dont get no your he she about out up "
    "one know will how when there now go want would think here them her him an or by from "
    "am been being were did does cant more their really even still some any these those "
    "then than too very much back down over off through take make going got has had should "
    "could way thing things ive id ill cause let keep around other where find never last".split())
_RANK: Final = {w: i for i, w in enumerate(COMMON)}


def windows(tokens: Sequence[str], triggers: frozenset[str], names: frozenset[str] = frozenset(),
            span: int = 24, limit: int = 500) -> list[tuple[int, int]]:
    """The stretches of a long message worth reading: `span` tokens either side of each word
    in `triggers` (or `names`), merged; the whole of a short one. A reader's rules reach a
    few words, so a long message costs its triggers, not its length."""
    n = len(tokens)
    if n <= limit:
        return [(0, n)]
    out: list[tuple[int, int]] = []
    for i, tok in enumerate(tokens):
        if tok in triggers or (names and tok in names):
            a, b = max(0, i - span), min(n, i + span + 1)
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], b)
            else:
                out.append((a, b))
    return out


class Chunk:
    """One symbol and the tokens it stands for (a plain class: compiled, it is made in a
    few instructions, which matters at one per word)."""

    __slots__ = ("end", "start", "sym")

    def __init__(self, sym: str, start: int, end: int) -> None:
        self.sym = sym
        self.start = start  # first token
        self.end = end  # one past the last token

    def __repr__(self) -> str:
        return f"Chunk({self.sym!r}, {self.start}, {self.end})"


class SymbolTable:
    """Entries by rank (lower wins a tie); built once, then read with `chunks`."""

    def __init__(self) -> None:
        self._words: dict[str, tuple[int, str]] = {}
        self._phrases: dict[str, list[tuple[tuple[str, ...], int, str]]] = {}
        self.info: dict[str, tuple[str, Phrases]] = {}
        self._next: dict[str, ByNext] = {}

    def add(self, entry: str, sym: str, rank: int) -> None:
        toks = tuple(entry.split())
        if len(toks) == 1:
            old = self._words.get(entry)
            if old is None or rank < old[0]:
                self._words[entry] = (rank, sym)
        else:
            self._phrases.setdefault(toks[0], []).append((toks, rank, sym))

    def add_classes(self, classes: Mapping[str, Iterable[str]],
                    order: Sequence[tuple[str, str]]) -> None:
        """Every entry of each (class, symbol) in `order`, ranked by that order."""
        for rank, (name, sym) in enumerate(order):
            for entry in classes[name]:
                self.add(entry, sym, rank)

    def word(self, word: str) -> str | None:
        found = self._words.get(word)
        return None if found is None else found[1]

    def freeze(self, fixed: Mapping[str, str] = {}, default: Mapping[str, str] = {}) -> None:
        """Build the one-lookup table: `fixed` symbols override a word's own (contractions:
        "theyre" is "ZC"); `default` symbols apply to words not listed (prepositions)."""
        for bucket in self._phrases.values():
            bucket.sort(key=lambda p: (-len(p[0]), p[1]))
        info: dict[str, tuple[str, Phrases]] = {}
        for w in {*self._words, *self._phrases, *fixed, *default}:
            own = self._words.get(w)
            sym = fixed.get(w) or (own[1] if own else None) or default.get(w) or "o"
            info[w] = (sym, tuple((toks, psym) for toks, _r, psym in self._phrases.get(w, ())))
        for mark, sym in ((SENTENCE, "."), (CLAUSE, "B"), (QUOTE, '"')):
            info[mark] = (sym, ())
        self.info = info
        nxt: dict[str, ByNext] = {}
        for w, (_sym, phrases) in info.items():
            if phrases:
                by: dict[str, list[tuple[tuple[str, ...], str]]] = {}
                for toks, psym in phrases:  # (longest first, kept in each list)
                    by.setdefault(toks[1], []).append((toks, psym))
                nxt[w] = {second: tuple(found) for second, found in by.items()}
        self._next = nxt

    def words_with(self, symbols: Iterable[str]) -> frozenset[str]:
        """Every word that starts an entry with one of `symbols`."""
        wanted = set(symbols)
        return frozenset(w for w, (sym, ph) in self.info.items()
                         if wanted & {*sym, *(p[1] for p in ph)})

    def triggers(self, symbols: Iterable[str]) -> frozenset[str]:
        """One word of every entry with one of `symbols`: the longest that is not a common
        function word. A message without any of them cannot hold such an entry, so a
        reader may skip it (an entry matches only with all its words)."""
        wanted = set(symbols)
        out: set[str] = set()
        for w, (sym, phrases) in self.info.items():
            if wanted & set(sym):
                out.add(w)
            for toks, psym in phrases:
                if psym in wanted:
                    # the least common word (a word not listed is rarer than any listed)
                    out.add(max(toks, key=lambda t: (_RANK.get(t, len(_RANK)), len(t))))
        return frozenset(out)

    def chunks(self, tokens: Sequence[str], names: frozenset[str] = frozenset(),
               name_sym: str = "m") -> list[Chunk]:
        """Tokens to symbols: the longest listed phrase at each position, else the word's
        own symbol (a contraction gives one chunk per symbol), else "o"."""
        out: list[Chunk] = []
        info = self.info
        following = self._next
        append = out.append
        i, n = 0, len(tokens)
        while i < n:
            tok = tokens[i]
            entry = info.get(tok)
            if entry is None:
                append(Chunk(name_sym if names and tok in names else "o", i, i + 1))
                i += 1
                continue
            sym = entry[0]
            best = 1
            if entry[1] and i + 1 < n:
                candidates = following[tok].get(tokens[i + 1])
                if candidates is not None:
                    for toks, psym in candidates:
                        size = len(toks)
                        if i + size <= n and tuple(tokens[i:i + size]) == toks:
                            best, sym = size, psym
                            break  # (longest first)
            if best == 1 and len(sym) > 1:  # a contraction
                for ch in sym:
                    append(Chunk(ch, i, i + 1))
                i += 1
                continue
            append(Chunk(sym, i, i + best))
            i += best
        return out
