"""Datasets of the course, found offline first (Fashion-MNIST introduced in notebook 01).

Fashion-MNIST is looked for in three places, in order:

1. ``data/FashionMNIST/raw/`` (torchvision's layout; ``.gz`` files there are unpacked);
2. a system copy: Debian and Ubuntu ship it in ``dataset-fashion-mnist``, at
   ``/usr/share/datasets/fashion-mnist/``;
3. the internet, through torchvision's downloader (it says so before it starts).

Every file is checked (size and MD5 of the unpacked file) before use, and new files are
written to a temporary name first, so a failed copy or download leaves nothing half-written.

Run ``python -m gan_helpers.data fashion-mnist`` to prepare it (``make data`` does).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import shutil
import struct
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import torch
from torch.utils.data import TensorDataset

from . import faces, settings

FASHION_CLASSES = (
    "t-shirt", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
)
SYSTEM_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")

# unpacked file -> (bytes, MD5), as published with the dataset
FASHION_FILES = {
    "train-images-idx3-ubyte": (47_040_016, "f4a8712d7a061bf5bd6d2ca38dc4d50a"),
    "train-labels-idx1-ubyte": (60_008, "9018921c3c673c538a1fc5bad174d6f9"),
    "t10k-images-idx3-ubyte": (7_840_016, "8181f5470baa50b63fa0f6fddb340f0a"),
    "t10k-labels-idx1-ubyte": (10_008, "15d484375f8d13e6eb1aabb0c3f46965"),
}


class DatasetError(RuntimeError):
    """A dataset is missing, incomplete or laid out wrongly; the message says how to fix it."""


def fashion_mnist_raw_dir(root: Path | None = None) -> Path:
    """``<root>/FashionMNIST/raw``: where torchvision keeps the four files."""
    return Path(root or settings.data_dir()) / "FashionMNIST" / "raw"


def _ways_to_get_fashion_mnist(raw_dir: Path) -> str:
    return (
        "Get Fashion-MNIST one of three ways:\n"
        f"  1. put the four files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,\n"
        f"     t10k-labels-idx1-ubyte, plain or .gz) in {raw_dir}/\n"
        "  2. on Debian or Ubuntu: sudo apt-get install dataset-fashion-mnist (installs it under\n"
        f"     {SYSTEM_FASHION_MNIST}/, which the course copies from)\n"
        "  3. connect to the internet: torchvision downloads it (about 30 MB)\n"
        "then run `make data` (or `python -m gan_helpers.data fashion-mnist`) again."
    )


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _problem_with(path: Path, name: str | None = None) -> str | None:
    """What is wrong with an unpacked Fashion-MNIST file (named ``name`` in the dataset), or None."""
    size, md5 = FASHION_FILES[name or path.name]
    if not path.is_file():
        return "missing"
    found = path.stat().st_size
    if found != size:
        return f"truncated or damaged: {found:,} bytes, expected {size:,}"
    if _md5(path) != md5:
        return f"corrupt: its MD5 differs from the published {md5}"
    return None


def _unpack_into(source: Path, target: Path) -> None:
    """Copy (gunzipping a ``.gz``) ``source`` to ``target`` through a temporary file, kept only if sound."""
    partial = target.with_name(target.name + ".partial")
    try:
        opener = gzip.open if source.suffix == ".gz" else open
        with opener(source, "rb") as src, open(partial, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        problem = _problem_with(partial, target.name)
        if problem:
            raise DatasetError(f"{source} is unusable: once unpacked it is {problem}.")
        partial.replace(target)
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DatasetError(f"Could not unpack {source}: {error}.") from error
    finally:
        partial.unlink(missing_ok=True)


def _download_into(raw_dir: Path) -> str | None:
    """Let torchvision download Fashion-MNIST; unpack the files ``raw_dir`` lacks. Returns why it failed."""
    from torchvision import datasets

    print("Fashion-MNIST was not found on this machine: downloading it with torchvision (about 30 MB)...")
    with tempfile.TemporaryDirectory(dir=raw_dir.parent, prefix=".download-") as tmp:
        try:
            datasets.FashionMNIST(tmp, train=True, download=True)
        except Exception as error:  # torchvision raises RuntimeError, urllib URLError, ...
            return f"the download failed ({type(error).__name__}: {error})"
        for name in FASHION_FILES:
            if not (raw_dir / name).is_file():
                _unpack_into(Path(tmp) / "FashionMNIST" / "raw" / name, raw_dir / name)
    return None


def prepare_fashion_mnist(
    root: Path | None = None,
    system_dir: Path | None = None,
    download: bool = True,
) -> Path:
    """Make sure the four Fashion-MNIST files are in ``data/FashionMNIST/raw`` and sound; return that folder.

    ``system_dir`` defaults to ``SYSTEM_FASHION_MNIST``. Raises ``DatasetError`` naming each
    missing or damaged file and the three ways to get the data.
    """
    raw_dir = fashion_mnist_raw_dir(root)
    system_dir = Path(system_dir or SYSTEM_FASHION_MNIST)
    problems = {name: _problem_with(raw_dir / name) for name in FASHION_FILES}
    damaged = {name: problem for name, problem in problems.items() if problem not in (None, "missing")}
    if damaged:
        listing = "\n".join(f"  {raw_dir / name}: {problem}" for name, problem in damaged.items())
        raise DatasetError(
            f"Fashion-MNIST files are damaged (an interrupted copy or download?):\n{listing}\n"
            f"Delete them and prepare the data again. {_ways_to_get_fashion_mnist(raw_dir)}"
        )
    missing = [name for name, problem in problems.items() if problem == "missing"]
    if not missing:
        return raw_dir

    raw_dir.mkdir(parents=True, exist_ok=True)
    for name in missing:
        sources = [raw_dir / f"{name}.gz", system_dir / name, system_dir / f"{name}.gz"]
        source = next((path for path in sources if path.is_file()), None)
        if source is not None:
            print(f"Fashion-MNIST: {source} -> {raw_dir / name}")
            _unpack_into(source, raw_dir / name)

    still_missing = [name for name in missing if not (raw_dir / name).is_file()]
    if still_missing:
        why = _download_into(raw_dir) if download else "downloading was turned off"
        if why:
            raise DatasetError(
                f"Fashion-MNIST is missing {', '.join(still_missing)} in {raw_dir}; "
                f"there is no system copy in {system_dir}; and {why}.\n"
                f"{_ways_to_get_fashion_mnist(raw_dir)}"
            )
    return raw_dir


def _read_idx(path: Path) -> torch.Tensor:
    """An IDX file (the MNIST format: magic, sizes, then unsigned bytes) as a uint8 tensor."""
    data = path.read_bytes()
    ndim = data[3]
    shape = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim :]), dtype=torch.uint8).reshape(shape)


def load_fashion_mnist(train: bool = True, root: Path | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Fashion-MNIST as two tensors, made once: images (N, 1, 28, 28) in [-1, 1] and labels (N,).

    The images are what the book's ``ToTensor()`` then ``Normalize([0.5], [0.5])`` give,
    computed for the whole set at once instead of image by image at every epoch.
    """
    raw_dir = prepare_fashion_mnist(root)
    prefix = "train" if train else "t10k"
    images = _read_idx(raw_dir / f"{prefix}-images-idx3-ubyte")
    labels = _read_idx(raw_dir / f"{prefix}-labels-idx1-ubyte")
    images = images.unsqueeze(1).float().div(255).sub(0.5).div(0.5)
    return images, labels.long()


class TensorLoader:
    """Mini-batches of tensors already in memory: ``DataLoader(TensorDataset(...))`` without per-item work.

    Introduced in notebook 01. Each pass draws a fresh order from ``generator`` when ``shuffle``.
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
        self.tensors, self.batch_size = tensors, batch_size
        self.dataset = TensorDataset(*tensors)  # like DataLoader's: len(loader.dataset) is the image count
        self.shuffle, self.drop_last, self.generator = shuffle, drop_last, generator

    def __len__(self) -> int:
        count = len(self.tensors[0])
        return count // self.batch_size if self.drop_last else -(-count // self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, ...]]:
        count = len(self.tensors[0])
        order = torch.randperm(count, generator=self.generator) if self.shuffle else None
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            if order is None:
                yield tuple(t[start : start + self.batch_size] for t in self.tensors)
            else:
                index = order[start : start + self.batch_size].to(self.tensors[0].device)
                yield tuple(t[index] for t in self.tensors)


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
    """``count`` points (x, curve(x)) with x uniform in ``x_range``, as a (count, 2) tensor (notebook 02)."""
    low, high = x_range
    x = low + (high - low) * torch.rand(count, generator=generator)
    return torch.stack([x, curve(x)], dim=1)


def one_hot(numbers: torch.Tensor, width: int = 100) -> torch.Tensor:
    """Each number as a float vector of ``width`` zeros with a one at its position (notebook 03)."""
    if numbers.min() < 0 or numbers.max() >= width:
        raise ValueError(f"one_hot needs numbers in 0..{width - 1}, got {numbers.min()}..{numbers.max()}")
    return torch.nn.functional.one_hot(numbers.long(), width).float()


def sample_multiples(
    count: int, multiple: int = 5, width: int = 100, generator: torch.Generator | None = None
) -> torch.Tensor:
    """``count`` numbers drawn uniformly from the multiples of ``multiple`` below ``width`` (notebook 03).

    The book's ``torch.randint(0, 20, (10,)) * 5`` for ``multiple=5``.
    """
    return torch.randint(0, -(-width // multiple), (count,), generator=generator) * multiple



# ---- face datasets: image folders (notebooks 06 and 07)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")


def _images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES) if folder.is_dir() else []


def check_image_folder(root: Path, expected: str) -> list[str]:
    """The class folders of an ImageFolder-style dataset at ``root``; a ``DatasetError`` that says what
    was found and what was ``expected`` if the layout is wrong."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"No dataset at {root}. Expected {expected}. See data/README.md.")
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and _images_in(p))
    loose = _images_in(root)
    if not classes:
        found = f"{len(loose)} images directly in {root} and no sub-folder with images" if loose else \
            f"no images in {root} or its sub-folders"
        raise DatasetError(f"Wrong layout: found {found}. Expected {expected}. "
                           "(torchvision's ImageFolder needs every image inside a class sub-folder.)")
    return classes


class ImageFolderData(NamedTuple):
    """What ``load_image_folder`` returns: uint8 images (N, 3, size, size), ImageFolder's class index of
    each, the class names, and each image's path relative to the dataset's folder."""

    images: torch.Tensor
    labels: torch.Tensor
    classes: list[str]
    files: list[str]


def load_image_folder(root: Path, size: int = 64, expected: str = "one sub-folder of images per class",
                      count: int | None = None) -> ImageFolderData:
    """The images under ``root``'s class folders, resized to ``size`` x ``size`` (notebook 06): all of them,
    or ``count`` spread evenly over ImageFolder's order (so every class keeps its share).

    Images stay uint8 (a quarter of the memory of floats); ``to_unit_range`` scales a batch to [-1, 1].
    """
    from torchvision import datasets, transforms

    check_image_folder(root, expected)
    transform = transforms.Compose([transforms.Resize((size, size)), transforms.PILToTensor()])
    folder = datasets.ImageFolder(str(root), transform=transform)
    total = len(folder)
    indices = range(total) if count is None or count >= total else torch.linspace(0, total - 1, count).long().tolist()
    images, labels = zip(*(folder[i] for i in indices))
    files = [Path(folder.samples[i][0]).relative_to(root).as_posix() for i in indices]
    return ImageFolderData(torch.stack([image.expand(3, -1, -1) for image in images]), torch.tensor(labels),
                           folder.classes, files)


@dataclass
class FaceData:
    """A face dataset in memory (notebooks 06 and 07): its name and folder, uint8 images (N, 3, size, size),
    and the attributes known for every image ({name: bool tensor}; empty when the dataset has none)."""

    name: str
    root: Path
    images: torch.Tensor
    attributes: dict[str, torch.Tensor]


FACE_DATASETS = {  # the book's dataset -> its folder under data/ and the layout it must have
    "anime": ("anime", "the anime face images in data/anime/images/ (see data/README.md)"),
    "eyeglasses": ("glasses", "data/glasses/G/ and data/glasses/NoG/, made by `python -m gan_helpers.data eyeglasses`"),
}


def load_faces(dataset: str, count: int, size: int = 64, seed: int = faces.COURSE_SEED) -> FaceData:
    """The book's face ``dataset`` ("anime" or "eyeglasses") if its folder is in ``data/``, else ``count``
    procedural faces, made and cached in ``data/procedural_faces/`` (notebooks 06 and 07); says which.

    A real dataset is used with at most ``count`` images. A folder that is there but laid out wrongly
    stops with a message: the course never falls back to procedural faces without saying why.
    """
    if dataset not in FACE_DATASETS:
        raise ValueError(f"dataset={dataset!r}: the book's face datasets are {', '.join(FACE_DATASETS)}")
    folder, expected = FACE_DATASETS[dataset]
    real = settings.data_dir() / folder
    if real.exists():
        loaded = load_image_folder(real, size, expected, count)
        attributes = {"glasses": loaded.labels == loaded.classes.index("G")} if dataset == "eyeglasses" else {}
        print(f"Using the book's {dataset} faces from {real}: {len(loaded.images):,} images at {size}x{size}.")
        return FaceData(f"{dataset} faces", real, loaded.images, attributes)
    root = faces.write_face_folder(count, seed, size)
    loaded = load_image_folder(root, size)
    with open(root / "attributes.csv", newline="") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle)}
    attributes = {name: torch.tensor([rows[file][name] == "1" for file in loaded.files])
                  for name in faces.ATTRIBUTES}
    print(f"No {real} folder (the book's Kaggle {dataset} faces): using {len(loaded.images):,} "
          f"procedural faces from {root}. To train on the book's data, see data/README.md.")
    return FaceData("procedural faces", root, loaded.images, attributes)


def to_unit_range(images: torch.Tensor) -> torch.Tensor:
    """uint8 images (0 to 255) as floats in [-1, 1], what the book's ``ToTensor`` then ``Normalize(0.5, 0.5)`` give."""
    return images.float().div(127.5).sub(1)


def prepare_eyeglasses(source: Path | None = None, labels_csv: Path | None = None,
                       target: Path | None = None) -> dict[str, int]:
    """Sort the Kaggle eyeglasses images into ``G/`` (glasses) and ``NoG/`` by ``train.csv`` (notebook 07).

    ``source`` is the unpacked ``faces-spring-2020`` folder (the images may sit one folder deeper,
    as in Kaggle's zip); every id in ``train.csv`` (columns ``id``, ``glasses``) must have its
    ``face-<id>.png``. Images are copied, not moved, and a second run finds them in place: it is
    safe to run again. Returns the number of images in each folder.
    """
    data_root = settings.data_dir()
    source = Path(source or data_root / "faces-spring-2020")
    labels_csv = Path(labels_csv or data_root / "train.csv")
    target = Path(target or data_root / "glasses")
    if not labels_csv.is_file():
        raise DatasetError(f"No {labels_csv}: download train.csv with the Kaggle dataset "
                           "jeffheaton/glasses-or-no-glasses and put it there (see data/README.md).")
    folder = next((f for f in (source, source / source.name) if any(f.glob("face-*.png"))), None)
    if folder is None:
        raise DatasetError(f"Wrong layout: no face-<id>.png images in {source} or {source / source.name}. "
                           "Expected the unpacked faces-spring-2020 folder of the Kaggle dataset.")
    with open(labels_csv, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"id", "glasses"} <= set(rows[0]):
        raise DatasetError(f"{labels_csv} should have the columns id and glasses; found {list(rows[0]) if rows else 'no rows'}.")
    missing = [row["id"] for row in rows if not (folder / f"face-{row['id']}.png").is_file()]
    if missing:
        raise DatasetError(f"{len(missing)} images listed in {labels_csv} are missing from {folder}, "
                           f"for example face-{missing[0]}.png. Unpack the whole Kaggle dataset again.")
    for name in ("G", "NoG"):
        (target / name).mkdir(parents=True, exist_ok=True)
    for row in rows:
        destination = target / ("G" if float(row["glasses"]) == 1 else "NoG") / f"face-{row['id']}.png"
        if not destination.is_file():
            shutil.copyfile(folder / f"face-{row['id']}.png", destination)
    counts = {name: len(_images_in(target / name)) for name in ("G", "NoG")}
    print(f"eyeglasses ready in {target}: {counts['G']} with glasses (G/), {counts['NoG']} without (NoG/)")
    return counts

def main(argv: list[str] | None = None) -> int:
    """``python -m gan_helpers.data fashion-mnist|faces|eyeglasses``: prepare a dataset, or say clearly why not."""
    parser = argparse.ArgumentParser(prog="python -m gan_helpers.data", description=__doc__.split("\n")[0])
    parser.add_argument("dataset", choices=["fashion-mnist", "faces", "eyeglasses"])
    parser.add_argument("--no-download", action="store_true", help="never use the network")
    parser.add_argument("--count", type=int, default=10_000, help="how many procedural faces to make")
    args = parser.parse_args(argv)
    try:
        if args.dataset == "fashion-mnist":
            print(f"Fashion-MNIST is ready in {prepare_fashion_mnist(download=not args.no_download)}")
        elif args.dataset == "faces":
            print(f"{args.count:,} procedural faces are ready in {faces.write_face_folder(args.count)}")
        else:
            prepare_eyeglasses()
    except DatasetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
