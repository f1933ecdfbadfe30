"""Helpers the test modules share: each module here is named for what it holds (no tests in here,
and no test module imports another test module; shared fixtures are in tests/fixtures/)."""
