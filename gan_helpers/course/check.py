"""``python -m gan_helpers.course.check`` (or ``make check``): is this machine ready for the course?

Prints one line per check, ``OK``, ``NOTE`` (works, but worth knowing) or ``FIX`` (with what to
do), and exits with 1 if anything needs fixing. It reads and looks; it never downloads or changes
anything. Introduced in the README (its troubleshooting section).
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

Line = tuple[str, str]  # (status, message)


def check_python() -> list[Line]:
    return [("OK", f"Python {platform.python_version()} at {sys.executable}")]


def check_packages() -> list[Line]:
    """torch and torchvision import together (a CPU-only torch beside the registry's torchvision
    does not)."""
    lines = []
    packages = ("torch", "torchvision", "torchmetrics", "numpy", "matplotlib", "tqdm", "ipywidgets",
                "jupyterlab")
    for name in packages:
        try:
            module = importlib.import_module(name)
        except Exception as error:  # ImportError, or "operator torchvision::nms does not exist"
            if name == "torchvision":
                fix = ("torch and torchvision must come from the same place: `pip install "
                       "--force-reinstall torch torchvision` (no CPU-only torch index)")
            else:
                fix = "run `make install`"
            why = f"{type(error).__name__}: {error}"
            lines.append(("FIX", f"{name} does not import ({why}); {fix}"))
        else:
            lines.append(("OK", f"{name} {getattr(module, '__version__', '')}"))
    return lines


def check_device() -> list[Line]:
    from .. import settings

    try:
        device, profile = settings.get_device(), settings.get_profile()
    except ValueError as error:  # GAN_DEVICE or GAN_PROFILE names something that is not there
        return [("FIX", str(error))]
    line = f"device {device}"
    if device.type == "cuda":
        import torch

        line += f" ({torch.cuda.get_device_name(device)})"
        return [("OK", line), ("OK", f"profile {profile}")]
    why = ("no GPU found" if device.type == "cpu" else
           "Apple's GPU (MPS): the course has not measured it, so it does not start hours of work")
    return [("NOTE", f"{line}: {why}, so the default profile is `quick` (minutes per notebook); "
                     "`full` is the book's scale and needs a CUDA GPU"),
            ("OK", f"profile {profile}")]


def check_data() -> list[Line]:
    from .. import settings
    from . import prepare

    raw_dir = prepare.fashion_mnist_raw_dir()
    problems = {name: prepare.problem_with(raw_dir / name) for name in prepare.FASHION_FILES}
    system = prepare.SYSTEM_FASHION_MNIST
    if not any(problems.values()):
        lines = [("OK", f"Fashion-MNIST in {raw_dir}")]
    elif all(p == "missing" for p in problems.values()) and system.is_dir():
        lines = [("NOTE", f"Fashion-MNIST not prepared yet; `make data` copies it from {system}")]
    else:
        listing = ", ".join(f"{name} {problem}" for name, problem in problems.items() if problem)
        lines = [("FIX", f"Fashion-MNIST in {raw_dir}: {listing}. Run `make data`; without a "
                         "network: `sudo apt-get install dataset-fashion-mnist` first, or copy "
                         "the four files there")]
    for dataset, (folder, expected) in prepare.FACE_DATASETS.items():
        root = settings.data_dir() / folder
        notebook = prepare.FACE_NOTEBOOKS[dataset]
        if not root.exists():
            lines.append(("NOTE", f"no {root}: notebook {notebook} trains on procedural faces "
                                  f"instead (the book's Kaggle {dataset} faces: see "
                                  "data/README.md)"))
            continue
        try:
            classes = prepare.check_image_folder(root, expected)
        except prepare.DatasetError as error:
            lines.append(("FIX", str(error)))
        else:
            lines.append(("OK", f"{dataset} faces in {root} (class folders: {', '.join(classes)})"))
    return lines


def check_kernel() -> list[Line]:
    """The Jupyter kernel ``python3`` that the notebooks ask for must be a Python that has
    ``gan_helpers``."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        spec = KernelSpecManager().get_kernel_spec("python3")
    except Exception as error:
        return [("FIX", f"no Jupyter kernel `python3` ({error}); run `make install`")]
    python = spec.argv[0]
    if python in ("python", "python3", "{python}"):
        python = sys.executable  # ipykernel's built-in spec: the Python that starts Jupyter
    probe = "import gan_helpers, json; print(json.dumps(gan_helpers.__file__))"
    found = subprocess.run([python, "-c", probe], capture_output=True, text=True)
    if found.returncode != 0:
        return [("FIX", f"the notebooks' kernel runs {python}, which cannot import gan_helpers. "
                        "Start Jupyter from the course's environment (`make lab`), or choose "
                        "its kernel in JupyterLab (Kernel > Change Kernel)")]
    return [("OK", f"Jupyter kernel python3 runs {python} and imports gan_helpers from "
                   f"{Path(json.loads(found.stdout)).parent}")]


CHECKS: dict[str, Callable[[], list[Line]]] = {
    "python": check_python, "packages": check_packages, "device": check_device,
    "data": check_data, "kernel": check_kernel,
}


def main() -> int:
    profile = os.environ.get("GAN_PROFILE", "") or "unset"
    print(f"GAN course environment check (GAN_PROFILE={profile})")
    statuses = []
    for name, check in CHECKS.items():
        try:
            lines = check()
        except Exception as error:  # a check that breaks is itself something to fix
            lines = [("FIX", f"the {name} check failed: {type(error).__name__}: {error}")]
        for status, message in lines:
            statuses.append(status)
            print(f"{status:>4}  {message}")
    to_fix = statuses.count("FIX")
    print("ready" if not to_fix else f"{to_fix} thing(s) to fix, listed above as FIX")
    return 1 if to_fix else 0


if __name__ == "__main__":
    sys.exit(main())
