"""`groupbot library add` with its citation, and the seeds before the first start (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from groupbot.cli import main
from groupbot.library.meta import toml_value, write_meta
from groupbot.library.parse import parse_file

ARTICLE = ("Setting Boundaries Without Guilt\n\nJane Doe · March 3, 2024\n\n"
           "Boundaries are how we tell people what we can and cannot give. They protect our "
           "time and our energy.\n\nSaying no is a complete sentence. It can feel strange at "
           "first, and that is normal.\n")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GROUPBOT_CONFIG", "GROUPBOT_DATABASE"):
        monkeypatch.delenv(var, raising=False)


def test_library_list_shows_the_seeds_on_a_new_database(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database", str(tmp_path / "new.db"), "library", "list"]) == 0
    out = capsys.readouterr().out
    assert "codependency-vs-interdependence\tCodependency Vs. Interdependence" in out
    assert "empty" not in out


def test_library_add_writes_the_citation_and_ingests(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "c.db")
    article = tmp_path / "boundaries.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert main(["--database", db, "library", "ingest", str(article)]) == 0
    out = capsys.readouterr().out
    assert "no author found" in out and f"groupbot library add {article} --author" in out

    assert main(["--database", db, "library", "add", str(article), "--author", "Jane Doe",
                 "--source", "https://example.org/b", "--published", "2024-03-03",
                 "--title", 'Setting "Boundaries"']) == 0
    out = capsys.readouterr().out
    assert "replaced" in out and "no author found" not in out
    meta = (tmp_path / "boundaries.meta.toml").read_text(encoding="utf-8")
    assert 'author = "Jane Doe"' in meta and "published = 2024-03-03" in meta
    assert 'source_url = "https://example.org/b"' in meta
    assert 'title = "Setting \\"Boundaries\\""' in meta

    assert main(["--database", db, "library", "list"]) == 0
    listing = capsys.readouterr().out
    assert 'boundaries\tSetting "Boundaries"\tJane Doe, 2024-03-03\t2 passages\t' \
           "https://example.org/b" in listing
    assert main(["--database", db, "excerpt", "saying", "no", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["article"] == 'Setting "Boundaries"'
    assert doc["section"] == "Introduction"  # the byline is not a section or a passage
    assert all("March 3" not in r["text"] for r in doc["results"])
    assert main(["--database", db, "excerpt", "saying", "no"]) == 0
    assert "Jane Doe · 2024-03-03" in capsys.readouterr().out


def test_without_an_author_no_name_is_made_up(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "tea.md"
    article.write_text("# Tea Notes\n\nA fine paragraph about tea. It is short.\n", "utf-8")
    db = str(tmp_path / "c.db")
    assert main(["--database", db, "library", "add", str(article)]) == 0
    capsys.readouterr()
    assert main(["--database", db, "excerpt", "tea"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("— “Tea Notes”, Introduction")
    assert "unknown author" not in out


def test_an_existing_meta_file_keeps_its_other_lines(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    meta = tmp_path / "a.meta.toml"
    meta.write_text('# our notes\nauthor = "Someone Else"\nlanguage = "en"\n'
                    'references = [\n  "One.",\n]\n', encoding="utf-8")
    assert write_meta(article, {"author": "Jane Doe", "publisher": "Example"}) == meta
    text = meta.read_text(encoding="utf-8")
    assert text.startswith("# our notes\nauthor = \"Jane Doe\"\nlanguage = \"en\"\n")
    assert text.rstrip().endswith('publisher = "Example"')
    parsed = parse_file(article)
    assert (parsed.author, parsed.publisher, parsed.references) == ("Jane Doe", "Example",
                                                                    ["One."])


def test_a_bad_date_or_a_non_article_is_refused(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from groupbot.core.errors import ContentError

    with pytest.raises(ContentError, match="not a date"):
        toml_value("published", "2024-02-30")
    assert toml_value("published", "March 3, 2024") == '"March 3, 2024"'
    notes = tmp_path / "README.md"
    notes.write_text("# Notes\n\nNot an article.\n")
    assert main(["--database", str(tmp_path / "c.db"), "library", "add", str(notes)]) != 0
    assert "not an article file" in capsys.readouterr().err
    assert main(["--database", str(tmp_path / "c.db"), "library", "add",
                 str(tmp_path / "missing.txt")]) != 0
    assert "no such file" in capsys.readouterr().err


def test_the_readme_documents_add_and_meta_toml() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "groupbot library add boundaries.txt --title" in readme
    for key in ("title", "author", "source_url", "published", "publisher", "disclaimer",
                "references"):
        assert f"\n{key} = " in readme, key
