"""Helpers that several test files share (the fixtures live in conftest.py)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import torch
from torch import nn

ROOT = Path(__file__).resolve().parent.parent  # the course's folder


def skip_or_fail(reason: str, required_by: str) -> None:
    """Skip with ``reason``, or fail where CI set the variable ``required_by`` to 1: there a skip
    would hide a broken set-up."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{required_by}=1 but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on localhost that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pixel_copier() -> nn.Sequential:
    """A G that copies z[0] into the first pixel of a 28x28 image."""
    generator = nn.Sequential(nn.Linear(4, 784, bias=False), nn.Unflatten(1, (1, 28, 28)))
    with torch.no_grad():
        generator[0].weight.zero_()
        generator[0].weight[0, 0] = 1.0
    return generator


def pixel_reader(weights: list[float]) -> nn.Sequential:
    """A classifier whose logit k is the first pixel times weights[k]."""
    classifier = nn.Sequential(nn.Flatten(), nn.Linear(784, len(weights)))
    with torch.no_grad():
        classifier[1].weight.zero_()
        classifier[1].bias.zero_()
        classifier[1].weight[:, 0] = torch.tensor(weights)
    return classifier


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``folder``: relative path -> (size, modification time in ns). Two equal
    listings prove that nothing was written there (``chmod`` proves nothing: tests run as root)."""
    return {path.relative_to(folder).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*"))}


def one_hot_encode(numbers: torch.Tensor, width: int = 100) -> torch.Tensor:
    """A right answer to exercise 3.a's encoder (the check's and the progress tests')."""
    vectors = torch.zeros(len(numbers), width)
    vectors[torch.arange(len(numbers)), numbers] = 1
    return vectors


def one_hot_decode(vectors: torch.Tensor) -> torch.Tensor:
    """A right answer to exercise 3.a's decoder."""
    return vectors.argmax(dim=1)

