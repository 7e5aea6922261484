"""Member names in the form the detectors compare tokens with.

Kept out of the compiled modules (see `compiled.py`): a subclass of a built-in type must
stay a plain Python class.
"""

from __future__ import annotations

from collections.abc import Iterable

from groupbot.moderation.normalise import fold


class FoldedNames(frozenset[str]):
    """Member names already in the form the detectors compare tokens with (`fold_names`),
    so a caller that keeps the same names for many messages folds them once."""


def fold_names(names: Iterable[str]) -> FoldedNames:
    """Display names as tokens: folded (case, accents, look-alikes), spaces and apostrophes
    dropped; names shorter than two letters are left out."""
    return FoldedNames(n for n in (fold(x).replace(" ", "").replace("'", "") for x in names)
                       if len(n) >= 2)
