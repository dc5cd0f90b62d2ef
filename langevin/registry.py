"""Kinds of things registered by name (after Dedalus's ``@add_scheme`` and py-pde's solver
registry): a base class holds a ``registry`` dict, each kind is a subclass with a ``name``,
and :func:`register` puts it in. The steppers (:mod:`langevin.steppers`), the noise sources
(:mod:`langevin.noise`) and the run models (:mod:`langevin.run_models`) are chosen this way."""

from __future__ import annotations

__all__ = ["register"]


def register(cls: type) -> type:
    """Class decorator: put ``cls`` into its base class's ``registry`` under ``cls.name``."""
    cls.registry[cls.name] = cls
    return cls
