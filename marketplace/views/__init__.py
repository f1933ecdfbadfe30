"""Blueprints of the marketplace."""
