"""Governance models (rules, bodies, meetings, decisions) arrive with their issues."""
