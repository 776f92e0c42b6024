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


def report(device: torch.device, what: str, images: int, book: float, course: float) -> None:
    """The device and versions, both loops' seconds and images per second, and the ratio book/course."""
    print(f"device {device} ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads), "
          f"torch {torch.__version__}, torchvision {torchvision.__version__}")
    print(f"{what}:")
    for name, seconds in (("book-style loop", book), ("course loop", course)):
        print(f"  {name:16} {seconds:7.2f} s  {images / seconds:>9,.0f} images/s")
    print(f"  ratio book/course: {book / course:.2f}x")
