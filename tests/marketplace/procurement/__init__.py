"""Tests of the marketplace.procurement package."""
