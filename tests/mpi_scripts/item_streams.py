"""Sum of per-item random accumulators; prints its bytes' hash on rank 0.

Usage: item_streams.py SEED N_ITEMS [FAIL_ON_RANK]
"""

import hashlib
import sys

import numpy as np

from dragcore.parallel import abort_on_failure, item_seed_sequence, ordered_sum, owned_items, world

w = world()
seed, n_items = int(sys.argv[1]), int(sys.argv[2])
fail_rank = int(sys.argv[3]) if len(sys.argv) > 3 else -1
with abort_on_failure(w):
    if w.rank == fail_rank:
        raise RuntimeError("deliberate failure for the test")
    acc = {}
    for item in owned_items(n_items, w.rank, w.size):
        rng = np.random.default_rng(item_seed_sequence(seed, item))
        x = rng.standard_normal(1000)
        acc[item] = np.array([x.sum(), (x**2).sum(), x.max()])
    total = ordered_sum(w, acc)
    if w.is_root:
        print("sum", repr(total.tolist()))
        print("sha", hashlib.sha256(total.tobytes()).hexdigest())
