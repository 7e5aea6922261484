"""Text for members and moderators: long text split for platforms with message limits
(losing nothing), and lists of numbers written as ranges."""

from __future__ import annotations

from collections.abc import Callable, Sequence


def split_text(text: str, limit: int, *,
               keep_together: Callable[[str, int], bool] | None = None) -> list[str]:
    """Split at paragraph, line or word boundaries; the pieces joined back equal the input.

    A hard cut (no boundary in reach) never separates an emoji from its joiner or modifier, nor
    a span that `keep_together(text, cut)` says must not be cut (a platform's markup token).
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for sep in ("\n\n", "\n", " "):
            at = window.rfind(sep)
            if at > limit // 3:
                cut = at + len(sep)
                break
        if cut <= 0:
            cut = limit
            while cut > 1 and (_is_joiner(rest[cut - 1]) or _is_joiner(rest[cut])
                               or (keep_together is not None and keep_together(rest, cut))):
                cut -= 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        pieces.append(rest)
    return pieces


def _is_joiner(ch: str) -> bool:
    return ch in "\u200d\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff"


def numbers(found: Sequence[int]) -> str:
    """'3', '3 and 5', '3-7, 9 and 12': numbers as ranges, at most 12 parts."""
    parts: list[str] = []
    values = sorted(set(found))
    start = prev = None
    for n in [*values, None]:
        if start is not None and (n is None or prev is None or n != prev + 1):
            if start == prev:
                parts.append(str(start))
            elif prev == start + 1:
                parts += [str(start), str(prev)]
            else:
                parts.append(f"{start}-{prev}")
            start = None
        if n is not None and start is None:
            start = n
        prev = n
    if len(parts) > 12:
        parts = [*parts[:12], f"{len(parts) - 12} more"]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
