"""The engine's seams: it sees a model only through LangevinModel, never the exact solution,
and builds the per-mode matrices once per run."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from langevin.comparison import ExactComparison
from langevin.engine import Engine
from langevin.grid import PeriodicGrid
from langevin.model import BilayerModel
from langevin.model_interface import LangevinModel
from langevin.nonlinear_simulation import NonlinearSimulation
from langevin.params import BilayerParameters
from langevin.simulation import Simulation

PAPER = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, drift=0.02).paper_approximations()
GRID = PeriodicGrid(8, 8.0)
ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_engine_does_not_import_the_exact_solution_or_the_comparison() -> None:
    for name in ("engine.py", "modes.py", "results.py", "steppers.py", "simulation.py",
                 "nonlinear_simulation.py", "stepping.py", "checkpoint.py", "observables.py"):
        imported = _imports(ROOT / "langevin" / name)
        assert not any(i.startswith(("langevin.exact", "langevin.comparison")) for i in imported)
        assert "langevin.model" not in imported  # the interface, not the bilayer model


def test_bilayer_model_implements_the_interface() -> None:
    model = BilayerModel(PAPER)
    assert isinstance(model, LangevinModel)
    assert model.nonlinear_drift(GRID) is None
    m, q = model.mode_matrices(GRID)
    assert model.drift_operator(GRID) is m and model.noise_matrix(GRID) is q
    assert not m.flags.writeable and not q.flags.writeable
    assert model.reversed_drive() is model.reversed_drive()
    assert model.reversed_drive().params.drift_angle == pytest.approx(np.pi)
    with pytest.raises(ValueError, match="common random numbers"):
        BilayerModel(PAPER.with_(drift=0.0)).reversed_drive()


def test_drift_matrix_is_built_once_per_system(monkeypatch) -> None:
    calls = []
    build = BilayerModel._build_mode_matrices
    monkeypatch.setattr(
        BilayerModel, "_build_mode_matrices", lambda self, g: calls.append(self) or build(self, g)
    )
    model = BilayerModel(PAPER)
    comparison = ExactComparison(model, GRID, "exact", 1.0, common_random_numbers=True)
    comparison.scheme_bias()
    comparison.simulation.exact_sdev(100)
    assert len(calls) == 2 and calls[0] is not calls[1]


def test_the_initial_state_comes_from_the_given_covariance() -> None:
    """The engine draws from the covariance it is given; the comparison layer gives the
    Lyapunov solution and attaches the exact value, which the engine leaves NaN."""
    comparison = ExactComparison(BilayerModel(PAPER), GRID, "exact", 1.0)
    sim = comparison.simulation
    np.testing.assert_array_equal(sim.joint_cov, comparison.covariances[0][sim.modes.index])
    scaled = Simulation(
        BilayerModel(PAPER), GRID, "exact", 1.0,
        stationary_covariance=[4.0 * comparison.covariances[0]],
    )  # fmt: skip
    rng = np.random.default_rng
    np.testing.assert_allclose(
        scaled.initial_state(rng(1)), 2.0 * sim.initial_state(rng(1)), rtol=1e-12, atol=1e-300
    )
    res = sim.run(3, 1, 20, with_exact_sdev=False)
    assert np.isnan(res.exact) and np.isnan(res.pull) and "pull" not in res.summary()
    compared = comparison.compare(res)
    assert compared.exact == comparison.exact and compared.mean == res.mean
    with pytest.raises(ValueError, match="stationary_covariance count"):
        Simulation(BilayerModel(PAPER), GRID, stationary_covariance=[], common_random_numbers=True)


def test_each_front_door_refuses_the_other_kind_of_model() -> None:
    """:class:`Simulation` steps linear models, :class:`NonlinearSimulation` nonlinear ones;
    the one engine takes either (its stepper registry from the model's nonlinear drift)."""

    class Nonlinear(BilayerModel):
        def nonlinear_drift(self, grid):
            return lambda x: 0.0 * x

    with pytest.raises(ValueError, match="linear models only"):
        Simulation(Nonlinear(PAPER), GRID)
    with pytest.raises(ValueError, match="nonlinear_drift = None is outside"):
        NonlinearSimulation(BilayerModel(PAPER), GRID, stationary_covariance=[None])
    with pytest.raises(ValueError, match=r"scheme = 'exact' is outside the allowed range \('"):
        Engine(Nonlinear(PAPER), GRID, "exact", 1.0)
    with pytest.raises(ValueError, match="antithetic = True is outside the allowed range"):
        Engine(BilayerModel(PAPER), GRID, "exact", 1.0, antithetic=True)


def test_one_engine_behind_both_front_doors() -> None:
    """:class:`Simulation` and :class:`NonlinearSimulation` are the one :class:`Engine`: built
    directly with the same arguments it gives the same bits, and the kind-dependent parts
    come from the stepper (no kind test in the engine)."""
    from langevin.comparison import NonlinearComparison
    from langevin.nonlinear_model import NonlinearBilayerModel

    comparison = ExactComparison(BilayerModel(PAPER), GRID, "exact", 1.0,
                                 common_random_numbers=True)  # fmt: skip
    front = comparison.simulation
    engine = Engine(BilayerModel(PAPER), GRID, "exact", 1.0,
                    stationary_covariance=comparison.covariances, common_random_numbers=True)
    a, b = front.run(3, 2, 30), engine.run(3, 2, 30)
    assert isinstance(front, Engine) and a.mean == b.mean and a.exact_sdev == b.exact_sdev
    assert np.array_equal(a.realisations[1].series, b.realisations[1].series)
    params = PAPER.with_(theta=0.01, drift=0.05)
    nl = NonlinearComparison(NonlinearBilayerModel(params), GRID, "lawson-midpoint", 0.25,
                             burn_in=5, antithetic=True)  # fmt: skip
    engine = Engine(NonlinearBilayerModel(params), GRID, "lawson-midpoint", 0.25,
                    stationary_covariance=nl.covariances, antithetic=True, burn_in=5,
                    linear_twin_mean=nl.simulation.linear_twin_mean)  # fmt: skip
    c, d = nl.simulation.run(4, 1, 20), engine.run(4, 1, 20)
    assert isinstance(nl.simulation, Engine) and c.mean == d.mean
    assert c.realisations[0].constraint == d.realisations[0].constraint
    assert np.isnan(d.exact_sdev) and engine.n_total == 4 and engine.stepper.force_columns == 6
