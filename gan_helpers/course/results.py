"""What the README's results come from, and what ties a notebook's sentences to its run.

``record`` and ``save_figure`` keep each notebook's headline figures and pictures in ``files/``
for ``bench/results.py`` (``make results``) to collect; the notebooks call them in their closing
"for maintainers" section. ``claims`` gives a notebook its ``claim``: every sentence that says
what a run shows is checked by the run, right after the figures it rests on, printed with them,
and recorded, so that ``make results`` fails on a claim that did not hold. Not part of any
lesson."""

from __future__ import annotations

import json
from collections.abc import Callable

import matplotlib.pyplot as plt

from .. import settings
from . import storage

Figure = float | int | bool | str


def _rounded(figures: dict[str, Figure]) -> dict[str, Figure]:
    """Numbers to 4 significant digits: the README quotes them, nobody needs more."""
    return {name: float(f"{value:.4g}") if isinstance(value, float) else value
            for name, value in figures.items()}


def _update(notebook: str, change: Callable[[dict], None]) -> None:
    """Apply ``change`` to ``files/results/<notebook>.json`` (a file damaged by an earlier run is
    started again, and a line says so) and write it back whole."""
    path = settings.output_dir() / "results" / f"{notebook}.json"
    kept: dict = {}
    if path.is_file():
        try:
            kept = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError) as error:
            print(f"{path} was damaged ({error}): it is written again with this run's figures")
    change(kept)
    with storage.writing(path) as file:
        file.write(json.dumps(kept, indent=1).encode())


def record(notebook: str, **figures: Figure) -> None:
    """Keep a notebook's headline figures in ``files/results/<notebook>.json``, added to those it
    kept before."""
    _update(notebook, lambda kept: kept.update(_rounded(figures)))


def claims(notebook: str) -> Callable[..., None]:
    """The ``claim`` function of one notebook (``claim = results.claims("03")`` in its setup).

    ``claim(statement, holds, **figures)`` prints the statement, the figures it rests on and
    whether it held in this run, and records all three with the notebook's figures (a statement
    made again replaces the earlier record). It returns nothing, so that a cell ending with a
    claim shows only the printed line. It never stops a notebook:
    ``make results`` fails when a claim recorded in the ``quick`` profile did not hold, and in
    ``smoke``, whose runs are too short to show anything, claims are printed and recorded, never
    enforced.
    """
    def claim(statement: str, holds: bool, **figures: Figure) -> None:
        holds = bool(holds)
        shown = ", ".join(f"{name} {value:.4g}" if isinstance(value, float) else f"{name} {value}"
                          for name, value in figures.items())
        verdict = "holds" if holds else "DOES NOT HOLD in this run"
        note = ("" if holds or settings.get_profile() != "smoke"
                else " (smoke trains too little for this; quick is where it is checked)")
        print(f"claim: {statement}{f' ({shown})' if shown else ''}: {verdict}{note}")

        def change(kept: dict) -> None:
            kept["claims"] = [c for c in kept.get("claims", []) if c["claim"] != statement]
            kept["claims"].append({"claim": statement, "held": holds,
                                   "figures": _rounded(figures)})
        _update(notebook, change)
    return claim


def save_figure(name: str, fig: plt.Figure) -> None:
    """Save ``fig`` as ``files/figures/<name>.png``, where ``bench/results.py`` picks the README's
    pictures from, and close it."""
    path = settings.output_dir() / "figures" / f"{name}.png"
    try:
        with storage.writing(path) as file:
            fig.savefig(file, format="png", dpi=72, bbox_inches="tight")
    finally:
        plt.close(fig)
