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
def build_table(edges: list[tuple[int, str, int]], /) -> bytes: ...
def scan_table(
    flat: str, table: bytes, values: list[Any], hit_type: type, /
) -> tuple[list[Any], int]: ...
def stretch_both(form: str, only: int = 0, /) -> tuple[str, str]: ...
def join_runs(form: str, /) -> tuple[str, str]: ...
