"""Blueprints of the core."""
