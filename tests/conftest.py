import os
import sys
from pathlib import Path

from hypothesis import settings

# tests/ holds helpers (xlwings_stubs) that test modules import directly
sys.path.insert(0, str(Path(__file__).parent))

# One profile for every hypothesis test: no per-example deadline (CI shares two cores, and a slow
# example under load is not a failure), derandomised in CI so a failure reproduces there.
settings.register_profile("xlpricing", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "xlpricing")
