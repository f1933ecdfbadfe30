"""Tests of the governance.register package."""
