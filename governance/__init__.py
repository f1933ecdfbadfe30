"""Governance: the ecosystem's rules and its three levels of steering bodies.

Depends on `app` only; never imports `marketplace`.
"""
