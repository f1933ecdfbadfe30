"""Marketplace: provider onboarding, the service catalogue, procurement and payments.

Depends on `governance` and `app`.
"""
