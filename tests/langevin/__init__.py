"""Tests of the ``langevin`` package."""
