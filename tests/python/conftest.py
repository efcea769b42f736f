"""pytest setup: the jobs and the sink import as the images run them (flat modules), without Spark or clients."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
for d in ("jobs", "sinks"):
    sys.path.insert(0, os.path.join(ROOT, d))
