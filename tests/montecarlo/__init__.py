"""Tests of the ``montecarlo`` package."""
