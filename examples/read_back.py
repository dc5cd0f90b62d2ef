# %% [markdown]
# # Reading run files back
#
# Both simulators write one self-describing HDF5 file per run (parameters with units, seed,
# package version, estimates, per-realisation or per-iteration records). `langevin.load(path)`
# and `montecarlo.load(path)` read such a file back into the *same result objects the run
# returned* — not raw datasets — so a finished run can be analysed later exactly like a fresh
# one. This example runs a small Langevin run and a small Monte Carlo run to files, reads both
# back, and checks that the loaded objects carry the run's numbers.
#
# Run: `python examples/read_back.py [--quick] [--directory DIR]`

# %%
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import langevin
import montecarlo
from dragcore.parallel import world
from langevin.config import DEFAULT_CONFIG, load_config
from langevin.run import run_langevin
from layers.drag_integral import drag_quadrature_by_name
from montecarlo.run import CollisionRunConfig, run_collision_mc


def langevin_round_trip(directory: Path, quick: bool) -> None:
    path = directory / "langevin-run.h5"
    steps, reals = (300, 2) if quick else (4000, 4)
    text = DEFAULT_CONFIG.replace("n = 32 ", "n = 8 ") if quick else DEFAULT_CONFIG
    ran = run_langevin(load_config(text), world(), config_text=text, output=path,
                       n_steps=steps, n_realisations=reals, overwrite=True)  # fmt: skip
    loaded = langevin.load(path)  # a LangevinRunResult, as run_langevin returned
    print(f"langevin.load({path.name}): runs {list(loaded.runs)}, seed {loaded.seed}")
    for name, res in loaded.runs.items():
        n_real = len(res.realisations)
        print(f"  [{name}] D = {res.mean:.5g} ± {res.sdev:.2g}, exact on the grid "
              f"{res.exact:.5g}, pull {res.pull:+.2f}, {n_real} realisations")  # fmt: skip
        fresh = ran.runs[name]
        assert (res.mean, res.sdev, res.exact, res.chi2_dof) == (
            fresh.mean, fresh.sdev, fresh.exact, fresh.chi2_dof
        )  # fmt: skip
        assert [r.mean for r in res.realisations] == [r.mean for r in fresh.realisations]
        assert loaded.summary[name]["continuum"] == ran.summary[name]["continuum"]


def montecarlo_round_trip(directory: Path, quick: bool) -> None:
    path = directory / "mc-run.h5"
    sizes = {"neval": 4000, "n_train": 2, "n_prod": 2} if quick else {"neval": 100_000}
    config = CollisionRunConfig(T=10.0, output=str(path), overwrite=True, reference=False,
                                **sizes)  # fmt: skip
    ran = run_collision_mc(config, world(), quadrature=drag_quadrature_by_name)
    loaded = montecarlo.load(path)  # a CollisionRunResult, as run_collision_mc returned
    print(f"montecarlo.load({path.name}): T = {loaded.parameters['T']} K, "
          f"{len(loaded.run.estimate.result.iterations)} iterations")  # fmt: skip
    for row in loaded.summary["coefficients"]:
        print(f"  {row['name']:10s} {row['mc_Pa_s']:.5e} ± {row['sdev_Pa_s']:.2e} Pa s")
    a, b = loaded.run.estimate.result, ran.run.estimate.result
    assert np.array_equal(a.mean, b.mean) and np.array_equal(a.covariance, b.covariance)
    assert (a.chi2, a.dof, a.Q, a.n_eval) == (b.chi2, b.dof, b.Q, b.n_eval)
    assert loaded.iteration_table.splitlines()[-1] == ran.iteration_table.splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="run files read back into result objects")
    parser.add_argument("--quick", action="store_true", help="tiny runs")
    parser.add_argument("--directory", help="where the files go (default: a temporary one)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(args.directory or tmp)
        directory.mkdir(parents=True, exist_ok=True)
        langevin_round_trip(directory, args.quick)
        montecarlo_round_trip(directory, args.quick)
    print("loaded objects carry the runs' numbers")
    print(f"[{time.perf_counter() - t0:.1f} s]")
    return 0


# %%
if __name__ == "__main__":
    raise SystemExit(main())
