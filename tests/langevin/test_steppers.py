"""Steppers and noise sources are chosen by name from registries filled by a decorator: a new
scheme is one class plus its decorator line, and the engines run it without any other edit."""

from __future__ import annotations

import numpy as np
import pytest

from langevin.comparison import ExactComparison, NonlinearComparison
from langevin.grid import PeriodicGrid
from langevin.model import BilayerModel
from langevin.noise import (
    BLOCK_BACKENDS,
    CHECKPOINTABLE_BACKENDS,
    RNG_BACKENDS,
    NoiseSource,
    register_noise_source,
)
from langevin.nonlinear_model import NonlinearBilayerModel
from langevin.params import BilayerParameters
from langevin.steppers import (
    LINEAR_SCHEMES,
    NONLINEAR_SCHEMES,
    ExactOU,
    LawsonHeun,
    LinearStepper,
    NonlinearStepper,
    register_stepper,
)
from langevin.stepping import SCHEMES, StepMaps, exact_ou_maps, hermitian_psd_sqrt

PARAMS = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, drift=0.3, theta=0.02)
GRID = PeriodicGrid(6, 8.0)


def test_the_registries_hold_the_schemes_and_back_ends() -> None:
    assert LINEAR_SCHEMES == SCHEMES == ("exact", "crank-nicolson", "euler-maruyama")
    assert NONLINEAR_SCHEMES == ("lawson-heun", "lawson-midpoint")
    assert RNG_BACKENDS == ("numpy", "numba", "philox")
    assert CHECKPOINTABLE_BACKENDS == ("numpy", "philox")
    assert BLOCK_BACKENDS == ("numpy", "philox")
    with pytest.raises(ValueError, match=r"scheme = 'rk4' is outside the allowed range \("):
        LinearStepper.from_name("rk4")
    with pytest.raises(ValueError, match=r"rng_backend = 'mt' is outside the allowed range"):
        NoiseSource.from_name("mt")


@pytest.fixture
def registered():
    """Register classes for one test and remove them afterwards."""
    added = []

    def add(cls):
        added.append(cls)
        return register_noise_source(cls) if issubclass(cls, NoiseSource) else register_stepper(cls)

    yield add
    for cls in added:
        (NoiseSource if issubclass(cls, NoiseSource) else cls).registry.pop(cls.name)


def test_a_new_linear_stepper_is_one_class(registered) -> None:
    """An exact OU step built at two half steps (``A = A_½²``, ``Σ = Σ_½ + A_½Σ_½A_½†``): a
    different construction of the same step, registered in this file, runs through the engine
    and matches the exact scheme's result to round-off (same seed)."""

    class TwoHalves(ExactOU):
        name = "exact-two-halves"

        def maps(self, drift, noise, dt):
            half = exact_ou_maps(drift, noise, dt / 2)
            a, cov = half.step_matrix, half.step_covariance
            cov = cov + a @ cov @ np.conj(np.swapaxes(a, -1, -2))
            return StepMaps(self.name, dt, a @ a, hermitian_psd_sqrt(cov).astype(complex))

    registered(TwoHalves)
    model = BilayerModel(PARAMS)
    ref = ExactComparison(model, GRID, "exact", 1.0, common_random_numbers=True).run(2, 2, 200)
    new = ExactComparison(model, GRID, "exact-two-halves", 1.0, common_random_numbers=True)
    res = new.run(2, 2, 200)
    assert new.scheme_bias() == 0.0
    # the same step up to round-off (the states differ by ~1e-15 relative; the error bar of
    # either run is ~1e-1 relative): agreement far inside round-off amplification
    assert abs(res.mean - ref.mean) < 1e-9 * abs(ref.mean)
    assert res.exact == ref.exact


def test_a_new_noise_source_and_nonlinear_stepper_are_one_class_each(registered) -> None:
    """A noise source that feeds the steps from a second numpy stream of the realisation, and a
    Lawson–Heun stepper under a new name: both registered here, run by the nonlinear engine;
    the stepper gives the bits of the registered Lawson–Heun on the same back-end."""

    class SecondStream(NoiseSource):
        name = "numpy-second-stream"

        def step_stream(self, seed, realisation, rng):
            return np.random.Generator(np.random.SFC64([seed, realisation, 7]))

    class Heun2(LawsonHeun):
        name = "lawson-heun-copy"

    registered(SecondStream)
    registered(Heun2)
    model = NonlinearBilayerModel(PARAMS)
    runs = {
        (scheme, backend): NonlinearComparison(
            model, GRID, scheme, 0.25, burn_in=5, rng_backend=backend
        ).run(3, 1, 40)
        for scheme in ("lawson-heun", "lawson-heun-copy")
        for backend in ("numpy", "numpy-second-stream")
    }
    a, b = runs["lawson-heun", "numpy"], runs["lawson-heun-copy", "numpy"]
    assert np.array_equal(a.realisations[0].series, b.realisations[0].series)
    c = runs["lawson-heun", "numpy-second-stream"]
    assert not np.array_equal(a.realisations[0].series, c.realisations[0].series)
    assert np.isfinite(c.mean)
    assert isinstance(NonlinearStepper.from_name("lawson-heun-copy"), LawsonHeun)
