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


def test_notebook_06_trains_on_anime_faces_when_they_are_there(tmp_path, monkeypatch):
    """The book's anime faces in data/anime/images/ are used instead of procedural faces, with no code change."""
    import nbformat
    import numpy as np
    from nbclient import NotebookClient
    from PIL import Image

    folder = tmp_path / "data" / "anime" / "images"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(300):  # stand-ins of another size, as JPEGs: a coloured disc on a coloured ground
        y, x = np.mgrid[:72, :72]
        disc = (x - rng.integers(25, 45)) ** 2 + (y - rng.integers(25, 45)) ** 2 < rng.integers(200, 500)
        pixels = np.where(disc[..., None], rng.integers(0, 256, 3), rng.integers(0, 256, 3)).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"{i}_2019.jpg")
    monkeypatch.setenv("GAN_COURSE_ROOT", str(tmp_path))
    monkeypatch.setenv("GAN_PROFILE", "smoke")
    notebook = nbformat.read(Path(__file__).parent.parent / "notebooks" / "06_dcgan_anime_faces.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                      for output in cell.outputs)
    assert f"Using the book's anime faces from {tmp_path / 'data' / 'anime'}: 256 images" in printed
    assert "held-out accuracy: rotation" in printed
    assert "no attribute rates to compare" in printed
    assert (tmp_path / "files" / "smoke" / "dcgan_generator.pt").is_file()
    assert not (tmp_path / "data" / "procedural_faces").exists()
