"""The README's results tables, written from what ``make results`` recorded, never typed.

Figures are recorded to 4 significant digits (``results.record``) and shown with those digits:
rounding them a second time could differ from what the notebook printed.

Reads ``docs/results/quick/results.json`` (and ``docs/results/smoke/results.json`` for the time
table's ``smoke`` columns) and renders the figures table, the claims table and the time table
between the README's ``<!-- results tables -->`` and ``<!-- end of results tables -->`` lines.
``make results`` runs it with ``--write`` after the notebooks; a unit test fails when the README
differs from what the recorded results render.

.venv/bin/python bench/readme_tables.py [--write]"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BEGIN, END = "<!-- results tables -->", "<!-- end of results tables -->"
NAMES = {"01": "classifier", "02": "shape GAN", "03": "number-pattern GAN",
         "04": "Fashion-MNIST GAN", "05": "layers by hand", "06": "DCGAN on faces",
         "07": "cGAN with WGAN-GP"}


def _yes(held: bool) -> str:
    return "yes" if held else "no"


def _figures(report: dict, prefix: str) -> dict:
    for name, result in report["notebooks"].items():
        if name.startswith(prefix):
            return result["figures"]
    return {}


def figure_rows(report: dict) -> list[str]:
    """One row per headline figure: notebook, what it is, the course's value, the book's."""
    rows = []
    f = _figures(report, "01")
    if f:
        rows.append(f"| 01 | 10-class test accuracy (early stopping on the validation error, "
                    f"learning rate halved on plateaus) | {f['test_accuracy']:.4g} (ran "
                    f"{f['epochs_run']} epochs, kept epoch {f['best_epoch']}) | 0.882 in the "
                    "book |")
    f = _figures(report, "02")
    if f:
        rows.append(f"| 02 | 2,000 generated points: median relative on-curve error, KS "
                    f"statistic of x against uniform, share inside the data's range | "
                    f"{f['on_curve_error']:.4g}, {f['ks_statistic_x']:.4g}, "
                    f"{f['share_inside']:.2%} | the book's generator (its last epoch, "
                    f"{f['book_epoch']}): {f['book_on_curve_error']:.4g}, "
                    f"{f['book_ks_statistic_x']:.4g}, {f['book_share_inside']:.2%}; the lowest-MSE "
                    f"epoch ({f['best_epoch']}): KS {f['best_ks_statistic_x']:.4g} |")
    f = _figures(report, "03")
    if f:
        rows.append(f"| 03 | 1,000 generated numbers: validity (multiples of 5), coverage of the "
                    f"20 multiples, total variation from uniform | {f['validity']:.4g}, "
                    f"{f['coverage']}/20, {f['total_variation']:.4g} (1,000 real numbers: "
                    f"{f['real_total_variation']:.4g}) | the book's generator (step "
                    f"{f['book_step']}): {f['book_validity']:.4g}, {f['book_coverage']}/20, "
                    f"{f['book_total_variation']:.4g}; the lowest-measure step "
                    f"({f['best_step']}): validity {f['best_validity']:.4g} |")
    f = _figures(report, "04")
    if f:
        shares = {name[len("share_"):]: value for name, value in f.items()
                  if name.startswith("share_")}
        rarest = min(shares, key=shares.get)
        rows.append(f"| 04 | Fréchet distance to 10,000 real test images on the convolutional "
                    f"scorer's features (10,000 generated images; scorer: "
                    f"{f['scorer_accuracy']:.2%} test accuracy) | {f['frechet_distance']:.2f} "
                    f"(10,000 real training images: {f['frechet_baseline']:.2f}) | |")
        rows.append(f"| 04 | smallest share of a kind of clothing among the 10,000 generated "
                    f"images | {shares[rarest]:.2%} ({rarest}) | |")
    f = _figures(report, "06")
    if f:
        rows.append(f"| 06 | Fréchet distance to 2,000 real {f['dataset']} on the features of the "
                    f"notebook's face classifier | {f['frechet_distance']:.2f} (2,000 "
                    f"other real faces: {f['frechet_baseline']:.2f}) | |")
        rows.append(f"| 06 | faces with glasses / long hair, as that classifier sees them | "
                    f"generated {f['glasses_generated']:.2%} / {f['long_hair_generated']:.2%}; "
                    f"real {f['glasses_real']:.2%} / {f['long_hair_real']:.2%} | |")
    f = _figures(report, "07")
    if f:
        rows.append(f"| 07 | asked for glasses: share with glasses; asked for none: share without "
                    f"(1,000 noise vectors) | {f['glasses_when_asked']:.2%}, "
                    f"{f['no_glasses_when_asked']:.2%} | |")
        rows.append(f"| 07 | mean P(glasses) along the label from none (0) to glasses (1) | "
                    f"{f['p_glasses_at_weight_0']:.2%} at 0, {f['p_glasses_at_weight_half']:.2%} "
                    f"at 0.5, {f['p_glasses_at_weight_1']:.2%} at 1 | |")
        rows.append(f"| 07 | Fréchet distance to real faces of the same kind, per label | "
                    f"glasses {f['fid_glasses_faces']:.2f}, no glasses "
                    f"{f['fid_no_glasses_faces']:.2f} | |")
        rows.append(f"| 07 | the label steers the chosen latent vectors: the 2x2 grid obeys; in "
                    f"each column of the 6x6 grid the label decides the glasses | "
                    f"{_yes(f['grid_2x2_obeys'])}; {_yes(f['grid_6x6_label_decides'])} | |")
        rows.append(f"| 07 | Fréchet distance of faces halfway between two latent vectors to real "
                    f"faces with glasses, mean of 5 draws: straight line, arc (slerp), fresh "
                    f"random vectors (real faces: baseline) | {f['midpoint_fid_line']:.2f}, "
                    f"{f['midpoint_fid_arc']:.2f}, {f['midpoint_fid_random']:.2f} (baseline "
                    f"{f['midpoint_fid_baseline']:.2f}) | |")
    return ["| notebook | figure | course, `quick` | book's recipe, same notebook |",
            "|---|---|---|---|", *rows]


def claim_rows(report: dict) -> list[str]:
    """Per notebook: how many claims its run checked and how many held."""
    rows = ["| notebook | claims checked | held |", "|---|---|---|"]
    for name, result in report["notebooks"].items():
        claims = result.get("claims", [])
        rows.append(f"| {name[:2]} {NAMES[name[:2]]} | {len(claims)} | "
                    f"{sum(claim['held'] for claim in claims)} |")
    return rows


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def time_rows(quick: dict, smoke: dict | None) -> list[str]:
    """Wall time and peak memory per notebook, ``smoke`` and ``quick``."""
    rows = ["| notebook | `smoke` | `smoke` memory | `quick` | `quick` memory |",
            "|---|---|---|---|---|"]
    totals = {"smoke": 0.0, "quick": 0.0}
    for name, result in quick["notebooks"].items():
        small = (smoke or {"notebooks": {}})["notebooks"].get(name)
        cells = ["", ""] if small is None else [_duration(small["seconds"]),
                                                f"{small['peak_memory_mb']:,} MB"]
        totals["smoke"] += small["seconds"] if small else 0
        totals["quick"] += result["seconds"]
        rows.append(f"| {name[:2]} {NAMES[name[:2]]} | {cells[0]} | {cells[1]} | "
                    f"{_duration(result['seconds'])} | {result['peak_memory_mb']:,} MB |")
    rows.append(f"| all seven | {_duration(totals['smoke']) if smoke else ''} | | "
                f"{_duration(totals['quick'])} | |")
    return rows


def render(quick: dict, smoke: dict | None) -> str:
    """The block between the README's markers."""
    return "\n".join([
        BEGIN,
        f"Figures, `quick` profile ({quick['machine']}; the JSON has them all):", "",
        *figure_rows(quick), "",
        "Claims: every sentence of a notebook that says what its run shows is checked by the run "
        "(`results.claims`); `make results` fails if one does not hold. In this run:", "",
        *claim_rows(quick), "",
        "Time and memory, top to bottom (memory: the peak resident set size of the notebook's "
        "kernel):", "",
        *time_rows(quick, smoke),
        END])


def recorded() -> tuple[dict, dict | None]:
    quick = json.loads((ROOT / "docs" / "results" / "quick" / "results.json").read_text())
    smoke_path = ROOT / "docs" / "results" / "smoke" / "results.json"
    return quick, json.loads(smoke_path.read_text()) if smoke_path.is_file() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="replace the README's tables")
    args = parser.parse_args()
    block = render(*recorded())
    if not args.write:
        print(block)
        return
    text = README.read_text()
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        sys.exit(f"README.md needs one {BEGIN} line and one {END} line around the tables")
    before, rest = text.split(BEGIN)
    README.write_text(before + block + rest.split(END, 1)[1])


if __name__ == "__main__":
    main()
