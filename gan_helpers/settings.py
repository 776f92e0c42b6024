"""Run profile, device, seeding and the project's paths (introduced in notebook 01).

One environment variable, ``GAN_PROFILE``, picks the scale of every notebook:

- ``full``: the book's values, exactly; meant for a GPU;
- ``quick``: sized for a 2-core laptop CPU, minutes per notebook;
- ``smoke``: seconds per notebook, for CI; proves that every cell runs.

Without the variable: ``full`` when an accelerator is present, ``quick`` otherwise.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import torch

PROFILES = ("smoke", "quick", "full")


def has_accelerator() -> bool:
    """True when PyTorch sees a CUDA GPU or Apple's MPS."""
    return torch.cuda.is_available() or torch.backends.mps.is_available()


def get_profile() -> str:
    """The run profile named by ``GAN_PROFILE``, or the default for this machine."""
    name = os.environ.get("GAN_PROFILE", "").strip().lower()
    if not name:
        return "full" if has_accelerator() else "quick"
    if name not in PROFILES:
        raise ValueError(
            f"GAN_PROFILE={os.environ['GAN_PROFILE']!r} is not a profile. "
            f"Valid profiles: {', '.join(PROFILES)} (smoke: seconds, for CI; "
            "quick: minutes on a laptop CPU; full: the book's values, for a GPU). "
            "Set it before starting Jupyter, e.g. `GAN_PROFILE=quick make lab`, "
            "or unset it to get the default for this machine."
        )
    return name


def get_device() -> torch.device:
    """CUDA if present, then Apple MPS, then the CPU; ``GAN_DEVICE`` overrides the choice."""
    forced = os.environ.get("GAN_DEVICE", "").strip()
    if forced:
        return torch.device(forced)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def keep_freed_memory() -> bool:
    """Let this process keep the memory it frees, for the next batch to reuse (introduced in notebook 07).

    A training step frees tensors of tens of megabytes and allocates the same sizes again in the next
    step. By default Linux's C library returns such blocks to the system at once and gets them back as
    fresh pages, which the system must clear one by one: at 256x256 that is a tenth of the step. This
    asks the C library (glibc's ``mallopt``) to serve every block from its own heap, never from pages
    mapped for that block alone, and to keep up to 1 GiB of freed memory there. It changes no number
    the model computes; the process's memory stays near its peak. Returns False, changing nothing,
    where the C library is not glibc (macOS, Windows).
    """
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_MAX = -1, -2, -4  # glibc's malloc.h
    options = ((M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, 1 << 30), (M_TOP_PAD, 1 << 30))
    return all(mallopt(option, value) == 1 for option, value in options)


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's random generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def project_root() -> Path:
    """The course folder: ``GAN_COURSE_ROOT`` if set, else the folder holding this package."""
    if os.environ.get("GAN_COURSE_ROOT"):
        return Path(os.environ["GAN_COURSE_ROOT"]).expanduser().resolve()
    here = Path(__file__).resolve().parent.parent
    if (here / "pyproject.toml").is_file():
        return here
    return Path.cwd()


def data_dir() -> Path:
    """Where datasets are kept (``data/``, git-ignored but for its README)."""
    return project_root() / "data"


def output_dir() -> Path:
    """Where notebooks write checkpoints and figures (``files/``, as in the book); created if missing.

    The ``smoke`` profile writes to ``files/smoke/`` instead, so that a test run never replaces
    a learner's checkpoints (notebook 04 reuses notebook 01's classifier) with its tiny ones.
    """
    path = project_root() / "files"
    if get_profile() == "smoke":
        path = path / "smoke"
    path.mkdir(parents=True, exist_ok=True)
    return path


def choose(
    book: dict[str, Any],
    *,
    course: dict[str, Any] | None = None,
    quick: dict[str, Any] | None = None,
    smoke: dict[str, Any] | None = None,
    profile: str | None = None,
    show: bool = True,
) -> SimpleNamespace:
    """The hyperparameters for a profile, printed beside the book's.

    ``full`` uses ``book`` unchanged, plus ``course``: values of what the course adds to the
    book (shown with "-" as the book's value). ``quick`` changes the values in ``quick``;
    ``smoke`` starts from ``quick`` and changes those in ``smoke`` too.
    Returns a namespace (``hp.lr``) that the learner may edit before training.
    """
    profile = profile or get_profile()
    course, quick, smoke = course or {}, quick or {}, smoke or {}
    known = {**book, **course}
    unknown = sorted((set(quick) | set(smoke)) - set(known))
    if unknown or set(book) & set(course):
        raise KeyError(f"{unknown or sorted(set(book) & set(course))} must be named once, in book or course: "
                       f"{sorted(known)}")
    changes = {"full": {}, "quick": quick, "smoke": {**quick, **smoke}}[profile]
    values = {**known, **changes}
    if show:
        width = max(len("hyperparameter"), *(len(name) for name in values))
        print(f"{'hyperparameter':<{width}}  {'book':>10}  {profile + ' (in use)':>16}")
        for name, value in values.items():
            in_book = name in book
            mark = "  <- changed" if name in changes and changes[name] != known[name] else ""
            mark = mark or ("" if in_book else "  (course)")
            print(f"{name:<{width}}  {(str(book[name]) if in_book else '-'):>10}  {value!s:>16}{mark}")
    return SimpleNamespace(**values)
