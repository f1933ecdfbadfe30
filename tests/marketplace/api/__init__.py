"""Tests of the marketplace.api package."""
