"""Fault points: places where a test can stop a worker process on purpose (tests/faults).

Off unless the setting FAULT_POINTS_DIR names a directory (config.settings.test reads it from
VOIX_FAULT_POINTS_DIR; production never sets it). A test arms a point by creating the file
`<dir>/<name>.hold`; the first process to reach the point takes the file (an atomic rename to
`<name>.held`, with its process id written in it) and waits there until the test kills it or
deletes the `.held` file, which lets it go on. Every later passage goes straight through, so a
redelivered task does not stop again.
"""

import os
import time
from pathlib import Path

from django.conf import settings

# A point nobody releases lets the process go after this long, so a failed test cannot hang.
MAX_HOLD_SECONDS = 60


def fault_point(name: str) -> None:
    directory = getattr(settings, "FAULT_POINTS_DIR", "")
    if not directory:
        return
    hold, held = Path(directory) / f"{name}.hold", Path(directory) / f"{name}.held"
    try:
        hold.rename(held)
    except FileNotFoundError:
        return  # not armed, or already taken
    held.write_text(str(os.getpid()))
    deadline = time.monotonic() + MAX_HOLD_SECONDS
    while held.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
