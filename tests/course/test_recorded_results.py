"""What the course says about its runs is what its last ``make results`` recorded: every claim
held, the README's tables render from the recorded figures, and each notebook's announced
``quick`` time matches the measured one."""

from __future__ import annotations

import importlib.util
import json
import re

import pytest

from support import ROOT

QUICK = json.loads((ROOT / "docs" / "results" / "quick" / "results.json").read_text())


def readme_tables():
    spec = importlib.util.spec_from_file_location("readme_tables",
                                                  ROOT / "bench" / "readme_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_claim_the_quick_run_checked_held():
    false = [f"{name}: {claim['claim']} {claim['figures']}"
             for name, result in QUICK["notebooks"].items()
             for claim in result.get("claims", []) if not claim["held"]]
    assert not false, "claims that did not hold in the recorded quick run:\n" + "\n".join(false)


@pytest.mark.parametrize("prefix", ["01", "02", "03", "04", "06", "07"])
def test_each_notebook_that_trains_checks_its_claims(prefix):
    [result] = [r for name, r in QUICK["notebooks"].items() if name.startswith(prefix)]
    assert result.get("claims"), f"notebook {prefix} recorded no claim in the quick run"


def test_readme_tables_are_rendered_from_the_recorded_results():
    module = readme_tables()
    text = (ROOT / "README.md").read_text()
    block = text[text.index(module.BEGIN):text.index(module.END) + len(module.END)]
    assert block == module.render(*module.recorded()), (
        "README.md's results tables differ from docs/results: run "
        "`.venv/bin/python bench/readme_tables.py --write`")


def announced_seconds(text: str) -> tuple[float, float]:
    """The range a profile table's time cell allows, in seconds: ``about 9 minutes`` is 9 minutes
    give or take 40%, ``1 to 2 minutes`` that range, ``under a minute`` up to 60 s."""
    if match := re.fullmatch(r"about ([\d.]+) (minutes?|seconds)", text):
        seconds = float(match[1]) * (1 if match[2] == "seconds" else 60)
        return seconds * 0.6, seconds * 1.4
    if match := re.fullmatch(r"([\d.]+) to ([\d.]+) minutes", text):
        return 60 * float(match[1]), 60 * float(match[2])
    if text == "under a minute":
        return 0, 60
    if match := re.fullmatch(r"under ([\d.]+) seconds", text):
        return 0, float(match[1])
    raise ValueError(f"a time the test cannot read: {text!r}")


@pytest.mark.parametrize("name", sorted(QUICK["notebooks"]))
def test_a_notebooks_announced_quick_time_is_the_measured_one(name):
    notebook = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
    intro = "".join(notebook["cells"][0]["source"])
    match = re.search(r"\|[^|\n]*`quick`[^|\n]*\| ([^|:\n]+?) on a 2-core CPU", intro)
    assert match, f"{name}: no `quick` row with a time in its profile table"
    low, high = announced_seconds(match[1])
    measured = QUICK["notebooks"][name]["seconds"]
    assert low <= measured <= high, (f"{name} announces {match[1]!r} for quick, and the "
                                     f"recorded run took {measured:.0f} s")


def test_announced_times_are_read_as_ranges():
    assert announced_seconds("about 10 minutes") == (360, 840)
    assert announced_seconds("1 to 2 minutes") == (60, 120)
    assert announced_seconds("under a minute") == (0, 60)
    with pytest.raises(ValueError, match="cannot read"):
        announced_seconds("quickly")
