"""Tests of the marketplace.catalogue package."""
