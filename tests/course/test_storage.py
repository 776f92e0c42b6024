"""Files written whole or not at all (gan_helpers.course.storage) by every writer of the course
that is not a lesson: results' figures and JSON, the procedural faces' cache and folder, the
prepared Fashion-MNIST files; and the damaged files they read."""

import errno
import json

import matplotlib.pyplot as plt
import pytest
import torch
from PIL import Image

from gan_helpers.course import faces, prepare, results, storage


def fill_the_disk(monkeypatch):
    def write(file, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "_write", write)


def test_writing_replaces_the_file_only_when_whole(tmp_path):
    path = tmp_path / "sub" / "a.bin"
    with storage.writing(path) as file:
        file.write(b"first")

    def half_then_a_bug():
        with storage.writing(path) as file:
            file.write(b"second, half")
            raise RuntimeError("a bug half-way")  # not a failed write: raised as it was

    with pytest.raises(RuntimeError, match="a bug half-way"):
        half_then_a_bug()
    assert path.read_bytes() == b"first"
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.bin"]


def test_results_a_full_disk_keeps_the_recorded_figures_and_the_pictures(course_root, profile,
                                                                         monkeypatch):
    profile("quick")
    results.record("04", frechet_distance=12.3)
    fill_the_disk(monkeypatch)
    with pytest.raises(storage.SaveError, match=r"04.json: the disk is full.*previous 04.json"):
        results.record("04", frechet_distance=99.0)
    fig, _ = plt.subplots()
    with pytest.raises(storage.SaveError, match=r"04_samples.png: the disk is full"):
        results.save_figure("04_samples", fig)
    assert not plt.fignum_exists(fig.number)
    monkeypatch.undo()
    kept = course_root / "files" / "results" / "04.json"
    assert json.loads(kept.read_text()) == {"frechet_distance": 12.3}
    assert not list(course_root.rglob("*.partial"))
    assert not (course_root / "files" / "figures" / "04_samples.png").exists()


def test_results_a_damaged_json_is_written_again_and_says_so(course_root, profile, capsys):
    profile("quick")
    kept = course_root / "files" / "results" / "04.json"
    kept.parent.mkdir(parents=True)
    kept.write_text('{"frechet_distance": 12.')  # a write that stopped half-way
    results.record("04", rises=True)
    assert "04.json was damaged" in capsys.readouterr().out
    assert json.loads(kept.read_text()) == {"rises": True}


def test_faces_cache_a_full_disk_leaves_no_cache_and_says_so(course_root, monkeypatch):
    fill_the_disk(monkeypatch)
    with pytest.raises(storage.SaveError, match=r"faces.pt: the disk is full.*Free some space"):
        faces.cached_faces(20, seed=3, size=16)
    assert not list(course_root.rglob("faces.pt*"))


def test_faces_cache_a_damaged_file_is_drawn_again_and_says_so(course_root, capsys):
    images, _, folder = faces.cached_faces(20, seed=3, size=16)
    cache = folder / "faces.pt"
    cache.write_bytes(cache.read_bytes()[:1000])
    again, _, _ = faces.cached_faces(20, seed=3, size=16)
    out = capsys.readouterr().out
    assert f"{cache} cannot be read" in out and "truncated" in out and "drawn again" in out
    assert torch.equal(again, images)
    assert torch.load(cache, weights_only=True)["images"].shape == images.shape  # whole again


def test_face_folder_a_full_disk_leaves_no_half_folder(course_root, tmp_path, monkeypatch):
    saved = []

    def save(image, path, *args, **kwargs):
        if len(saved) == 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        saved.append(path)
        path.write_bytes(b"png")

    faces.cached_faces(12, seed=3)  # the cache is written first, whole
    monkeypatch.setattr(Image.Image, "save", save)
    root = tmp_path / "faces"
    with pytest.raises(storage.SaveError, match=r"the disk is full.*images written so far were "
                                                r"removed.*prepare faces` again"):
        faces.write_face_folder(12, seed=3, root=root)
    assert sorted(p.name for p in root.iterdir()) == []


def test_fashion_mnist_a_full_disk_while_unpacking_leaves_nothing(tmp_path, monkeypatch):
    source = tmp_path / "t10k-labels-idx1-ubyte"
    source.write_bytes(b"\x00\x00\x08\x01" + bytes(100))
    target = tmp_path / "raw" / "t10k-labels-idx1-ubyte"
    fill_the_disk(monkeypatch)
    with pytest.raises(prepare.DatasetError, match=r"t10k-labels-idx1-ubyte: the disk is full.*"
                                                   r"run `make data` again"):
        prepare._unpack_into(source, target)
    assert sorted(p.name for p in (tmp_path / "raw").iterdir()) == []


def test_fashion_mnist_a_truncated_archive_is_named(tmp_path):
    import gzip

    source = tmp_path / "t10k-labels-idx1-ubyte.gz"
    source.write_bytes(gzip.compress(bytes(5000))[:30])
    with pytest.raises(prepare.DatasetError, match=r"labels-idx1-ubyte.gz is damaged or "
                                                   r"incomplete.*delete it and prepare"):
        prepare._unpack_into(source, tmp_path / "raw" / "t10k-labels-idx1-ubyte")
    assert sorted(p.name for p in (tmp_path / "raw").iterdir()) == []


def kaggle_eyeglasses(tmp_path, rows="1,1\n2,0\n3,1\n"):
    folder = tmp_path / "faces-spring-2020"
    folder.mkdir()
    for i in (1, 2, 3):
        Image.new("RGB", (8, 8), (i, 0, 0)).save(folder / f"face-{i}.png")
    (tmp_path / "train.csv").write_text("id,glasses\n" + rows)
    return folder, tmp_path / "train.csv", tmp_path / "glasses"


def test_eyeglasses_a_cut_off_csv_names_the_line(tmp_path):
    source, labels_csv, target = kaggle_eyeglasses(tmp_path, rows="1,1\n2,0\n3")
    with pytest.raises(prepare.DatasetError, match=r"train.csv line 4 is not an id and a glasses "
                                                   r"value of 0 or 1.*download train.csv again"):
        prepare.prepare_eyeglasses(source, labels_csv, target)


def test_eyeglasses_a_full_disk_leaves_no_half_copied_image_and_a_rerun_finishes(tmp_path,
                                                                                 monkeypatch):
    source, labels_csv, target = kaggle_eyeglasses(tmp_path)
    written = []
    real_write = storage._write

    def fills_up(file, data):
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(1)
        return real_write(file, data)

    monkeypatch.setattr(storage, "_write", fills_up)
    with pytest.raises(prepare.DatasetError, match=r"the disk is full.*prepare eyeglasses` again"):
        prepare.prepare_eyeglasses(source, labels_csv, target)
    copied = sorted(p.name for p in target.rglob("*") if p.is_file())
    assert copied == ["face-1.png"] and not list(target.rglob("*.partial"))
    monkeypatch.undo()
    assert prepare.prepare_eyeglasses(source, labels_csv, target) == {"G": 2, "NoG": 1}


def test_face_folder_a_damaged_recipe_is_made_again(tmp_path, course_root):
    root = faces.write_face_folder(6, seed=2, root=tmp_path / "faces")
    (root / "recipe.json").write_text('{"count": 6, "se')  # cut off
    assert faces.write_face_folder(6, seed=2, root=root) == root
    assert json.loads((root / "recipe.json").read_text())["count"] == 6


def test_student_edition_a_full_disk_keeps_the_previous_notebooks(tmp_path, monkeypatch):
    from gan_helpers.course import editions

    (tmp_path / "01_classifier_early_stopping.ipynb").write_text("the previous edition")
    fill_the_disk(monkeypatch)
    with pytest.raises(storage.SaveError, match=r"the disk is full.*run `make student` again"):
        editions.write_student_edition(tmp_path)
    assert (tmp_path / "01_classifier_early_stopping.ipynb").read_text() == "the previous edition"
    assert not list(tmp_path.glob("*.partial"))
