"""What the README's results come from: each notebook's headline figures and pictures, kept in
``files/`` for ``bench/results.py`` (``make results``) to collect. Not part of any lesson: the
notebooks call these in their closing "for maintainers" section."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt

from .. import settings
from . import storage


def record(notebook: str, **figures: float | int | bool | str) -> None:
    """Keep a notebook's headline figures in ``files/results/<notebook>.json``, added to those it
    kept before. Numbers are rounded to 4 significant digits: the README quotes them, nobody
    needs more. A file damaged by an earlier run is started again, and a line says so."""
    path = settings.output_dir() / "results" / f"{notebook}.json"
    kept = {}
    if path.is_file():
        try:
            kept = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError) as error:
            print(f"{path} was damaged ({error}): it is written again with this run's figures")
    kept.update({name: float(f"{value:.4g}") if isinstance(value, float) else value
                 for name, value in figures.items()})
    with storage.writing(path) as file:
        file.write(json.dumps(kept, indent=1).encode())


def save_figure(name: str, fig: plt.Figure) -> None:
    """Save ``fig`` as ``files/figures/<name>.png``, where ``bench/results.py`` picks the README's
    pictures from, and close it."""
    path = settings.output_dir() / "figures" / f"{name}.png"
    try:
        with storage.writing(path) as file:
            fig.savefig(file, format="png", dpi=72, bbox_inches="tight")
    finally:
        plt.close(fig)
