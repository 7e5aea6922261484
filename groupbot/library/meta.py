"""An article's metadata file, `NAME.meta.toml` (or `.meta.yaml`) beside it: reading and
checking it at every ingest, applying it to the parsed article, and writing it (what
`groupbot library add` does).

The file says how to cite the article: title, author, where it is published (`source_url`),
when (`published`), and more (README, "Adding the group's own reading"). Its values win over
what the parser finds in the text. Keys written here are set; a file that exists keeps its
other lines, comments included.
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from groupbot.core.errors import NESTED_TOO_DEEPLY, ContentError
from groupbot.library.model import ParsedArticle
from groupbot.library.text import clean

META_SUFFIXES = (".meta.toml", ".meta.yaml", ".meta.yml")

# `groupbot library add` options -> meta.toml keys
OPTION_KEYS = {"title": "title", "author": "author", "source": "source_url",
               "published": "published", "publisher": "publisher"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def meta_path(path: Path) -> Path | None:
    for suffix in META_SUFFIXES:
        candidate = path.with_name(path.stem + suffix)
        if candidate.exists():
            return candidate
    return None


_META_KEYS: dict[str, type | tuple[type, ...]] = {
    "slug": str, "title": str, "author": str, "medical_reviewer": str, "reviewer": str,
    "publisher": str, "published": (str, date), "photo_credit": str, "disclaimer": str,
    "short_disclaimer": str, "references": list, "language": str, "source_url": str,
}


def load_meta(path: Path, raw: bytes) -> dict[str, Any]:
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


def apply_meta(article: ParsedArticle, meta: dict[str, Any]) -> None:
    for key in ("title", "author", "publisher", "photo_credit", "source_url"):
        if meta.get(key):
            setattr(article, key, clean(str(meta[key])))
    reviewer = meta.get("medical_reviewer") or meta.get("reviewer")
    if reviewer:
        article.reviewer = clean(reviewer)
    if meta.get("published"):
        article.published = parse_date(str(meta["published"]))
    if meta.get("disclaimer"):
        article.disclaimer = clean(meta["disclaimer"])
    if meta.get("short_disclaimer"):
        article.short_disclaimer = clean(meta["short_disclaimer"])
    if meta.get("references"):
        article.references = [clean(r) for r in meta["references"] if clean(r)]


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y",
                 "%B %d %Y", "%Y/%m/%d")


def parse_date(text: str) -> str:
    """An ISO date when the text is a date we can read (US order for 12/26/2023)."""
    raw = clean(text)
    candidate = raw[:10] if re.match(r"^\d{4}-\d{2}-\d{2}T", raw) else raw
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(candidate, fmt).date().isoformat()
        except ValueError:
            continue
    return raw


# -- writing ----------------------------------------------------------------------------------
def toml_value(key: str, value: str) -> str:
    """A TOML value: a date for `published` written as YYYY-MM-DD, else a string."""
    value = value.strip()
    if key == "published" and _DATE.match(value):
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ContentError("--published", f"{value} is not a date") from None
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def write_meta(article: Path, values: dict[str, str]) -> Path:
    """Set `values` (meta.toml keys) in the article's metadata file, creating
    `NAME.meta.toml` when it has none. Returns the file's path."""
    existing = meta_path(article)
    if existing is not None and existing.suffix != ".toml":
        raise ContentError(str(existing), "is YAML: add the keys to it by hand, or replace it "
                                          f"with {article.stem}{META_SUFFIXES[0]}")
    path = existing or article.with_name(article.stem + META_SUFFIXES[0])
    lines = path.read_text(encoding="utf-8").splitlines() if existing else [
        f"# How to cite {article.name} (written by `groupbot library add`; edit freely).",
    ]
    for key, value in values.items():
        line = f"{key} = {toml_value(key, value)}"
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        at = next((i for i, old in enumerate(lines) if pattern.match(old)), None)
        if at is None:
            lines.append(line)
        elif lines[at].rstrip().endswith(('"""', "'''", "[")):
            raise ContentError(str(path), "spans several lines here: change it by hand",
                               field=key)
        else:
            lines[at] = line
    try:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ContentError(str(path), f"cannot write it ({exc.strerror}); write these keys "
                                      "there by hand: " + "; ".join(
                                          f"{k} = {toml_value(k, v)}"
                                          for k, v in values.items())) from None
    return path
