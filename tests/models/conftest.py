"""Fixtures shared by the model-store tests: the catalog repos laid out like the real ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hubserver import BASE_REPO, BIG_REPO, FakeHub, RepoFiles, base_repo, big_repo

from models.paths import models_dir


@pytest.fixture(scope="session")
def real_repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[RepoFiles, ...]]:
    """Each catalog repo's pinned main (and, for base, its refs/pr/3), built once per session."""
    pytest.importorskip("torch")  # writes the base repo's pytorch_model.bin (test-only)
    work = tmp_path_factory.mktemp("real-repos")
    return {BIG_REPO: (big_repo(work / "big"),), BASE_REPO: base_repo(work / "base")}


@pytest.fixture
def real_hub(
    real_repos: dict[str, tuple[RepoFiles, ...]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeHub]:
    """A fake Hub serving the real-layout repos (large files Xet-flagged, as the Hub now sends
    them), with HF_ENDPOINT pointing at it and an isolated HF_HOME."""
    fake = FakeHub()
    for repo_id, (main, *prs) in real_repos.items():
        fake.add_fixture(repo_id, main, tuple(prs), xet=True)
    with fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.endpoint)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.setenv("HF_HOME", str(models_dir().parent / "hf-home"))
        yield fake
