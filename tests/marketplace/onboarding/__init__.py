"""Tests of the marketplace.onboarding package."""
