"""Tests of the governance.steering package."""
