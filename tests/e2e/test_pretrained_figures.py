"""A class without training: on a fresh course folder (no files/ of its own), each GAN notebook in
``quick`` with ``hp.train = False`` loads the models that ship in ``pretrained/`` and measures the
figures that the run which trained them recorded (``pretrained/runs.json``)."""

import json

import pytest

from gan_helpers.course import runner

from support import ROOT

PRETRAINED = ROOT / "pretrained"
# notebook: (the generator it loads, the names its figures are computed into, the figures)
CASES = {
    "02": ("shape_generator.pt", ["course_quality"], lambda ns: ns["course_quality"]),
    "03": ("number_generator.pt", ["course_quality"], lambda ns: ns["course_quality"]),
    "04": ("fashion_generator.pt", ["fid_generated", "shares"],
           lambda ns: {"Fréchet distance": ns["fid_generated"],
                       "smallest class share": ns["shares"].min().item()}),
    "06": ("dcgan_generator.pt", ["fid_generated", "generated_rates"],
           lambda ns: {"Fréchet distance": ns["fid_generated"],
                       **{f"{name} rate": ns["generated_rates"][name] for name in ns["names"]}}),
    "07": ("cgan_generator.pt", ["accuracy"],
           lambda ns: {f"obeys {request}": value for request, value in ns["accuracy"].items()}),
}


@pytest.fixture
def fresh_course(tmp_path, monkeypatch):
    """A learner's course folder with nothing trained in it, reading the course's pretrained/ and
    its prepared data."""
    (tmp_path / "pretrained").symlink_to(PRETRAINED)
    monkeypatch.setenv("GAN_COURSE_ROOT", str(tmp_path))
    monkeypatch.setenv("GAN_DATA_DIR", str(ROOT / "data"))
    monkeypatch.setenv("GAN_PROFILE", "quick")
    monkeypatch.delenv("GAN_MODELS_DIR", raising=False)
    return tmp_path


@pytest.mark.parametrize("prefix", sorted(CASES))
def test_the_shipped_generator_gives_the_recorded_figures(prefix, fresh_course, capsys):
    generator, names, figures = CASES[prefix]
    recorded = json.loads((PRETRAINED / "runs.json").read_text())["files"][generator]["figures"]
    path = next((ROOT / "notebooks").glob(f"{prefix}_*.ipynb"))
    namespace = runner.run_cells(path, {"train": False},
                                 until=lambda ns: all(name in ns for name in names))
    assert f"loaded the generator from {fresh_course / 'pretrained' / generator}" in \
        capsys.readouterr().out
    assert not list((fresh_course / "files").glob("*.pt")), "hp.train = False trained something"
    measured = figures(namespace)
    assert measured.keys() == recorded.keys()
    for name, value in recorded.items():
        assert measured[name] == pytest.approx(value, rel=1e-5), name
