"""What the README's results come from: each notebook's headline figures and pictures, kept in
``files/`` for ``bench/results.py`` (``make results``) to collect. Not part of any lesson: the
notebooks call these in their closing "for maintainers" section."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt

from .. import settings


def record(notebook: str, **figures: float | int | bool | str) -> None:
    """Keep a notebook's headline figures in ``files/results/<notebook>.json``, added to those it
    kept before. Numbers are rounded to 4 significant digits: the README quotes them, nobody
    needs more."""
    path = settings.output_dir() / "results" / f"{notebook}.json"
    path.parent.mkdir(exist_ok=True)
    kept = json.loads(path.read_text()) if path.is_file() else {}
    kept.update({name: float(f"{value:.4g}") if isinstance(value, float) else value
                 for name, value in figures.items()})
    path.write_text(json.dumps(kept, indent=1))


def save_figure(name: str, fig: plt.Figure) -> None:
    """Save ``fig`` as ``files/figures/<name>.png``, where ``bench/results.py`` picks the README's
    pictures from, and close it."""
    path = settings.output_dir() / "figures" / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    fig.savefig(path, dpi=72, bbox_inches="tight")
    plt.close(fig)
