"""The serving process settles its heap once connected (see `runtime.settle_heap`)."""

from __future__ import annotations

import gc

from groupbot.runtime import GC_THRESHOLDS, settle_heap


def test_settle_heap_freezes_what_is_alive_and_collects_young_objects_less_often() -> None:
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)  # CPython's defaults (a runner test may have settled)
        settle_heap()
        assert gc.get_threshold() == GC_THRESHOLDS
        assert GC_THRESHOLDS[0] > 700  # fewer young collections than the default
        assert gc.get_freeze_count() > 1000  # modules, the matcher: out of the scans
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
