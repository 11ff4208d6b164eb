"""Optional native kernels (C with OpenMP) for the softmax overlap statistics; eager torch is the fallback.

``overlap.c`` fuses what the eager path does in several passes (softmax, gather, per-class sums; and the
in-place softmax backward) into one pass each over the logits. It is compiled on first use with the
system C compiler (``$CC``, else ``cc``; about a second) into a per-user cache
(``$LOSSLAB_CACHE_DIR``, else ``$XDG_CACHE_HOME/losslab`` or ``~/.cache/losslab``), keyed by the source,
the compiler, the flags and the CPU's feature flags, so a shared home directory on machines with
different CPUs gets one build per CPU kind. Builds try, best first: AVX2 + FMA with glibc's vector math
(``libmvec``), then plain ``-O3`` with OpenMP, then without OpenMP.

Set ``LOSSLAB_NATIVE=0`` to always use the torch implementation. When no build succeeds, one
``RuntimeWarning`` says why and the torch implementation is used; results agree to rounding (tested).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
import threading
import warnings
from pathlib import Path

import torch

__all__ = ["softmax_index_kernels"]

_SOURCE = Path(__file__).with_name("overlap.c")
_COMMON = ["-O3", "-shared", "-fPIC", "-fno-math-errno", "-fno-trapping-math"]
_lock = threading.Lock()
_state: dict[str, object] = {}


def enabled() -> bool:
    """Whether native kernels may be used (``LOSSLAB_NATIVE`` is not ``0``)."""
    return os.environ.get("LOSSLAB_NATIVE", "1").strip().lower() not in ("0", "false", "no", "off")


def softmax_index_kernels(dtype: torch.dtype) -> tuple[object, object] | None:
    """``(forward, backward)`` ctypes functions for ``dtype`` (float32/float64), or ``None``."""
    if dtype not in (torch.float32, torch.float64) or not enabled():
        return None
    lib = _library()
    if lib is None:
        return None
    suffix = "f32" if dtype == torch.float32 else "f64"
    return getattr(lib, f"softmax_index_forward_{suffix}"), getattr(lib, f"softmax_index_backward_{suffix}")


def _library() -> ctypes.CDLL | None:
    with _lock:
        if "lib" not in _state:
            try:
                _state["lib"] = _load()
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


def _candidates() -> list[list[str]]:
    flags = _cpu_flags().split()
    out = []
    if platform.system() == "Linux" and platform.machine() == "x86_64" and {"avx2", "fma"} <= set(flags):
        out.append(["-mavx2", "-mfma", "-fopenmp", "-DLOSSLAB_MVEC", "-lmvec"])
    out += [["-fopenmp"], []]
    return out


def _load() -> ctypes.CDLL:
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        raise RuntimeError(f"no C compiler {cc!r} on PATH")
    source = _SOURCE.read_bytes()
    cache = _cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    errors = []
    for extra in _candidates():
        key = hashlib.sha256(b"\0".join([source, cc.encode(), " ".join(extra).encode(),
                                         _cpu_flags().encode()])).hexdigest()[:16]
        target = cache / f"overlap-{key}.so"
        if not target.exists():
            fd, tmp = tempfile.mkstemp(suffix=".so", dir=cache)
            os.close(fd)
            cmd = [cc, *_COMMON, str(_SOURCE), "-o", tmp, *extra, "-lm"]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            if done.returncode != 0:
                os.unlink(tmp)
                errors.append(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed")
                continue
            os.replace(tmp, target)  # atomic: concurrent processes build the same file
        try:
            lib = ctypes.CDLL(str(target))
        except OSError as exc:  # e.g. built against a library the loader cannot find
            errors.append(str(exc))
            continue
        _declare(lib)
        return lib
    raise RuntimeError(f"{cc} could not build {_SOURCE.name}: {'; '.join(errors)}")


def _declare(lib: ctypes.CDLL) -> None:
    p, i64, i32 = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int
    for suffix in ("f32", "f64"):
        fwd = getattr(lib, f"softmax_index_forward_{suffix}")
        fwd.argtypes = [p, p, p, i64, i64, i64, i32, p, p, p, p, p, i32]
        fwd.restype = i32
        bwd = getattr(lib, f"softmax_index_backward_{suffix}")
        bwd.argtypes = [p, p, p, i64, i64, i64, i32, p, p, p, i32]
        bwd.restype = None
