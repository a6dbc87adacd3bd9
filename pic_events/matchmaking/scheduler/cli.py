"""The command line: python -m pic_events.matchmaking.scheduler INSTANCE.json."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import time
from typing import Any

from pic_events.matchmaking.scheduler.engine import schedule_to_dict, solve
from pic_events.matchmaking.scheduler.instance import Instance, InstanceError, parse_instance


def _load(path: str) -> Instance:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise InstanceError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InstanceError(f"cannot read {path}: {error}") from None
    except json.JSONDecodeError as error:
        raise InstanceError(f"{path} is not valid JSON: {error}") from None
    except RecursionError:
        raise InstanceError(f"{path} is nested too deeply") from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise InstanceError(f"{path} is not a usable instance: {error}") from None
    return parse_instance(data)


@contextlib.contextmanager
def native_stdout_silenced() -> Any:
    """HiGHS prints a banner from C++ straight to file descriptor 1, where our JSON goes."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        """Usage errors as one line on stderr and exit status 2, like bad instances."""
        self.exit(2, f"error: {' '.join(message.split())} (try --help)\n")


def process_age() -> float:
    """Seconds since this process started (Linux ``/proc``; 0 where unknown or implausible):
    the command line's time limit counts the interpreter start and the imports too."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start, in ticks
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0
    return age if 0.0 <= age < 60.0 else 0.0


def main(argv: list[str] | None = None, *, clock_start: float | None = None) -> int:
    """The command line; ``clock_start``: when the time limit began (default: now)."""
    parser = _ArgumentParser(
        prog="python -m pic_events.matchmaking.scheduler",
        description="Schedule meetings of two or more people; prints the schedule as JSON.",
    )
    parser.add_argument("instance", help="instance JSON file")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    args = parser.parse_args(argv)
    if not math.isfinite(args.time_limit) or args.time_limit <= 0:
        print("error: --time-limit must be a positive number of seconds", file=sys.stderr)
        return 2
    try:
        instance = _load(args.instance)
    except InstanceError as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    with native_stdout_silenced():
        schedule = solve(instance, args.time_limit, clock_start=clock_start)
    json.dump(schedule_to_dict(schedule), sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0
