"""Tests of the app package (the core: sign-in, sessions, mail, audit, backup, errors, languages)."""
