"""Every sized model is a candidate; the only prune is exact dominance (issue 18 §4)."""

from __future__ import annotations

import numpy as np

from planner.engine.candidates import PassingModels, undominated


def test_only_exact_dominance_prunes() -> None:
    # id -> (model, score, context ok, self-hostable)
    found = {
        1: (None, 80.0, True, True),  # dims A, the best of A
        2: (None, 70.0, True, True),  # dims A, worse: pruned
        3: (None, 70.0, True, True),  # dims A, worse but measured: kept
        4: (None, 10.0, True, True),  # dims B: kept (nothing alike)
        5: (None, 99.0, True, False),  # dims A, not self-hostable: no grid, beats nobody
        6: (None, 80.0, True, True),  # dims A, a tie with 1: the first in order wins
    }
    dims = {1: "A", 2: "A", 3: "A", 4: "B", 5: "A", 6: "A", 7: "A"}
    ids = np.array(sorted(found), dtype=np.int64)
    models = PassingModels(
        ids=ids, score=np.array([found[i][1] for i in ids.tolist()]),
        hostable=np.array([found[i][3] for i in ids.tolist()]),
        ctx_ok=np.ones(len(ids), dtype=bool), open_weights=np.ones(len(ids), dtype=bool),
    )  # fmt: skip
    kept, pruned = undominated([1, 2, 3, 4, 5, 6, 7], dims, models, keep={3})
    assert kept == [1, 3, 4]
    assert pruned == 2  # 2 and 6; 5 (closed) and 7 (failed the model checks) never counted
