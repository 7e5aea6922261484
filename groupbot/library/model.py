"""The library's plain data: a parsed article, and an excerpt found in it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Section:
    """A heading. `parent` is the enclosing section's title for sub-headings."""

    title: str
    level: int
    parent: str | None = None

    @property
    def path(self) -> str:
        return f"{self.parent} › {self.title}" if self.parent else self.title


@dataclass(frozen=True, slots=True)
class Passage:
    """One paragraph (or a piece of a very long one): the unit the index ranks."""

    section: Section
    text: str
    label: str | None = None  # the lead term of "Family Therapy: Couples therapy ..."

    @property
    def heading(self) -> str:
        """What the index's heading column holds (weighted above the body)."""
        return f"{self.section.title} {self.label}" if self.label else self.section.title


@dataclass(slots=True)
class ParsedArticle:
    slug: str
    title: str
    source: str
    content_hash: str
    format: str
    author: str | None = None
    reviewer: str | None = None
    publisher: str | None = None
    published: str | None = None  # ISO date when it could be read, else as written
    photo_credit: str | None = None
    disclaimer: str | None = None
    short_disclaimer: str | None = None
    source_url: str | None = None
    references: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """An article as stored, for listings and citations."""

    id: int
    slug: str
    title: str
    author: str | None
    reviewer: str | None
    publisher: str | None
    published: str | None
    photo_credit: str | None
    short_disclaimer: str | None
    source: str
    passages: int = 0
    source_url: str | None = None  # where it is published (meta.toml or `library add`)


@dataclass(frozen=True, slots=True)
class Excerpt:
    """A quotable piece of one passage, with what a citation needs."""

    passage_id: int
    article_slug: str
    article_title: str
    section: str  # the section's own title
    section_path: str  # "Parent › Section" for sub-sections
    text: str  # plain text, whole sentences
    marked: str  # the same text with matched words in **bold**
    score: float
    author: str | None
    reviewer: str | None
    publisher: str | None
    published: str | None
    short_disclaimer: str | None

    def citation(self) -> str:
        """One line: article, section, author, date, and the article's short disclaimer."""
        who = self.author or self.publisher  # none known: no name is made up
        parts = [f"“{self.article_title}”, {self.section_path}", *([who] if who else [])]
        if self.reviewer:
            parts.append(f"medically reviewed by {self.reviewer}")
        if self.publisher and self.publisher != who:
            parts.append(self.publisher)
        if self.published:
            parts.append(self.published)
        line = " · ".join(parts)
        if self.short_disclaimer:
            line += f". {self.short_disclaimer}"
        return line

    def as_json(self) -> dict[str, object]:
        return {"article": self.article_title, "section": self.section_path,
                "text": self.text, "score": round(self.score, 4)}


@dataclass(slots=True)
class SearchOutcome:
    """What a query found, and enough to say honestly when it found nothing."""

    query_words: list[str]
    results: list[Excerpt] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # asked-for words no article contains
    suggestions: list[str] = field(default_factory=list)  # close words that are in the library
    reason: str | None = None  # "empty", "only-common-words", "no-match"

    @property
    def best(self) -> Excerpt | None:
        return self.results[0] if self.results else None
