"""``python -m pic_events.matchmaking.scheduler INSTANCE.json [--time-limit S]``."""

import os
import sys
import time

from pic_events.matchmaking.scheduler.cli import main, process_age

status = main(clock_start=time.perf_counter() - process_age())
sys.stdout.flush()
sys.stderr.flush()
os._exit(status)  # the output is out: skip tearing down the solver's objects (~0.3 s)
