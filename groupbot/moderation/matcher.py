"""Whole-word phrase matching over the normalised token stream with one Aho-Corasick pass.

Every pattern is stored as " phrase " (spaces around), and the text as " tok tok ... ",
so a hit always starts and ends on word boundaries: Scunthorpe-safe by construction.
Built once per policy; scanning is linear in the text and independent of list size.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import ahocorasick

from groupbot.moderation import lexicon
from groupbot.moderation.fastpath import c_build_table, c_scan_table
from groupbot.moderation.normalise import Normalised


class Hit(NamedTuple):
    tag: str
    severity: int
    phrase: str
    form: int  # which form of the text (0 is the primary flat form)
    start: int  # index of the first token of the phrase in that form
    length: int  # number of tokens


# Builds a Hit without the NamedTuple's Python-level __new__ (the scan's hot loop).
_new: Any = tuple.__new__


CRISIS, STREET, OTHER, RULE, SPAM, SPAM_HINT = 1, 2, 4, 8, 16, 32


def _token_table(automaton: Any) -> tuple[bytes, list[Any]] | None:
    """The automaton's phrases as a trie keyed from their last token backwards, packed for
    the native matcher: (edge table, values by node id), a value being None or (entries,
    flags). None when a key is not whole single-spaced tokens (the native matcher would
    not find exactly what Aho-Corasick finds), so the automaton does all the work."""
    ids: dict[tuple[int, str], int] = {}
    edges: list[tuple[int, str, int]] = []
    values: list[Any] = [None]
    for key, (_klen, entries, flags) in automaton.items():
        if len(key) < 3 or key[0] != " " or key[-1] != " ":
            return None
        tokens = key[1:-1].split(" ")
        if not all(tokens):
            return None
        node = 0
        for tok in reversed(tokens):
            child = ids.get((node, tok))
            if child is None:
                child = ids[(node, tok)] = len(values)
                values.append(None)
                edges.append((node, tok, child))
            node = child
        values[node] = (entries, flags)
    return c_build_table(edges), values


def tag_flags(tag: str) -> int:
    """What a hit with `tag` asks the engine to run: crisis; the street-address gate; the
    abuse detectors (any other tag); word rules (`rule:` tags) and spam wording (`spam`),
    both also OTHER."""
    if tag.startswith("crisis."):
        return CRISIS
    if tag == "street":
        return STREET
    if tag == "spam":
        return OTHER | SPAM
    return OTHER | (RULE if tag.startswith("rule:") else 0)


class Matcher:
    def __init__(self, extra: Iterable[tuple[str, str, int]] = ()) -> None:
        table: dict[str, list[tuple[str, int, str, int]]] = {}
        for source in (lexicon.entries(), extra):
            for phrase, tag, severity in source:
                key = f" {phrase} "
                entry = (tag, severity, phrase, phrase.count(" ") + 1)
                bucket = table.setdefault(key, [])
                if entry not in bucket:
                    bucket.append(entry)
        # Words that only raise a flag (`SPAM_HINT`) and make no hit.
        hint_flags = {f" {w} ": SPAM_HINT for w in lexicon.SPAM_HINTS}
        self._automaton = ahocorasick.Automaton()
        for key in table.keys() | hint_flags.keys():
            values = table.get(key, [])
            flags = hint_flags.get(key, 0)
            for tag, *_rest in values:
                flags |= tag_flags(tag)
            self._automaton.add_word(key, (len(key), tuple(values), flags))
        self._automaton.make_automaton()
        self.size = len(table)
        self._table = _token_table(self._automaton) if c_build_table is not None else None

    def scan(self, norm: Normalised) -> list[Hit]:
        return self.scan_flags(norm)[0]

    def scan_flags(self, norm: Normalised) -> tuple[list[Hit], int]:
        """The hits, and the `tag_flags` of all of them OR-ed together (so the engine
        knows which detectors to run without a second loop over the hits)."""
        hits: list[Hit] = []
        flags = 0
        seen: set[tuple[str, str]]  # (tag, phrase) already found in an earlier form
        table = self._table
        if not norm.variants:
            flat = norm.flat
            if table is not None and flat[:1] == " " and flat[-1:] == " ":
                # (most chat: one form, nothing to merge)
                return c_scan_table(flat, table[0], table[1], Hit)  # type: ignore[no-any-return]
            forms: tuple[str, ...] = (flat,)
        else:
            forms = norm.forms()
            if table is not None and all(f[:1] == " " and f[-1:] == " " for f in forms):
                # The native matcher form by form (faster than the automaton on long text
                # too: 0.5 vs 0.7 ms over a 10,000-character message's four forms); a later
                # form's hit that an earlier one already gave is dropped, as below.
                seen = set()
                for index, form in enumerate(forms):
                    found, got = c_scan_table(form, table[0], table[1], Hit, index)
                    flags |= got
                    for h in found:
                        key = (h[0], h[2])
                        if index and key in seen:
                            continue
                        seen.add(key)
                        hits.append(h)
                return hits, flags
        # The automaton: no native build, or a form without its bounding spaces.
        automaton = self._automaton
        seen = set()
        for index, form in enumerate(forms):
            # Token index counted incrementally from the previous hit (hits come in order of
            # their end), so a long text with many hits stays linear.
            last, count = 0, 0
            for end, (klen, values, vflags) in automaton.iter(form):
                flags |= vflags  # (a hit skipped below repeats a tag already counted)
                start = end - klen + 1
                if start >= last:
                    count += form.count(" ", last, start)
                else:
                    count -= form.count(" ", start, last)
                last = start
                tok = count
                for tag, severity, phrase, length in values:
                    if index and (tag, phrase) in seen:
                        continue
                    seen.add((tag, phrase))
                    hits.append(_new(Hit, (tag, severity, phrase, index, tok, length)))
        return hits, flags
