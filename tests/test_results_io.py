"""``langevin.load`` and ``montecarlo.load``: a run file read back gives the objects the run
returned — the same estimates bit for bit, the same summary the command printed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import langevin
import montecarlo


def _same(a, b, rel: float = 0.0) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], rel) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y, rel) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        a, b = float(a), float(b)
        return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= rel * max(abs(a), abs(b))
    return a == b


@pytest.mark.slow
def test_langevin_load_returns_the_run_result(tmp_path) -> None:
    from dragcore.parallel import world
    from langevin.config import DEFAULT_CONFIG, load_config
    from langevin.run import run_langevin

    text = DEFAULT_CONFIG.replace("n = 32 ", "n = 8 ")
    assert text != DEFAULT_CONFIG
    path = tmp_path / "run.h5"
    ran = run_langevin(load_config(text), world(), config_text=text, output=path, n_steps=200,
                       n_realisations=2)  # fmt: skip
    loaded = langevin.load(path)
    assert type(loaded) is type(ran) and loaded.seed == ran.seed and loaded.output == path
    assert list(loaded.runs) == list(ran.runs)
    for name, fresh in ran.runs.items():
        res = loaded.runs[name]
        assert (res.mean, res.sdev, res.exact, res.exact_sdev, res.chi2_dof) == (
            fresh.mean, fresh.sdev, fresh.exact, fresh.exact_sdev, fresh.chi2_dof
        )  # fmt: skip
        for r, f in zip(res.realisations, fresh.realisations, strict=True):
            assert (r.index, r.mean, r.error, r.blocking_error, r.tau_int) == (
                f.index, f.mean, f.error, f.blocking_error, f.tau_int
            )  # fmt: skip
            assert np.array_equal(r.block_means, f.block_means)
        assert _same(loaded.summary[name], ran.summary[name])
        assert res.summary() == fresh.summary()


@pytest.mark.slow
def test_montecarlo_load_returns_the_run_result(tmp_path) -> None:
    from dragcore.parallel import world
    from layers.drag_integral import drag_quadrature_by_name
    from montecarlo.run import CollisionRunConfig, run_collision_mc

    path = tmp_path / "run.h5"
    config = CollisionRunConfig(T=10.0, neval=4000, n_train=2, n_prod=2, output=str(path),
                                reference=True)  # fmt: skip
    ran = run_collision_mc(config, world(), quadrature=drag_quadrature_by_name)
    loaded = montecarlo.load(path)
    a, b = loaded.run.estimate.result, ran.run.estimate.result
    assert np.array_equal(a.mean, b.mean) and np.array_equal(a.covariance, b.covariance)
    assert (a.chi2, a.dof, a.Q, a.n_eval, a.n_eval_total, a.seed) == (
        b.chi2, b.dof, b.Q, b.n_eval, b.n_eval_total, b.seed
    )  # fmt: skip
    assert loaded.run.estimate.names == ran.run.estimate.names
    # the iterations are stored in Pa s: back in 1/cm^3 to rounding
    for r, f in zip(a.iterations, b.iterations, strict=True):
        assert (r.index, r.phase, r.n_eval, r.n_batches) == (f.index, f.phase, f.n_eval,
                                                            f.n_batches)  # fmt: skip
        np.testing.assert_allclose(r.mean, f.mean, rtol=1e-14)
    assert _same(loaded.run.estimate.hall, ran.run.estimate.hall, rel=1e-14)
    # the printed summary: the same rows (Pa s values through one unit conversion)
    assert _same(loaded.summary["coefficients"], ran.summary["coefficients"], rel=1e-12)
    assert _same(loaded.summary["hall"], ran.summary["hall"], rel=1e-14)
    for key in ("preset", "T_K", "tilt", "seed", "n_eval", "Q", "ranks", "output"):
        assert _same(loaded.summary[key], ran.summary[key]), key
    assert _same(loaded.parameters, ran.parameters)
