"""Tests of the ``dragcore`` package."""
