"""Words members use, mapped to words articles use.

Members ask "how did my childhood shape this"; the article says "infant" and "primary
caregiver". A short, hand-made map (no third-party list) bridges the two. Expansions are only
ever added beside the member's own words, and every passage shown still has its matched words
highlighted, so a reader sees why it came up.
"""

from __future__ import annotations

SYNONYMS: dict[str, tuple[str, ...]] = {
    "childhood": ("infant", "caregiver", "parents", "early relationships"),
    "child": ("infant", "caregiver", "parents"),
    "children": ("kids", "parents"),
    "upbringing": ("families", "parents", "caregiver", "early relationships"),
    "raised": ("families", "parents", "caregiver"),
    "grew": ("families", "parents", "caregiver"),
    "growing": ("families", "parents"),
    "parent": ("caregiver", "parents"),
    "mom": ("parents", "caregiver"),
    "mother": ("parents", "caregiver"),
    "dad": ("parents", "caregiver"),
    "father": ("parents", "caregiver"),
    "aa": ("alcoholics anonymous",),
    "alcohol": ("alcoholics", "substance"),
    "drinking": ("alcohol", "alcoholics", "substance misuse"),
    "drinks": ("alcohol", "substance misuse"),
    "alcoholic": ("alcohol", "alcoholics anonymous", "substance misuse"),
    "drugs": ("substance", "substance misuse"),
    "cbt": ("cognitive behavioral",),
    "counseling": ("therapy", "psychotherapy"),
    "counselling": ("therapy", "psychotherapy"),
    "counselor": ("therapy", "psychotherapy"),
    "therapist": ("therapy", "psychotherapy"),
    "treatment": ("therapy", "treats", "treating"),
    "recover": ("change", "reversing", "treating"),
    "recovery": ("change", "reversing", "treating"),
    "better": ("change",),
    "history": ("first used", "concept"),
    "origin": ("first used", "concept"),
    "origins": ("first used", "concept"),
    "heal": ("change", "reversing"),
    "healing": ("change", "reversing"),
    "boundaries": ("balance", "independence", "individual identity"),
    "boundary": ("balance", "independence", "individual identity"),
    "worth": ("worthy", "self-esteem"),
    "worthless": ("worthy", "self-esteem"),
    "unworthy": ("worthy", "self-esteem"),
    "confidence": ("self-assurance", "self-esteem"),
    "marriage": ("marriages", "partner"),
    "husband": ("partner", "spouses"),
    "wife": ("partner", "spouses"),
    "spouse": ("partner", "spouses"),
    "boyfriend": ("partner", "romantic partners"),
    "girlfriend": ("partner", "romantic partners"),
    "clingy": ("over-reliance", "attachment"),
    "needy": ("over-reliance", "attachment"),
    "pleasing": ("needs of others", "win others over"),
    "pleaser": ("needs of others", "win others over"),
    "signs": ("symptoms",),
    "sign": ("symptoms",),
    "codependant": ("codependent",),
    "codependance": ("codependency",),
    "codependence": ("codependency",),
}


def expand(words: list[str]) -> list[str]:
    """Extra phrases for the member's words, not repeating any word already asked for."""
    asked = set(words)
    out: dict[str, None] = {}
    for word in words:
        for extra in SYNONYMS.get(word, ()):
            if extra not in asked:
                out.setdefault(extra, None)
    return list(out)
