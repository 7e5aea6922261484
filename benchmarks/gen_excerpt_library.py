"""Make a synthetic article library for the excerpt benchmark.

No third-party text: every word is built here from syllables, with a few plain English
function words so sentences and question headings look like the real articles (short
question and title-case headings without Markdown in the .txt files, # headings in .md).

    python benchmarks/gen_excerpt_library.py OUT_DIR [--articles 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "tr",
          "st", "pl", "gr", "sh", "ch", "th", "kl", "dr"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
CODAS = ["", "", "n", "r", "l", "s", "m", "nd", "st", "rk"]
FUNCTION_WORDS = ("the a of and to in is that for with as on by it can be this are from or "
                  "their they when which more often may each other who how what").split()
QUESTION_STARTS = ["What Does", "How Can", "Why Do", "When Does", "Can Someone"]


def make_vocabulary(rng: random.Random, size: int) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < size:
        n = rng.choice((2, 2, 3, 3, 4))
        word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(n))
        words.setdefault(word + rng.choice(CODAS), None)
    return list(words)


class Writer:
    def __init__(self, rng: random.Random, vocabulary: list[str]) -> None:
        self.rng = rng
        self.vocab = vocabulary
        # Zipf-Mandelbrot weights, as for content words in real prose once function words
        # are set apart: the commonest word is ~0.4% of these draws, most words are rare.
        self.weights = [1.0 / (i + 50) ** 1.05 for i in range(len(vocabulary))]

    def words(self, n: int, topic: list[str]) -> list[str]:
        out = []
        for _ in range(n):
            r = self.rng.random()
            if r < 0.35:
                out.append(self.rng.choice(FUNCTION_WORDS))
            elif r < 0.5:
                out.append(self.rng.choice(topic))
            else:
                out.append(self.rng.choices(self.vocab, self.weights)[0])
        return out

    def sentence(self, topic: list[str]) -> str:
        words = self.words(self.rng.randint(8, 22), topic)
        text = " ".join(words)
        return text[0].upper() + text[1:] + self.rng.choice([".", ".", ".", ".", "?"])

    def heading(self, topic: list[str]) -> str:
        if self.rng.random() < 0.5:
            start = self.rng.choice(QUESTION_STARTS)
            rest = " ".join(w.capitalize() for w in self.words(self.rng.randint(2, 4), topic)
                            if w not in FUNCTION_WORDS) or topic[0].capitalize()
            return f"{start} {rest}?"
        words = [w for w in self.words(self.rng.randint(3, 6), topic) if w not in FUNCTION_WORDS]
        return " ".join(w.capitalize() for w in words or topic[:2])

    def article(self, number: int, markdown: bool) -> str:
        topic = self.rng.sample(self.vocab[200:], 6)
        title = " ".join(w.capitalize() for w in topic[:3]) + f" {number}"
        lines = [f"# {title}" if markdown else title, ""]
        lines += [" ".join(self.sentence(topic) for _ in range(3)), ""]
        for _ in range(self.rng.randint(4, 6)):
            head = self.heading(topic)
            lines += [f"## {head}" if markdown else head, ""]
            for _ in range(self.rng.randint(2, 4)):
                lines += [" ".join(self.sentence(topic)
                                   for _ in range(self.rng.randint(2, 5))), ""]
        lines += ["Article Written by Synthetic Author", "",
                  "Publication Date: 01/15/2025", ""]
        return "\n".join(lines)


def generate(folder: Path, articles: int = 1000, seed: int = 7) -> tuple[list[Path], list[str]]:
    """Write the articles; return their paths and the vocabulary they were written from."""
    rng = random.Random(seed)
    vocabulary = make_vocabulary(rng, 6000)
    writer = Writer(rng, vocabulary)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(articles):
        markdown = i % 2 == 0
        path = folder / f"article-{i:04d}.{'md' if markdown else 'txt'}"
        path.write_text(writer.article(i, markdown), "utf-8")
        paths.append(path)
    return paths, vocabulary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    paths, _ = generate(args.out, args.articles, args.seed)
    print(f"wrote {len(paths)} articles to {args.out}")


if __name__ == "__main__":
    main()
