"""Reading articles (plain text, Markdown, HTML) into title, sections, passages and metadata.

Articles copied from web pages do not mark their headings: headings are short lines without
a final period ("Can Someone Who Is Codependent Change?", "Problematic Family Interactions"),
often listed once as a table of contents and then repeated above their sections. So headings
are found structurally, in every format, and explicit Markdown/HTML headings are honoured too.
Navigation lines, image captions and "Need Help ?" buttons are dropped; the byline, reviewer,
date, photo credit, disclaimer and references are kept as metadata, never as passages.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from groupbot.core.errors import NESTED_TOO_DEEPLY, ContentError
from groupbot.library.model import ParsedArticle, Passage, Section
from groupbot.library.text import clean, split_sentences

PARSER_VERSION = "1"
MAX_FILE_BYTES = 5_000_000
MAX_PASSAGE_CHARS = 1200
FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
           ".html": "html", ".htm": "html"}
META_SUFFIXES = (".meta.toml", ".meta.yaml", ".meta.yml")
INTRODUCTION = "Introduction"


@dataclass(slots=True)
class Block:
    """A line or paragraph from the source, before its role is known."""

    text: str
    level: int | None = None  # an explicit heading level (Markdown #, HTML h1-h6)
    item: bool = False  # a list item


# -- entry point ---------------------------------------------------------------------------
def is_article_file(path: Path) -> bool:
    name = path.name.lower()
    return (path.suffix.lower() in FORMATS and not name.startswith("readme")
            and not name.startswith(".") and not name.endswith(META_SUFFIXES))


def meta_path(path: Path) -> Path | None:
    for suffix in META_SUFFIXES:
        candidate = path.with_name(path.stem + suffix)
        if candidate.exists():
            return candidate
    return None


def parse_file(path: Path) -> ParsedArticle:
    """Read one article and its optional `NAME.meta.toml`. Raises ContentError naming the file."""
    where = str(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ContentError(where, "not an article file: use .txt, .md or .html")
    raw = _read(path)
    meta_file = meta_path(path)
    meta_raw = _read(meta_file) if meta_file else b""
    meta = _load_meta(meta_file, meta_raw) if meta_file else {}
    digest = hashlib.sha256(b"\0".join([PARSER_VERSION.encode(), raw, meta_raw])).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContentError(where, f"not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise ContentError(where, "this looks like a binary file, not an article")
    return parse_text(text, fmt=fmt, source=where, slug=_slugify(path.stem),
                      content_hash=digest, meta=meta)


def parse_text(text: str, *, fmt: str, source: str, slug: str, content_hash: str = "",
               meta: dict[str, Any] | None = None) -> ParsedArticle:
    """Parse article text already read into memory (`fmt`: text, markdown or html)."""
    meta = dict(meta or {})
    found: dict[str, Any] = {}
    if fmt == "html":
        blocks = _html_blocks(text, found)
    elif fmt == "markdown":
        blocks = _markdown_blocks(text, found, source)
    else:
        blocks = _text_blocks(text)
    article = _structure(blocks, found, source)
    article.slug = _slugify(str(meta.get("slug") or slug)) or "article"
    article.content_hash = content_hash or hashlib.sha256(text.encode()).hexdigest()
    article.format = fmt
    _apply_meta(article, meta)
    if not article.short_disclaimer:
        article.short_disclaimer = _short_disclaimer(article.disclaimer)
    if not article.passages:
        raise ContentError(source, "found no paragraphs of article text")
    if not article.title:
        raise ContentError(source, "found no title (the first line, a # heading or <h1>)")
    return article


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ContentError(str(path), f"too large ({size} bytes; at most {MAX_FILE_BYTES})")
        return path.read_bytes()
    except FileNotFoundError:
        raise ContentError(str(path), "no such file") from None
    except IsADirectoryError:
        raise ContentError(str(path), "is a folder, not a file") from None
    except OSError as exc:
        raise ContentError(str(path), f"cannot read it: {exc.strerror}") from None


# -- metadata files ------------------------------------------------------------------------
_META_KEYS: dict[str, type | tuple[type, ...]] = {
    "slug": str, "title": str, "author": str, "medical_reviewer": str, "reviewer": str,
    "publisher": str, "published": (str, date), "photo_credit": str, "disclaimer": str,
    "short_disclaimer": str, "references": list, "language": str, "source_url": str,
}


def _load_meta(path: Path, raw: bytes) -> dict[str, Any]:
    where = str(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContentError(where, "not UTF-8 text") from None
    data: Any
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(where, f"not valid TOML: {exc}") from None
    except yaml.YAMLError as exc:
        raise ContentError(where, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise ContentError(where, f"not valid {'TOML' if path.suffix == '.toml' else 'YAML'}: "
                                  f"{NESTED_TOO_DEEPLY}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ContentError(where, "must be a table of keys and values")
    for key, value in data.items():
        kind = _META_KEYS.get(str(key))
        if kind is None:
            raise ContentError(where, f"unknown key (known: {', '.join(sorted(_META_KEYS))})",
                               field=str(key))
        if not isinstance(value, kind):
            raise ContentError(where, "has the wrong type", field=key)
        if key == "references" and not (isinstance(value, list)
                                        and all(isinstance(r, str) for r in value)):
            raise ContentError(where, "must be a list of strings", field=key)
    return data


def _apply_meta(article: ParsedArticle, meta: dict[str, Any]) -> None:
    for key in ("title", "author", "publisher", "photo_credit", "source_url"):
        if meta.get(key):
            setattr(article, key, clean(str(meta[key])))
    reviewer = meta.get("medical_reviewer") or meta.get("reviewer")
    if reviewer:
        article.reviewer = clean(reviewer)
    if meta.get("published"):
        article.published = _parse_date(str(meta["published"]))
    if meta.get("disclaimer"):
        article.disclaimer = clean(meta["disclaimer"])
    if meta.get("short_disclaimer"):
        article.short_disclaimer = clean(meta["short_disclaimer"])
    if meta.get("references"):
        article.references = [clean(r) for r in meta["references"] if clean(r)]


# -- plain text -----------------------------------------------------------------------------
def _text_blocks(text: str) -> list[Block]:
    """Blank-line separated blocks; a block of short heading-like lines stays line by line."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [clean(line) for line in chunk.split("\n") if clean(line)]
        if not lines:
            continue
        if len(lines) == 1:
            blocks.append(Block(lines[0]))
        elif all(_heading_like(line) and len(line) <= 70 for line in lines):
            blocks.extend(Block(line) for line in lines)
        elif _heading_like(lines[0]) and (
            lines[0].endswith("?") or len(lines[0]) <= 0.6 * max(len(x) for x in lines)
        ):
            blocks.append(Block(lines[0]))
            blocks.append(Block(" ".join(lines[1:])))
        else:
            blocks.append(Block(" ".join(lines)))
    return blocks


# -- Markdown -------------------------------------------------------------------------------
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_MD_SETEXT = re.compile(r"^(=+|-+)\s*$")


def _md_inline(text: str) -> str:
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links
    text = re.sub(r"\[([^\]]*)\]\[[^\]]*\]", r"\1", text)  # reference links
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])", r"\2", text)
    text = re.sub(r"<[^>]+>", "", text)
    return clean(text.replace("\\", ""))


def _markdown_blocks(text: str, found: dict[str, Any], source: str) -> list[Block]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    front = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    if front:
        try:
            data = yaml.safe_load(front.group(1))
        except yaml.YAMLError as exc:
            raise ContentError(source, f"the front matter is not valid YAML: {exc}") from None
        except RecursionError:
            raise ContentError(source, "the front matter is not valid YAML: "
                                       f"{NESTED_TOO_DEEPLY}") from None
        if isinstance(data, dict):
            for key in ("title", "author", "date", "published", "reviewer"):
                if data.get(key):
                    found.setdefault("published" if key == "date" else key, str(data[key]))
        text = text[front.end():]
    blocks: list[Block] = []
    para: list[str] = []
    in_code = False

    def flush() -> None:
        if para:
            blocks.extend(_text_blocks("\n".join(para)))
            para.clear()

    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.strip().startswith(("```", "~~~")):
            flush()
            in_code = not in_code
            continue
        if in_code:
            continue
        heading = _MD_HEADING.match(line)
        item = _MD_ITEM.match(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if heading:
            flush()
            blocks.append(Block(_md_inline(heading.group(2)), level=len(heading.group(1))))
        elif _MD_SETEXT.match(line) and not para:
            continue  # the underline of a setext heading already taken, or a rule
        elif line.strip() and _MD_SETEXT.match(nxt) and not item and not para:
            blocks.append(Block(_md_inline(line), level=1 if nxt.startswith("=") else 2))
        elif item:
            flush()
            blocks.append(Block(_md_inline(item.group(1)), item=True))
        elif not line.strip():
            flush()
        else:
            para.append(_md_inline(re.sub(r"^\s{0,3}>\s?", "", line)))
    flush()
    return [b for b in blocks if b.text]


# -- HTML -----------------------------------------------------------------------------------
_SKIP_TAGS = frozenset("script style nav header footer aside form noscript svg button template "
                       "iframe select".split())
_BLOCK_TAGS = frozenset("p div section article main li dt dd blockquote td th figcaption "
                        "h1 h2 h3 h4 h5 h6 pre address tr ul ol dl table body".split())
_VOID_TAGS = frozenset("area base br col embed hr img input link meta source track wbr".split())


class _HtmlReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.meta: dict[str, str] = {}
        self.head_title = ""
        self._buf: list[str] = []
        self._stack: list[str] = []
        self._skip = 0
        self._in_title = False

    def _flush(self) -> None:
        text = clean("".join(self._buf))
        self._buf.clear()
        if not text:
            return
        level = None
        item = False
        for tag in reversed(self._stack):
            if re.fullmatch(r"h[1-6]", tag):
                level = int(tag[1])
                break
            if tag == "li":
                item = True
                break
            if tag in _BLOCK_TAGS:
                break
        self.blocks.append(Block(text, level=level, item=item))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            a = {k: v or "" for k, v in attrs}
            key = (a.get("name") or a.get("property") or "").lower()
            if key and a.get("content"):
                self.meta[key] = a["content"]
            return
        if tag in _VOID_TAGS:
            if tag == "br":
                self._buf.append(" ")
            return
        if tag in _SKIP_TAGS:
            self._skip += 1
        if tag == "title":
            self._in_title = True
        if tag in _BLOCK_TAGS and not self._skip:
            self._flush()
        self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID_TAGS:
            return
        if tag == "title":
            self._in_title = False
        if tag in self._stack:
            while self._stack:
                top = self._stack.pop()
                if top in _SKIP_TAGS:
                    self._skip = max(0, self._skip - 1)
                if top in _BLOCK_TAGS and not self._skip:
                    self._flush()
                if top == tag:
                    break

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.head_title += data
        elif not self._skip:
            self._buf.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _html_blocks(text: str, found: dict[str, Any]) -> list[Block]:
    reader = _HtmlReader()
    reader.feed(text)
    reader.close()
    meta = reader.meta
    if meta.get("author"):
        found["author"] = clean(meta["author"])
    for key in ("article:published_time", "date", "dc.date", "publication_date"):
        if meta.get(key):
            found["published"] = meta[key]
            break
    if meta.get("og:site_name"):
        found["publisher"] = clean(meta["og:site_name"])
    if reader.head_title.strip():
        found["head_title"] = clean(reader.head_title)
    return reader.blocks


# -- structure --------------------------------------------------------------------------------
_BREADCRUMB = re.compile(r"^(?:home|start)\s*/", re.I)
_CRUFT = frozenset({"need help", "share", "share this", "share this article", "read more",
                    "back to top", "table of contents", "contents", "in this article",
                    "advertisement", "skip to content", "print", "menu"})
_CAPTION = re.compile(r"^[\w'’ -]{1,40}\s(?:article|image|photo|picture|banner)$", re.I)
_PHOTO = re.compile(r"^(?:photo|image|picture)\s*(?:by|credit)\s*:?\s*(.+)$", re.I)
_AUTHOR = re.compile(r"^(?:article\s+)?written\s+by\s*:?\s*(.+)$", re.I)
_BYLINE = re.compile(r"^by\s+([A-Z][^.]{1,60}(?:\.[^.]{1,30})?)$")
_REVIEWER = re.compile(r"^(?:medically\s+|clinically\s+)?reviewed\s+by\s*:?\s*(.+)$", re.I)
_DATE = re.compile(r"^(?:publication\s+date|published(?:\s+on)?|date\s+published|posted\s+on)"
                   r"\s*:?\s*(.+)$", re.I)
_DISCLAIMER = re.compile(r"^disclaimer\s*:?\s*(.*)$", re.I)
_END_MATTER = re.compile(r"^(?:written\s+and\s+reviewed\s+by|about\s+the\s+authors?|"
                         r"related\s+(?:posts|articles)|you\s+may\s+also\s+like|comments)"
                         r"\s*:?$", re.I)
_REFS_HEADING = re.compile(r"^(?:references|sources|bibliography|works\s+cited|citations)\s*:?$",
                           re.I)
_REFERENCE = re.compile(r"^[^()]{2,200}?\(\s*(?:19|20)\d{2}[a-z]?(?:\s*,[^)]{0,40})?\)\.")
_LABEL = re.compile(r"^([A-Z][\w'’-]*(?:\s+[\w'’-]+){0,4})\s*:\s+(\S.*)$")
_SMALL_WORDS = frozenset("a an and as at but by for from in into of on or the to vs with".split())


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


def _heading_like(line: str) -> bool:
    """A short line without a final period, in title case or asking a question."""
    words = line.split()
    if not words or len(line) > 100 or len(words) > 14:
        return False
    if line[-1] in ".,;:!\"”’)" or not (line[0].isupper() or line[0].isdigit()):
        return False
    if _REFERENCE.match(line):
        return False
    if line.endswith("?"):
        return True
    significant = [w for w in words if w.lower().strip("'’") not in _SMALL_WORDS]
    capitalised = [w for w in significant if w[:1].isupper() or w[:1].isdigit()]
    return len(capitalised) >= max(1, 0.6 * len(significant))


def _metadata_line(text: str, found: dict[str, Any], before_body: bool) -> bool:
    """Take byline, reviewer, date and photo credit lines into `found`. True if it was one."""
    if m := _PHOTO.match(text):
        found.setdefault("photo_credit", m.group(1))
        return True
    if (m := _REVIEWER.match(text)) and len(text) < 160:
        found.setdefault("reviewer", m.group(1))
        return True
    if (m := _AUTHOR.match(text)) and len(text) < 160:
        found.setdefault("author", m.group(1))
        return True
    if before_body and (m := _BYLINE.match(text)):
        found.setdefault("author", m.group(1))
        return True
    if (m := _DATE.match(text)) and len(text) < 80:
        found.setdefault("published", m.group(1))
        return True
    return False


def _is_cruft(text: str) -> bool:
    return bool(_BREADCRUMB.match(text) or _norm(text) in _CRUFT
                or (_CAPTION.match(text) and len(text.split()) <= 4))


def _structure(blocks: list[Block], found: dict[str, Any], source: str) -> ParsedArticle:
    article = ParsedArticle(slug="", title="", source=source, content_hash="", format="")
    # 1. title: an explicit level-1 heading, else the first line if it reads like one
    title = found.get("title")
    body = list(blocks)
    if not title:
        first_h1 = next((b for b in body if b.level == 1), None)
        if first_h1 is not None:
            title = first_h1.text
            body.remove(first_h1)
        elif body and _heading_like(body[0].text) and not _BREADCRUMB.match(body[0].text):
            title = body.pop(0).text
        else:
            title = found.get("head_title", "")
    article.title = clean(title)
    title_norm = _norm(article.title)

    # 2. drop cruft and the repeated title; take metadata lines; cut end matter
    kept: list[Block] = []
    disclaimer_next = False
    for block in body:
        text = block.text
        if disclaimer_next:
            found.setdefault("disclaimer", text)
            disclaimer_next = False
            continue
        if _END_MATTER.match(text):
            break
        if _is_cruft(text) or (_norm(text) == title_norm and block.level in (None, 1, 2)):
            continue
        if m := _DISCLAIMER.match(text):
            if m.group(1):
                found.setdefault("disclaimer", m.group(1))
            else:
                disclaimer_next = True
            continue
        if _metadata_line(text, found, before_body=not kept):
            continue
        kept.append(block)

    # 3. which blocks are headings: explicit ones, and heading-like single lines
    is_heading = [b.level is not None or (not b.item and _heading_like(b.text)) for b in kept]
    toc = _table_of_contents(kept, is_heading)
    main_titles = {_norm(kept[i].text) for i in toc}
    explicit = any(b.level is not None for b in kept)

    # 4. walk: sections, passages, references
    current = Section(INTRODUCTION, 2)
    parent: Section | None = None
    in_refs = False
    lead_in: tuple[Section, str] | None = None
    sections: list[Section] = []
    for i, block in enumerate(kept):
        text = block.text
        if i in toc:
            continue
        if is_heading[i]:
            if _REFS_HEADING.match(text):
                in_refs = True
                continue
            in_refs = False
            if explicit:
                level = max(2, block.level or 3)
            elif main_titles:
                level = 2 if _norm(text) in main_titles else 3
            else:
                level = 2
            if level <= 2:
                current = Section(text, 2)
                parent = current
            else:
                current = Section(text, level, parent.title if parent else None)
            sections.append(current)
            continue
        if in_refs or _REFERENCE.match(text):
            article.references.append(text)
            continue
        label = None
        if m := _LABEL.match(text):
            if _heading_like(m.group(1)) and len(m.group(1).split()) <= 5:
                label = m.group(1)
        if lead_in is not None and lead_in[0] == current:
            text = f"{lead_in[1]} {text}"  # "The following are ...:" reads only with its item
        elif lead_in is not None:
            article.passages.append(Passage(lead_in[0], lead_in[1]))
        lead_in = None
        if text.endswith(":") and label is None:
            lead_in = (current, text)
            continue
        for piece in _split_long(text):
            article.passages.append(Passage(current, piece, label))
    if lead_in is not None:
        article.passages.append(Passage(lead_in[0], lead_in[1]))
    if any(p.section.title == INTRODUCTION for p in article.passages):
        sections.insert(0, Section(INTRODUCTION, 2))
    article.sections = sections

    article.author = clean(found["author"]) if found.get("author") else None
    article.reviewer = clean(found["reviewer"]) if found.get("reviewer") else None
    article.publisher = clean(found["publisher"]) if found.get("publisher") else None
    article.photo_credit = clean(found["photo_credit"]) if found.get("photo_credit") else None
    article.disclaimer = clean(found["disclaimer"]) if found.get("disclaimer") else None
    if found.get("published"):
        article.published = _parse_date(str(found["published"]))
    return article


def _table_of_contents(blocks: list[Block], is_heading: list[bool]) -> set[int]:
    """Indexes of a run of heading lines that are all repeated later: a table of contents."""
    i = 0
    n = len(blocks)
    while i < n:
        if not is_heading[i] or blocks[i].level is not None:
            i += 1
            continue
        j = i
        seen: set[str] = set()
        # the run stops where an entry repeats: that is the first real heading after the list
        while j < n and is_heading[j] and blocks[j].level is None \
                and _norm(blocks[j].text) not in seen:
            seen.add(_norm(blocks[j].text))
            j += 1
        run = list(range(i, j))
        if len(run) >= 2:
            later = {_norm(blocks[k].text) for k in range(j, n) if is_heading[k]}
            repeated = [k for k in run if _norm(blocks[k].text) in later]
            if len(repeated) >= max(2, 0.8 * len(run)):
                return set(run)
        i = j
    return set()


def _split_long(text: str) -> list[str]:
    """Very long paragraphs become several passages of whole sentences."""
    if len(text) <= MAX_PASSAGE_CHARS:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        if current and len(current) + 1 + len(sentence) > MAX_PASSAGE_CHARS:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces


# -- small helpers ----------------------------------------------------------------------------
def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y",
                 "%B %d %Y", "%Y/%m/%d")


def _parse_date(text: str) -> str:
    """An ISO date when the text is a date we can read (US order for 12/26/2023)."""
    raw = clean(text)
    candidate = raw[:10] if re.match(r"^\d{4}-\d{2}-\d{2}T", raw) else raw
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(candidate, fmt).date().isoformat()
        except ValueError:
            continue
    return raw


def _short_disclaimer(disclaimer: str | None) -> str | None:
    """The disclaimer's own "not a substitute" sentence, when it has one."""
    if not disclaimer:
        return None
    for sentence in split_sentences(disclaimer):
        if re.search(r"substitute|not intended|not medical advice|educational", sentence, re.I):
            sentence = re.sub(r"^(?:however|additionally|also),?\s+", "", sentence, flags=re.I)
            return sentence[0].upper() + sentence[1:]
    return None
