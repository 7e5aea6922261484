"""Whole-word phrase matching over the normalised token stream with one Aho-Corasick pass.

Every pattern is stored as " phrase " (spaces around), and the text as " tok tok ... ",
so a hit always starts and ends on word boundaries: Scunthorpe-safe by construction.
Built once per policy; scanning is linear in the text and independent of list size.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import ahocorasick

from groupbot.moderation import lexicon
from groupbot.moderation.normalise import Normalised


class Hit(NamedTuple):
    tag: str
    severity: int
    phrase: str
    form: int  # which form of the text (0 is the primary flat form)
    start: int  # index of the first token of the phrase in that form
    length: int  # number of tokens


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
        self._automaton = ahocorasick.Automaton()
        for key, values in table.items():
            self._automaton.add_word(key, (len(key), tuple(values)))
        self._automaton.make_automaton()
        self.size = len(table)

    def scan(self, norm: Normalised) -> list[Hit]:
        hits: list[Hit] = []
        automaton = self._automaton
        if not norm.variants and len(norm.flat) <= 512:
            form = norm.flat
            for end, (klen, values) in automaton.iter(form):
                tok = form.count(" ", 0, end - klen + 2) - 1
                for tag, severity, phrase, length in values:
                    hits.append(Hit(tag, severity, phrase, 0, tok, length))
            return hits
        seen: set[tuple[str, str]] = set()
        for index, form in enumerate(norm.forms()):
            # Token index counted incrementally from the previous hit (hits come in order of
            # their end), so a long text with many hits stays linear.
            last, count = 0, 0
            for end, (klen, values) in automaton.iter(form):
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
                    hits.append(Hit(tag, severity, phrase, index, tok, length))
        return hits
