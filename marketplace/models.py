"""Marketplace models (applications, listings, orders) arrive with their issues."""
