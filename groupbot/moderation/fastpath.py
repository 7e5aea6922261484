"""The one place that chooses the engine's C fast path or its Python reference code.

The standard library's `json` does this for its scanner (`c_make_scanner or
py_make_scanner`), and so does groupbot: `_fastpath` (groupbot/moderation/_fastpath.c, built
by `pip install` where a C compiler is present) holds C versions of the hottest steps of
normalising and matching plain short text. Each is exported here as `c_<name>`, or None when
the C code is not to be used, and each caller writes `c_<name> or <python version>`. The C
code is not used when:
- it was not built (no compiler at install time);
- it was built from other sources (its constants differ from the ones below);
- GROUPBOT_NO_FASTPATH=1 is set (the tests judge the golden verdicts both ways).
`WHY` says which, for the install message and the tests.

The constants below are the contract between the two: the C code was built with the same.
"""

from __future__ import annotations

import os
from typing import Any, Final

ENV: Final = "GROUPBOT_NO_FASTPATH"

# The word a mention becomes in the normalised text (no member can type it as a word).
MENTION_TOKEN: Final = "zmention"
# `Normalised.gates` bits: facts about the text that the PII finder needs first.
GATE_KNOWN: Final = 1
GATE_EMAIL: Final = 2
GATE_DIGIT: Final = 4
GATE_NUMERIC: Final = 8
GATE_SPACE_DIGIT: Final = 16
GATE_BOX: Final = 32

_CONTRACT: Final = {"MENTION_TOKEN": MENTION_TOKEN, "GATE_KNOWN": GATE_KNOWN,
                    "GATE_EMAIL": GATE_EMAIL, "GATE_DIGIT": GATE_DIGIT,
                    "GATE_NUMERIC": GATE_NUMERIC, "GATE_SPACE_DIGIT": GATE_SPACE_DIGIT,
                    "GATE_BOX": GATE_BOX}
_FUNCTIONS: Final = ("normalise_ascii", "flat_ascii", "join_runs", "stretch_both",
                     "distinct_chars", "masked_spans", "build_table", "scan_table")


def _load() -> tuple[Any, str]:
    """The C module and "in use", or None and why not."""
    if os.environ.get(ENV) == "1":
        return None, f"switched off ({ENV}=1)"
    try:
        from groupbot.moderation import _fastpath
    except ImportError:
        return None, "not built (no C compiler at install time)"
    if any(getattr(_fastpath, name, None) != value for name, value in _CONTRACT.items()):
        return None, "built from other sources (its constants differ): not used"
    missing = [name for name in _FUNCTIONS if not hasattr(_fastpath, name)]
    if missing:
        return None, f"an older build without {', '.join(missing)}: not used"
    return _fastpath, "in use"


_c, WHY = _load()
NATIVE: Final = _c is not None

c_normalise_ascii: Final[Any] = _c.normalise_ascii if _c is not None else None
c_flat_ascii: Final[Any] = _c.flat_ascii if _c is not None else None
c_join_runs: Final[Any] = _c.join_runs if _c is not None else None
c_stretch_both: Final[Any] = _c.stretch_both if _c is not None else None
c_distinct_chars: Final[Any] = _c.distinct_chars if _c is not None else None
c_masked_spans: Final[Any] = _c.masked_spans if _c is not None else None
c_build_table: Final[Any] = _c.build_table if _c is not None else None
c_scan_table: Final[Any] = _c.scan_table if _c is not None else None
