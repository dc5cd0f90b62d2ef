"""The TOML configuration of ``python -m montecarlo run`` (``--print-config`` shows it).

A configuration file holds the values of :class:`montecarlo.run.CollisionRunConfig` in four
places: top-level ``seed``, ``output``, ``reference``; ``[bilayer]`` (what is simulated);
``[integrator]`` (the Monte Carlo recipe); ``[checkpoint]`` (when the state is saved). Keys
that are absent take the defaults of :data:`DEFAULT_CONFIG` (the command's defaults); the
command-line options override the file, as for ``python -m langevin run``. The keys, their
types, defaults and help texts are the rows of :data:`montecarlo.parameters.RUN_PARAMETERS`.

Every value must have its key's type, as TOML gives it: ``neval = 2e5`` is a float and an
error (write ``200_000``), ``reference = "no"`` is not false. An unknown key or a wrong
type raises ``ValueError`` naming the key (``[integrator] neval = 200000.0 is outside the
allowed range (an integer …)``); the ranges are checked by
:meth:`montecarlo.run.CollisionRunConfig.check` with the option's name.
"""

from __future__ import annotations

from montecarlo.parameters import RUN_PARAMETERS, TOML_HEADER

__all__ = ["DEFAULT_CONFIG", "load_config", "config_fields"]

DEFAULT_CONFIG = RUN_PARAMETERS.toml_text(TOML_HEADER)


def load_config(text: str) -> dict:
    """Parse and check a run configuration (TOML text); the values it sets.

    Returns
    -------
    ``field → value`` for the fields of :class:`montecarlo.run.CollisionRunConfig` that the
    text sets (reals as ``float``); absent keys are absent.

    Raises
    ------
    ValueError
        A TOML syntax error, an unknown key or table, or a value of the wrong type or not
        one of the choices, naming the key (``[bilayer] T``).
    """
    return RUN_PARAMETERS.load_toml(text)


def config_fields() -> set[str]:
    """The fields of :class:`montecarlo.run.CollisionRunConfig` a configuration can set."""
    return RUN_PARAMETERS.toml_fields()
