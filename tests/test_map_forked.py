"""``pool.map_forked``: a cohort's pure-Python work shared between one process per core."""

from __future__ import annotations

import gc
import os

import pytest

from mentor_workshop.facilitator.pool import map_forked


def _where(items: list[int]) -> list[tuple[int, int, bool]]:
    """Each item with the process that did it and whether the cycle collector was on."""
    return [(item, os.getpid(), gc.isenabled()) for item in items]


def _boom(items: list[int]) -> list[int]:
    raise ValueError("a check tripped")


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_results_come_back_in_order_from_every_process(workers: int) -> None:
    items = list(range(41))
    done = map_forked(_where, items, workers=workers)
    assert [item for item, _, _ in done] == items
    # more than one process when asked (the pool may hand two shares to the same child)
    pids = {pid for _, pid, _ in done}
    assert (len(pids) > 1) == (workers > 1) and len(pids) <= workers
    # the collector is off during the pass (it only slowed it down), and back on after it
    assert not any(on for _, _, on in done)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_failure_leaves_the_collector_on_and_nothing_frozen() -> None:
    with pytest.raises(ValueError, match="tripped"):
        map_forked(_boom, list(range(10)), workers=2)
    assert gc.isenabled() and gc.get_freeze_count() == 0
