"""What every speed benchmark shares: timing a loop (waiting for the GPU) and printing the comparison."""

from __future__ import annotations

import platform
import time

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
    """The device, the CPU and its threads, and the versions of torch and torchvision, in one line."""
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else cpu_name()
    return (f"device {device} ({name}, {torch.get_num_threads()} CPU threads), "
            f"torch {torch.__version__}, torchvision {torchvision.__version__}")


def report(what: str, images: int, book: float, course: float, epoch_images: int | None = None) -> float:
    """Both loops' seconds and images per second, the time of a whole epoch of ``epoch_images`` (scaled from
    the timed ``images``) if given, and the ratio book/course, which it returns."""
    print(f"{what}:")
    for name, seconds in (("book-style loop", book), ("course loop", course)):
        epoch = f"  {seconds * epoch_images / images:8.1f} s per epoch of {epoch_images:,}" if epoch_images else ""
        print(f"  {name:16} {seconds:7.2f} s  {images / seconds:>9,.0f} images/s{epoch}")
    print(f"  ratio book/course: {book / course:.2f}x")
    return book / course
