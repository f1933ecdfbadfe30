"""The read-only open data API under /api/v1/ (JSON, no login). It sits in the
marketplace package because it reads every domain: app, governance, marketplace."""
