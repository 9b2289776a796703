"""Peak resident memory while a real-size checkpoint is downloaded and converted (issue 14, item 1).

The target: peak RSS <= 2.5 x the checkpoint's download size + 300 MB, the download and the
conversion alike. The checkpoint is opus-mt-tc-big-gmq-en's real layout at real size (d_model
1,024, 6+6 layers, ffn 4,096, 54,765 entries, fp16 ``model.safetensors``: ~465 MB) with random
weights, served by the fake Hub (``tests/models/hubserver.py``) over loopback, so the real client,
the size caps and the redirect to the CDN host are all on the path. Each measurement is a fresh
process (``VmHWM`` covers its whole life):

- ``download``: ``models download gmq-en-big`` from the fake Hub (fetch, verify, convert to int8,
  install);
- ``import``: ``models import FOLDER`` of the same files on disk (verify, convert, install).

Run: ``python -m benchmarks.model_memory`` (builds the checkpoint in benchmarks/.work/, a few
minutes on 2 cores); prints one JSON line per measurement and the target. Not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, rss_status, work_dir
from models.store import hub

FULL = {"d_model": 1024, "layers": 6, "heads": 16, "ffn": 4096}  # transformer-big
# The files the store downloads for a safetensors checkpoint, named where the store names them.
NEEDED = (*hub.NEEDED, *hub.OPTIONAL, hub.SAFETENSORS)


def build_repo(work: Path) -> Any:
    """The fake Hub's tc-big repo with its config and weights replaced by real-size ones."""
    import numpy as np
    from safetensors.numpy import save_file

    sys.path.insert(0, str(REPO / "tests" / "models"))
    from hubserver import BIG_EOS_ID, BIG_VOCAB_SIZE, _hf_json, big_config, big_repo, real_state_dict

    repo = big_repo(work / "small")
    config = big_config(BIG_VOCAB_SIZE, BIG_EOS_ID, **FULL)
    weights = work / "model.safetensors"
    if not weights.is_file():
        state = real_state_dict(config, 0, BIG_EOS_ID, 100.0, positions=False)
        fp16 = {k: np.ascontiguousarray(v.astype(np.float16)) for k, v in state.items()}
        del state
        save_file(fp16, str(weights), metadata={"format": "pt"})
        del fp16
    repo.files["config.json"] = _hf_json(config)
    repo.files["model.safetensors"] = weights.read_bytes()
    return repo


def _child(mode: str, arg: str) -> dict[str, Any]:
    from models import cli

    rc = cli.main(["models", mode, arg] if mode == "import" else ["models", "download", arg])
    return {"mode": mode, "rc": rc, "peak_mb": rss_status().get("VmHWM")}


def _measure(mode: str, arg: str, env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.model_memory", "child", mode, arg],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} child failed:\n{proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.model_memory")
    ap.add_argument("child", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _, mode, arg = args.child
        print(json.dumps(_child(mode, arg)))
        return 0
    sys.path.insert(0, str(REPO / "tests" / "models"))
    from hubserver import BIG_REPO, FakeHub

    work = work_dir() / "model-memory"
    work.mkdir(parents=True, exist_ok=True)
    repo = build_repo(work)
    size = sum(len(repo.files[n]) for n in NEEDED)
    target = 2.5 * size / 2**20 + 300
    print(json.dumps({"download_mb": round(size / 2**20, 1), "target_peak_mb": round(target, 1)}))
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        folder = Path(tmp) / "checkpoint"
        folder.mkdir()
        for n in NEEDED:
            (folder / n).write_bytes(repo.files[n])
        results = []
        with FakeHub() as fake:
            fake.add_fixture(BIG_REPO, repo, xet=True)
            del repo  # the Hub holds the bytes now
            cdn = fake.cdn_endpoint.split("//")[1].split(":")[0]
            for mode, arg in (("download", "gmq-en-big"), ("import", str(folder))):
                env = {
                    "HF_ENDPOINT": fake.endpoint,
                    "HF_HOME": str(Path(tmp) / f"hf-{mode}"),
                    "NORDBRIEF_MODELS_DIR": str(Path(tmp) / f"models-{mode}"),
                    "NORDBRIEF_DOWNLOAD_HOSTS": cdn,
                }
                result = _measure(mode, arg, env)
                result["within_target"] = result["peak_mb"] is not None and result["peak_mb"] <= target
                print(json.dumps(result), flush=True)
                results.append(result)
                shutil.rmtree(Path(tmp) / f"models-{mode}", ignore_errors=True)
    return 0 if all(r["within_target"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
