"""Helpers the test modules share: each module here is named for what it holds (no tests in here,
and no test module imports another test module; shared fixtures are in tests/fixtures/)."""

from pathlib import Path

#: The project's root directory (where pyproject.toml is), wherever the test module sits.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
