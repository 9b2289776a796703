"""The catalog models as they really are on the Hub: download -> verify -> convert -> translate.

The fake Hub serves each catalog repo laid out like the real one (``hubserver.big_repo`` /
``base_repo``: real file sets, LFS flags, config values, vocabulary layout with ``</s>`` at 41977
of 54,765 for tc-big, fp16 safetensors / fp32 .bin, LFS redirects to a second loopback host,
gzip for small text files, Xet headers). The fixtures' output bias favours ``</s>``, so a correct
engine ends every sentence after a token or two; the assertions read CTranslate2's own results
(``return_end_token``) for every ``translate_batch`` call of one ``Translator``.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hubserver import (
    BASE_COMMIT,
    BASE_PR3_COMMIT,
    BIG_COMMIT,
    BIG_EOS_ID,
    BIG_REPO,
    BIG_UNK_ID,
    BIG_VOCAB_SIZE,
    FakeHub,
    RepoFiles,
)

from models import cli
from models.errors import NetworkError
from models.paths import models_dir, resources_dir
from models.pipeline import apply_translations, article_from_text, translate_article
from models.store import DownloadProgress, download_model, installed_models, load_catalog, verify_model
from models.store.convert import convert_marian
from models.translation.engine import EOS, Translator
from models.translation.memory import TranslationMemory
from models.translation.shortlist import VMAP_FILE, model_vocabulary


def article_40() -> str:
    """The first 40 sentences of the shipped NorSumm samples (CC0), as one article."""
    text = "\n\n".join(p.read_text("utf-8") for p in sorted((resources_dir() / "samples").glob("*.txt")))
    article = article_from_text(text)
    assert len(article.sentences) >= 40
    return text[: article.sentences[39].end]


@pytest.fixture
def repos(real_repos: dict[str, tuple[RepoFiles, ...]]) -> dict[str, tuple[RepoFiles, ...]]:
    return real_repos


@pytest.fixture
def hub(real_hub: FakeHub) -> FakeHub:
    return real_hub


class EndSpy:
    """Wraps ``ctranslate2.Translator``: every call also returns the end token, and is recorded
    with its source batch, ``max_decoding_length`` and output pieces."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[tuple[list[list[str]], dict[str, Any], list[list[str]]]] = []

    def translate_batch(self, source: list[list[str]], **kwargs: Any) -> Any:
        results = self.inner.translate_batch(source, return_end_token=True, **kwargs)
        self.calls.append((source, kwargs, [list(r.hypotheses[0]) for r in results]))
        return results

    def unload_model(self) -> None:
        self.inner.unload_model()


def translate_with_spy(folder: Path, text: str) -> tuple[Translator, EndSpy]:
    translator = Translator(folder, memory=TranslationMemory(), beam_size=2)
    spy = EndSpy(translator.ct2)
    translator.ct2 = spy  # type: ignore[assignment]
    article = article_from_text(text)
    for batch in translate_article(article, translator):
        apply_translations(article, batch)
    assert all(s.translation is not None for s in article.sentences)
    return translator, spy


def assert_every_call_ends_at_eos(spy: EndSpy, min_calls: int = 3) -> None:
    assert len(spy.calls) >= min_calls
    lengths = []
    for _source, kwargs, outputs in spy.calls:
        for hyp in outputs:
            # ended by </s> (return_end_token), well before the length bound, </s> only at the end
            assert hyp and hyp[-1] == EOS, hyp[-5:]
            assert EOS not in hyp[:-1]
            assert len(hyp) < kwargs["max_decoding_length"]
            lengths.append(len(hyp))
    assert max(lengths) <= 3, lengths


def test_big_model_from_the_real_layout_stops_at_eos_in_every_call(hub: FakeHub) -> None:
    events: list[DownloadProgress] = []
    model = download_model("gmq-en-big", progress=events.append)
    assert verify_model("gmq-en-big") == []

    # What was fetched: the pinned commit, only what conversion needs, LFS bytes from the CDN
    # host, small text files gzip-compressed, nothing through Xet.
    entry = load_catalog()["gmq-en-big"]
    assert entry.revision == BIG_COMMIT
    fetched = {r.path.rsplit("/", 1)[-1] for r in hub.requests if r.method == "GET" and r.sent}
    assert fetched == {
        "config.json",
        "source.spm",
        "target.spm",
        "vocab.json",
        "tokenizer_config.json",
        "model.safetensors",
    } | {f"{BIG_COMMIT}"}  # the model_info API call
    assert all(f"/resolve/{BIG_COMMIT}/" in r.path for r in hub.requests if "/resolve/" in r.path)
    for name in ("model.safetensors", "source.spm", "target.spm"):
        assert {r.host for r in hub.gets(name)} == {"cdn"}, name
    assert all(r.gzip for r in hub.gets("vocab.json")) and hub.gets("vocab.json")
    assert not [r for r in hub.requests if "xet-read-token" in r.path]
    assert not hub.gets("tf_model.h5") and not hub.gets("pytorch_model.bin")
    downloads = [e for e in events if e.phase == "download"]
    assert all(a.done <= b.done for a, b in itertools.pairwise(downloads))
    assert downloads[-1].done == downloads[-1].total

    translator, spy = translate_with_spy(model.path, article_40())
    assert translator.has_vmap and translator.notice is None
    assert all(kwargs["use_vmap"] for _s, kwargs, _o in spy.calls)
    assert_every_call_ends_at_eos(spy)
    assert sum(len(s) for s, _k, _o in spy.calls) == 40

    # The installed folder: specials first, the real position count, the 512-token input limit.
    vocab = model_vocabulary(model.path)
    assert len(vocab) == BIG_VOCAB_SIZE - 1 and vocab[:2] == ["</s>", "<unk>"]
    limits = json.loads((model.path / "nordbrief.json").read_text("utf-8"))
    assert limits == {"max_positions": 1024, "max_input_tokens": 512}
    assert (model.path / VMAP_FILE).is_file()


def test_base_model_takes_the_pinned_bin_never_the_pull_request(hub: FakeHub) -> None:
    model = download_model("gmq-en-base")
    assert load_catalog()["gmq-en-base"].revision == BASE_COMMIT
    assert hub.gets("pytorch_model.bin") and not hub.gets("model.safetensors")
    assert not [r for r in hub.requests if "/refs" in r.path or BASE_PR3_COMMIT in r.path]
    # .spm files are plain git files in this repo: served by the Hub itself, not redirected.
    assert {r.host for r in hub.gets("source.spm")} == {"hub"}
    _translator, spy = translate_with_spy(model.path, article_40())
    assert_every_call_ends_at_eos(spy)


def test_revision_option_fetches_another_revision_with_a_warning(
    hub: FakeHub, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["models", "download", "gmq-en-base", "--revision", "refs/pr/3"]) == 0
    err = capsys.readouterr().err
    assert "warning: fetching gmq-en-base at refs/pr/3, not the commit Nordbrief pins" in err
    from models.store.manifest import Manifest

    manifest = Manifest.read(installed_models()["gmq-en-base"])
    assert manifest is not None and manifest.revision == "refs/pr/3" and manifest.commit == BASE_PR3_COMMIT
    assert manifest.source_files["model.safetensors"]["commit"] == BASE_PR3_COMMIT
    assert hub.gets("model.safetensors") and not hub.gets("pytorch_model.bin")


def test_dropped_connection_resumes_through_the_cdn_with_range(
    hub: FakeHub, repos: dict[str, tuple[RepoFiles, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "DOWNLOAD_CHUNK_SIZE", 16 * 1024)
    size = len(repos[BIG_REPO][0].files["model.safetensors"])
    hub.drop_after["model.safetensors"] = size // 2
    download_model("gmq-en-big")
    gets = hub.gets("model.safetensors")
    assert [r.host for r in gets] == ["cdn", "cdn"]
    assert gets[0].range is None and gets[1].range is not None
    assert hub.bytes_served("model.safetensors") < 2 * size
    assert verify_model("gmq-en-big") == []


@pytest.mark.parametrize("name", ["model.safetensors", "vocab.json"])  # LFS from the CDN; gzip text
def test_a_file_larger_than_listed_is_stopped_and_nothing_installed(
    hub: FakeHub, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "DOWNLOAD_CHUNK_SIZE", 64 * 1024)
    # 50 MB of junk past the listed size; vocab.json goes gzip-compressed, so few bytes travel
    # and the cap must count the decoded ones.
    hub.extra_bytes[name] = 50 << 20
    written: list[int] = []
    import huggingface_hub.file_download as file_download

    real_get = file_download.http_get

    class Spy:  # the partial file as the client writes it: records its largest size
        def __init__(self, fh: Any) -> None:
            self._fh = fh

        def write(self, data: bytes) -> int:
            n = self._fh.write(data)
            written.append(self._fh.tell())
            return int(n)

        def __getattr__(self, attr: str) -> Any:
            return getattr(self._fh, attr)

    def spying_get(url: str, temp_file: Any, **kw: Any) -> Any:
        return real_get(url, Spy(temp_file) if name in url else temp_file, **kw)

    monkeypatch.setattr(file_download, "http_get", spying_get)
    with pytest.raises(NetworkError, match=r"more than the [0-9,]+ bytes the Hub lists"):
        download_model("gmq-en-big")
    assert installed_models() == {}
    partial = models_dir() / ".download-gmq-en-big" / f"{name}.part"
    size = len(hub.repos[BIG_REPO].main.files[name])
    assert written and max(written) <= size
    assert not partial.exists()  # what that server sent is not kept to resume from
    assert hub.bytes_served(name) < size + (50 << 20)


# --- the defect itself, and that the fix is exact -------------------------------------------------


def _checkpoint(repo: RepoFiles, folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, data in repo.files.items():
        (folder / name).write_bytes(data)
    return folder


def _without_remap(monkeypatch: pytest.MonkeyPatch) -> None:
    """The converter as it was before the fix: vocabulary order kept as in vocab.json."""
    import models.store.convert as convert

    monkeypatch.setattr(convert, "special_first_order", lambda tokens, specials=(): list(range(len(tokens))))


@pytest.fixture(scope="module")
def big_ckpt(real_repos: dict[str, tuple[RepoFiles, ...]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _checkpoint(real_repos[BIG_REPO][0], tmp_path_factory.mktemp("big") / "ckpt")


def test_ctranslate2_keeps_stale_shortlist_positions_without_the_remap(
    big_ckpt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the issue reports, on the installed CTranslate2: with </s> at 41977 and the
    shortlist on, one Translator stops at </s> in its first call only. If this starts to fail,
    CTranslate2 has fixed update_output_layer and the remap is no longer needed."""
    import ctranslate2
    import sentencepiece as spm

    _without_remap(monkeypatch)
    out = convert_marian(big_ckpt, tmp_path / "old")
    assert model_vocabulary(out).index("</s>") == BIG_EOS_ID
    sp = spm.SentencePieceProcessor(model_file=str(out / "source.spm"))
    sentences = [s.text for s in article_from_text(article_40()).sentences[:24]]
    ct2 = ctranslate2.Translator(str(out), compute_type="int8", intra_threads=1)
    lengths = []
    for k in range(3):
        batch = [[*sp.encode(s, out_type=str), EOS] for s in sentences[8 * k : 8 * k + 8]]
        results = ct2.translate_batch(
            batch, beam_size=2, max_decoding_length=60, use_vmap=True, return_end_token=True
        )
        lengths.append([len(r.hypotheses[0]) for r in results])
    assert lengths[0] == [2] * 8
    assert lengths[1] == [60] * 8 and lengths[2] == [60] * 8


def test_a_folder_converted_before_the_fix_runs_without_the_shortlist(
    big_ckpt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with monkeypatch.context() as m:
        _without_remap(m)
        old = convert_marian(big_ckpt, tmp_path / "old")
    translator, spy = translate_with_spy(old, article_40())
    assert not translator.has_vmap
    assert translator.notice is not None and "download it again to restore the speed" in translator.notice
    assert "</s>" in translator.notice and "<unk>" in translator.notice
    assert not any(kwargs["use_vmap"] for _s, kwargs, _o in spy.calls)
    assert_every_call_ends_at_eos(spy)
    # One-time: loading the same folder again in this process says nothing more.
    assert Translator(old, memory=TranslationMemory()).notice is None
    # The CLI says it on stderr, as a warning, and still translates.
    import shutil

    again = tmp_path / "old-install"
    shutil.copytree(old, again)
    article = tmp_path / "a.txt"
    article.write_text(article_40(), "utf-8")
    assert cli.main(["translate", str(article), "--model", str(again)]) == 0
    err = capsys.readouterr().err
    assert "nordbrief: warning: model old-install was converted by an older Nordbrief" in err
    assert "nordbrief models download old-install --force" in err


def test_remap_is_exact_and_one_translator_equals_fresh_ones(
    big_ckpt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The remapped model scores exactly like the original (same hypotheses on the whole
    vocabulary), and with the shortlist one long-lived Translator gives what a fresh Translator
    per call gives (whose first call CTranslate2 always gets right)."""
    import ctranslate2
    import sentencepiece as spm

    fixed = convert_marian(big_ckpt, tmp_path / "fixed")
    with monkeypatch.context() as m:
        _without_remap(m)
        old = convert_marian(big_ckpt, tmp_path / "old")
    sp = spm.SentencePieceProcessor(model_file=str(fixed / "source.spm"))
    sentences = [s.text for s in article_from_text(article_40()).sentences]
    batches = [[[*sp.encode(s, out_type=str), EOS] for s in sentences[k : k + 5]] for k in range(0, 40, 5)]
    # Forced long outputs, so the comparison covers many decoding steps, not just the first one.
    opts = {"beam_size": 2, "min_decoding_length": 12, "max_decoding_length": 12, "return_scores": True}

    def run(folder: Path, use_vmap: bool, fresh: bool) -> list[tuple[list[str], float]]:
        out = []
        ct2 = None
        for batch in batches:
            if ct2 is None or fresh:
                ct2 = ctranslate2.Translator(str(folder), compute_type="int8", intra_threads=1)
            results = ct2.translate_batch(batch, use_vmap=use_vmap, **opts)
            out += [(list(r.hypotheses[0]), r.scores[0]) for r in results]
        return out

    full_fixed, full_old = run(fixed, False, False), run(old, False, False)
    assert [h for h, _ in full_fixed] == [h for h, _ in full_old]
    assert [s for _, s in full_fixed] == pytest.approx([s for _, s in full_old], abs=1e-4)
    assert run(fixed, True, False) == run(fixed, True, True)
    assert model_vocabulary(fixed)[:2] == ["</s>", "<unk>"]
    assert sorted(model_vocabulary(fixed)) == sorted(model_vocabulary(old))
    assert model_vocabulary(old)[BIG_UNK_ID] == "<unk>"


def test_the_fake_hubs_xet_headers_do_switch_hf_hub_download_to_hf_xet(hub: FakeHub, tmp_path: Path) -> None:
    """The Xet model is real enough: huggingface_hub's own hf_hub_download, with hf-xet
    installed, goes to the Xet token route for such a file (and fails here), while Nordbrief's
    download above never touches it."""
    pytest.importorskip("hf_xet")
    from huggingface_hub import hf_hub_download

    with pytest.raises(Exception):  # noqa: B017 - whatever hf-xet raises for a refused token
        hf_hub_download(
            BIG_REPO, "model.safetensors", revision=BIG_COMMIT, cache_dir=tmp_path, endpoint=hub.endpoint
        )
    assert [r for r in hub.requests if "xet-read-token" in r.path]
