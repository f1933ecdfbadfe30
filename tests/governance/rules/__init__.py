"""Tests of the governance.rules package."""
