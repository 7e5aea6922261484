"""Writing an article's `NAME.meta.toml` (what `groupbot library add` does).

The file beside an article says how to cite it: title, author, where it is published
(`source_url`), when (`published`), and more (README, "The library"). It is read again at
every ingest, so the citation stays with the article. Keys given here are set; a file that
exists keeps its other lines, comments included.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from groupbot.core.errors import ContentError
from groupbot.library.parse import META_SUFFIXES, meta_path

# `groupbot library add` options -> meta.toml keys
OPTION_KEYS = {"title": "title", "author": "author", "source": "source_url",
               "published": "published", "publisher": "publisher"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
