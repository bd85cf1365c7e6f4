import sys
from pathlib import Path

# tests/ holds helpers (xlwings_stubs) that test modules import directly
sys.path.insert(0, str(Path(__file__).parent))
