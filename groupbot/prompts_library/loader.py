"""Reading and validating the prompt library, with errors a facilitator can act on.

Files are composed with PyYAML into nodes (not plain objects) so every problem names the
file, the line and the field. All problems are collected, not just the first, so one run of
`groupbot prompts check` shows everything that needs fixing.

Layout of a library folder::

    prompts/
      boundaries.yaml        one theme per file (prompts may override `theme`)
      curricula/*.yaml       one curriculum per file
      _draft.yaml            ignored: names starting with "_" or "." are skipped
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from groupbot.core.errors import NESTED_TOO_DEEPLY, ContentError
from groupbot.prompts_library.model import (
    Curriculum,
    CurriculumWeek,
    Location,
    Prompt,
    PromptLibrary,
)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_FILE_BYTES = 2_000_000
MAX_ID = 64
MAX_TEXT = 1200
MAX_FOLLOW_UP = 400
MAX_NOTE = 400
MAX_EXCERPT = 100
MAX_TITLE = 120
MAX_DESCRIPTION = 1000
MAX_WEEKS = 104
MAX_PROMPTS_PER_WEEK = 7

THEME_FILE_KEYS = ("theme", "title", "description", "prompts")
PROMPT_KEYS = ("id", "theme", "text", "follow_ups", "content_note", "excerpt")
CURRICULUM_KEYS = ("id", "title", "description", "weeks")
WEEK_KEYS = ("week", "title", "prompts", "note")

# libyaml is faster and reads plain text like [How are you?] that the pure-Python parser refuses
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_NULL = "tag:yaml.org,2002:null"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class PromptLibraryError(ContentError):
    """The library has problems. `errors` lists every one; the message shows the first."""

    def __init__(self, errors: list[ContentError]) -> None:
        first = errors[0]
        more = len(errors) - 1
        tail = (f" (and {more} more problem{'s' if more != 1 else ''}; run "
                f"`groupbot prompts check` to see them all)") if more else ""
        # Keep ContentError's fields, but show the first problem's full text plus the count.
        Exception.__init__(self, f"{first}{tail}")
        self.path, self.line, self.field = first.path, first.line, first.field
        self.errors = errors


@dataclass
class _Collected:
    problems: list[ContentError] = field(default_factory=list)
    prompts: list[Prompt] = field(default_factory=list)
    locations: dict[str, Location] = field(default_factory=dict)
    titles: dict[str, tuple[str, Location]] = field(default_factory=dict)
    curricula: list[Curriculum] = field(default_factory=list)
    # (curriculum file, node, field, prompt id) checked once every prompt is known
    references: list[tuple[str, Node, str, str]] = field(default_factory=list)


class _FileReader:
    """Turns one file's nodes into values, recording problems with file, line and field."""

    def __init__(self, path: str, out: _Collected) -> None:
        self.path = path
        self.out = out

    def problem(self, node: Node | None, fld: str | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.out.problems.append(ContentError(self.path, message, line, fld))

    def open_mapping(self, path: Path, keys: Iterable[str],
                     what: str) -> tuple[Node, dict[str, Node]] | None:
        """Read, parse and check the top-level mapping of a file; None after a problem."""
        try:
            raw = path.read_bytes()
        except OSError as exc:
            self.problem(None, None, f"cannot read the file: {exc.strerror}")
            return None
        root = self.compose(raw)
        if root is None:
            return None
        fields = self.mapping(root, "", keys, what)
        if fields is None:
            return None
        return root, fields

    def compose(self, raw: bytes) -> Node | None:
        if len(raw) > MAX_FILE_BYTES:
            self.problem(None, None, f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB; "
                                     "split it into smaller files")
            return None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.problem(None, None, f"the file is not UTF-8 text (byte {exc.start})")
            return None
        try:
            node = yaml.compose(text, Loader=_LOADER)
        except RecursionError:  # the pure-Python reader (libyaml stops at a depth itself)
            self.problem(None, None, f"not valid YAML: {NESTED_TOO_DEEPLY}")
            return None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            what = " ".join(p for p in (exc.context, exc.problem) if p)
            if "nesting depth" in what:  # libyaml's own limit
                what = NESTED_TOO_DEEPLY
            elif "flow" in what or "mapping values are not allowed" in what:
                what += ("; tip: put text containing ? : , [ ] { } or # in double quotes, "
                         'like - "How are you?"')
            self.out.problems.append(ContentError(self.path, f"not valid YAML: {what}", line))
            return None
        except yaml.YAMLError as exc:
            self.problem(None, None, f"not valid YAML: {exc}")
            return None
        if node is None:
            self.problem(None, None, "the file is empty")
        return node

    def mapping(self, node: Node, fld: str, allowed: Iterable[str],
                what: str) -> dict[str, Node] | None:
        """A mapping's fields by name; refuses repeated and unknown fields."""
        if not isinstance(node, MappingNode):
            self.problem(node, fld or None, f"{what} must be a set of 'field: value' lines")
            return None
        allowed = tuple(allowed)
        found: dict[str, Node] = {}
        seen_at: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag != _STR:
                self.problem(key_node, fld or None, f"{what} has a field name that is not text")
                continue
            key = key_node.value
            full = f"{fld}.{key}" if fld else key
            if key in seen_at:
                self.problem(key_node, full, f"given twice (first on line {seen_at[key]})")
                continue
            seen_at[key] = key_node.start_mark.line + 1
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                self.problem(key_node, full, f"unknown field in {what}{hint} "
                                             f"(allowed: {', '.join(allowed)})")
                continue
            found[key] = value_node
        return found

    def text(self, fields: dict[str, Node], key: str, fld: str, parent: Node, *,
             required: bool, max_len: int, one_line: bool = False) -> str | None:
        node = fields.get(key)
        if node is None:
            if required:
                self.problem(parent, fld, "is missing")
            return None
        if not isinstance(node, ScalarNode):
            self.problem(node, fld, "must be text, not a list or a mapping")
            return None
        if node.tag == _NULL or (node.tag == _STR and not node.value.strip()):
            if required:
                self.problem(node, fld, "is empty")
            return None
        if node.tag != _STR:
            self.problem(node, fld, f"must be text; put {node.value!r} in quotes if you mean it")
            return None
        value = unicodedata.normalize("NFC", node.value).strip()
        bad = _CONTROL.search(value)
        if bad:
            self.problem(node, fld, f"contains an invisible control character "
                                    f"(U+{ord(bad.group()):04X}); please remove it")
            return None
        if one_line:
            value = " ".join(value.split())
        if len(value) > max_len:
            self.problem(node, fld, f"is {len(value)} characters long; keep it under {max_len}")
            return None
        return value

    def slug(self, fields: dict[str, Node], key: str, fld: str, parent: Node,
             *, required: bool) -> str | None:
        value = self.text(fields, key, fld, parent, required=required, max_len=MAX_ID,
                          one_line=True)
        if value is not None and not SLUG.match(value):
            self.problem(fields[key], fld, f"'{value[:40]}' must be lower-case letters, digits "
                                           "and single hyphens, like boundaries-007")
            return None
        return value

    def sequence(self, fields: dict[str, Node], key: str, fld: str, parent: Node,
                 *, required: bool) -> list[Node] | None:
        node = fields.get(key)
        if node is None:
            if required:
                self.problem(parent, fld, "is missing")
            return None
        if isinstance(node, ScalarNode) and node.tag == _NULL:
            if required:
                self.problem(node, fld, "is empty")
            return None
        if not isinstance(node, SequenceNode):
            self.problem(node, fld, "must be a list (lines starting with '- ')")
            return None
        return list(node.value)


# -- theme files --------------------------------------------------------------------------
def _read_theme_file(path: Path, shown: str, out: _Collected) -> None:
    r = _FileReader(shown, out)
    opened = r.open_mapping(path, THEME_FILE_KEYS, "a prompt file")
    if opened is None:
        return
    root, fields = opened
    theme = r.slug(fields, "theme", "theme", root, required=True)
    title = r.text(fields, "title", "title", root, required=False, max_len=MAX_TITLE,
                   one_line=True)
    r.text(fields, "description", "description", root, required=False, max_len=MAX_DESCRIPTION)
    if theme and title:
        earlier = out.titles.get(theme)
        if earlier and earlier[0] != title:
            r.problem(fields["title"], "title", f"theme '{theme}' already has the title "
                                                f"'{earlier[0]}' ({earlier[1]})")
        elif not earlier:
            out.titles[theme] = (title, Location(shown, fields["title"].start_mark.line + 1))
    items = r.sequence(fields, "prompts", "prompts", root, required=True)
    if items is None:
        return
    if not items:
        r.problem(fields["prompts"], "prompts", "the list is empty")
    for i, item in enumerate(items):
        _read_prompt(r, item, f"prompts[{i}]", theme, out)


def _read_prompt(r: _FileReader, node: Node, fld: str, file_theme: str | None,
                 out: _Collected) -> None:
    fields = r.mapping(node, fld, PROMPT_KEYS, "a prompt")
    if fields is None:
        return
    before = len(out.problems)
    pid = r.slug(fields, "id", f"{fld}.id", node, required=True)
    theme = r.slug(fields, "theme", f"{fld}.theme", node, required=False) or file_theme
    text = r.text(fields, "text", f"{fld}.text", node, required=True, max_len=MAX_TEXT)
    follow_ups = _follow_ups(r, fields, f"{fld}.follow_ups", node)
    note = r.text(fields, "content_note", f"{fld}.content_note", node, required=False,
                  max_len=MAX_NOTE, one_line=True)
    excerpt = r.text(fields, "excerpt", f"{fld}.excerpt", node, required=False,
                     max_len=MAX_EXCERPT, one_line=True)
    if excerpt is not None and not re.search(r"\w", excerpt):
        r.problem(fields["excerpt"], f"{fld}.excerpt", "must contain words to search for")
        excerpt = None
    if pid is not None:
        where = Location(r.path, node.start_mark.line + 1)
        earlier = out.locations.get(pid)
        if earlier is not None:
            r.problem(fields["id"], f"{fld}.id", f"the id '{pid}' is already used at {earlier}; "
                                                 "every prompt needs its own id")
            return
        out.locations[pid] = where
    if len(out.problems) != before or pid is None or theme is None or text is None \
            or follow_ups is None:
        return
    out.prompts.append(Prompt(pid, theme, text, follow_ups, note, excerpt))


def _follow_ups(r: _FileReader, fields: dict[str, Node], fld: str,
                parent: Node) -> tuple[str, ...] | None:
    node = fields.get("follow_ups")
    if isinstance(node, ScalarNode) and node.tag == _STR and node.value.strip():
        one = r.text(fields, "follow_ups", fld, parent, required=True, max_len=MAX_FOLLOW_UP,
                     one_line=True)
        return (one,) if one else None
    items = r.sequence(fields, "follow_ups", fld, parent, required=True)
    if items is None:
        return None
    if not 1 <= len(items) <= 2:
        r.problem(fields["follow_ups"], fld, f"give one or two follow-up questions, not "
                                             f"{len(items)}")
        return None
    out: list[str] = []
    for j, item in enumerate(items):
        value = r.text({"q": item}, "q", f"{fld}[{j}]", item, required=True,
                       max_len=MAX_FOLLOW_UP, one_line=True)
        if value is None:
            return None
        out.append(value)
    return tuple(out)


# -- curricula ----------------------------------------------------------------------------
def _read_curriculum_file(path: Path, shown: str, out: _Collected,
                          seen: dict[str, Location]) -> None:
    r = _FileReader(shown, out)
    opened = r.open_mapping(path, CURRICULUM_KEYS, "a curriculum")
    if opened is None:
        return
    root, fields = opened
    before = len(out.problems)
    cid = r.slug(fields, "id", "id", root, required=True)
    title = r.text(fields, "title", "title", root, required=True, max_len=MAX_TITLE,
                   one_line=True)
    description = r.text(fields, "description", "description", root, required=False,
                         max_len=MAX_DESCRIPTION)
    week_nodes = r.sequence(fields, "weeks", "weeks", root, required=True)
    weeks: list[CurriculumWeek] = []
    if week_nodes is not None and not week_nodes:
        r.problem(fields["weeks"], "weeks", "the list is empty")
    if week_nodes is not None and len(week_nodes) > MAX_WEEKS:
        r.problem(fields["weeks"], "weeks", f"has {len(week_nodes)} weeks; at most {MAX_WEEKS}")
        week_nodes = None
    for i, wnode in enumerate(week_nodes or []):
        week = _read_week(r, wnode, f"weeks[{i}]", i + 1, out)
        if week is not None:
            weeks.append(week)
    if cid is not None:
        earlier = seen.get(cid)
        if earlier is not None:
            r.problem(fields["id"], "id", f"the curriculum id '{cid}' is already used at "
                                          f"{earlier}")
            return
        seen[cid] = Location(shown, root.start_mark.line + 1)
        out.locations[f"curriculum:{cid}"] = seen[cid]
    if len(out.problems) == before and cid and title:
        out.curricula.append(Curriculum(cid, title, description, tuple(weeks)))


def _read_week(r: _FileReader, node: Node, fld: str, expected: int,
               out: _Collected) -> CurriculumWeek | None:
    fields = r.mapping(node, fld, WEEK_KEYS, "a week")
    if fields is None:
        return None
    before = len(out.problems)
    number_node = fields.get("week")
    if number_node is not None:
        if not isinstance(number_node, ScalarNode) or number_node.tag != _INT:
            r.problem(number_node, f"{fld}.week", "must be a whole number")
        elif int(number_node.value) != expected:
            r.problem(number_node, f"{fld}.week", f"weeks must be numbered 1, 2, 3 … in order; "
                                                  f"this one should be {expected}, not "
                                                  f"{number_node.value}")
    title = r.text(fields, "title", f"{fld}.title", node, required=False, max_len=MAX_TITLE,
                   one_line=True)
    note = r.text(fields, "note", f"{fld}.note", node, required=False, max_len=MAX_DESCRIPTION)
    items = r.sequence(fields, "prompts", f"{fld}.prompts", node, required=True)
    ids: list[str] = []
    if items is not None:
        if not 1 <= len(items) <= MAX_PROMPTS_PER_WEEK:
            r.problem(fields["prompts"], f"{fld}.prompts",
                      f"give 1 to {MAX_PROMPTS_PER_WEEK} prompt ids, not {len(items)}")
        for j, item in enumerate(items):
            pid = r.slug({"id": item}, "id", f"{fld}.prompts[{j}]", item, required=True)
            if pid is not None:
                ids.append(pid)
                out.references.append((r.path, item, f"{fld}.prompts[{j}]", pid))
    if len(out.problems) != before:
        return None
    return CurriculumWeek(expected, title, tuple(ids), note)


# -- the whole folder ---------------------------------------------------------------------
def _yaml_files(folder: Path) -> list[Path]:
    files = [p for p in folder.iterdir()
             if p.is_file() and p.suffix in (".yaml", ".yml") and not p.name.startswith(("_", "."))]
    return sorted(files, key=lambda p: p.name)


def check_library(folder: Path) -> tuple[PromptLibrary | None, list[ContentError]]:
    """Validate a library folder: the library if it is sound, and every problem found."""
    folder = Path(folder)
    out = _Collected()
    shown_root = str(folder)
    if not folder.is_dir():
        return None, [ContentError(shown_root, "the prompt folder does not exist (set "
                                               "bot.prompts_dir in the config)")]
    for path in _yaml_files(folder):
        _read_theme_file(path, str(path), out)
    if not out.prompts and not out.problems:
        out.problems.append(ContentError(shown_root, "no prompt files (*.yaml) found"))
    cur_dir = folder / "curricula"
    seen: dict[str, Location] = {}
    if cur_dir.is_dir():
        for path in _yaml_files(cur_dir):
            _read_curriculum_file(path, str(path), out, seen)
    known = set(out.locations)
    for shown, node, fld, pid in out.references:
        if pid not in known:
            close = difflib.get_close_matches(pid, [k for k in known
                                                    if not k.startswith("curriculum:")], n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            out.problems.append(ContentError(shown, f"there is no prompt with the id '{pid}'"
                                                    f"{hint}", node.start_mark.line + 1, fld))
    if out.problems:
        return None, out.problems
    library = PromptLibrary(
        out.prompts, out.curricula,
        theme_titles={k: v[0] for k, v in out.titles.items()},
        locations=out.locations, root=folder,
    )
    return library, []


def load_library(folder: Path) -> PromptLibrary:
    library, problems = check_library(folder)
    if library is None:
        raise PromptLibraryError(problems)
    return library
