"""Optional native kernels (C with OpenMP) for the overlap statistics and the focal losses; eager torch is
the fallback.

``overlap.c`` fuses what the eager path does in several passes (softmax or sigmoid, gather, per-class sums,
the binary or softmax cross-entropy sums; the focal losses' per-pixel terms; and the backward) into one
pass each way over the logits. The softmax kernels keep nothing logits-sized between the passes (the backward
recomputes the softmax from the logits); the sigmoid kernels write the probabilities and turn them into the
gradient in place. The losses use them from :data:`MIN_PIXELS` pixels per image. It is compiled on first
use with the system C compiler (``$CC``, else ``cc``; a second or two) into a per-user cache
(``$LOSSLAB_CACHE_DIR``, else ``$XDG_CACHE_HOME/losslab`` or ``~/.cache/losslab``), keyed by the source,
the compiler, the flags and the CPU's feature flags, so a shared home directory on machines with
different CPUs gets one build per CPU kind; a new build deletes the builds unused for 30 days. Builds try,
best first: AVX-512, then AVX2 + FMA, with glibc's vector math (``libmvec``: vector ``exp``/``log``), then
plain ``-O3`` with OpenMP, then without OpenMP.

Set ``LOSSLAB_NATIVE=0`` to always use the torch implementation. When no build succeeds, one
``RuntimeWarning`` says why and the torch implementation is used; results agree to rounding (tested).
"""

from __future__ import annotations

import ctypes
import hashlib
import math
import os
import platform
import shutil
import subprocess
import tempfile
import threading
import time
import warnings
from pathlib import Path

import torch

__all__ = ["GRAIN", "MIN_PIXELS", "address", "check_allocated", "double_arg", "int64_arg", "kernels", "threads",
           "worthwhile"]

_SOURCE = Path(__file__).with_name("overlap.c")
_COMMON = ["-O3", "-shared", "-fPIC", "-fno-math-errno", "-fno-trapping-math"]
#: Pixels per image (the product of the spatial sizes) from which the losses use the kernels. Below, torch's
#: own kernels are faster: a block of the kernels is one image's pixels, too short to vectorise, and their
#: per-block overhead dominates; for (N, C) logits (one pixel per image) the kernels measured 2-6x slower
#: than the torch path, at 32 pixels 0.6-1.2x, from 64 pixels 0.5-0.95x (forward + backward, C = 4-100).
MIN_PIXELS = 64
#: Elements below which a kernel runs on one thread, as torch's ``at::parallel_for`` grain size: for fewer,
#: waking the thread team costs more than it saves, and with several processes on few cores (pytest-xdist,
#: one process per GPU-less rank) the idle threads' spinning made many small calls 17x slower (measured).
GRAIN = 32768
_lock = threading.Lock()
_state: dict[str, object] = {}


def enabled() -> bool:
    """Whether native kernels may be used (``LOSSLAB_NATIVE`` is not ``0``)."""
    return os.environ.get("LOSSLAB_NATIVE", "1").strip().lower() not in ("0", "false", "no", "off")


def kernels(activation: str, dtype: torch.dtype, target_dtype: torch.dtype | None = None
            ) -> tuple[object, object] | None:
    """``(forward, backward)`` ctypes functions, or ``None`` when there are none (or they are off).

    ``activation="softmax"``: the overlap statistics with class-index targets (int64); ``"softmax_focal"``:
    the focal loss with class-index targets; ``"sigmoid"``: the overlap statistics with masks of
    ``target_dtype`` equal to ``dtype`` or ``torch.uint8``/``torch.bool``; ``"sigmoid_focal"``: ``(fn,)``,
    the elementwise sigmoid focal loss and its derivative (targets of ``dtype``). ``dtype``: the logits'
    dtype, float32 or float64.
    """
    if dtype not in (torch.float32, torch.float64) or not enabled():
        return None
    suffix = "f32" if dtype == torch.float32 else "f64"
    if activation == "softmax_focal":
        names = (f"softmax_focal_forward_{suffix}", f"softmax_focal_backward_{suffix}")
    elif activation == "sigmoid_focal":  # one elementwise function: the loss and its derivative
        names = (f"sigmoid_focal_{suffix}",)
    elif activation == "sigmoid":
        if target_dtype in (torch.uint8, torch.bool):
            suffix += "u8"
        elif target_dtype != dtype:
            return None
        names = (f"sigmoid_forward_{suffix}", f"sigmoid_backward_{suffix}")
    else:
        names = (f"softmax_index_forward_{suffix}", f"softmax_index_backward_{suffix}")
    lib = _library()
    return None if lib is None else tuple(getattr(lib, name) for name in names)


def threads(numel: int) -> int:
    """Threads for a kernel call over ``numel`` elements: ``torch.get_num_threads()``, 1 below :data:`GRAIN`."""
    return 1 if numel < GRAIN else torch.get_num_threads()


def worthwhile(x: torch.Tensor, elementwise: bool = False) -> bool:
    """Whether the kernels can and should take logits ``x``: on the CPU, contiguous, non-empty, with at least
    :data:`MIN_PIXELS` pixels per image of ``(N, C, *spatial)`` (``elementwise=True``: elements in all)."""
    size = x.numel() if elementwise else math.prod(x.shape[2:])
    return x.device.type == "cpu" and x.is_contiguous() and x.numel() > 0 and size >= MIN_PIXELS


def address(t: torch.Tensor | None) -> int | None:
    """A tensor's data pointer for a kernel argument, ``None`` (NULL) for ``None``."""
    return None if t is None else t.data_ptr()


def check_allocated(failed: int) -> None:
    """Raise ``MemoryError`` when a kernel reports that it could not allocate its work buffers."""
    if failed:
        raise MemoryError("losslab: a native kernel could not allocate its work buffers")


def int64_arg(index: int) -> int:
    """``index`` clamped to int64 (ctypes would wrap it): beyond, no int64 target equals it; a target at the
    bound itself is caught by the callers from the kernel's count of the pixels it counted."""
    return min(max(index, -(2**63)), 2**63 - 1)


def double_arg(index: int) -> float:
    """``index`` as a C double for the sigmoid kernels: ±inf beyond the doubles (no mask value equals it)."""
    try:
        return float(index)
    except OverflowError:
        return math.inf if index > 0 else -math.inf


def build_flags() -> list[str] | None:
    """The compiler flags of the loaded native library (building it if needed), or ``None`` without one."""
    return None if _library() is None else list(_state["flags"])  # type: ignore[arg-type]


def _library() -> ctypes.CDLL | None:
    with _lock:
        if "lib" not in _state:
            try:
                _state["lib"], _state["flags"] = _load()
            except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
                _state["lib"] = None
                warnings.warn(f"losslab: native overlap kernels unavailable ({exc}); using the torch "
                              "implementation (set LOSSLAB_NATIVE=0 to silence this)", RuntimeWarning, stacklevel=3)
        return _state["lib"]  # type: ignore[return-value]


def _cache_dir() -> Path:
    if os.environ.get("LOSSLAB_CACHE_DIR"):
        return Path(os.environ["LOSSLAB_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "losslab"


def _cpu_flags() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                return line.split(":", 1)[1]
    except OSError:
        pass
    return platform.processor()


def _candidates(cpu: str) -> list[list[str]]:
    flags = set(cpu.split())
    out = []
    if platform.system() == "Linux" and platform.machine() == "x86_64":  # glibc's libmvec
        if {"avx512f", "avx512dq", "fma"} <= flags:
            out.append(["-mavx512f", "-mavx512dq", "-mfma", "-mprefer-vector-width=512", "-fopenmp",
                        "-DLOSSLAB_MVEC512", "-lmvec"])
        if {"avx2", "fma"} <= flags:
            out.append(["-mavx2", "-mfma", "-fopenmp", "-DLOSSLAB_MVEC", "-lmvec"])
    out += [["-fopenmp"], []]
    return out


def _load(candidates: list[list[str]] | None = None) -> tuple[ctypes.CDLL, list[str]]:
    """Build (or reuse) and load the first candidate flag set that works: ``(library, flags)``."""
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        raise RuntimeError(f"no C compiler {cc!r} on PATH")
    source, cpu = _SOURCE.read_bytes(), _cpu_flags()
    cache = _cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    errors = []
    for extra in _candidates(cpu) if candidates is None else candidates:
        key = hashlib.sha256(b"\0".join([source, cc.encode(), " ".join(extra).encode(),
                                         cpu.encode()])).hexdigest()[:16]
        target = cache / f"overlap-{key}.so"
        if target.exists():
            _touch(target)
        else:
            fd, tmp = tempfile.mkstemp(suffix=".so", dir=cache)
            os.close(fd)
            try:
                cmd = [cc, *_COMMON, str(_SOURCE), "-o", tmp, *extra, "-lm"]
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
                if done.returncode != 0:
                    errors.append(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed")
                    continue
                os.replace(tmp, target)  # atomic: concurrent processes build the same file
                _prune(cache, keep=target)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        try:
            lib = ctypes.CDLL(str(target))
        except OSError as exc:  # e.g. built against a library the loader cannot find
            errors.append(str(exc))
            continue
        _declare(lib)
        return lib, extra
    raise RuntimeError(f"{cc} could not build {_SOURCE.name}: {'; '.join(errors)}")


_STALE_SECONDS = 30 * 24 * 3600


def _touch(path: Path) -> None:
    """Mark a cached build as used (its mtime), so that :func:`_prune` keeps it."""
    try:
        os.utime(path)
    except OSError:  # a read-only cache still serves
        pass


def _prune(cache: Path, keep: Path) -> None:
    """Delete cached builds unused for 30 days (other losslab versions, compilers or CPUs leave them behind).

    Each use refreshes a build's mtime; a pruned build that is wanted again is rebuilt in a second or two. A
    process that has loaded a pruned file keeps its mapping (POSIX unlink semantics).
    """
    cutoff = time.time() - _STALE_SECONDS
    for old in cache.glob("overlap-*.so"):
        try:
            if old != keep and old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:  # vanished meanwhile, or not ours to delete
            pass


def _declare(lib: ctypes.CDLL) -> None:
    p, i64, i32, f64 = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int, ctypes.c_double
    signatures = {"softmax_index_forward": ([p, p, i64, i64, i64, i64, i32, p, p, p, p, p, i32], i32),
                  "softmax_index_backward": ([p, p, i64, i64, i64, i64, i32, p, p, p, p, i32], i32),
                  "sigmoid_forward": ([p, p, f64, p, i64, i64, i64, i32, p, p, p, p, p, p, p, i32], i32),
                  "sigmoid_backward": ([p, p, f64, p, i64, i64, i64, i32, p, p, p, i32], None),
                  "softmax_focal_forward": ([p, p, i64, i64, i64, i64, f64, p, p, p, p, p, i32], i32),
                  "softmax_focal_backward": ([p, p, i64, i64, i64, i64, p, p, f64, p, i32], i32),
                  "sigmoid_focal": ([p, p, i64, f64, f64, p, p, i32], None)}
    for name, (argtypes, restype) in signatures.items():
        for suffix in ("f32", "f64", "f32u8", "f64u8"):
            if suffix.endswith("u8") and name not in ("sigmoid_forward", "sigmoid_backward"):
                continue
            fn = getattr(lib, f"{name}_{suffix}")
            fn.argtypes, fn.restype = argtypes, restype
