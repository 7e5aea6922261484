"""Run every benchmark in this folder and print one table of figures and ratios.

Each `bench_*.py` module has `main() -> list[dict]` returning rows with the keys below; the
peers each benchmark compares against run in the same process, in the same run. Each
`soak_*.py` module is run the same way (a soak: a load held for a while, and what it did to the
process).
"""

from __future__ import annotations

import importlib
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
KEYS = ("benchmark", "metric", "value", "unit", "peer", "peer_value", "ratio", "target", "met")


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return str(value)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE.parent))
    wanted = set(argv)
    rows: list[dict[str, object]] = []
    failures = 0
    for path in [*sorted(HERE.glob("bench_*.py")), *sorted(HERE.glob("soak_*.py"))]:
        name = path.stem
        short = name.removeprefix("bench_").removeprefix("soak_")
        if wanted and name not in wanted and short not in wanted:
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            rows.extend(module.main())
        except Exception:
            failures += 1
            traceback.print_exc()
            rows.append({"benchmark": name, "metric": "FAILED (see above)"})
        print(f"  {name} took {time.perf_counter() - started:.1f}s", file=sys.stderr)
    table = [[_fmt(r.get(k)) for k in KEYS] for r in rows]
    widths = [max(len(k), *(len(row[i]) for row in table)) if table else len(k)
              for i, k in enumerate(KEYS)]
    print("  ".join(k.ljust(w) for k, w in zip(KEYS, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
