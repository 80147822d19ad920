"""The test suite. Imported before anything of wrenchwork, so settings read from here on see this environment."""

import os

# Apps the tests build from their own settings do not generate PM work orders in the background unless a test asks
# for it: the tests run generation passes themselves.
os.environ.setdefault("WRENCHWORK_SCHEDULER_INTERVAL", "0")
