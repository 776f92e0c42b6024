"""The datasets of the course in memory, as tensors (Fashion-MNIST and ``TensorLoader``
introduced in notebook 01): images, labels, samplers of points and numbers, and face folders.

``course.prepare`` gets the files onto the machine and checks them (``make data``); this module
reads them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path
from typing import NamedTuple

import torch
from torch.utils.data import TensorDataset

from . import settings
from .course import faces
from .course.prepare import FACE_DATASETS, DatasetError, check_image_folder, prepare_fashion_mnist

FASHION_CLASSES = (
    "t-shirt", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
)


def load_fashion_mnist(train: bool = True,
                       root: Path | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Fashion-MNIST as two tensors, made once: images (N, 1, 28, 28) in [-1, 1] and labels (N,).

    torchvision's ``FashionMNIST`` reads the files ``prepare`` checked; the images are what the
    book's ``ToTensor()`` then ``Normalize([0.5], [0.5])`` give, computed for the whole set at
    once instead of image by image at every epoch.
    """
    from torchvision.datasets import FashionMNIST

    raw_dir = prepare_fashion_mnist(root, write=root is not None or not settings.shared_data())
    dataset = FashionMNIST(str(raw_dir.parent.parent), train=train, download=False)
    images = dataset.data.unsqueeze(1).float().div(255).sub(0.5).div(0.5)
    return images, dataset.targets.long()


class TensorLoader:
    """Mini-batches of tensors already in memory: ``DataLoader(TensorDataset(...))`` without the
    per-item work (notebook 01).

    Each pass draws a fresh order from ``generator`` when ``shuffle``, moved to the tensors'
    device once per pass, so that a GPU never waits for an index per batch.
    """

    def __init__(
        self,
        *tensors: torch.Tensor,
        batch_size: int,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: torch.Generator | None = None,
    ) -> None:
        if not tensors or any(len(t) != len(tensors[0]) for t in tensors):
            raise ValueError("TensorLoader needs tensors with the same first dimension")
        if isinstance(batch_size, bool) or not isinstance(batch_size, Integral) or batch_size < 1:
            raise ValueError(
                f"batch_size={batch_size!r}: a batch is a whole number of examples, at least 1. "
                "In a notebook it comes from the hyperparameter table: set hp.batch_size (or the "
                "table's other *_batch_size) to a whole number such as 64, without quotes, and "
                "run the cells again.")
        self.tensors, self.batch_size = tensors, batch_size
        self.dataset = TensorDataset(*tensors)  # as in DataLoader: len(loader.dataset) is the count
        self.shuffle, self.drop_last, self.generator = shuffle, drop_last, generator

    def __len__(self) -> int:
        count = len(self.tensors[0])
        return count // self.batch_size if self.drop_last else math.ceil(count / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, ...]]:
        count = len(self.tensors[0])
        order = None
        if self.shuffle:
            order = torch.randperm(count, generator=self.generator).to(self.tensors[0].device)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            if order is None:
                yield tuple(t[start : start + self.batch_size] for t in self.tensors)
            else:
                index = order[start : start + self.batch_size]
                yield tuple(t[index] for t in self.tensors)


class FreshBatches:
    """``batches`` batches per pass, each freshly drawn by ``sample()`` (notebook 03): a loader for
    data that can be sampled without end, as the book draws new numbers at every step."""

    def __init__(self, sample: Callable[[], torch.Tensor], batches: int = 1) -> None:
        self.sample, self.batches = sample, batches

    def __len__(self) -> int:
        return self.batches

    def __iter__(self) -> Iterator[tuple[torch.Tensor]]:
        for _ in range(self.batches):
            yield (self.sample(),)


# ---- chapter 3: points on a curve (notebook 02) and numbers as one-hot vectors (notebook 03)


def exponential_curve(x: torch.Tensor) -> torch.Tensor:
    """The book's shape: y = 1.08 ** x (notebook 02)."""
    return 1.08**x


def sample_curve(
    count: int,
    curve=exponential_curve,
    x_range: tuple[float, float] = (0.0, 50.0),
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """``count`` points (x, curve(x)) with x uniform in ``x_range``, as a (count, 2) tensor
    (notebook 02)."""
    low, high = x_range
    x = low + (high - low) * torch.rand(count, generator=generator)
    return torch.stack([x, curve(x)], dim=1)


def one_hot(numbers: torch.Tensor, width: int = 100) -> torch.Tensor:
    """Each number as a float vector of ``width`` zeros with a one at its position (notebook 03)."""
    if numbers.min() < 0 or numbers.max() >= width:
        raise ValueError(f"one_hot needs numbers in 0..{width - 1}, "
                         f"got {numbers.min()}..{numbers.max()}")
    return torch.nn.functional.one_hot(numbers.long(), width).float()


def sample_multiples(
    count: int, multiple: int = 5, width: int = 100, generator: torch.Generator | None = None
) -> torch.Tensor:
    """``count`` numbers drawn uniformly from the multiples of ``multiple`` below ``width``
    (notebook 03).

    The book's ``torch.randint(0, 20, (10,)) * 5`` for ``multiple=5``.
    """
    return torch.randint(0, math.ceil(width / multiple), (count,), generator=generator) * multiple


# ---- face datasets: image folders (notebooks 06 and 07)


class ImageFolderData(NamedTuple):
    """What ``load_image_folder`` returns: uint8 images (N, 3, size, size), ImageFolder's class
    index of each, and the class names."""

    images: torch.Tensor
    labels: torch.Tensor
    classes: list[str]


def load_image_folder(root: Path, size: int = 64,
                      expected: str = "one sub-folder of images per class",
                      count: int | None = None) -> ImageFolderData:
    """The images under ``root``'s class folders, resized to ``size`` x ``size`` (notebook 06): all
    of them, or ``count`` spread evenly over ImageFolder's order (so every class keeps its share).

    Images stay uint8 (a quarter of the memory of floats); ``to_unit_range`` scales them to [-1, 1].
    Files that cannot be read as images (truncated, damaged, or not images) stop it with a
    ``DatasetError`` that lists them.
    """
    from torchvision import datasets, transforms

    check_image_folder(root, expected)
    transform = transforms.Compose([transforms.Resize((size, size)), transforms.PILToTensor()])
    folder = datasets.ImageFolder(str(root), transform=transform)
    total = len(folder)
    if count is None or count >= total:
        indices = list(range(total))
    else:
        indices = torch.linspace(0, total - 1, count).long().tolist()
    loaded, damaged = [], []
    for index in indices:
        try:
            loaded.append(folder[index])
        except (OSError, ValueError, SyntaxError) as error:  # what PIL raises for a bad file
            damaged.append(f"{folder.samples[index][0]} ({error})")
    if damaged:
        raise DatasetError(
            f"{len(damaged)} of the files in {root} cannot be read as images (truncated, damaged, "
            "or not images): " + "; ".join(damaged[:3]) + ("; ..." if len(damaged) > 3 else "")
            + ". Delete them or copy them again, then run the cell again.")
    images, labels = zip(*loaded)
    return ImageFolderData(torch.stack(images), torch.tensor(labels), folder.classes)


@dataclass
class FaceData:
    """A face dataset in memory (notebooks 06 and 07): its name, uint8 images (N, 3, size, size),
    and the attributes known for every image ({name: bool tensor}; empty when the dataset has
    none)."""

    name: str
    images: torch.Tensor
    attributes: dict[str, torch.Tensor]


def load_faces(dataset: str, count: int, size: int = 64, seed: int = faces.COURSE_SEED) -> FaceData:
    """The book's face ``dataset`` ("anime" or "eyeglasses") if its folder is in the data folder,
    else ``count`` procedural faces, made and cached (notebooks 06 and 07); says which.

    A real dataset is used with at most ``count`` images. A folder that is there but laid out
    wrongly stops with a message: the course never falls back to procedural faces without saying
    why.
    """
    if dataset not in FACE_DATASETS:
        raise ValueError(f"dataset={dataset!r}: the book's face datasets are "
                         f"{', '.join(FACE_DATASETS)}")
    folder, expected = FACE_DATASETS[dataset]
    real = settings.data_dir() / folder
    if real.exists():
        loaded = load_image_folder(real, size, expected, count)
        attributes = {}
        if dataset == "eyeglasses":
            attributes = {"glasses": loaded.labels == loaded.classes.index("G")}
        print(f"Using the book's {dataset} faces from {real}: {len(loaded.images):,} images at "
              f"{size}x{size}.")
        return FaceData(f"{dataset} faces", loaded.images, attributes)
    images, attributes, folder = faces.cached_faces(count, seed, size)
    print(f"No {real} folder (the book's Kaggle {dataset} faces): using {len(images):,} "
          f"procedural faces from {folder}. To train on the book's data, see data/README.md.")
    return FaceData("procedural faces", images, attributes)


def to_unit_range(images: torch.Tensor) -> torch.Tensor:
    """uint8 images (0 to 255) as floats in [-1, 1], what the book's ``ToTensor`` then
    ``Normalize(0.5, 0.5)`` give. One new tensor, scaled in place: no temporary copies of a
    dataset."""
    return images.to(torch.float32, copy=True).div_(127.5).sub_(1)
