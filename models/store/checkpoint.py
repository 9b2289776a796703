"""Read Marian checkpoints as numpy arrays without torch.

``model.safetensors`` is read with ``safetensors.numpy``. ``pytorch_model.bin`` (a ``torch.save``
zip archive: ``data.pkl`` plus one raw record per storage) is read with a *restricted* unpickler:
a pickle can call any importable function, so a downloaded one is never given to ``pickle.load``
or ``torch.load``. Only ``collections.OrderedDict``, ``torch._utils._rebuild_tensor_v2`` and the
``torch.*Storage`` type markers are admitted; anything else stops the read with a clear error.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.errors import ModelError


class UnsafeCheckpointError(ModelError):
    """The checkpoint's pickle asks for something other than tensors (exit 3)."""


# torch storage class name -> numpy dtype of its raw bytes (bfloat16 is widened on read).
_STORAGE_DTYPES: dict[str, np.dtype[Any]] = {
    "FloatStorage": np.dtype("<f4"),
    "HalfStorage": np.dtype("<f2"),
    "BFloat16Storage": np.dtype("<u2"),
    "DoubleStorage": np.dtype("<f8"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}


@dataclass(frozen=True)
class _StorageType:
    """Stands in for ``torch.FloatStorage`` etc.: only its name (and so its dtype) matters."""

    name: str


@dataclass
class _Storage:
    data: np.ndarray
    bfloat16: bool


def _rebuild_tensor_v2(
    storage: _Storage,
    storage_offset: int,
    size: tuple[int, ...],
    stride: tuple[int, ...],
    requires_grad: bool = False,
    backward_hooks: Any = None,
    metadata: Any = None,
) -> np.ndarray:
    """numpy twin of ``torch._utils._rebuild_tensor_v2``: a strided view, copied out."""
    if not isinstance(storage, _Storage):
        raise UnsafeCheckpointError("malformed checkpoint: tensor without a storage")
    if not all(isinstance(v, int) and v >= 0 for v in (storage_offset, *size, *stride)):
        raise UnsafeCheckpointError("malformed checkpoint: bad tensor geometry")
    data = storage.data
    if size:
        last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True) if n > 0)
        if any(n == 0 for n in size):
            last = storage_offset - 1
        if last >= data.shape[0]:
            raise UnsafeCheckpointError("malformed checkpoint: tensor runs past its storage")
    elif storage_offset >= data.shape[0]:
        raise UnsafeCheckpointError("malformed checkpoint: scalar outside its storage")
    item = data.itemsize
    view = np.lib.stride_tricks.as_strided(
        data[storage_offset:],
        shape=tuple(size),
        strides=tuple(s * item for s in stride),
        writeable=False,
    )
    out = np.array(view, copy=True)
    if storage.bfloat16:
        out = (out.astype(np.uint32) << 16).view(np.float32)
    return out


class _RestrictedUnpickler(pickle.Unpickler):
    """Admits only what a ``torch.save(state_dict)`` pickle needs."""

    def __init__(self, data: bytes, records: dict[str, bytes], big_endian: bool) -> None:
        super().__init__(io.BytesIO(data))
        self._records = records
        self._big_endian = big_endian
        self._storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        if module == "collections" and name == "OrderedDict":
            return OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        raise UnsafeCheckpointError(
            f"refusing to load checkpoint: its pickle asks for {module}.{name}, "
            "which a plain weights file never needs (possibly malicious)"
        )

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise UnsafeCheckpointError("malformed checkpoint: unexpected persistent id")
        _, storage_type, key, _location, numel = pid
        if not isinstance(storage_type, _StorageType) or not isinstance(key, str):
            raise UnsafeCheckpointError("malformed checkpoint: bad storage reference")
        if key in self._storages:
            return self._storages[key]
        raw = self._records.get(key)
        if raw is None:
            raise UnsafeCheckpointError(f"malformed checkpoint: storage {key} missing")
        dtype = _STORAGE_DTYPES[storage_type.name]
        if self._big_endian:
            dtype = dtype.newbyteorder(">")
        if len(raw) % dtype.itemsize or (isinstance(numel, int) and len(raw) // dtype.itemsize < numel):
            raise UnsafeCheckpointError(f"malformed checkpoint: storage {key} has the wrong size")
        arr = np.frombuffer(raw, dtype=dtype).astype(dtype.newbyteorder("="), copy=False)
        storage = _Storage(arr, bfloat16=storage_type.name == "BFloat16Storage")
        self._storages[key] = storage
        return storage


def read_torch_zip(path: Path) -> dict[str, np.ndarray]:
    """Tensors of a zip-format ``torch.save`` file, read without torch and without running code."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ModelError(
            f"{path.name} is not a zip-format torch checkpoint (legacy torch<1.6 files are not supported)"
        ) from None
    with zf:
        names = zf.namelist()
        pkl = [n for n in names if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pkl) != 1:
            raise ModelError(f"{path.name}: no data.pkl inside; not a torch checkpoint")
        prefix = pkl[0][: -len("data.pkl")]
        records = {
            n[len(prefix) + len("data/") :]: b""
            for n in names
            if n.startswith(prefix + "data/") and not n.endswith("/")
        }
        for key in records:
            records[key] = zf.read(prefix + "data/" + key)
        big_endian = False
        if prefix + "byteorder" in names:
            big_endian = zf.read(prefix + "byteorder").strip() == b"big"
        data = zf.read(pkl[0])
    try:
        obj = _RestrictedUnpickler(data, records, big_endian).load()
    except UnsafeCheckpointError:
        raise
    except (pickle.UnpicklingError, EOFError, TypeError, ValueError, AttributeError) as exc:
        raise ModelError(f"{path.name}: unreadable checkpoint ({exc})") from None
    if not isinstance(obj, dict):
        raise UnsafeCheckpointError(f"{path.name}: checkpoint does not hold a state dict")
    out: dict[str, np.ndarray] = {}
    for k, v in obj.items():
        if not isinstance(k, str) or not isinstance(v, np.ndarray):
            raise UnsafeCheckpointError(f"{path.name}: state dict holds something other than tensors")
        out[k] = v
    return out


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    try:
        return dict(load_file(str(path)))
    except Exception as exc:  # safetensors raises its own SafetensorError / TypeError
        raise ModelError(f"{path.name}: unreadable safetensors file ({exc})") from None


def read_weights(path: Path) -> dict[str, np.ndarray]:
    """A state dict as float32 numpy arrays, from safetensors or a torch zip checkpoint."""
    path = Path(path)
    state = read_safetensors(path) if path.suffix == ".safetensors" else read_torch_zip(path)
    return {k: v.astype(np.float32) if v.dtype in (np.float16, np.float64) else v for k, v in state.items()}
