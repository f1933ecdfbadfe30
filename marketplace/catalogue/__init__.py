"""The service catalogue: listings with pricing plans, review before publishing,
faceted full-text search and comparison."""
