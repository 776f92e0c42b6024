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


def test_a_claim_is_printed_with_its_figures_and_recorded_once(course_root, profile, capsys):
    profile("quick")
    claim = results.claims("03")
    claim("the book's GAN covers fewer values", 14 < 20, book=14, course=20)
    claim("the book's GAN covers fewer values", False, book=20, course=20)
    claim("validity is high", 0.5 > 0.9, validity=0.5123456)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "claim: the book's GAN covers fewer values (book 14, course 20): holds"
    assert printed[2] == "claim: validity is high (validity 0.5123): DOES NOT HOLD in this run"
    kept = json.loads((course_root / "files" / "results" / "03.json").read_text())
    assert kept["claims"] == [  # made again: the later record replaces the earlier one
        {"claim": "the book's GAN covers fewer values", "held": False,
         "figures": {"book": 20, "course": 20}},
        {"claim": "validity is high", "held": False, "figures": {"validity": 0.5123}}]


def test_a_claim_that_fails_in_smoke_says_smoke_is_too_short_to_judge(course_root, profile, capsys):
    profile("smoke")
    results.claims("02")("the course's G covers the curve", False, ks=0.4)
    assert "smoke trains too little for this" in capsys.readouterr().out
    results.record("02", ks=0.4)  # figures and claims live side by side in one file
    kept = json.loads((course_root / "files" / "smoke" / "results" / "02.json").read_text())
    assert kept["ks"] == 0.4 and kept["claims"][0]["held"] is False
