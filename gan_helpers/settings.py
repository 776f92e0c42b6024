"""Run profile, device, hyperparameters and the project's paths (introduced in notebook 01).

One environment variable, ``GAN_PROFILE``, picks the scale of every notebook:

- ``full``: the book's values, plus the course's additions marked "(course)"; meant for a CUDA GPU;
- ``quick``: sized for a 2-core laptop CPU, minutes per notebook;
- ``smoke``: seconds per notebook, for CI; proves that every cell runs.

Without the variable: ``full`` when PyTorch sees a CUDA GPU, ``quick`` otherwise (Apple's MPS
included: the course has no measurement there, so it never starts hours of work unannounced).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from .course.knobs import Hyperparameters, check

PROFILES = ("smoke", "quick", "full")


def get_profile() -> str:
    """The run profile named by ``GAN_PROFILE``, or the default for this machine."""
    name = os.environ.get("GAN_PROFILE", "").strip().lower()
    if not name:
        return "full" if get_device().type == "cuda" else "quick"
    if name not in PROFILES:
        raise ValueError(
            f"GAN_PROFILE={os.environ['GAN_PROFILE']!r} is not a profile. "
            f"Valid profiles: {', '.join(PROFILES)} (smoke: seconds, for CI; "
            "quick: minutes on a laptop CPU; full: the book's values and the course's "
            "additions, for a GPU). "
            "Set it before starting Jupyter, e.g. `GAN_PROFILE=quick make lab`, "
            "or unset it to get the default for this machine."
        )
    return name


def _devices_here() -> list[str]:
    here = ["cpu"]
    if torch.cuda.is_available():
        here.append("cuda")
    if torch.backends.mps.is_available():
        here.append("mps")
    return here


def get_device() -> torch.device:
    """CUDA if present, then Apple MPS, then the CPU; ``GAN_DEVICE`` (``cpu``, ``cuda``,
    ``cuda:1``, ``mps``) overrides the choice."""
    forced = os.environ.get("GAN_DEVICE", "").strip().lower()
    if forced:
        here = _devices_here()
        try:
            device = torch.device(forced)
        except RuntimeError:
            device = None
        if device is None or device.type not in here:
            raise ValueError(f"GAN_DEVICE={os.environ['GAN_DEVICE']!r} is not a device this "
                             f"machine has; valid here: {', '.join(here)}. Set one of them, or "
                             "unset GAN_DEVICE to choose automatically.")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def _is_course(folder: Path) -> bool:
    return (folder / "pyproject.toml").is_file() and (folder / "gan_helpers").is_dir()


def project_root() -> Path:
    """The course folder: ``GAN_COURSE_ROOT`` if set; else the copy of the course the kernel runs
    in (its working directory or a folder above it), so that on a server where the package is
    installed once each learner's copy keeps its own ``files/``; else the copy holding this
    package; else the working directory."""
    if os.environ.get("GAN_COURSE_ROOT"):
        return Path(os.environ["GAN_COURSE_ROOT"]).expanduser().resolve()
    here = Path.cwd().resolve()
    package_copy = Path(__file__).resolve().parent.parent
    for folder in (*[here, *here.parents], package_copy):
        if _is_course(folder):
            return folder
    return here


def data_dir() -> Path:
    """Where datasets are read from: ``GAN_DATA_DIR`` if set (a shared folder, maybe read-only),
    else the course's ``data/`` folder."""
    if shared_data():
        return Path(os.environ["GAN_DATA_DIR"].strip()).expanduser().resolve()
    return project_root() / "data"


def shared_data() -> bool:
    """True when ``GAN_DATA_DIR`` names a data folder shared by a class: notebooks only read it."""
    return bool(os.environ.get("GAN_DATA_DIR", "").strip())


def own_data_dir() -> Path:
    """The learner's own data folder, ``data/`` in the course folder: where the data the course
    makes for itself (procedural faces) is written when ``GAN_DATA_DIR`` points elsewhere, so that
    a shared folder is only ever read."""
    return project_root() / "data"


def output_dir() -> Path:
    """Where notebooks write checkpoints and figures (``files/``, as in the book), created if
    missing.

    The ``smoke`` profile writes to ``files/smoke/`` instead, so that a test run never replaces
    a learner's checkpoints (notebook 04 reuses the scorer it trained) with its tiny ones.
    """
    path = project_root() / "files"
    if get_profile() == "smoke":
        path = path / "smoke"
    path.mkdir(parents=True, exist_ok=True)
    return path


def trained_dirs() -> list[Path]:
    """Where a trained model is looked for, in this order (notebook 02, ``hp.train = False``):
    the learner's own ``output_dir()``; the same place in ``GAN_MODELS_DIR``, a folder of trained
    models that a teacher shares with a class (laid out like ``files/``; read-only is fine:
    loading never writes); and, in the ``quick`` profile, ``pretrained/`` in the course folder,
    the generators that ship with the course (``make pretrained`` writes them)."""
    own = output_dir()
    folders = [own]
    shared = os.environ.get("GAN_MODELS_DIR", "").strip()
    if shared:
        teacher = Path(shared).expanduser().resolve()
        folders.append(teacher / own.relative_to(project_root() / "files"))
    if get_profile() == "quick":
        folders.append(project_root() / "pretrained")
    return folders


def choose(
    book: dict[str, Any],
    *,
    course: dict[str, Any] | None = None,
    speed: dict[str, Any] | None = None,
    quick: dict[str, Any] | None = None,
    smoke: dict[str, Any] | None = None,
    full: dict[str, Any] | None = None,
    profile: str | None = None,
    show: bool = True,
) -> Hyperparameters:
    """The hyperparameters for a profile, printed beside the book's.

    ``book`` holds the book's values; ``course`` what the course adds to the book and ``speed``
    the switches that change how fast training runs, not the maths (both shown with "-"
    as the book's value). ``full`` uses them unchanged but for the values in ``full``; ``quick``
    changes the values in ``quick``; ``smoke`` starts from ``quick`` and changes those in
    ``smoke`` too. Returns the table as ``Hyperparameters`` (``hp.lr``), which the learner may
    edit before training. Every value is checked (``course.knobs``): one the notebook cannot use
    raises ``HyperparameterError`` naming ``hp.<name>``, now and whenever the learner sets it.
    """
    profile = profile or get_profile()
    if profile not in PROFILES:
        raise ValueError(f"profile={profile!r} is not a profile; they are {', '.join(PROFILES)}")
    course, speed = course or {}, speed or {}
    known = {**book, **course, **speed}
    if len(known) < len(book) + len(course) + len(speed):
        twice = [name for name in known if (name in book) + (name in course) + (name in speed) > 1]
        raise KeyError(f"{twice} must be named once, in book, course or speed")
    quick, smoke = quick or {}, smoke or {}
    changes = {"full": full or {}, "quick": quick, "smoke": {**quick, **smoke}}
    unknown = sorted({name for values in changes.values() for name in values} - set(known))
    if unknown:
        raise KeyError(f"{unknown} are not hyperparameters of this notebook; "
                       f"they are: {sorted(known)}")
    values = {**known, **changes[profile]}
    declared = {name: [default, *(c[name] for c in changes.values() if name in c)]
                for name, default in known.items()}
    for name, value in values.items():
        check(name, value, declared[name])
    if show:
        _print_table(book, course, speed, values, changed=changes[profile], profile=profile)
    hp = Hyperparameters(**values)
    hp._declared = declared
    return hp


def _print_table(book: dict, course: dict, speed: dict, values: dict, changed: dict,
                 profile: str) -> None:
    width = max(len("hyperparameter"), *(len(name) for name in values))
    column = max(16, len(profile) + 9, *(len(str(value)) for value in values.values()))
    print(f"{'hyperparameter':<{width}}  {'book':>10}  {profile + ' (in use)':>{column}}")
    for group, note in ((book, ""), (course, "  (course)"), (speed, "")):
        if group is speed and speed:
            print("speed switches: how fast a step runs; the maths stays the same")
        for name, default in group.items():
            in_book = name in book
            mark = "  <- changed" if name in changed and changed[name] != default else note
            shown = str(book[name]) if in_book else "-"
            print(f"{name:<{width}}  {shown:>10}  {values[name]!s:>{column}}{mark}")
