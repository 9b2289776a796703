"""How many threads the model gets: the physical cores this process may use.

More threads than cores slows CTranslate2 down, which is the trap on 2-core laptops (SMT
siblings) and on Apple silicon (efficiency cores); beyond 8 nothing is gained.
"""

from __future__ import annotations

import os
import platform
import subprocess


def physical_cores() -> int:
    """Physical cores this process may use (not SMT siblings, not macOS efficiency cores)."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    cores = usable
    system = platform.system()
    if system == "Linux":
        try:
            pairs = set()
            phys = core = None
            with open("/proc/cpuinfo", encoding="utf-8") as fh:
                for line in fh:
                    if line.startswith("physical id"):
                        phys = line.split(":", 1)[1].strip()
                    elif line.startswith("core id"):
                        core = line.split(":", 1)[1].strip()
                    elif not line.strip():
                        if core is not None:
                            pairs.add((phys, core))
                        phys = core = None
            if core is not None:
                pairs.add((phys, core))
            if pairs:
                cores = len(pairs)
        except OSError:
            pass
    elif system == "Windows" and usable >= 4:
        # No cheap core count there; desktop CPUs with 4+ logical CPUs almost always have SMT.
        cores = usable // 2
    elif system == "Darwin":
        # Apple silicon: use the performance cores only; Intel Macs: physical cores.
        for key in ("hw.perflevel0.physicalcpu", "hw.physicalcpu"):
            try:
                out = subprocess.run(
                    ["sysctl", "-n", key], capture_output=True, text=True, timeout=2, check=True
                )
                cores = int(out.stdout.strip())
                break
            except (OSError, ValueError, subprocess.SubprocessError):
                continue
    return max(1, min(cores, usable))


def default_threads() -> int:
    """``NORDBRIEF_THREADS`` if set, else the physical cores (at most 8: no gain beyond)."""
    env = os.environ.get("NORDBRIEF_THREADS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            pass
    return min(physical_cores(), 8)
