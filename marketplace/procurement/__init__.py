"""Procurement requests, approval, orders and payment."""
