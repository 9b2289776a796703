"""Downloads follow redirects only to accepted hosts (issue 14, item 10): the endpoint itself,
the Hub's CDN and Xet bridge when the endpoint is the Hub, and ``NORDBRIEF_DOWNLOAD_HOSTS``.
Before, the client followed a redirect to any host (the README said "only to the configured
host")."""

from __future__ import annotations

import pytest

from models import cli
from models.store import hub as hub_client
from models.store import installed_models
from tests.models.hubserver import FakeHub


@pytest.fixture
def hub(real_hub: FakeHub) -> FakeHub:
    return real_hub


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://huggingface.co/api/models/x", True),
        ("https://cdn-lfs.hf.co/repos/ab/abcd/x", True),
        ("https://cdn-lfs-us-1.hf.co/repos/ab/abcd/x", True),
        ("https://cas-bridge.xethub.hf.co/xet-bridge-us/abc", True),
        ("https://HF.CO./x", True),
        ("http://cdn-lfs.hf.co/x", False),  # a downgrade from https
        ("https://hf.co.evil.example/x", False),
        ("https://evilhf.co/x", False),
        ("https://example.com/x", False),
        ("file:///etc/passwd", False),
    ],
)
def test_hosts_accepted_from_the_hub(url: str, ok: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    monkeypatch.delenv("NORDBRIEF_DOWNLOAD_HOSTS", raising=False)
    assert hub_client.host_accepted(url) is ok


def test_a_mirror_accepts_its_own_host_and_the_listed_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "https://mirror.example")
    monkeypatch.setenv("NORDBRIEF_DOWNLOAD_HOSTS", "files.example, .cdn.example")
    assert hub_client.host_accepted("https://mirror.example/a")
    assert hub_client.host_accepted("https://files.example/a")
    assert hub_client.host_accepted("https://eu.cdn.example/a")
    assert not hub_client.host_accepted("https://cdn-lfs.hf.co/a")  # not the Hub: its CDN is not implied
    assert not hub_client.host_accepted("https://sub.files.example/a")


def test_a_redirect_to_another_host_is_refused_with_exit_4(
    hub: FakeHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fake Hub redirects its LFS files to its CDN on 127.0.0.2, a host not listed now."""
    if hub.cdn_endpoint.startswith("http://127.0.0.1:"):
        pytest.skip("no second loopback address here")
    monkeypatch.delenv("NORDBRIEF_DOWNLOAD_HOSTS")
    assert cli.main(["models", "download", "gmq-en-base"]) == 4
    errors = [x for x in capsys.readouterr().err.splitlines() if x.startswith("nordbrief: error:")]
    assert len(errors) == 1 and "refused to fetch from '127.0.0.2'" in errors[0], errors
    assert not [r for r in hub.requests if r.host == "cdn"]  # never contacted
    assert installed_models() == {}


def test_the_listed_cdn_host_is_followed(hub: FakeHub) -> None:
    """The same download with the CDN host accepted (tests/conftest.py lists it) installs."""
    assert cli.main(["models", "download", "gmq-en-base"]) == 0
    assert [r for r in hub.requests if r.host == "cdn"]
    assert "gmq-en-base" in installed_models()
