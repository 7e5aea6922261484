"""Word lists kept as data (`groupbot/data/words/`), read and checked once.

A facilitator may edit them; a mistake stops the load with the file, the line and the class
named, never a silent half-list. Two formats:
- class files: `[name]` starts a class, then entries one per line (or several separated by
  commas), `#` starts a comment;
- plain word files (`english.txt`): one word per line after the comment header.
Entries are written as the normaliser writes words: lower case ASCII letters and digits,
single spaces, no apostrophes ("don't" is "dont").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path

from groupbot.core.errors import ContentError

_HEADER = re.compile(r"\[([a-z][a-z0-9_.]*)\]")
_ENTRY = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
_WORD = re.compile(r"[a-z]+")


def words_dir() -> Path:
    return Path(str(resources.files("groupbot") / "data" / "words"))


def parse_classes(text: str, source: str,
                  known: Iterable[str] | None = None) -> dict[str, frozenset[str]]:
    """The classes of a class file: name -> its entries. `known`, when given, lists the
    class names the reader understands; any other name is an error (a typo in a header would
    otherwise drop a whole class silently)."""
    allowed = frozenset(known) if known is not None else None
    found: dict[str, set[str]] = {}
    current: str | None = None
    for number, line in content_lines(text):
        if line.startswith("["):
            m = _HEADER.fullmatch(line)
            if m is None:
                raise ContentError(source, f"a class header looks like [name] (lower case), "
                                   f"not {line!r}", number)
            current = m.group(1)
            if allowed is not None and current not in allowed:
                raise ContentError(source, f"unknown class [{current}]; the classes are "
                                   + ", ".join(sorted(allowed)), number, current)
            if current in found:
                raise ContentError(source, f"class [{current}] appears twice", number, current)
            found[current] = set()
            continue
        if current is None:
            raise ContentError(source, "an entry before the first [class] header", number)
        for item in line.split(","):
            entry = " ".join(item.split())
            if not entry:
                continue
            if _ENTRY.fullmatch(entry) is None:
                raise ContentError(source, f"{entry!r} is not written as the normaliser writes "
                                   "words (lower case letters and digits, single spaces, no "
                                   "apostrophes or other marks)", number, current)
            found[current].add(entry)
    if allowed is not None:
        missing = sorted(allowed - found.keys())
        if missing:
            raise ContentError(source, "missing classes: " + ", ".join(missing))
    return {name: frozenset(entries) for name, entries in found.items()}


def content_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) for every line of a word file with something on it once its
    `#` comment is cut off."""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if line:
            yield number, line


def load_classes(name: str, known: Iterable[str] | None = None) -> dict[str, frozenset[str]]:
    """A class file from `groupbot/data/words/`."""
    path = words_dir() / name
    return parse_classes(read_word_file(path), str(path), known)


def parse_words(text: str, source: str) -> frozenset[str]:
    """A plain word file: one lower-case word (letters only) per line, `#` comments."""
    out: set[str] = set()
    for number, line in content_lines(text):
        if _WORD.fullmatch(line) is None:
            raise ContentError(source, f"{line!r} is not one lower-case word", number)
        out.add(line)
    return frozenset(out)


@lru_cache(maxsize=4)
def load_words(name: str) -> frozenset[str]:
    path = words_dir() / name
    return parse_words(read_word_file(path), str(path))


def read_word_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(str(path), "the word list does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(str(path), f"cannot read the word list: {exc}") from None


# The street words (`pii.txt`): read by the address reader (pii.py) and found by the phrase
# matcher as its cheap gate (lexicon.entries), so both take them from here.
STREET_CLASSES = ("street.plain", "street.title", "street.prefix", "street.vague",
                  "address.cue")


def street_words(classes: dict[str, frozenset[str]] | None = None) -> tuple[str, ...]:
    """Every street word and address cue, sorted (the vague prefixes are among the others)."""
    found = classes if classes is not None else load_classes("pii.txt", STREET_CLASSES)
    return tuple(sorted(found["street.plain"] | found["street.title"]
                        | found["street.prefix"] | found["address.cue"]))
