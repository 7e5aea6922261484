"""Parsing articles: the seed's structure found without Markdown, other formats, bad files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from groupbot.core.errors import ContentError
from groupbot.library.parse import parse_file, parse_text
from groupbot.library.text import clean, split_sentences

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "codependency-vs-interdependence.txt"
META = ROOT / "seeds" / "codependency-vs-interdependence.meta.toml"


def test_seed_is_kept_as_published() -> None:
    original = Path("/work/shared/seeds/000_ba74d78804ea662d.txt")
    if original.exists():
        assert SEED.read_bytes() == original.read_bytes()
    assert SEED.read_text("utf-8").startswith("Codependency Vs. Interdependence\n")


def test_seed_structure_without_metadata() -> None:
    art = parse_text(SEED.read_text("utf-8"), fmt="text", source="seed", slug="seed")
    assert art.title == "Codependency Vs. Interdependence"
    assert art.author == "Dr. Wasif MD"
    assert art.reviewer == "Dr. Kyle Zrenchik, PhD, LMFT"
    assert art.published == "2023-12-26"
    assert art.photo_credit == "Andrea Piacquadio"
    assert art.disclaimer is not None and art.disclaimer.startswith("ALL IN Therapy Clinic")
    assert art.short_disclaimer is not None and "substitute" in art.short_disclaimer
    assert [r[:12] for r in art.references] == ["American Psy", "Rusbult, C. ", "Salonia, Dr.",
                                                "Wright, P. H"]
    paths = [s.path for s in art.sections]
    assert paths == [
        "Introduction",
        "What Does Codependency Mean?",
        "What Does Interdependence Mean?",
        "How Does A Relationship Become Codependent?",  # the TOC line lacks the "?": not kept
        "How Does A Relationship Become Codependent? › Problematic Family Interactions",
        "How Does A Relationship Become Codependent? › The Impact of Relational Bonding Approach",
        "How Does A Relationship Become Codependent? › Challenges Related to Self-esteem",
        "Can Someone Who Is Codependent Change?",
        "What Type Of Therapy Treats Codependency?",
    ]
    bodies = " ".join(p.text for p in art.passages)
    for cruft in ("Home/", "Photo By", "Need Help", "Codependency Article", "Disclaimer",
                  "Written and reviewed", "Twin Cities", "Publication Date", "Rusbult, C. E."):
        assert cruft not in bodies
    assert all(p.text.strip() for p in art.passages)
    labels = {p.label for p in art.passages if p.label}
    assert labels == {"Cognitive Behavioral Therapy", "Family Therapy", "Group Therapy"}
    # the "The following are ...:" lead-in travels with its first item
    lead = next(p for p in art.passages if p.text.startswith("The following are"))
    assert "Cognitive Behavioral Therapy: It assists" in lead.text


def test_seed_metadata_file_matches_the_text() -> None:
    art = parse_file(SEED)
    meta = tomllib.loads(META.read_text("utf-8"))
    assert art.slug == "codependency-vs-interdependence"
    assert art.publisher == "ALL IN Therapy Clinic"
    assert art.author == meta["author"] == "Dr. Wasif MD"
    assert art.reviewer == meta["medical_reviewer"]
    assert art.published == "2023-12-26"
    parsed = parse_text(SEED.read_text("utf-8"), fmt="text", source="s", slug="s")
    assert parsed.references == art.references  # metadata and text agree
    assert clean(parsed.disclaimer or "") == clean(meta["disclaimer"])


def test_markdown_and_html_articles(tmp_path: Path) -> None:
    md = tmp_path / "care.md"
    md.write_text("---\nauthor: Sam Writer\ndate: 2024-02-01\n---\n# Caring Without Losing "
                  "Yourself\n\nIntro text about **care**. It has [a link](http://x).\n\n"
                  "## Setting Boundaries\n\nBoundaries protect a relationship. They help.\n\n"
                  "- A list item about saying no.\n", "utf-8")
    art = parse_file(md)
    assert art.title == "Caring Without Losing Yourself"
    assert art.author == "Sam Writer" and art.published == "2024-02-01"
    assert [s.title for s in art.sections] == ["Introduction", "Setting Boundaries"]
    assert art.passages[0].text == "Intro text about care. It has a link."
    assert art.passages[-1].text == "A list item about saying no."

    html = tmp_path / "page.html"
    html.write_text(
        "<html><head><title>Site | Page</title><meta name='author' content='Ada Lee'></head>"
        "<body><nav>Home / Blog / Menu</nav><h1>Rest &amp; Recovery</h1>"
        "<p>Rest is part of recovery. Sleep matters.</p><h2>Asking For Help</h2>"
        "<p>Asking for help is a skill.<br>It can be learned.</p>"
        "<script>var x = 'no';</script><footer>© Site</footer></body></html>", "utf-8")
    art = parse_file(html)
    assert art.title == "Rest & Recovery"
    assert art.author == "Ada Lee"
    assert [p.section.title for p in art.passages] == ["Introduction", "Asking For Help"]
    assert art.passages[1].text == "Asking for help is a skill. It can be learned."
    assert "Menu" not in " ".join(p.text for p in art.passages)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("binary.txt", b"\x00\x01\x02\x03", "binary"),
        ("latin1.txt", "Caf\xe9 au lait, a long paragraph.".encode("latin-1"), "UTF-8"),
        ("empty.md", b"", "no paragraphs"),
        ("only-title.txt", b"Just A Title\n", "no paragraphs"),
        ("slides.pdf", b"%PDF-1.4", "not an article file"),
    ],
)
def test_bad_files_are_reported_by_name(tmp_path: Path, name: str, content: bytes,
                                        message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ContentError) as info:
        parse_file(path)
    assert name in str(info.value) and message in str(info.value)


def test_bad_metadata_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A Title\n\nSome words here. More words.\n", "utf-8")
    (tmp_path / "a.meta.toml").write_text("autor = 'typo'\n", "utf-8")
    with pytest.raises(ContentError, match="autor"):
        parse_file(tmp_path / "a.txt")
    (tmp_path / "a.meta.toml").write_text("title = [\n", "utf-8")
    with pytest.raises(ContentError, match=r"a\.meta\.toml.*not valid TOML"):
        parse_file(tmp_path / "a.txt")


def test_wrapped_plain_text_paragraphs_are_joined(tmp_path: Path) -> None:
    text = ("Wrapped Article\n\nThis paragraph was wrapped at a fixed width by an editor\n"
            "so it spans three lines, and none of them is\na heading at all.\n\n"
            "Short Heading Here\n\nBody of the section. Second sentence.\n")
    art = parse_text(text, fmt="text", source="w", slug="w")
    assert art.passages[0].section.title == "Introduction"
    assert art.passages[0].text.endswith("a heading at all.")
    assert art.passages[1].section.title == "Short Heading Here"


def test_sentences_do_not_break_after_abbreviations() -> None:
    text = ("Dr. Smith met Mr. Jones (Rusbult, C. E., 2003). They talked. "
            "Was it useful? “Yes,” she said.")
    assert split_sentences(text) == ["Dr. Smith met Mr. Jones (Rusbult, C. E., 2003).",
                                     "They talked.", "Was it useful?", "“Yes,” she said."]
