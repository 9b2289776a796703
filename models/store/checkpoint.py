"""Read Marian checkpoints as numpy arrays without torch.

``model.safetensors`` is read with ``safetensors.numpy``. ``pytorch_model.bin`` (a ``torch.save``
zip archive: ``data.pkl`` plus one raw record per storage) is read with a *restricted* unpickler:
a pickle can call any importable function, so a downloaded one is never given to ``pickle.load``
or ``torch.load``. Only ``collections.OrderedDict``, ``torch._utils._rebuild_tensor_v2`` and the
``torch.*Storage`` type markers are admitted; anything else stops the read with a clear error.

Blocking code is not enough: a few hundred bytes of pickle can describe a 30,000 x 30,000 tensor
as a stride-0 view of one 4-byte storage, and a small deflated record can inflate to gigabytes.
So the unpickler builds only *descriptions* (storage key, dtype, element count; tensor offset,
size, stride) and nothing is read until the caller has seen every tensor's shape: ``accept``
decides per tensor (the converter passes the shapes ``config.json`` implies), views must lie
inside their storage without overlapping themselves, every storage record must be exactly as
large as its declared element count, and all the storages together can hold no more bytes than
the file itself (``torch.save`` writes them uncompressed). Stored records are memory-mapped, so
reading costs the copies the converter keeps, not a second copy of the file.
"""

from __future__ import annotations

import contextlib
import io
import math
import mmap
import pickle
import struct
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.errors import ModelError


class UnsafeCheckpointError(ModelError):
    """The checkpoint's pickle asks for something other than tensors, or describes tensors its
    file cannot hold (exit 3)."""


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

# data.pkl of a state dict is a few hundred bytes per tensor; far below this.
MAX_PICKLE_BYTES = 64 << 20
MAX_MEMBERS = 100_000
MAX_TENSORS = 100_000
MAX_DIMS = 8

# Decides per tensor, from its name and shape alone, whether it is read (True), skipped
# (False), or refused (raises ``ModelError``).
Accept = Callable[[str, tuple[int, ...]], bool]


def _accept_all(_key: str, _shape: tuple[int, ...]) -> bool:
    return True


def _as_is(array: np.ndarray) -> np.ndarray:
    return array


@dataclass(frozen=True)
class _StorageType:
    """Stands in for ``torch.FloatStorage`` etc.: only its name (and so its dtype) matters."""

    name: str


@dataclass(frozen=True)
class _StorageRef:
    key: str
    dtype: np.dtype[Any]
    numel: int
    bfloat16: bool


@dataclass(frozen=True)
class _TensorRef:
    storage: _StorageRef
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]

    @property
    def numel(self) -> int:
        return math.prod(self.size)


def _rebuild_tensor_v2(
    storage: _StorageRef,
    storage_offset: int,
    size: tuple[int, ...],
    stride: tuple[int, ...],
    requires_grad: bool = False,
    backward_hooks: Any = None,
    metadata: Any = None,
) -> _TensorRef:
    """Stands in for ``torch._utils._rebuild_tensor_v2``: checks the view's geometry, reads nothing."""
    if not isinstance(storage, _StorageRef):
        raise UnsafeCheckpointError("malformed checkpoint: tensor without a storage")
    if not isinstance(size, tuple) or not isinstance(stride, tuple) or len(size) != len(stride):
        raise UnsafeCheckpointError("malformed checkpoint: bad tensor geometry")
    if len(size) > MAX_DIMS or not all(type(v) is int and v >= 0 for v in (storage_offset, *size, *stride)):
        raise UnsafeCheckpointError("malformed checkpoint: bad tensor geometry")
    if any(n == 0 for n in size):
        return _TensorRef(storage, storage_offset, size, stride)
    last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True))
    if last >= storage.numel:
        raise UnsafeCheckpointError("malformed checkpoint: tensor runs past its storage")
    # No element twice: sorted by stride, each dimension must step over all of the ones inside
    # it. A stride-0 or overlapping view would make a few stored bytes into any number of them.
    span = 1
    for n, s in sorted(((n, s) for n, s in zip(size, stride, strict=True) if n > 1), key=lambda d: d[1]):
        if s < span:
            raise UnsafeCheckpointError(
                "malformed checkpoint: a tensor repeats its storage's elements (overlapping view)"
            )
        span = s * n
    return _TensorRef(storage, storage_offset, size, stride)


class _RestrictedUnpickler(pickle.Unpickler):
    """Admits only what a ``torch.save(state_dict)`` pickle needs; builds descriptions only."""

    def __init__(self, data: bytes, records: dict[str, zipfile.ZipInfo], big_endian: bool) -> None:
        super().__init__(io.BytesIO(data))
        self._records = records
        self._big_endian = big_endian
        self.storages: dict[str, _StorageRef] = {}

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
        if key in self.storages:
            return self.storages[key]
        info = self._records.get(key)
        if info is None:
            raise UnsafeCheckpointError(f"malformed checkpoint: storage {key} missing")
        dtype = _STORAGE_DTYPES[storage_type.name]
        if self._big_endian:
            dtype = dtype.newbyteorder(">")
        if type(numel) is not int or numel < 0 or info.file_size != numel * dtype.itemsize:
            raise UnsafeCheckpointError(
                f"malformed checkpoint: storage {key} is not the size its tensors declare"
            )
        ref = _StorageRef(key, dtype, numel, storage_type.name == "BFloat16Storage")
        self.storages[key] = ref
        return ref


def _member_offset(fh: Any, info: zipfile.ZipInfo) -> int:
    """Where a stored member's bytes start in the archive (after its local header)."""
    fh.seek(info.header_offset)
    header = fh.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise ModelError("damaged checkpoint archive (bad local header)")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return int(info.header_offset + 30 + name_len + extra_len)


class _StorageReader:
    """Reads storage records on demand: stored ones as read-only memory maps of the file,
    compressed ones (``torch.save`` never writes those) bounded by their declared size."""

    def __init__(self, path: Path, zf: zipfile.ZipFile, records: dict[str, zipfile.ZipInfo]) -> None:
        self._zf = zf
        self._records = records
        self._fh = path.open("rb")
        self._size = path.stat().st_size
        self._map: mmap.mmap | None = None
        self._cache: dict[str, np.ndarray] = {}

    def close(self) -> None:
        self._cache.clear()
        if self._map is not None:
            # An array still viewing the map keeps it open; the GC closes it with the array.
            with contextlib.suppress(BufferError):
                self._map.close()
        self._fh.close()

    def array(self, ref: _StorageRef) -> np.ndarray:
        cached = self._cache.get(ref.key)
        if cached is not None:
            return cached
        info = self._records[ref.key]
        nbytes = ref.numel * ref.dtype.itemsize
        if info.compress_type == zipfile.ZIP_STORED and self._size > 0:
            start = _member_offset(self._fh, info)
            if start + nbytes > self._size:
                raise UnsafeCheckpointError(f"malformed checkpoint: storage {ref.key} runs past the file")
            if self._map is None:
                self._map = mmap.mmap(self._fh.fileno(), 0, access=mmap.ACCESS_READ)
            arr = np.frombuffer(self._map, dtype=ref.dtype, count=ref.numel, offset=start)
        else:
            with self._zf.open(info) as member:
                raw = member.read(nbytes + 1)
            if len(raw) != nbytes:
                raise UnsafeCheckpointError(f"malformed checkpoint: storage {ref.key} has the wrong size")
            arr = np.frombuffer(raw, dtype=ref.dtype)
        self._cache[ref.key] = arr
        return arr

    def tensor(self, t: _TensorRef) -> np.ndarray:
        data = self.array(t.storage)
        item = data.itemsize
        view = np.lib.stride_tricks.as_strided(
            data[t.offset :] if t.numel else data[:0],
            shape=t.size,
            strides=tuple(s * item for s in t.stride),
            writeable=False,
        )
        out = np.array(view, dtype=data.dtype.newbyteorder("="), copy=True)
        if t.storage.bfloat16:
            out = (out.astype(np.uint32) << 16).view(np.float32)
        return out


def read_torch_zip(
    path: Path, accept: Accept = _accept_all, convert: Callable[[np.ndarray], np.ndarray] = _as_is
) -> dict[str, np.ndarray]:
    """Tensors of a zip-format ``torch.save`` file, read without torch and without running code.

    ``accept(name, shape)`` is asked for every tensor before anything is read: True reads it,
    False leaves it out, a ``ModelError`` stops the read."""
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise ModelError(
            f"{path.name} is not a zip-format torch checkpoint (legacy torch<1.6 files are not supported)"
        ) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise UnsafeCheckpointError(f"{path.name}: {len(infos):,} archive members; not a checkpoint")
        names = {i.filename: i for i in infos}
        pkl = [n for n in names if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pkl) != 1:
            raise ModelError(f"{path.name}: no data.pkl inside; not a torch checkpoint")
        prefix = pkl[0][: -len("data.pkl")]
        records = {
            n[len(prefix) + len("data/") :]: info
            for n, info in names.items()
            if n.startswith(prefix + "data/") and not n.endswith("/")
        }
        try:
            big_endian = False
            order = names.get(prefix + "byteorder")
            if order is not None and order.file_size <= 16:
                big_endian = zf.read(order).strip() == b"big"
            if names[pkl[0]].file_size > MAX_PICKLE_BYTES:
                raise UnsafeCheckpointError(f"{path.name}: data.pkl is larger than any state dict's")
            with zf.open(names[pkl[0]]) as member:
                data = member.read(MAX_PICKLE_BYTES + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise ModelError(f"{path.name}: damaged checkpoint archive ({exc})") from None
        unpickler = _RestrictedUnpickler(data, records, big_endian)
        try:
            obj = unpickler.load()
        except UnsafeCheckpointError:
            raise
        except (
            pickle.UnpicklingError,
            EOFError,
            TypeError,
            ValueError,
            AttributeError,
            IndexError,
            KeyError,
            MemoryError,
            RecursionError,
            OverflowError,
        ) as exc:
            raise ModelError(f"{path.name}: unreadable checkpoint ({type(exc).__name__})") from None
        if not isinstance(obj, dict):
            raise UnsafeCheckpointError(f"{path.name}: checkpoint does not hold a state dict")
        if len(obj) > MAX_TENSORS:
            raise UnsafeCheckpointError(f"{path.name}: {len(obj):,} tensors; not a model's state dict")
        for k, v in obj.items():
            if not isinstance(k, str) or not isinstance(v, _TensorRef):
                raise UnsafeCheckpointError(f"{path.name}: state dict holds something other than tensors")
        stored = sum(s.numel * s.dtype.itemsize for s in unpickler.storages.values())
        if stored > path.stat().st_size:
            raise UnsafeCheckpointError(
                f"{path.name}: its storages claim {stored:,} bytes, more than the file's "
                f"{path.stat().st_size:,} (compressed records; torch.save never writes those)"
            )
        wanted = {k: v for k, v in obj.items() if accept(k, v.size)}
        # Distinct views that together describe more elements than the file holds would
        # multiply its bytes (tied weights are one view and count once).
        described = sum(t.numel * t.storage.dtype.itemsize for t in set(wanted.values()))
        if described > path.stat().st_size:
            raise UnsafeCheckpointError(
                f"{path.name}: its tensors describe {described:,} bytes, more than the file's "
                f"{path.stat().st_size:,} (views sharing storage)"
            )
        reader = _StorageReader(path, zf, records)
        try:
            done: dict[_TensorRef, np.ndarray] = {}  # tied weights are one view: read once
            out: dict[str, np.ndarray] = {}
            for k, v in wanted.items():
                if v not in done:
                    done[v] = convert(reader.tensor(v))
                out[k] = done[v]
            return out
        except (OSError, ValueError, zipfile.BadZipFile, EOFError, RuntimeError) as exc:
            raise ModelError(f"{path.name}: damaged checkpoint archive ({exc})") from None
        finally:
            reader.close()


def read_safetensors(
    path: Path, accept: Accept = _accept_all, convert: Callable[[np.ndarray], np.ndarray] = _as_is
) -> dict[str, np.ndarray]:
    """Tensors of a safetensors file; ``accept`` sees each shape before its bytes are read."""
    from safetensors import safe_open

    out: dict[str, np.ndarray] = {}
    try:
        with safe_open(str(path), framework="np") as f:
            keys = list(f.keys())
            if len(keys) > MAX_TENSORS:
                raise UnsafeCheckpointError(f"{path.name}: {len(keys):,} tensors; not a model's weights")
            for key in keys:
                shape = tuple(int(n) for n in f.get_slice(key).get_shape())
                if accept(key, shape):
                    out[key] = convert(f.get_tensor(key))
    except ModelError:
        raise
    except Exception as exc:  # safetensors raises its own SafetensorError / TypeError
        raise ModelError(f"{path.name}: unreadable safetensors file ({_first_line(exc)})") from None
    return out


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__


def read_weights(path: Path, accept: Accept = _accept_all, keep_half: bool = False) -> dict[str, np.ndarray]:
    """A state dict as float32 numpy arrays (other dtypes as stored), from safetensors or a
    torch zip checkpoint; each tensor is widened as it is read, so half-precision files never
    hold both copies of everything at once. ``keep_half``: float16 tensors stay float16 (the
    converter widens them one at a time while quantizing, so a float32 copy of the whole model
    is never held: 465 MB less for tc-big)."""
    path = Path(path)
    wide = (np.float64,) if keep_half else (np.float16, np.float64)

    def widen(v: np.ndarray) -> np.ndarray:
        return v.astype(np.float32) if v.dtype in wide else v

    if path.suffix == ".safetensors":
        return read_safetensors(path, accept, widen)
    return read_torch_zip(path, accept, widen)
