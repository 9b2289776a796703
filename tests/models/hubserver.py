"""A local stand-in for the Hugging Face Hub, and tiny Marian checkpoints for it to serve.

The real ``huggingface_hub`` client talks to this server through ``HF_ENDPOINT`` (or an explicit
endpoint), so the app's actual download code is exercised without the internet. It answers the
routes the client uses: ``HEAD``/``GET /{repo}/resolve/{revision}/{file}`` (with ``X-Repo-Commit``,
``ETag``, ``X-Linked-Etag``/``X-Linked-Size`` for LFS files, ``Content-Length`` and ``Range``),
``/api/models/{repo}/revision/{revision}`` (``?blobs=true`` adds sizes and hashes), ``/api/models/
{repo}/tree/{revision}`` and ``/api/models/{repo}/refs``. Faults can be injected: drop the
connection part-way through a file, or serve a corrupted body under the original hashes.

Run ``python -m tests.models.hubserver`` to serve a tiny checkpoint under the catalog's repo ids
(prints the ``HF_ENDPOINT`` to use; Ctrl-C stops it).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import socket
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import numpy as np

LFS_SUFFIXES = (".safetensors", ".bin", ".spm")


# ---------------------------------------------------------------- tiny Marian checkpoints


def make_tokenizer_files(folder: Path, source_pieces: int = 160, target_pieces: int = 160) -> list[str]:
    """source.spm, target.spm and vocab.json as an OPUS-MT repo holds them; returns the vocabulary.

    Marian's joint vocabulary (``</s>``, ``<unk>``, source pieces, new target pieces) with the
    ``<pad>`` entry Transformers appends last.
    """
    from models.testing import build_vocabulary, train_sentencepiece, training_dir

    folder.mkdir(parents=True, exist_ok=True)
    train_sentencepiece(training_dir() / "norsumm_nb.txt", source_pieces, folder / "source.spm")
    train_sentencepiece(training_dir() / "news_en.txt", target_pieces, folder / "target.spm")
    vocab, _ = build_vocabulary(folder / "source.spm", folder / "target.spm", None)
    vocab.append("<pad>")
    (folder / "vocab.json").write_text(
        json.dumps({tok: i for i, tok in enumerate(vocab)}, ensure_ascii=False, indent=1), "utf-8"
    )
    return vocab


def marian_config(
    vocab_size: int, d_model: int = 32, layers: int = 2, heads: int = 4, ffn: int = 64, act: str = "swish"
) -> dict[str, Any]:
    """A config.json shaped like the OPUS-MT ones on the Hub."""
    return {
        "model_type": "marian",
        "architectures": ["MarianMTModel"],
        "activation_function": act,
        "d_model": d_model,
        "encoder_layers": layers,
        "decoder_layers": layers,
        "encoder_attention_heads": heads,
        "decoder_attention_heads": heads,
        "encoder_ffn_dim": ffn,
        "decoder_ffn_dim": ffn,
        "vocab_size": vocab_size,
        "decoder_vocab_size": vocab_size,
        "pad_token_id": vocab_size - 1,
        "decoder_start_token_id": vocab_size - 1,
        "eos_token_id": 0,
        "max_position_embeddings": 128,
        "max_length": 64,
        "num_beams": 2,
        "scale_embedding": True,
        "share_encoder_decoder_embeddings": True,
        "tie_word_embeddings": True,
        "normalize_embedding": False,
        "static_position_embeddings": True,
        "dropout": 0.1,
        "attention_dropout": 0.0,
        "activation_dropout": 0.0,
    }


def marian_state_dict(config: dict[str, Any], seed: int = 0) -> dict[str, np.ndarray]:
    """Random Marian weights under Transformers' key names (tied embeddings stored once)."""
    rng = np.random.default_rng(seed)
    d, f, v = config["d_model"], config["encoder_ffn_dim"], config["vocab_size"]

    def w(*shape: int, scale: float = 0.3) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    state: dict[str, np.ndarray] = {"model.shared.weight": w(v, d, scale=1.0)}
    state["model.shared.weight"][v - 1] = 0.0  # the pad row, as nn.Embedding(padding_idx) leaves it

    def attn(prefix: str) -> None:
        for n in ("q", "k", "v", "out"):
            state[f"{prefix}.{n}_proj.weight"] = w(d, d)
            state[f"{prefix}.{n}_proj.bias"] = w(d, scale=0.1)

    def norm(prefix: str) -> None:
        state[f"{prefix}.weight"] = 1.0 + w(d, scale=0.1)
        state[f"{prefix}.bias"] = w(d, scale=0.1)

    def ffn(prefix: str) -> None:
        state[f"{prefix}.fc1.weight"] = w(f, d)
        state[f"{prefix}.fc1.bias"] = w(f, scale=0.1)
        state[f"{prefix}.fc2.weight"] = w(d, f)
        state[f"{prefix}.fc2.bias"] = w(d, scale=0.1)
        norm(f"{prefix}.final_layer_norm")

    for i in range(config["encoder_layers"]):
        p = f"model.encoder.layers.{i}"
        attn(p + ".self_attn")
        norm(p + ".self_attn_layer_norm")
        ffn(p)
    for i in range(config["decoder_layers"]):
        p = f"model.decoder.layers.{i}"
        attn(p + ".self_attn")
        norm(p + ".self_attn_layer_norm")
        attn(p + ".encoder_attn")
        norm(p + ".encoder_attn_layer_norm")
        ffn(p)
    state["final_logits_bias"] = w(1, v, scale=0.5)
    return state


def make_marian_checkpoint(folder: Path, seed: int = 0, act: str = "swish") -> dict[str, bytes]:
    """A tiny OPUS-MT-like repo (config, vocab, SentencePiece, model.safetensors); returns its files."""
    from safetensors.numpy import save_file

    vocab = make_tokenizer_files(folder)
    config = marian_config(len(vocab), act=act)
    (folder / "config.json").write_text(json.dumps(config, indent=2), "utf-8")
    save_file(marian_state_dict(config, seed), str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "README.md").write_text("# tiny test model\n", "utf-8")
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# ---------------------------------------------------------------- the server


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Revision:
    commit: str
    files: dict[str, bytes]


@dataclass
class Repo:
    main: Revision
    pull_requests: list[Revision] = field(default_factory=list)

    def revision(self, rev: str) -> Revision | None:
        if rev in ("main", self.main.commit):
            return self.main
        for n, pr in enumerate(self.pull_requests, start=1):
            if rev in (f"refs/pr/{n}", pr.commit):
                return pr
        return None


def make_commit(files: dict[str, bytes], salt: str = "") -> str:
    h = hashlib.sha1(salt.encode())
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


@dataclass
class Request:
    method: str
    path: str
    range: str | None
    sent: int


class FakeHub:
    """A threaded loopback HTTP server; use as a context manager so its thread always stops."""

    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.requests: list[Request] = []
        self.drop_after: dict[str, int] = {}  # file -> bytes to send before dropping, once
        self.corrupt: set[str] = set()  # files served with a flipped byte under the true hashes
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._connections: set[Any] = set()
        self._thread: threading.Thread | None = None

    # -- content
    def add_repo(
        self, repo_id: str, files: dict[str, bytes], pr_files: dict[str, bytes] | None = None
    ) -> None:
        main = Revision(make_commit(files, repo_id), dict(files))
        prs = [Revision(make_commit(pr_files, repo_id + "pr1"), dict(pr_files))] if pr_files else []
        self.repos[repo_id] = Repo(main, prs)

    # -- lifecycle
    @property
    def endpoint(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            fake = hub

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-hub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            # Keep-alive connections park their handler threads in a read: close them.
            with self._lock:
                conns = list(self._connections)
            for sock in conns:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, req: Request) -> None:
        with self._lock:
            self.requests.append(req)

    def bytes_served(self, filename: str) -> int:
        return sum(r.sent for r in self.requests if r.method == "GET" and r.path.endswith("/" + filename))


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up (cancel, dropped connection tests) are expected, not errors."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


_RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")
_API = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)/(?P<kind>revision|tree|refs)(?:/(?P<rev>[^/]+))?/?$")


class _Handler(BaseHTTPRequestHandler):
    fake: FakeHub
    protocol_version = "HTTP/1.1"

    timeout = 10  # a stray keep-alive connection cannot hold a thread for long

    def setup(self) -> None:
        super().setup()
        with self.fake._lock:
            self.fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.fake._lock:
            self.fake._connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _json(self, data: Any, status: int = 200) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.fake.record(Request(self.command, self.path, None, len(body)))

    def _error(self, status: int, code: str) -> None:
        body = json.dumps({"error": code}).encode()
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.fake.record(Request(self.command, self.path, None, 0))

    def _serve(self, head: bool) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        m = _API.match(url.path)
        if m:
            return self._api(m.group("repo"), m.group("kind"), unquote(m.group("rev") or ""), url.query)
        m = _RESOLVE.match(path) or _RESOLVE.match(url.path)
        if not m:
            return self._error(404, "EntryNotFound")
        repo = self.fake.repos.get(m.group("repo"))
        if repo is None:
            return self._error(404, "RepoNotFound")
        rev = repo.revision(unquote(m.group("rev")))
        if rev is None:
            return self._error(404, "RevisionNotFound")
        name = m.group("file")
        if name not in rev.files:
            return self._error(404, "EntryNotFound")
        data = rev.files[name]
        etag = hashlib.sha256(data).hexdigest() if name.endswith(LFS_SUFFIXES) else git_blob_sha1(data)
        if name in self.fake.corrupt:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        start = 0
        rng = self.headers.get("Range")
        if rng and not head:
            mr = re.match(r"bytes=(\d+)-(\d*)$", rng)
            if mr:
                start = int(mr.group(1))
        body = data[start:]
        self.send_response(206 if start else 200)
        self.send_header("X-Repo-Commit", rev.commit)
        self.send_header("ETag", f'"{etag}"')
        if name.endswith(LFS_SUFFIXES):
            self.send_header("X-Linked-Etag", f'"{etag}"')
            self.send_header("X-Linked-Size", str(len(data)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(body)))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if head:
            self.fake.record(Request("HEAD", path, None, 0))
            return
        limit = None
        with self.fake._lock:
            if name in self.fake.drop_after:
                limit = self.fake.drop_after.pop(name)
        if limit is not None:
            self.wfile.write(body[:limit])
            self.wfile.flush()
            self.fake.record(Request("GET", path, rng, min(limit, len(body))))
            self.close_connection = True
            return
        self.wfile.write(body)
        self.fake.record(Request("GET", path, rng, len(body)))

    def _api(self, repo_id: str, kind: str, rev_name: str, query: str) -> None:
        repo = self.fake.repos.get(repo_id)
        if repo is None:
            return self._error(404, "RepoNotFound")
        if kind == "refs":
            ref = {"name": "main", "ref": "refs/heads/main", "targetCommit": repo.main.commit}
            prs = [
                {"name": f"refs/pr/{n}", "ref": f"refs/pr/{n}", "targetCommit": pr.commit}
                for n, pr in enumerate(repo.pull_requests, start=1)
            ]
            data: dict[str, Any] = {"branches": [ref], "converts": [], "tags": []}
            if "include_prs" in query:
                data["pullRequests"] = prs
            return self._json(data)
        rev = repo.revision(rev_name)
        if rev is None:
            return self._error(404, "RevisionNotFound")

        def entry(name: str, data: bytes) -> dict[str, Any]:
            item: dict[str, Any] = {"size": len(data), "blobId": git_blob_sha1(data)}
            if name.endswith(LFS_SUFFIXES):
                item["lfs"] = {
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "pointerSize": 130,
                }
            return item

        if kind == "tree":
            return self._json(
                [
                    {"type": "file", "path": n, "oid": git_blob_sha1(d), "size": len(d)}
                    | (
                        {"lfs": {"oid": entry(n, d)["lfs"]["sha256"], "size": len(d), "pointerSize": 130}}
                        if n.endswith(LFS_SUFFIXES)
                        else {}
                    )
                    for n, d in sorted(rev.files.items())
                ]
            )
        blobs = "blobs=" in query
        siblings = [{"rfilename": n} | (entry(n, d) if blobs else {}) for n, d in sorted(rev.files.items())]
        return self._json({"id": repo_id, "modelId": repo_id, "sha": rev.commit, "siblings": siblings})


def main() -> None:
    """Serve a tiny checkpoint under every catalog repo id until interrupted."""
    import time

    from models.store.catalog import load_catalog

    with tempfile.TemporaryDirectory() as tmp:
        files = make_marian_checkpoint(Path(tmp) / "ckpt")
        hub = FakeHub()
        for entry in load_catalog().values():
            hub.add_repo(entry.repo_id, files)
        with hub:
            print(f"fake Hub serving {', '.join(hub.repos)}; use HF_ENDPOINT={hub.endpoint}", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass


if __name__ == "__main__":
    main()
