"""A server worker's world is kept out of the garbage collector's scans while it is in use
(`gc.freeze`: a full collection over it paused requests ~30 ms), and is freed all the same
when a reset builds another: reset after reset, the old worlds do not pile up."""

from __future__ import annotations

import gc
import weakref

from mockserver import asgi


def test_the_world_in_use_is_not_scanned_and_a_replaced_one_is_freed():
    app = asgi.create()  # as uvicorn's workers make it
    ofapi = app.ofapi
    old = weakref.ref(ofapi.world)
    assert gc.get_freeze_count() > 0
    assert id(ofapi.world) not in {id(o) for o in gc.get_objects()}  # frozen: in no generation the collector scans
    for seed in (7, 8, 9):
        ofapi.reset(seed)
        assert ofapi.world.seed == seed
    gc.collect()
    assert old() is None
    ofapi.store.dispatcher.stop()
    ofapi.store.close()
