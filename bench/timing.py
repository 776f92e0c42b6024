"""What the benchmarks share: timing a loop (waiting for the GPU), printing the comparison, and
running the quality studies' trainings side by side."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Iterable
from multiprocessing import Pool

import torch
import torchvision


def timed(run) -> float:
    """Seconds that ``run()`` takes, with the GPU's queued work finished before and after."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start = time.perf_counter()
    run()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start


def cpu_name() -> str:
    """The CPU's model name (Linux), else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe_machine(device: torch.device) -> str:
    """The device, the CPU and its threads, and the versions of torch and torchvision, in one line.
    """
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else cpu_name()
    return (f"device {device} ({name}, {torch.get_num_threads()} CPU threads), "
            f"torch {torch.__version__}, torchvision {torchvision.__version__}")


def report(what: str, images: int, book: float, course: float,
           epoch_images: int | None = None) -> float:
    """Both loops' seconds and images per second, the time of a whole epoch of ``epoch_images``
    (scaled from the timed ``images``) if given, and the ratio book/course, which it returns."""
    print(f"{what}:")
    for name, seconds in (("book-style loop", book), ("course loop", course)):
        epoch = ""
        if epoch_images:
            epoch = f"  {seconds * epoch_images / images:8.1f} s per epoch of {epoch_images:,}"
        print(f"  {name:16} {seconds:7.2f} s  {images / seconds:>9,.0f} images/s{epoch}")
    print(f"  ratio book/course: {book / course:.2f}x")
    return book / course


def _quiet_worker() -> None:
    torch.set_num_threads(1)
    os.environ["TQDM_DISABLE"] = "1"  # the course's progress bars read it at every loop


def in_parallel(function: Callable, jobs: Iterable, processes: int = 2) -> list:
    """``function`` over ``jobs`` in ``processes`` worker processes, one CPU thread and no progress
    bars each: the quality studies, two trainings at a time on a 2-core CPU (not timings)."""
    with Pool(processes, initializer=_quiet_worker) as pool:
        return pool.map(function, list(jobs), chunksize=1)  # long jobs: one at a time each


def book_fashion_loader(batch_size: int):
    """Fashion-MNIST's training images as the book loads them (ch. 2 and 4): torchvision's
    dataset, ``ToTensor`` and ``Normalize`` applied image by image, a shuffled DataLoader."""
    from torch.utils.data import DataLoader
    from torchvision import transforms

    from gan_helpers.course import prepare

    raw_dir = prepare.prepare_fashion_mnist()
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.5], [0.5])])
    book_set = torchvision.datasets.FashionMNIST(raw_dir.parent.parent, train=True,
                                                 transform=transform)
    return DataLoader(book_set, batch_size=batch_size, shuffle=True)
