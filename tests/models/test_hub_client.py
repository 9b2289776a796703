"""The model store resumes downloads across runs through huggingface_hub internals (its public
``hf_hub_download`` deletes a partial file when a download stops): they are pinned to one major
version, and this checks both the pin and the internals, so the next major cannot slip in
unverified."""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path

import huggingface_hub
from packaging.requirements import Requirement
from packaging.version import Version

from models.store import hub

REPO = Path(__file__).resolve().parents[2]


def _requirement() -> Requirement:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return next(Requirement(r) for r in project["dependencies"] if Requirement(r).name == "huggingface-hub")


def test_the_hub_client_is_pinned_below_the_next_major() -> None:
    req = _requirement()
    uppers = [Version(s.version) for s in req.specifier if s.operator == "<"]
    assert uppers, f"{req} has no upper bound"
    installed = Version(huggingface_hub.__version__)
    assert installed in req.specifier, f"huggingface_hub {installed} is outside {req}"
    assert installed.major == min(uppers).major - 1, "the pin must allow exactly one major version"
    # A new major fails here until its internals are re-read (and VERIFIED_MAJOR raised).
    assert installed.major == hub.VERIFIED_MAJOR, f"huggingface_hub {installed} is not the verified major"
    assert min(uppers) == Version(f"{hub.VERIFIED_MAJOR + 1}"), "pin below the major after the verified one"


def test_the_internals_the_store_uses_are_there() -> None:
    from huggingface_hub import constants, hf_hub_url
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers

    params = inspect.signature(http_get).parameters
    for name in ("resume_size", "headers", "expected_size", "displayed_filename", "tqdm_class"):
        assert name in params, f"http_get lost {name!r}"
    assert isinstance(constants.DOWNLOAD_CHUNK_SIZE, int) and constants.DOWNLOAD_CHUNK_SIZE > 0
    assert "resolve" in hf_hub_url("org/model", "config.json", revision="0" * 40)
    assert build_hf_headers(library_name="nordbrief", library_version="0")["user-agent"].startswith(
        "nordbrief/"
    )
