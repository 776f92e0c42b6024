"""Procedural colour faces with known attributes: the course's own face dataset for notebooks 06
and 07 when the Kaggle faces are absent (``data.load_faces`` calls it; ``make data`` can draw
them ahead: ``python -m gan_helpers.course.prepare faces``).

The book's anime faces and eyeglasses faces come from Kaggle, which needs a login. These cartoon
portraits can be made on any machine in seconds, and every face comes with the two attributes
notebook 07 steers: ``glasses`` (worn or not) and ``long_hair`` (hair down to the shoulders or
short). Face shape and size, position, skin tone, hair colour, eyes, mouth, clothes and background
all vary, so a GAN has something to learn.

Faces are drawn with tensor operations on a pixel grid, a whole batch at once: each part is a
mask (an ellipse, a ring, a band) painted over the picture in order, back to front. PyTorch
spreads each operation over all CPU cores (``torch.get_num_threads()``); the faces of a seed are
the same however many there are.
"""

from __future__ import annotations

import contextlib
import csv
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import torch

from .. import settings
from ..checkpoints import save_atomically
from . import storage

ATTRIBUTES = ("glasses", "long_hair")
DRAWING_VERSION = 2  # raise it when the drawing changes: faces drawn by older code are drawn again
COURSE_SEED = 42  # the seed of the faces notebooks 06 and 07 train on
SKIN_TONES = torch.tensor([[255, 224, 196], [241, 194, 155], [224, 172, 125], [198, 134, 90],
                           [161, 102, 64], [112, 72, 45]], dtype=torch.float32)
HAIR_COLOURS = torch.tensor([[25, 20, 18], [80, 50, 30], [140, 90, 45], [200, 160, 80],
                             [170, 60, 30], [120, 120, 125]], dtype=torch.float32)


def _uniform(generator: torch.Generator, count: int, low: float, high: float) -> torch.Tensor:
    return low + (high - low) * torch.rand(count, generator=generator)


def draw_parameters(count: int, seed: int) -> dict[str, torch.Tensor]:
    """Everything random about ``count`` faces, one value per face (the same seed, the same
    faces)."""
    g = torch.Generator().manual_seed(seed)

    def pick(options: torch.Tensor) -> torch.Tensor:
        return options[torch.randint(len(options), (count,), generator=g)]

    return {
        "glasses": torch.rand(count, generator=g) < 0.5,
        "long_hair": torch.rand(count, generator=g) < 0.5,
        "skin": pick(SKIN_TONES) + _uniform(g, count, -12, 12)[:, None],
        "hair": pick(HAIR_COLOURS) + _uniform(g, count, -15, 15)[:, None],
        "background": torch.rand(count, 3, generator=g) * 155 + 100,
        "clothes": torch.rand(count, 3, generator=g) * 200 + 30,
        "centre_x": _uniform(g, count, 29, 35),
        "centre_y": _uniform(g, count, 28, 33),
        "width": _uniform(g, count, 12.5, 16),
        "height": _uniform(g, count, 16, 19.5),
        "eye_gap": _uniform(g, count, 5.5, 7.5),
        "eye_size": _uniform(g, count, 1.6, 2.6),
        "smile": _uniform(g, count, -0.06, 0.12),
        "mouth_width": _uniform(g, count, 3.5, 6.5),
    }


def render(parameters: dict[str, torch.Tensor], size: int = 64) -> torch.Tensor:
    """The faces described by ``parameters`` as uint8 images of shape (N, 3, size, size)."""
    p = {name: value.float() for name, value in parameters.items()}
    count = len(p["glasses"])
    scale = size / 64
    y, x = torch.meshgrid(torch.arange(size) / scale, torch.arange(size) / scale, indexing="ij")
    x, y = x[None], y[None]  # (1, size, size): broadcast against one value per face

    def column(name: str) -> torch.Tensor:
        return p[name][:, None, None]

    cx, cy, w, h = column("centre_x"), column("centre_y"), column("width"), column("height")
    image = p["background"][:, :, None, None].expand(count, 3, size, size).clone()

    def paint(mask: torch.Tensor, colour: torch.Tensor) -> None:
        image[:] = torch.where(mask[:, None], colour[:, :, None, None], image)

    def ellipse(ex, ey, rx, ry) -> torch.Tensor:
        return ((x - ex) / rx) ** 2 + ((y - ey) / ry) ** 2 <= 1

    # hair behind the head, a cap; then the shoulders in clothes
    paint(ellipse(cx, cy - 2, w + 3.5, h + 3), p["hair"])
    paint(ellipse(cx, cy + h + 19, w + 13, 14), p["clothes"])
    # long hair falls on the shoulders on both sides of the face and neck
    beside_neck = (abs(x - cx) >= w * 0.6) | (y <= cy + h * 0.5)
    long_hair = (column("long_hair") > 0.5) & (abs(x - cx) <= w + 5)
    paint(long_hair & (y >= cy - 2) & (y <= cy + h + 12) & beside_neck, p["hair"])
    paint((abs(x - cx) <= w * 0.45) & (y >= cy + h * 0.6) & (y <= cy + h + 6), p["skin"] * 0.9)
    paint(ellipse(cx, cy, w, h), p["skin"])
    # fringe: the top of the head under the hair
    paint(ellipse(cx, cy - 2, w + 1, h + 1) & (y <= cy - h * 0.55), p["hair"])
    # eyes: white, then a dark pupil
    eye_y, gap, eye = cy - h * 0.12, column("eye_gap"), column("eye_size")
    for side in (-1, 1):
        paint(ellipse(cx + side * gap, eye_y, eye * 1.5, eye), torch.full((count, 3), 250.0))
        paint(ellipse(cx + side * gap, eye_y, eye * 0.8, eye * 0.8), torch.full((count, 3), 35.0))
    # mouth: a curved band, smiling when ``smile`` > 0
    mouth_y = cy + h * 0.5 + column("smile") * column("mouth_width") ** 2 * 0.5
    curve = mouth_y - column("smile") * (x - cx) ** 2  # image rows grow downwards: the corners rise
    lips = torch.tensor([[150.0, 40, 50]]).expand(count, 3)
    paint((abs(y - curve) <= 0.9) & (abs(x - cx) <= column("mouth_width")), lips)
    # glasses: two dark rings around the eyes and a bridge between them
    wears = column("glasses") > 0.5
    frame = torch.full((count, 3), 20.0)
    for side in (-1, 1):
        distance = (((x - cx - side * gap) / 1.15) ** 2 + (y - eye_y) ** 2).sqrt()
        paint(wears & (abs(distance - (eye + 2.4)) <= 0.75), frame)
    paint(wears & (abs(y - eye_y) <= 0.6) & (abs(x - cx) <= gap - eye - 2.0), frame)
    return image.clamp(0, 255).round().to(torch.uint8)


def make_faces(count: int, seed: int = COURSE_SEED,
               size: int = 64) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """``count`` faces as uint8 images (N, 3, size, size) and their attributes {name: bool tensor},
    drawn 1,000 at a time."""
    parameters = draw_parameters(count, seed)
    images = torch.cat([render({k: v[i : i + 1000] for k, v in parameters.items()}, size)
                        for i in range(0, count, 1000)])
    return images, {name: parameters[name] for name in ATTRIBUTES}


def _recipe(count: int, seed: int, size: int) -> dict[str, int]:
    return {"count": count, "seed": seed, "size": size, "drawing": DRAWING_VERSION}


def faces_dir(count: int, seed: int = COURSE_SEED, size: int = 64,
              root: Path | None = None) -> Path:
    """Where one set of procedural faces is kept:
    ``<data folder>/procedural_faces/<count>-<size>px-seed<seed>``, so that notebooks 06 and 07,
    and each profile, keep their own faces instead of redrawing each other's."""
    return Path(root or settings.data_dir()) / "procedural_faces" / f"{count}-{size}px-seed{seed}"


def cached_faces(count: int, seed: int = COURSE_SEED, size: int = 64, *,
                 save_to: Path | None = None) -> tuple[torch.Tensor, dict[str, torch.Tensor], Path]:
    """The faces of a recipe, drawn once and then read back from ``faces.pt`` in its folder
    (notebooks 06 and 07): (images, attributes, the folder).

    The data folder (``GAN_DATA_DIR`` if set: a shared folder where a teacher may have drawn
    them) is read first, then the learner's own; faces drawn now are saved in the data folder
    ``save_to``, by default the learner's own. A ``faces.pt`` that cannot be read (a copy or a
    save that stopped half-way) is passed over with a line that says so, and drawn again.
    """
    recipe = _recipe(count, seed, size)
    folders = [faces_dir(count, seed, size, settings.data_dir()),
               faces_dir(count, seed, size, save_to or settings.own_data_dir())]
    for folder in folders:
        if (folder / "faces.pt").is_file():
            try:
                kept = torch.load(folder / "faces.pt", weights_only=True)
            except OSError:
                raise
            except Exception as error:  # truncated, damaged, or another file of that name
                print(storage.unreadable(folder / "faces.pt", error,
                                         "The faces are drawn again instead (seconds)."))
                continue
            if isinstance(kept, dict) and kept.get("recipe") == recipe:
                return kept["images"], kept["attributes"], folder
    images, attributes = make_faces(count, seed, size)
    folder = folders[-1]
    folder.mkdir(parents=True, exist_ok=True)
    save_atomically({"recipe": recipe, "images": images, "attributes": attributes},
                    folder / "faces.pt")
    return images, attributes, folder


def write_face_folder(count: int, seed: int = COURSE_SEED, size: int = 64,
                      root: Path | None = None) -> Path:
    """The faces saved as PNG files in the eyeglasses dataset's layout, ``G/`` (glasses) and
    ``NoG/``, with ``attributes.csv`` (file name and both attributes); returns the folder. For
    looking at them, and for loaders that read image folders as the book does
    (``python -m gan_helpers.course.prepare faces``, ``bench/speed.py``).

    A folder already made with the same count, seed, size and drawing code is kept as it is. A
    folder that cannot be finished (a full disk, an interrupt) loses what was written of it and
    ``storage.SaveError`` says why.
    """
    from PIL import Image

    root = Path(root) if root is not None else faces_dir(count, seed, size, settings.own_data_dir())
    recipe = _recipe(count, seed, size)
    info = root / "recipe.json"
    with contextlib.suppress(OSError, ValueError):  # none, or damaged: the folder is made again
        if json.loads(info.read_text()) == recipe:
            return root
    info.unlink(missing_ok=True)
    images, attributes, _ = cached_faces(count, seed, size)  # drawn once, kept in faces.pt
    names = [f"{'G' if wears else 'NoG'}/face-{index}.png"
             for index, wears in enumerate(attributes["glasses"].tolist())]

    def save(index: int) -> None:
        Image.fromarray(images[index].permute(1, 2, 0).numpy()).save(root / names[index])

    try:
        for sub in ("G", "NoG"):
            shutil.rmtree(root / sub, ignore_errors=True)
            (root / sub).mkdir(parents=True)
        with ThreadPoolExecutor() as pool:  # PNG compression runs outside Python's lock
            list(pool.map(save, range(count)))
        with open(root / "attributes.csv", "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["file", *ATTRIBUTES])
            writer.writeheader()
            for index, name in enumerate(names):
                writer.writerow({"file": name,
                                 **{k: int(attributes[k][index]) for k in ATTRIBUTES}})
        info.write_text(json.dumps(recipe))  # written last: it marks the folder complete
    except BaseException as error:
        shutil.rmtree(root / "G", ignore_errors=True)
        shutil.rmtree(root / "NoG", ignore_errors=True)
        (root / "attributes.csv").unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise storage.SaveError(storage.why_not_saved(
                root, error, "run `python -m gan_helpers.course.prepare faces` again",
                " (the images written so far were removed)")) from error
        raise
    return root
