"""Getting the datasets onto the machine, offline first, and checking them (introduced in the
README; ``make data`` runs ``python -m gan_helpers.course.prepare fashion-mnist``).

Fashion-MNIST is looked for in three places, in order:

1. ``data/FashionMNIST/raw/`` (torchvision's layout; ``.gz`` files there are unpacked);
2. a system copy: Debian and Ubuntu ship it in ``dataset-fashion-mnist``, at
   ``/usr/share/datasets/fashion-mnist/``;
3. the internet, through torchvision's downloader (it says so before it starts).

Every file is checked (size and MD5 of the unpacked file) before use, and new files are
written to a temporary name first, so a failed copy or download leaves nothing half-written.
The face datasets of notebooks 06 and 07 are checked for the layout torchvision's
``ImageFolder`` needs; the eyeglasses images are sorted into it.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gzip
import hashlib
import shutil
import sys
import tempfile
import zlib
from pathlib import Path

from .. import settings
from . import faces, storage

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
    names = ", ".join(FASHION_FILES)
    return (
        "Get Fashion-MNIST one of three ways:\n"
        f"  1. put the four files ({names}; plain or .gz) in {raw_dir}/\n"
        "  2. on Debian or Ubuntu: sudo apt-get install dataset-fashion-mnist (installs it under\n"
        f"     {SYSTEM_FASHION_MNIST}/, which the course copies from)\n"
        "  3. connect to the internet: torchvision downloads it (about 30 MB)\n"
        "then run `make data` (or `python -m gan_helpers.course.prepare fashion-mnist`) again."
    )


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def problem_with(path: Path, name: str | None = None) -> str | None:
    """What is wrong with an unpacked Fashion-MNIST file (named ``name`` in the dataset), or
    None."""
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
    """Copy (gunzipping a ``.gz``) ``source`` to ``target`` through a temporary file, kept only
    if sound (``storage.writing``): a damaged source or a full disk leaves nothing behind."""
    opener = gzip.open if source.suffix == ".gz" else open
    try:
        with opener(source, "rb") as src, storage.writing(target, "run `make data` again") as dst:
            try:
                shutil.copyfileobj(src, dst, 1 << 20)
            except (OSError, EOFError, zlib.error) as error:
                if getattr(dst, "failure", None):
                    raise  # writing it failed: storage.writing says how
                raise DatasetError(f"{source} is damaged or incomplete ({error}): delete it and "
                                   "prepare the data again (`make data`).") from error
            dst.flush()
            problem = problem_with(Path(dst.name), target.name)
            if problem:
                raise DatasetError(f"{source} is unusable: once unpacked it is {problem}. Delete "
                                   "it and prepare the data again (`make data`).")
    except storage.SaveError as error:
        raise DatasetError(str(error)) from error
    except OSError as error:  # the source could not be opened
        raise DatasetError(f"Could not read {source}: {error}.") from error


def _download_into(raw_dir: Path) -> str | None:
    """Let torchvision download Fashion-MNIST; unpack the files ``raw_dir`` lacks. Returns why it
    failed, or None."""
    from torchvision import datasets

    print("Fashion-MNIST was not found on this machine: downloading it with torchvision "
          "(about 30 MB)...")
    with tempfile.TemporaryDirectory(dir=raw_dir.parent, prefix=".download-") as tmp:
        try:
            datasets.FashionMNIST(tmp, train=True, download=True)
        except Exception as error:  # torchvision raises RuntimeError, urllib URLError, ...
            return f"the download failed ({type(error).__name__}: {error})"
        for name in FASHION_FILES:
            if not (raw_dir / name).is_file():
                _unpack_into(Path(tmp) / "FashionMNIST" / "raw" / name, raw_dir / name)
    return None


def prepare_fashion_mnist(root: Path | None = None, system_dir: Path | None = None,
                          download: bool = True, write: bool = True) -> Path:
    """Make sure the four Fashion-MNIST files are in ``<root>/FashionMNIST/raw`` and sound;
    return that folder. ``root`` defaults to the data folder, ``system_dir`` to
    ``SYSTEM_FASHION_MNIST``.

    With ``write=False`` (a shared folder the course only reads) nothing is copied or downloaded.
    Raises ``DatasetError`` naming each missing or damaged file and the ways to get the data.
    """
    raw_dir = fashion_mnist_raw_dir(root)
    system_dir = Path(system_dir or SYSTEM_FASHION_MNIST)
    problems = {name: problem_with(raw_dir / name) for name in FASHION_FILES}
    if not any(problems.values()):
        return raw_dir
    listing = "\n".join(f"  {raw_dir / name}: {problem}" for name, problem in problems.items()
                        if problem)
    if not write:
        raise DatasetError(
            f"The shared data folder (GAN_DATA_DIR) lacks sound Fashion-MNIST files:\n{listing}\n"
            "The course only reads a shared folder. Ask whoever set it up to prepare it "
            "(`GAN_DATA_DIR=<that folder> make data`), or unset GAN_DATA_DIR to use the course's "
            "own data/ folder."
        )
    if any(problem != "missing" for problem in problems.values() if problem):
        raise DatasetError(
            f"Fashion-MNIST files are damaged (an interrupted copy or download?):\n{listing}\n"
            f"Delete them and prepare the data again. {_ways_to_get_fashion_mnist(raw_dir)}"
        )
    missing = [name for name, problem in problems.items() if problem == "missing"]
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


# ---- face datasets: image folders (notebooks 06 and 07)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")


def _images_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def check_image_folder(root: Path, expected: str) -> list[str]:
    """The class folders of an ImageFolder-style dataset at ``root``; a ``DatasetError`` that says
    what was found and what was ``expected`` if the layout is wrong."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"No dataset at {root}. Expected {expected}. See data/README.md.")
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and _images_in(p))
    loose = _images_in(root)
    if not classes:
        if loose:
            found = f"{len(loose)} images directly in {root} and no sub-folder with images"
        else:
            found = f"no images in {root} or its sub-folders"
        raise DatasetError(f"Wrong layout: found {found}. Expected {expected}. (torchvision's "
                           "ImageFolder needs every image inside a class sub-folder.)")
    return classes


FACE_DATASETS = {  # the book's dataset -> its folder in the data folder, and the layout it needs
    "anime": ("anime", "the anime face images in data/anime/images/ (see data/README.md)"),
    "eyeglasses": ("glasses", "data/glasses/G/ and data/glasses/NoG/, made by "
                              "`python -m gan_helpers.course.prepare eyeglasses`"),
}
FACE_NOTEBOOKS = {"anime": "06", "eyeglasses": "07"}  # the notebook that trains on each


def prepare_eyeglasses(source: Path | None = None, labels_csv: Path | None = None,
                       target: Path | None = None) -> dict[str, int]:
    """Sort the Kaggle eyeglasses images into ``G/`` (glasses) and ``NoG/`` by ``train.csv``
    (notebook 07).

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
                           "jeffheaton/glasses-or-no-glasses and put it there "
                           "(see data/README.md).")
    folder = next((f for f in (source, source / source.name) if any(f.glob("face-*.png"))), None)
    if folder is None:
        raise DatasetError(f"Wrong layout: no face-<id>.png images in {source} or "
                           f"{source / source.name}. "
                           "Expected the unpacked faces-spring-2020 folder of the Kaggle dataset.")
    with open(labels_csv, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"id", "glasses"} <= set(rows[0]):
        found = list(rows[0]) if rows else "no rows"
        raise DatasetError(f"{labels_csv} should have the columns id and glasses; found {found}.")
    def sound(row: dict) -> bool:
        with contextlib.suppress(TypeError, ValueError):
            return bool(row["id"]) and float(row["glasses"]) in (0.0, 1.0)
        return False

    bad = next((line for line, row in enumerate(rows, 2) if not sound(row)), None)
    if bad is not None:
        raise DatasetError(f"{labels_csv} line {bad} is not an id and a glasses value of 0 or 1 "
                           "(a damaged or cut-off file?): download train.csv again.")
    missing = [row["id"] for row in rows if not (folder / f"face-{row['id']}.png").is_file()]
    if missing:
        raise DatasetError(f"{len(missing)} images listed in {labels_csv} are missing from "
                           f"{folder}, for example face-{missing[0]}.png. Unpack the whole Kaggle "
                           "dataset again.")
    for name in ("G", "NoG"):
        (target / name).mkdir(parents=True, exist_ok=True)
    for row in rows:
        kind = "G" if float(row["glasses"]) == 1 else "NoG"
        destination = target / kind / f"face-{row['id']}.png"
        if not destination.is_file():  # copied whole or not at all: a rerun finishes the rest
            try:
                with (open(folder / f"face-{row['id']}.png", "rb") as source_file,
                      storage.writing(destination, "run `python -m gan_helpers.course.prepare "
                                                   "eyeglasses` again") as file):
                    shutil.copyfileobj(source_file, file)
            except storage.SaveError as error:
                raise DatasetError(str(error)) from error
    counts = {name: len(_images_in(target / name)) for name in ("G", "NoG")}
    print(f"eyeglasses ready in {target}: {counts['G']} with glasses (G/), "
          f"{counts['NoG']} without (NoG/)")
    return counts


def main(argv: list[str] | None = None) -> int:
    """``python -m gan_helpers.course.prepare fashion-mnist|faces|eyeglasses``: prepare a dataset in
    the data folder (``GAN_DATA_DIR`` if set), or say clearly why not."""
    parser = argparse.ArgumentParser(
        prog="python -m gan_helpers.course.prepare",
        description="Prepare a dataset in the data folder (GAN_DATA_DIR if set), offline first: "
                    "Fashion-MNIST, procedural faces, or the book's Kaggle eyeglasses faces.")
    parser.add_argument("dataset", choices=["fashion-mnist", "faces", "eyeglasses"])
    parser.add_argument("--no-download", action="store_true", help="never use the network")
    parser.add_argument("--count", type=int, default=10_000, help="how many procedural faces")
    parser.add_argument("--size", type=int, default=64, help="procedural faces' width in pixels")
    args = parser.parse_args(argv)
    try:
        if args.dataset == "fashion-mnist":
            ready = prepare_fashion_mnist(settings.data_dir(), download=not args.no_download)
            print(f"Fashion-MNIST is ready in {ready}")
        elif args.dataset == "faces":
            *_, root = faces.cached_faces(args.count, size=args.size, save_to=settings.data_dir())
            faces.write_face_folder(args.count, size=args.size, root=root)
            print(f"{args.count:,} procedural faces are ready in {root}")
        else:
            prepare_eyeglasses()
    except DatasetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
