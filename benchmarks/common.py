"""Helpers every benchmark section shares: where the data is, timing, machine facts, subprocesses.

Benchmarks print figures; they never assert timings. These machines are shared and noisy, so
sections measure competing engines interleaved in one run and report ratios plus absolute numbers.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "benchmarks" / ".work"  # gitignored cache for built models


def work_dir() -> Path:
    """Where built models are cached: ``NORDBRIEF_BENCH_WORK`` (tests use a temp dir) else WORK."""
    env = os.environ.get("NORDBRIEF_BENCH_WORK")
    return Path(env) if env else WORK


def shared_dir() -> Path:
    """``NORDBRIEF_SHARED`` else ``../shared`` from the repo root (never the working directory)."""
    env = os.environ.get("NORDBRIEF_SHARED")
    path = Path(env) if env else REPO.parent / "shared"
    if not path.is_dir():
        raise SystemExit(f"benchmarks: shared data not found at {path} (set NORDBRIEF_SHARED)")
    return path


def seed_article_path() -> Path:
    return shared_dir() / "articles" / "syria-is-attacks.txt"


def norsumm_articles() -> list[str]:
    """The 30 NorSumm dev article texts (66 to 1,277 words)."""
    data = json.loads((shared_dir() / "data" / "norsumm" / "NorSumm_dev.json").read_text("utf-8"))
    items = data if isinstance(data, list) else list(data.values())
    texts: list[str] = []
    for item in items:
        for key in ("article", "text", "document", "source"):
            if isinstance(item, dict) and isinstance(item.get(key), str):
                texts.append(item[key])
                break
    if not texts:
        raise SystemExit("benchmarks: no article texts found in NorSumm_dev.json")
    return texts


_WORD = re.compile(r"\w+")


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


@dataclass
class Timing:
    """Repeated wall-clock samples of one measurement; ``best`` is the least disturbed run."""

    samples: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def to_json(self) -> dict[str, Any]:
        return {
            "best_s": round(self.best, 4),
            "median_s": round(self.median, 4),
            "samples_s": [round(s, 4) for s in self.samples],
        }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(module: str) -> str | None:
    try:
        mod = __import__(module)
    except Exception:
        return None
    return str(getattr(mod, "__version__", "?"))


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine_info() -> dict[str, Any]:
    """What the figures came from: CPU, cores, versions, date, and how busy the machine was."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": _mem_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "ctranslate2": _version("ctranslate2"),
        "torch": _version("torch"),
        "transformers": _version("transformers"),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "loadavg_start": _loadavg(),
    }


def _mem_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def run_child(
    module: str, args: Iterable[str], *, env: dict[str, str] | None = None, timeout: float = 900
) -> dict:
    """Run ``python -m module args`` in a fresh process; its last stdout line is a JSON result.

    Fresh processes are how peak RSS and start-up times are measured honestly: nothing already
    loaded in this process can flatter or spoil them.
    """
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env.setdefault("PYTHONPATH", str(REPO))
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {"error": f"{module} exited {proc.returncode}: " + " | ".join(tail)}
    return json.loads(lines[-1])


def rss_status() -> dict[str, float]:
    """Current and peak resident memory of this process in MB (Linux /proc, else ru_maxrss)."""
    out: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = round(int(rest.split()[0]) / 1024, 1)
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        scale = 1024 * 1024 if sys.platform == "darwin" else 1024
        out["VmHWM"] = round(peak / scale, 1)
    return out


def log(msg: str) -> None:
    """Progress goes to stderr so stdout stays the machine-readable channel of child processes."""
    print(msg, file=sys.stderr, flush=True)
