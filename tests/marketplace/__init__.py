"""Tests of the marketplace package."""
