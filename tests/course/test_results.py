"""What feeds the README: recorded figures and saved pictures."""

import json

import matplotlib.pyplot as plt

from gan_helpers.course import results


def test_record_keeps_a_notebooks_figures_rounded_and_adds_to_them(course_root, profile):
    profile("quick")
    results.record("04", frechet_distance=12.345678, dataset="procedural faces")
    results.record("04", smallest_class_share=0.0512345, rises=True)
    kept = json.loads((course_root / "files" / "results" / "04.json").read_text())
    assert kept == {"frechet_distance": 12.35, "dataset": "procedural faces",
                    "smallest_class_share": 0.05123, "rises": True}


def test_save_figure_writes_a_png_under_files_figures_and_closes_it(course_root, profile):
    profile("smoke")
    fig, _ = plt.subplots()
    results.save_figure("04_samples", fig)
    path = course_root / "files" / "smoke" / "figures" / "04_samples.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.fignum_exists(fig.number)
