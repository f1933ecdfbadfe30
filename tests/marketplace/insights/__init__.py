"""Tests of the marketplace.insights package."""
