"""Tests of the governance package."""
