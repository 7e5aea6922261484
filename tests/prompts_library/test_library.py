"""The shipped prompt library, and the loader's errors on bad files (file, line, field)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from groupbot.config import Config
from groupbot.core.errors import ContentError
from groupbot.prompts_library.loader import PromptLibraryError, check_library, load_library
from groupbot.prompts_library.model import Prompt, PromptLibrary
from groupbot.prompts_library.render import prompt_reply

REAL = Config().prompts_dir
ARTICLE_THEMES = {"boundaries", "self-care", "codependency-interdependence", "family-patterns",
                  "early-bonds", "self-esteem", "change-recovery", "asking-for-help"}


@pytest.fixture(scope="module")
def library() -> PromptLibrary:
    return load_library(REAL)


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


GOOD = """
    theme: boundaries
    title: Boundaries
    prompts:
      - id: b-001
        text: What does a kind no sound like?
        follow_ups:
          - "When did you last say one?"
      - id: b-002
        text: >-
          Which boundary is easiest for you?
        follow_ups: ["Why that one?", "And the hardest?"]
        content_note: Mentions family.
        excerpt: family therapy
"""


def errors_of(folder: Path) -> list[ContentError]:
    library, problems = check_library(folder)
    assert library is None
    return problems


# -- the real library ---------------------------------------------------------------------
def test_real_library_is_big_enough_and_covers_the_article_themes(library: PromptLibrary) -> None:
    assert len(library) >= 80
    assert ARTICLE_THEMES <= set(library.themes())
    assert all(len(library.by_theme(t)) >= 8 for t in ARTICLE_THEMES)
    assert len(library.curricula) >= 2
    eight_week = library.curricula["codependency-to-interdependence"]
    assert len(eight_week.weeks) == 8


def test_every_prompt_is_complete_and_ids_are_stable(library: PromptLibrary) -> None:
    for prompt in library.all():
        assert re.fullmatch(r"[a-z-]+-\d{3}", prompt.id), prompt.id
        assert prompt.id.startswith(prompt.theme + "-"), prompt.id
        assert 1 <= len(prompt.follow_ups) <= 2, prompt.id
        assert all(q.endswith("?") for q in prompt.follow_ups), prompt.id
        assert 40 <= len(prompt.text) <= 1200, prompt.id
        if prompt.content_note is not None:
            assert prompt.content_note.strip(), prompt.id


def test_every_excerpt_query_is_a_short_non_empty_search(library: PromptLibrary) -> None:
    linked = [p for p in library.all() if p.excerpt is not None]
    assert len(linked) >= 40
    for prompt in linked:
        assert prompt.excerpt is not None and prompt.excerpt.strip()
        assert 1 <= len(prompt.excerpt.split()) <= 6, prompt.id


def test_heavy_topics_carry_a_content_note(library: PromptLibrary) -> None:
    heavy = re.compile(r"\b(abuse|addiction|alcohol|drugs|mistreat\w*|hurtful)", re.I)
    for prompt in library.all():
        if heavy.search(prompt.text):
            assert prompt.content_note, f"{prompt.id} touches a heavy topic without a note"


def test_prompts_invite_and_never_diagnose(library: PromptLibrary) -> None:
    clinical = re.compile(r"\b(diagnos\w*|disorder|symptoms?|you are codependent|patients?)\b",
                          re.I)
    for prompt in library.all():
        for text in (prompt.text, *prompt.follow_ups):
            assert not clinical.search(text), prompt.id
    invite = re.compile(r"share only|as much or as little|you are welcome|if you like|skip this|"
                        r"no need|if you are|if this|if that", re.I)
    for prompt in library.all():
        if prompt.content_note:  # heavy prompts say plainly that sharing is optional
            assert invite.search(prompt.text), prompt.id


def test_curricula_reference_real_prompts_in_order(library: PromptLibrary) -> None:
    for cur in library.curricula.values():
        assert [w.number for w in cur.weeks] == list(range(1, len(cur.weeks) + 1))
        for step in cur.steps():
            assert library.get(step.prompt_id) is not None


def test_prompts_do_not_quote_the_article(library: PromptLibrary) -> None:
    seeds = Config().seeds_dir
    if not seeds.is_dir():
        pytest.skip("no seeds folder in this checkout")
    words = re.findall(r"[a-z]+", " ".join(p.read_text("utf-8", "replace").lower()
                                           for p in seeds.glob("*.txt")))
    if len(words) < 100:
        pytest.skip("no article text in the seeds folder")
    grams = {tuple(words[i:i + 7]) for i in range(len(words) - 6)}
    for prompt in library.all():
        mine = re.findall(r"[a-z]+", prompt.text.lower())
        quoted = [mine[i:i + 7] for i in range(len(mine) - 6) if tuple(mine[i:i + 7]) in grams]
        assert not quoted, f"{prompt.id} repeats the article: {' '.join(quoted[0])}"


def test_render_puts_the_note_first_and_points_to_the_excerpt(library: PromptLibrary) -> None:
    prompt = library.get("family-patterns-005")
    assert prompt is not None and prompt.content_note and prompt.excerpt
    reply = prompt_reply(prompt)
    assert reply.text.startswith(f"Content note: {prompt.content_note}")
    assert reply.text.index(prompt.text) > 0
    assert all(q in reply.text for q in prompt.follow_ups)
    assert reply.text.rstrip().endswith(f"For a related passage: /excerpt {prompt.excerpt}")
    assert "Share only what you want to" in reply.text
    assert reply.title == "Family patterns"
    assert reply.thread_name is not None
    assert reply.thread_name.startswith("Family patterns: ") and len(reply.thread_name) <= 90


def test_render_without_note_or_excerpt() -> None:
    prompt = Prompt("x-001", "small-wins", "Share one small win. " * 20, ("How?",), None, None)
    reply = prompt_reply(prompt)
    assert reply.text.startswith("Share one small win.")
    assert "/excerpt" not in reply.text and "Content note" not in reply.text
    assert reply.thread_name is not None and reply.thread_name.endswith("…")
    assert len(reply.thread_name) <= 90


# -- the loader on good and bad files -----------------------------------------------------
def test_a_small_good_library_loads(tmp_path: Path) -> None:
    write(tmp_path, "boundaries.yaml", GOOD)
    lib = load_library(tmp_path)
    assert lib.ids() == ["b-001", "b-002"]
    second = lib.get("b-002")
    assert second == Prompt("b-002", "boundaries", "Which boundary is easiest for you?",
                            ("Why that one?", "And the hardest?"), "Mentions family.",
                            "family therapy")
    assert str(lib.location("b-002")) == f"{tmp_path / 'boundaries.yaml'}:8"


def test_missing_field_names_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "boundaries.yaml", """
        theme: boundaries
        prompts:
          - id: b-001
            text: Fine.
            follow_ups: ["Yes?"]
          - id: b-002
            follow_ups: ["No text above?"]
    """)
    (err,) = errors_of(tmp_path)
    assert (err.path, err.line, err.field) == (str(path), 6, "prompts[1].text")
    assert str(err) == f"{path}:6: field 'prompts[1].text': is missing"


def test_empty_text_and_wrong_types_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", """
        theme: boundaries
        prompts:
          - id: b-001
            text: "   "
            follow_ups: ["Yes?"]
          - id: b-002
            text: 42
            follow_ups: ["Yes?"]
          - id: b-003
            text: Fine.
            follow_ups: ["one?", "two?", "three?"]
          - id: B 4
            text: Fine.
            follow_ups: {a: b}
    """)
    errs = errors_of(tmp_path)
    found = {(e.line, e.field): str(e) for e in errs}
    assert set(found) == {(4, "prompts[0].text"), (7, "prompts[1].text"),
                          (11, "prompts[2].follow_ups"), (12, "prompts[3].id"),
                          (14, "prompts[3].follow_ups")}
    assert "is empty" in found[(4, "prompts[0].text")]
    assert "must be text" in found[(7, "prompts[1].text")]
    assert "one or two" in found[(11, "prompts[2].follow_ups")]
    assert all(e.path == str(path) for e in errs)


def test_duplicate_ids_name_both_places(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", GOOD)
    second = write(tmp_path, "b.yaml", """
        theme: self-care
        prompts:
          - id: s-001
            text: Rest.
            follow_ups: ["When?"]
          - id: b-002
            text: Another prompt with a taken id.
            follow_ups: ["Why?"]
    """)
    (err,) = errors_of(tmp_path)
    assert (err.path, err.line, err.field) == (str(second), 6, "prompts[1].id")
    assert f"already used at {first}:8" in str(err)


def test_unknown_and_repeated_fields_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "t.yaml", """
        theme: boundaries
        prompts:
          - id: b-001
            text: Fine.
            followups: ["Typo in the field name?"]
            text: Twice.
    """)
    errs = errors_of(tmp_path)
    messages = {(e.line, e.field): str(e) for e in errs}
    assert "did you mean 'follow_ups'" in messages[(5, "prompts[0].followups")]
    assert "given twice (first on line 4)" in messages[(6, "prompts[0].text")]
    assert (3, "prompts[0].follow_ups") in messages  # still missing, reported too


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", """
        theme: boundaries
        prompts:
          - id: b-001
            text: "an unclosed quote
            follow_ups: ["x?"]
          - id: b-002
    """)
    (err,) = errors_of(tmp_path)
    assert err.path == str(path) and err.line is not None and 4 <= err.line <= 7
    assert "not valid YAML" in str(err)


def test_empty_file_bad_encoding_and_control_characters(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("# only a comment\n", encoding="utf-8")
    (tmp_path / "latin.yaml").write_bytes("theme: caf\xe9\n".encode("latin-1"))
    write(tmp_path, "zz.yaml", """
        theme: boundaries
        prompts:
          - id: b-001
            text: "Hidden\\u202echaracter"
            follow_ups: ["x?"]
    """)
    errs = errors_of(tmp_path)
    text = "\n".join(str(e) for e in errs)
    assert "empty.yaml: the file is empty" in text
    assert "latin.yaml: the file is not UTF-8 text" in text
    assert "zz.yaml:4: field 'prompts[0].text': contains an invisible control character" in text


def test_unknown_curriculum_id_names_file_line_and_field(tmp_path: Path) -> None:
    write(tmp_path, "boundaries.yaml", GOOD)
    path = write(tmp_path, "curricula/track.yaml", """
        id: track
        title: A track
        weeks:
          - week: 1
            prompts: [b-001]
          - week: 2
            prompts:
              - b-0002
    """)
    (err,) = errors_of(tmp_path)
    assert (err.path, err.line, err.field) == (str(path), 8, "weeks[1].prompts[0]")
    assert "no prompt with the id 'b-0002'" in str(err) and "did you mean 'b-002'" in str(err)


def test_curriculum_week_numbers_and_duplicate_ids(tmp_path: Path) -> None:
    write(tmp_path, "boundaries.yaml", GOOD)
    body = """
        id: track
        title: A track
        weeks:
          - week: 1
            prompts: [b-001]
          - week: 3
            prompts: [b-002]
    """
    write(tmp_path, "curricula/a.yaml", body)
    write(tmp_path, "curricula/b.yaml", body.replace("week: 3", "week: 2"))
    errs = errors_of(tmp_path)
    text = "\n".join(str(e) for e in errs)
    assert "a.yaml:6: field 'weeks[1].week': weeks must be numbered" in text
    assert "b.yaml:1: field 'id': the curriculum id 'track' is already used at" in text


def test_every_problem_is_collected_and_load_raises_a_content_error(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "theme: boundaries\nprompts: []\n")
    write(tmp_path, "b.yaml", "theme: Not A Slug\nprompts:\n  - id: x-1\n")
    write(tmp_path, "_draft.yaml", "this is ignored: [")
    _, problems = check_library(tmp_path)
    assert len(problems) == 4  # empty list; bad theme; missing text; missing follow_ups
    with pytest.raises(PromptLibraryError) as info:
        load_library(tmp_path)
    assert isinstance(info.value, ContentError)
    assert [str(e) for e in info.value.errors] == [str(e) for e in problems]
    assert "and 3 more problems" in str(info.value)
    assert str(info.value).startswith(f"{tmp_path / 'a.yaml'}:2: field 'prompts'")


def test_missing_folder_and_no_prompts(tmp_path: Path) -> None:
    (err,) = errors_of(tmp_path / "nope")
    assert "does not exist" in str(err)
    (err,) = errors_of(tmp_path)
    assert "no prompt files" in str(err)


async def test_every_excerpt_query_finds_a_passage_in_the_seed_article(
        library: PromptLibrary, tmp_path: Path) -> None:
    """The pointer under each prompt must lead somewhere: /excerpt finds a passage for it."""
    from groupbot.library.service import ExcerptService
    from groupbot.storage.database import Database

    seeds = Config().seeds_dir
    async with Database(tmp_path / "e.db") as db:
        service = ExcerptService(db)
        await service.ensure_seeds(seeds)
        missing = [p.id for p in library.all()
                   if p.excerpt is not None and await service.best(p.excerpt) is None]
    assert missing == []
