"""The notebooks as files: stored clean, and the code they teach identical to the package's copy."""

import ast
import inspect
import json
from pathlib import Path

import pytest

from gan_helpers import models, training

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))

# notebook -> helpers it writes out on the page and the package keeps for later notebooks
TAUGHT = {
    "01_classifier_early_stopping.ipynb": [
        training.train_epoch, training.evaluate, training.fit_classifier, training.EarlyStop,
        models.fashion_classifier,
    ],
    "02_shape_gan.ipynb": [
        models.shape_discriminator, models.shape_generator, models.CrowdAwareShapeDiscriminator,
        training.gan_step, training.train_shape_gan,
    ],
    "03_number_pattern_gan.ipynb": [
        models.number_discriminator, models.number_generator, models.CrowdAwareDiscriminator,
    ],
    "04_fashion_mnist_gan.ipynb": [models.fashion_discriminator, models.fashion_generator, training.train_gan],
    "06_dcgan_anime_faces.ipynb": [
        models.dcgan_discriminator, models.dcgan_generator, models.init_weights, models.InstanceNoise,
    ],
    "07_cgan_wgan_gp.ipynb": [
        models._doublings, models.wgan_critic, models.conditional_generator, training.label_channels,
        training.generator_input, training.gradient_penalty, training.wgan_gp_step,
    ],
}


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def without_docstrings(node: ast.AST) -> str:
    for child in ast.walk(node):
        body = getattr(child, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            child.body = body[1:]
    return ast.dump(node)


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS][:1] == ["01_classifier_early_stopping.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_clean_with_a_python3_kernel(path):
    notebook = load(path)
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        checked = "".join(cell["source"]).startswith("# NBVAL_CHECK_OUTPUT")
        if cell["outputs"] or cell["execution_count"] is not None:
            assert checked, f"cell {index} keeps outputs: only NBVAL_CHECK_OUTPUT cells store them"
        if checked:
            assert cell["outputs"] and cell["execution_count"], f"checked cell {index} has no reference output"


@pytest.mark.parametrize("name", TAUGHT)
def test_taught_code_matches_the_package(name):
    cells = [("".join(c["source"])) for c in load(Path(__file__).parent.parent / "notebooks" / name)["cells"]
             if c["cell_type"] == "code"]
    defined = {}
    for source in cells:
        clean = "\n".join(line for line in source.splitlines() if not line.startswith(("%", "!")))
        for node in ast.parse(clean).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined[node.name] = node
    for helper in TAUGHT[name]:
        assert helper.__name__ in defined, f"{name} no longer defines {helper.__name__}"
        package_node = ast.parse(inspect.getsource(helper)).body[0]
        assert without_docstrings(defined[helper.__name__]) == without_docstrings(package_node), (
            f"{helper.__name__} in {name} differs from gan_helpers' copy: change both"
        )


def run_in_smoke(name: str, root: Path, monkeypatch) -> str:
    """Run a notebook, unchanged, in the smoke profile with ``root`` as the course folder; return what it printed."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("GAN_COURSE_ROOT", str(root))
    monkeypatch.setenv("GAN_PROFILE", "smoke")
    notebook = nbformat.read(Path(__file__).parent.parent / "notebooks" / name, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(root)}}).execute()
    return "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.outputs)


def disc_pictures(folder: Path, count: int, rng, suffix: str = ".jpg", bar: bool = False) -> None:
    """Stand-in faces of another size: a coloured disc on a coloured ground, with a dark bar across (glasses) if ``bar``."""
    import numpy as np
    from PIL import Image

    folder.mkdir(parents=True)
    for i in range(count):
        y, x = np.mgrid[:72, :72]
        disc = (x - rng.integers(25, 45)) ** 2 + (y - rng.integers(25, 45)) ** 2 < rng.integers(200, 500)
        pixels = np.where(disc[..., None], rng.integers(0, 256, 3), rng.integers(0, 256, 3)).astype(np.uint8)
        if bar:
            pixels[30:36, 12:60] = 20
        Image.fromarray(pixels).save(folder / f"face-{i}{suffix}")


def test_notebook_06_trains_on_anime_faces_when_they_are_there(tmp_path, monkeypatch):
    """The book's anime faces in data/anime/images/ are used instead of procedural faces, with no code change."""
    import numpy as np

    disc_pictures(tmp_path / "data" / "anime" / "images", 300, np.random.default_rng(0))
    printed = run_in_smoke("06_dcgan_anime_faces.ipynb", tmp_path, monkeypatch)
    assert f"Using the book's anime faces from {tmp_path / 'data' / 'anime'}: 256 images" in printed
    assert "held-out accuracy: rotation" in printed
    assert "no attribute rates to compare" in printed
    assert (tmp_path / "files" / "smoke" / "dcgan_generator.pt").is_file()
    assert not (tmp_path / "data" / "procedural_faces").exists()


def test_notebook_07_trains_on_the_eyeglasses_faces_when_they_are_there(tmp_path, monkeypatch):
    """A prepared eyeglasses folder (data/glasses/G and NoG) is used instead of procedural faces, with no code change."""
    import numpy as np

    rng = np.random.default_rng(0)
    disc_pictures(tmp_path / "data" / "glasses" / "G", 150, rng, ".png", bar=True)
    disc_pictures(tmp_path / "data" / "glasses" / "NoG", 150, rng, ".png")
    printed = run_in_smoke("07_cgan_wgan_gp.ipynb", tmp_path, monkeypatch)
    assert f"Using the book's eyeglasses faces from {tmp_path / 'data' / 'glasses'}: 256 images at 32x32" in printed
    assert "held-out accuracy: glasses" in printed and "long_hair" not in printed  # no hair labels there
    assert "asked for glasses" in printed and "all four combinations" not in printed
    assert (tmp_path / "files" / "smoke" / "cgan_generator.pt").is_file()
    assert not (tmp_path / "data" / "procedural_faces").exists()
