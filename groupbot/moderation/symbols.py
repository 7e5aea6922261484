"""Words to symbols: the step the structural readers share (abuse, care).

Each word class of a word list becomes one symbol (a letter); a sentence becomes a short
string of symbols, which the readers match with bounded regular expressions (linear in the
length of the message). A listed phrase is one symbol for all its words, and the longest
phrase at a position wins; among entries of the same length, the class listed first wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from groupbot.moderation.reading import CLAUSE, QUOTE, SENTENCE

Phrases = tuple[tuple[tuple[str, ...], str], ...]


class Chunk(NamedTuple):
    sym: str
    start: int  # first token
    end: int  # one past the last token


class SymbolTable:
    """Entries by rank (lower wins a tie); built once, then read with `chunks`."""

    def __init__(self) -> None:
        self._words: dict[str, tuple[int, str]] = {}
        self._phrases: dict[str, list[tuple[tuple[str, ...], int, str]]] = {}
        self.info: dict[str, tuple[str, Phrases]] = {}

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

    def words_with(self, symbols: Iterable[str]) -> frozenset[str]:
        """Every word that starts an entry with one of `symbols`."""
        wanted = set(symbols)
        return frozenset(w for w, (sym, ph) in self.info.items()
                         if wanted & {*sym, *(p[1] for p in ph)})

    def chunks(self, tokens: Sequence[str], names: frozenset[str] = frozenset(),
               name_sym: str = "m") -> list[Chunk]:
        """Tokens to symbols: the longest listed phrase at each position, else the word's
        own symbol (a contraction gives one chunk per symbol), else "o"."""
        out: list[Chunk] = []
        info = self.info
        append = out.append
        i, n = 0, len(tokens)
        while i < n:
            tok = tokens[i]
            entry = info.get(tok)
            if entry is None:
                append(Chunk(name_sym if names and tok in names else "o", i, i + 1))
                i += 1
                continue
            sym, phrases = entry
            best = 1
            for toks, psym in phrases:
                size = len(toks)
                if size > best and tuple(tokens[i:i + size]) == toks:
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
