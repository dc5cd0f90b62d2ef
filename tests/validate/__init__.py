"""Tests of the ``validate`` package."""
