"""The test suite. Modules imported from here on (the app's job engine among them) see the test
configuration: DIGIONE_ENV=test unless the caller chose one."""

import os

os.environ.setdefault("DIGIONE_ENV", "test")
