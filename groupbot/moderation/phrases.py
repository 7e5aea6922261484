"""Phrase files: lists of phrase patterns with a tag and a severity, read and checked once.

The built-in lists live in `groupbot/data/words/phrases.txt`, where a facilitator can read and
edit them without touching code (and without rebuilding the compiled engine). A mistake stops
the load with the file, the line and the list named, never a silent half-list.

Format: `[name] tag severity` starts a list; then patterns separated by commas or line ends;
`#` starts a comment. A pattern is words as the normaliser writes them (lower case letters and
digits) with a tiny syntax: `(a|b|)` is an alternative (an empty one makes it optional; groups
may nest); `word+` adds "s", `word+ing` adds "s", "ing", "ed", "er", "ers".
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from groupbot.core.errors import ContentError
from groupbot.moderation.wordlists import content_lines, read_word_file, words_dir

_ALT = re.compile(r"\(([^()]*)\)")
_ENDINGS = {
    "+": ("", "s"),
    "+ing": ("", "s", "ing", "ed", "er", "ers"),
}
_HEADER = re.compile(r"\[([a-z][a-z0-9_]*)\]\s+([a-z][a-z.]*)\s+(\d)")
_PATTERN_CHARS = re.compile(r"[a-z0-9 ()|+]+")
_PHRASE = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
# One pattern standing for more phrases than this is a mistake (a stray alternation), not a list.
MAX_PHRASES = 5000
MAX_SEVERITY = 3


def expand(pattern: str) -> Iterator[str]:
    """All phrases a pattern stands for, with single spaces. Groups may nest."""
    for text in _alternatives(pattern):
        words: list[str] = []
        for word in text.split():
            if word.endswith("+ing"):
                stem = word[:-4]
                words.append("{" + ",".join(stem + e for e in _ENDINGS["+ing"]) + "}")
            elif word.endswith("+"):
                stem = word[:-1]
                words.append("{" + ",".join(stem + e for e in _ENDINGS["+"]) + "}")
            else:
                words.append(word)
        yield from _cross(words)


def _alternatives(pattern: str) -> list[str]:
    """Expand ``(a|b)`` groups, innermost first, into plain strings."""
    m = _ALT.search(pattern)
    if m is None:
        return [pattern]
    out: list[str] = []
    for choice in m.group(1).split("|"):
        out.extend(_alternatives(pattern[:m.start()] + choice + pattern[m.end():]))
    return out


def _cross(words: list[str]) -> Iterator[str]:
    options = [w[1:-1].split(",") if w.startswith("{") else [w] for w in words]
    for combo in itertools.product(*options):
        phrase = " ".join(combo)
        if phrase:
            yield phrase


@dataclass(frozen=True, slots=True)
class PhraseList:
    """One `[name] tag severity` list: its patterns and every phrase they stand for."""

    name: str
    tag: str
    severity: int
    patterns: tuple[str, ...]
    phrases: tuple[str, ...]  # in pattern order, each once


def parse_phrases(text: str, source: str,
                  tags: Iterable[str] | None = None) -> dict[str, PhraseList]:
    """The lists of a phrase file, in file order; raises `ContentError` at the first mistake.
    `tags`, when given, are the tags a reader understands: any other is an error (a typo in
    a tag would otherwise leave a whole list unread)."""
    allowed = frozenset(tags) if tags is not None else None
    heads: dict[str, tuple[str, int]] = {}
    found: dict[str, list[str]] = {}
    current: str | None = None
    for number, line in content_lines(text):
        if line.startswith("["):
            m = _HEADER.fullmatch(line)
            if m is None:
                raise ContentError(source, "a list starts with [name] tag severity (lower case, "
                                   f"severity 0 to {MAX_SEVERITY}), not {line!r}", number)
            current, tag, severity = m.group(1), m.group(2), int(m.group(3))
            if current in heads:
                raise ContentError(source, f"list [{current}] appears twice", number, current)
            if allowed is not None and tag not in allowed:
                raise ContentError(source, f"unknown tag {tag!r}; the tags are "
                                   + ", ".join(sorted(allowed)), number, current)
            if severity > MAX_SEVERITY:
                raise ContentError(source, f"severity {severity} is above {MAX_SEVERITY}",
                                   number, current)
            heads[current] = (tag, severity)
            found[current] = []
            continue
        if current is None:
            raise ContentError(source, "a pattern before the first [name] tag severity line",
                               number)
        for item in line.split(","):
            pattern = " ".join(item.split())
            if pattern:
                _check(pattern, source, number, current)
                found[current].append(pattern)
    out: dict[str, PhraseList] = {}
    for name, pats in found.items():
        tag, severity = heads[name]
        phrases = tuple(dict.fromkeys(p for pattern in pats for p in expand(pattern)))
        out[name] = PhraseList(name, tag, severity, tuple(pats), phrases)
    return out


def _check(pattern: str, source: str, number: int, name: str) -> None:
    """A pattern is checked whole: its characters, its brackets, and every phrase it makes."""
    if _PATTERN_CHARS.fullmatch(pattern) is None:
        raise ContentError(source, f"{pattern!r} has a character a pattern cannot hold (lower "
                           "case letters and digits, spaces, ( | ) and a + ending only)",
                           number, name)
    depth = 0
    for ch in pattern:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            break
    if depth != 0:
        raise ContentError(source, f"{pattern!r}: its brackets do not pair up", number, name)
    if re.search(r"\+(?!ing\b|\s|$|\)|\|)", pattern) or re.search(r"(^|[\s(|])\+", pattern):
        raise ContentError(source, f"{pattern!r}: a + comes only at the end of a word "
                           "(word+ or word+ing)", number, name)
    count = 0
    for phrase in expand(pattern):
        count += 1
        if count > MAX_PHRASES:
            raise ContentError(source, f"{pattern!r} stands for more than {MAX_PHRASES} "
                               "phrases: split it", number, name)
        if _PHRASE.fullmatch(phrase) is None:
            raise ContentError(source, f"{pattern!r} makes {phrase!r}, which is not words "
                               "as the normaliser writes them", number, name)
    if count == 0:
        raise ContentError(source, f"{pattern!r} stands for no phrase", number, name)


def load_phrases(name: str, tags: Iterable[str] | None = None) -> dict[str, PhraseList]:
    """A phrase file from `groupbot/data/words/`."""
    path = words_dir() / name
    return parse_phrases(read_word_file(path), str(path), tags)
