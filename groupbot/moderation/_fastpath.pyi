# Types of the optional native module built from _fastpath.c (see that file).
from typing import Any

MENTION_TOKEN: str
GATE_KNOWN: int
GATE_EMAIL: int
GATE_DIGIT: int
GATE_NUMERIC: int
GATE_SPACE_DIGIT: int

def normalise_ascii(
    text: str, /
) -> tuple[str, str, int, bool, bool, str | None, int] | None: ...
def scan_flat(flat: str, rtrie: dict[str, Any], hit_type: type, /) -> tuple[list[Any], int]: ...
def stretch_both(form: str, only: int = 0, /) -> tuple[str, str]: ...
def join_runs(form: str, /) -> tuple[str, str]: ...
