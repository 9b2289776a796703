"""Fetching a Marian checkpoint from the Hugging Face Hub with the real ``huggingface_hub`` client.

Only the files conversion needs are fetched, each from one commit: the catalog pins a full commit
id per model (commits are immutable, so the sizes and hashes the Hub reports there are the ones
every file is verified against), and weights never come from a pull request (anyone can open
one on a Hub repo). A partial file is kept in the staging folder and resumed with a ``Range``
request, within a run (dropped connection) and across runs (cancel, crash, quit); no file may
grow past the size the Hub lists for it. The client's httpx session honours ``HTTP(S)_PROXY``. The
client reads ``HF_ENDPOINT``/``HF_HUB_OFFLINE`` once at import, so both are read here at call
time and the endpoint is passed explicitly: a mirror set after start-up (or by a test) still
applies.

Xet: the Hub now stores many repos' large files in Xet storage, and ``hf_hub_download`` switches
to the ``hf-xet`` client when a file's answer carries ``X-Xet-Hash`` (huggingface_hub
``file_download._download_to_tmp_and_move``, ``xet_get``). Nordbrief never goes that way: it
calls the client's ``http_get`` on the file's ``/resolve`` URL itself, which the Hub answers for a
Xet-backed file too, with a redirect to its Xet bridge serving the whole file over plain HTTP
with ``Range`` (huggingface_hub PR #2875: "the service builds will build and stream the entire
file"). So resume across runs, the size cap and byte progress are the same for LFS and Xet
files; hf-xet's own download keeps no partial file across runs and reports through its own
progress path. ``tests/models/hubserver.py`` sends the Xet headers and refuses the Xet token
route, and the download tests assert it is never called.

Redirects: every request the client makes for a download (the API call, each file and every
redirect hop) must go to an accepted host, checked by a request hook on the client's session
before it connects. Accepted: the endpoint's own host; when the endpoint is the Hub itself, its
CDN and Xet bridge (``cdn-lfs*.hf.co``, ``cas-bridge.xethub.hf.co``: any ``*.hf.co`` or
``*.huggingface.co``); and the hosts listed in ``NORDBRIEF_DOWNLOAD_HOSTS`` (comma-separated; a
leading dot means "and its subdomains"), for a mirror whose files live elsewhere. Anything else,
or an ``https`` endpoint redirected to plain ``http``, is refused before a byte is sent there
(exit 4).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.errors import Cancelled, ModelError, NetworkError
from models.store.manifest import git_blob_sha1, sha256_file

DEFAULT_ENDPOINT = "https://huggingface.co"
NEEDED = ("config.json", "source.spm", "target.spm", "vocab.json")
OPTIONAL = ("tokenizer_config.json",)  # model_max_length, the special tokens' names
SAFETENSORS, TORCH_BIN = "model.safetensors", "pytorch_model.bin"
# A file whose size the Hub does not list may still not grow without bound.
MAX_UNLISTED_BYTES = 2 << 30
# The huggingface_hub major whose internals ``fetch`` uses (``file_download.http_get``,
# ``constants.DOWNLOAD_CHUNK_SIZE``) were read and tested; pyproject pins below the next one.
# Raising it means re-reading them (tests/models/test_hub_client.py).
VERIFIED_MAJOR = 2


@dataclass(frozen=True)
class RemoteFile:
    name: str
    revision: str  # the commit it is fetched from
    size: int | None
    sha256: str | None  # LFS files: the Hub's SHA-256
    blob_id: str | None  # other files: the git blob id


@dataclass(frozen=True)
class Plan:
    commit: str
    files: tuple[RemoteFile, ...]

    @property
    def total_bytes(self) -> int | None:
        sizes = [f.size for f in self.files]
        return None if any(s is None for s in sizes) else sum(s for s in sizes if s is not None)


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


HUB_HOSTS = ("huggingface.co", "hf.co")  # the Hub and its CDN/Xet domains: subdomains included
HOSTS_ENV = "NORDBRIEF_DOWNLOAD_HOSTS"


class RedirectRefused(NetworkError):
    """A request (usually a redirect hop) to a host downloads are not accepted from."""


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "").lower().rstrip(".")


def _matches(host: str, pattern: str) -> bool:
    pattern = pattern.strip().lower().rstrip(".")
    if pattern.startswith("."):
        return host == pattern[1:] or host.endswith(pattern)
    return bool(pattern) and host == pattern


def host_accepted(url: str) -> bool:
    """Whether a download may fetch ``url`` (see the module docstring for the rule)."""
    from urllib.parse import urlsplit

    base = endpoint()
    host, scheme = _host(url), urlsplit(url).scheme.lower()
    if scheme not in ("http", "https") or (urlsplit(base).scheme == "https" and scheme != "https"):
        return False
    if host == _host(base):
        return True
    patterns = [p for p in os.environ.get(HOSTS_ENV, "").split(",") if p.strip()]
    if any(_matches(_host(base), "." + d) for d in HUB_HOSTS):
        patterns += ["." + d for d in HUB_HOSTS]
    return any(_matches(host, p) for p in patterns)


_GUARDED: contextvars.ContextVar[bool] = contextvars.ContextVar("nordbrief_hub_guard", default=False)


def _check_request(request: Any) -> None:
    """httpx request hook: runs for every request the client sends, each redirect hop too."""
    if _GUARDED.get() and not host_accepted(str(request.url)):
        raise RedirectRefused(
            f"refused to fetch from {_host(str(request.url)) or request.url.scheme!r} "
            f"({request.url.scheme}): downloads come only from {_host(endpoint())} and the hosts "
            f"it is known to redirect to (set {HOSTS_ENV} for a mirror's)"
        )


@contextlib.contextmanager
def accepted_hosts_only() -> Iterator[None]:
    """Within this block (this thread), the client's requests go to accepted hosts only."""
    from huggingface_hub import get_session

    session = get_session()
    hooks = session.event_hooks
    if _check_request not in hooks["request"]:  # the client may have made a new session
        session.event_hooks = {**hooks, "request": [*hooks["request"], _check_request]}
    token = _GUARDED.set(True)
    try:
        yield
    finally:
        _GUARDED.reset(token)


def offline() -> bool:
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return value.strip().upper() in {"1", "ON", "YES", "TRUE"}


def _reason(exc: BaseException) -> str:
    """One line from a client exception (they carry multi-line help texts)."""
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__).rstrip(".")


OFFLINE = "No internet connection (or the Hub is unreachable)"


def _offline(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the host could not be reached at all: a failed
    name lookup, a refused or reset connection, a timeout while connecting."""
    import socket

    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, socket.gaierror | ConnectionError | TimeoutError):
            return True
        if type(cur).__name__ in {"ConnectError", "ConnectTimeout", "ConnectionError", "NameResolutionError"}:
            return True  # httpx / requests / urllib3 connection failures, whatever wraps them
        cur = cur.__cause__ or cur.__context__
    return False


def network_error(what: str, exc: BaseException) -> NetworkError:
    """One line for the user; a host that cannot be reached says so in words, not as
    "[Errno -2] Name or service not known"."""
    if _offline(exc):
        return NetworkError(
            f"{OFFLINE}: {what}. Import a model you already have instead "
            "(nordbrief models import, or Import model… in the window)"
        )
    return NetworkError(f"{what}: {_reason(exc)}")


def _api() -> Any:
    from huggingface_hub import HfApi

    from models import __version__

    return HfApi(endpoint=endpoint(), library_name="nordbrief", library_version=__version__)


def _remote(sibling: Any, commit: str) -> RemoteFile:
    lfs = getattr(sibling, "lfs", None)
    return RemoteFile(
        name=sibling.rfilename,
        revision=commit,
        size=sibling.size,
        sha256=lfs.sha256 if lfs is not None else None,
        blob_id=sibling.blob_id,
    )


def is_commit(revision: str) -> bool:
    return len(revision) == 40 and all(c in "0123456789abcdef" for c in revision)


def plan(repo_id: str, revision: str) -> Plan:
    """Resolve ``revision`` to a commit and choose the files there: ``model.safetensors`` when the
    commit has it, else ``pytorch_model.bin`` (read later by the restricted unpickler).

    Pull requests are never consulted: a ``refs/pr/N`` holds whatever its opener pushed, so
    weights from one are only taken when asked for by revision (``models download --revision``).
    """
    api = _api()
    with accepted_hosts_only():
        info = api.model_info(repo_id, revision=revision, files_metadata=True)
    commit = info.sha
    if is_commit(revision) and commit != revision:
        raise NetworkError(
            f"the hub answered {repo_id}@{revision} with commit {commit}; nothing was downloaded"
        )
    files = {s.rfilename: s for s in info.siblings or []}
    missing = [n for n in NEEDED if n not in files]
    if missing:
        raise ModelError(f"{repo_id}@{revision} is not a Marian model repo (no {', '.join(missing)})")
    chosen = [_remote(files[n], commit) for n in NEEDED + OPTIONAL if n in files]
    for name in (SAFETENSORS, TORCH_BIN):
        if name in files:
            return Plan(commit, (*chosen, _remote(files[name], commit)))
    raise ModelError(f"{repo_id}@{revision} has no model.safetensors or pytorch_model.bin")


ByteCallback = Callable[[str, int, int | None], None]  # file, bytes done in it, its size


class TooLargeError(NetworkError):
    """The server sent more bytes than the Hub lists for the file."""


def _bar_class(filename: str, on_bytes: ByteCallback, cancel: Callable[[], bool] | None, cap: int) -> type:
    """A silent tqdm subclass: the client reports each chunk to it before writing it; we forward
    the count, stop a file that grows past ``cap`` bytes (so it never reaches the disk), and
    check cancel."""
    from tqdm.auto import tqdm

    class Bar(tqdm):  # type: ignore[misc]
        monitor_interval = 0  # no tqdm monitor thread: a GUI must not gain stray threads

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)
            self._done = int(kwargs.get("initial") or 0)
            self._size = kwargs.get("total")
            on_bytes(filename, self._done, self._size)

        def update(self, n: float | None = 1) -> bool | None:
            self._done += int(n or 0)
            if self._done > cap:
                raise TooLargeError(
                    f"{filename}: the server sent more than the {cap:,} bytes the Hub lists; "
                    "nothing was installed"
                )
            on_bytes(filename, self._done, self._size)
            if cancel is not None and cancel():
                raise Cancelled()
            return None

    return Bar


def fetch(
    repo_id: str,
    rf: RemoteFile,
    staging: Path,
    on_bytes: ByteCallback,
    cancel: Callable[[], bool] | None = None,
) -> Path:
    """Download one file into ``staging``, resuming a partial one left by an earlier run.

    ``hf_hub_download`` (2.x) deletes its partial file when a download stops, so an interrupted
    300 MB download would start over. Instead the bytes go to ``NAME.part`` in the staging folder
    (kept across runs) through the client's own ``http_get``, which sends ``Range`` from
    ``resume_size``, retries dropped connections from where they stopped, falls back when a
    server ignores ``Range``, and checks the final size. The URL is the client's ``hf_hub_url`` for
    the resolved commit, so a newer push can never be mixed into a resumed file.
    """
    from huggingface_hub import constants, hf_hub_url
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers  # type: ignore[attr-defined]  # lazily exported

    from models import __version__

    # The client reports (and retries from) whole chunks of this size, 10 MB by default: smaller
    # chunks make the progress bar move, cancel answer within a second and a retry after a
    # dropped connection resume close to where it stopped.
    constants.DOWNLOAD_CHUNK_SIZE = min(constants.DOWNLOAD_CHUNK_SIZE, 1 << 20)
    dest = staging / rf.name
    part = staging / (rf.name + ".part")
    meta = staging / (rf.name + ".part.json")
    stamp = {"commit": rf.revision, "size": rf.size, "sha256": rf.sha256, "blob_id": rf.blob_id}
    if dest.is_file() and meta.is_file() and _read_json(meta) == stamp and dest.stat().st_size == rf.size:
        on_bytes(rf.name, dest.stat().st_size, rf.size)
        return dest
    if not meta.is_file() or _read_json(meta) != stamp:  # a partial file of another version
        part.unlink(missing_ok=True)
        meta.write_text(json.dumps(stamp), encoding="utf-8")
    resume = part.stat().st_size if part.is_file() else 0
    if rf.size is not None and resume > rf.size:
        part.unlink()
        resume = 0
    url = hf_hub_url(repo_id, rf.name, revision=rf.revision, endpoint=endpoint())
    headers = build_hf_headers(library_name="nordbrief", library_version=__version__)
    try:
        with part.open("ab") as fh, accepted_hosts_only():
            http_get(
                url,
                fh,
                resume_size=resume,
                headers=headers,
                expected_size=rf.size,
                displayed_filename=rf.name,
                tqdm_class=_bar_class(
                    rf.name, on_bytes, cancel, rf.size if rf.size is not None else MAX_UNLISTED_BYTES
                ),
            )
    except TooLargeError:
        # What this server sent cannot be trusted to resume from: the partial file goes too.
        part.unlink(missing_ok=True)
        meta.unlink(missing_ok=True)
        raise
    os.replace(part, dest)
    return dest


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def check(path: Path, rf: RemoteFile, cancel: Callable[[], bool] | None = None) -> str:
    """The file's SHA-256, after checking it against the Hub's hash (raises ``NetworkError``)."""
    digest = sha256_file(path, cancel)
    if rf.size is not None and path.stat().st_size != rf.size:
        raise NetworkError(
            f"{rf.name}: downloaded {path.stat().st_size} bytes, the Hub lists {rf.size}; "
            "nothing was installed"
        )
    if rf.sha256 is not None:
        ok = digest == rf.sha256
    elif rf.blob_id is not None:
        ok = git_blob_sha1(path) == rf.blob_id
    else:
        raise NetworkError(f"{rf.name}: the server gave no hash to verify it against; nothing was installed")
    if not ok:
        raise NetworkError(
            f"{rf.name} failed verification (its hash differs from the Hub's); nothing was installed"
        )
    return digest
