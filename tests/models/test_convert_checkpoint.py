"""The restricted torch-checkpoint reader: tensors in, code execution never."""

from __future__ import annotations

import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from models.errors import ModelError
from models.store.checkpoint import UnsafeCheckpointError, read_torch_zip, read_weights


class _Exploit:
    """Unpickling this would run a shell command (what a malicious checkpoint does)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (os.system, (f"touch {self.marker}",))


def _zip(path: Path, payload: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", payload)
        zf.writestr("archive/version", "3\n")
    return path


def test_malicious_pickle_is_rejected_and_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"weight": _Exploit(marker)}, protocol=2)
    ckpt = _zip(tmp_path / "pytorch_model.bin", payload)
    with pytest.raises(UnsafeCheckpointError, match=r"asks for (posix|os|nt)\.system.*possibly malicious"):
        read_weights(ckpt)
    assert not marker.exists()
    assert UnsafeCheckpointError.exit_code == 3


@pytest.mark.parametrize("target", ["builtins.eval", "torch.nn.Module", "torch._utils._rebuild_parameter"])
def test_other_globals_are_rejected(tmp_path: Path, target: str) -> None:
    module, name = target.rsplit(".", 1)
    payload = b"\x80\x02c" + module.encode() + b"\n" + name.encode() + b"\n)R."
    with pytest.raises(UnsafeCheckpointError, match=target.replace(".", r"\.")):
        read_torch_zip(_zip(tmp_path / "x.bin", payload))


def test_not_a_zip_checkpoint(tmp_path: Path) -> None:
    legacy = tmp_path / "pytorch_model.bin"
    legacy.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ModelError, match="not a zip-format torch checkpoint"):
        read_weights(legacy)


def test_matches_torch_for_each_dtype(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    gen = torch.Generator().manual_seed(0)
    base = torch.randn(6, 5, generator=gen)
    state = {
        "shared.weight": base,
        "tied.weight": base,  # same storage, stored once
        "transposed": base.t(),  # non-contiguous view
        "slice": base[2:4, 1:],  # offset into the storage
        "half": torch.randn(3, 4, generator=gen).half(),
        "bf16": torch.randn(7, generator=gen).bfloat16(),
        "bias": torch.zeros(1, 5),
        "steps": torch.arange(4),
    }
    path = tmp_path / "pytorch_model.bin"
    torch.save(state, path)
    ours = read_torch_zip(path)
    assert set(ours) == set(state)
    for key, tensor in state.items():
        expected = tensor.float().numpy() if tensor.dtype == torch.bfloat16 else tensor.numpy()
        assert ours[key].dtype == expected.dtype, key
        np.testing.assert_array_equal(ours[key], expected, err_msg=key)
    widened = read_weights(path)
    assert widened["half"].dtype == np.float32 and widened["steps"].dtype == np.int64
