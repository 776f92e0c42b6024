"""Procedural faces and the face-dataset loaders (notebooks 06 and 07), on small folders made here.
"""

import csv

import pytest
import torch
from PIL import Image

from gan_helpers import data
from gan_helpers.course import faces, prepare

from support import listing


def test_faces_are_deterministic_for_a_seed_and_carry_their_attributes():
    images, attributes = faces.make_faces(64, seed=3)
    again, _ = faces.make_faces(64, seed=3)
    other, _ = faces.make_faces(64, seed=4)
    assert images.shape == (64, 3, 64, 64) and images.dtype == torch.uint8
    assert torch.equal(images, again) and not torch.equal(images, other)
    assert set(attributes) == {"glasses", "long_hair"}
    assert all(0.2 < value.float().mean() < 0.8 for value in attributes.values())


@pytest.mark.parametrize(("attribute", "rows"), [("glasses", slice(16, 38)),
                                             ("long_hair", slice(26, 64))])
def test_each_attribute_changes_the_picture_where_it_should(attribute, rows):
    parameters = faces.draw_parameters(16, seed=0)
    with_it = {**parameters, attribute: torch.ones(16, dtype=torch.bool)}
    without = {**parameters, attribute: torch.zeros(16, dtype=torch.bool)}
    changed = (faces.render(with_it) != faces.render(without)).any(dim=1)  # (16, 64, 64)
    assert changed.flatten(1).any(dim=1).all()  # every face changes
    inside = changed[:, rows].sum() / changed.sum()
    assert inside > 0.99, f"{attribute} changed pixels outside rows {rows}"


def test_face_folder_has_the_eyeglasses_layout_and_is_kept_when_made_again(tmp_path, monkeypatch):
    root = faces.write_face_folder(40, seed=1, root=tmp_path / "faces")
    _, attributes = faces.make_faces(40, seed=1)
    assert len(list((root / "G").glob("*.png"))) == int(attributes["glasses"].sum())
    assert len(list((root / "NoG").glob("*.png"))) == 40 - int(attributes["glasses"].sum())
    with open(root / "attributes.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(row["long_hair"]) for row in rows] == attributes["long_hair"].int().tolist()
    stamp = (root / rows[0]["file"]).stat().st_mtime_ns
    faces.write_face_folder(40, seed=1, root=root)
    assert (root / rows[0]["file"]).stat().st_mtime_ns == stamp
    faces.write_face_folder(30, seed=1, root=root)  # another recipe: made again
    assert len(list(root.glob("*/*.png"))) == 30
    stamp = next(root.glob("*/*.png")).stat().st_mtime_ns
    # the drawing code changed
    monkeypatch.setattr(faces, "DRAWING_VERSION", faces.DRAWING_VERSION + 1)
    faces.write_face_folder(30, seed=1, root=root)
    assert next(root.glob("*/*.png")).stat().st_mtime_ns != stamp


def test_faces_are_the_same_however_many_cores_draw_them():
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one, _ = faces.make_faces(1200, seed=7, size=32)
        torch.set_num_threads(max(2, threads))
        many, _ = faces.make_faces(1200, seed=7, size=32)
    finally:
        torch.set_num_threads(threads)
    assert torch.equal(one, many)


def test_faces_are_drawn_once_per_recipe_and_then_read_back(course_root, monkeypatch):
    # notebooks 06 and 07 (and their profiles) ask for different faces: neither redraws the other's
    small, attributes, folder = faces.cached_faces(10, size=32)
    assert folder == course_root / "data" / "procedural_faces" / "10-32px-seed42"
    assert torch.equal(small, faces.make_faces(10, size=32)[0])
    monkeypatch.setattr(faces, "make_faces", lambda *args: pytest.fail("drawn again"))
    again, attributes_again, _ = faces.cached_faces(10, size=32)
    assert torch.equal(again, small)
    assert torch.equal(attributes_again["glasses"], attributes["glasses"])
    assert not list(folder.glob("*.partial"))


def test_faces_drawn_by_older_code_are_drawn_again(course_root, monkeypatch):
    faces.cached_faces(6, size=16)
    monkeypatch.setattr(faces, "DRAWING_VERSION", faces.DRAWING_VERSION + 1)
    drawn = []
    make = faces.make_faces
    monkeypatch.setattr(faces, "make_faces", lambda *args: drawn.append(args) or make(*args))
    faces.cached_faces(6, size=16)
    assert drawn == [(6, 42, 16)]


def test_faces_a_teacher_drew_in_a_shared_folder_are_read_there(course_root, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    monkeypatch.setenv("GAN_DATA_DIR", str(shared))
    faces.cached_faces(8, size=16, save_to=shared)  # what `prepare faces` does with GAN_DATA_DIR
    before = listing(shared)
    images, _, folder = faces.cached_faces(8, size=16)
    assert folder.is_relative_to(shared) and len(images) == 8
    _, _, own = faces.cached_faces(9, size=16)  # not in the shared folder: drawn into the own
    assert listing(shared) == before  # nothing written to the shared folder
    assert own.is_relative_to(course_root / "data")


def test_load_image_folder_reads_the_faces_back_with_imagefolder_labels(tmp_path):
    root = faces.write_face_folder(24, seed=2, root=tmp_path / "faces")
    images, labels, classes = data.load_image_folder(root, size=32)
    assert classes == ["G", "NoG"] and images.shape == (24, 3, 32, 32)
    assert images.dtype == torch.uint8
    assert labels.tolist() == sorted(labels.tolist())  # ImageFolder's order: G/ first, then NoG/
    _, attributes = faces.make_faces(24, seed=2)
    # ImageFolder: G -> 0, as in the book
    assert int((labels == 0).sum()) == int(attributes["glasses"].sum())
    unit = data.to_unit_range(images)
    assert unit.min() >= -1 and unit.max() <= 1


def test_load_image_folder_can_take_a_share_of_every_class(tmp_path):
    root = faces.write_face_folder(40, seed=1, root=tmp_path / "faces")
    some = data.load_image_folder(root, count=10)
    assert len(some.images) == 10 and set(some.labels.tolist()) == {0, 1}
    assert len(data.load_image_folder(root, count=100).images) == 40


def anime_folder(root, count=12):
    """A fake of the Kaggle anime faces: JPEGs of another size in data/anime/images/."""
    folder = root / "data" / "anime" / "images"
    folder.mkdir(parents=True)
    for i in range(count):
        Image.new("RGB", (80, 80), (i * 20, 100, 50)).save(folder / f"{i}_2020.jpg")
    return folder


def test_load_faces_falls_back_to_procedural_faces_with_their_attributes(course_root, capsys):
    faces_data = data.load_faces("anime", count=30, seed=5)
    assert faces_data.name == "procedural faces" and "No " in capsys.readouterr().out
    assert faces_data.images.shape == (30, 3, 64, 64)
    images, attributes = faces.make_faces(30, seed=5)
    assert torch.equal(faces_data.images, images)
    assert all(torch.equal(faces_data.attributes[name], attributes[name]) for name in attributes)


def test_load_faces_uses_the_books_data_when_it_is_there(course_root):
    tmp_path = course_root
    anime_folder(tmp_path)
    anime = data.load_faces("anime", count=10)
    assert anime.name == "anime faces" and anime.images.shape == (10, 3, 64, 64)
    assert anime.attributes == {}
    source, labels_csv, target = kaggle_eyeglasses(tmp_path / "data")
    prepare.prepare_eyeglasses(source, labels_csv, target)
    glasses = data.load_faces("eyeglasses", count=100, size=32)
    assert glasses.images.shape == (5, 3, 32, 32)
    assert glasses.attributes["glasses"].tolist() == [1, 1, 1, 0, 0]
    with pytest.raises(ValueError, match="anime, eyeglasses"):
        data.load_faces("celebrities", count=10)


def test_a_real_dataset_laid_out_wrongly_is_not_replaced_silently(course_root):
    tmp_path = course_root
    folder = anime_folder(tmp_path, count=3)
    for image in folder.iterdir():
        image.rename(folder.parent / image.name)  # images directly in data/anime/
    folder.rmdir()
    with pytest.raises(prepare.DatasetError, match=r"3 images directly in .*data/anime/images/"):
        data.load_faces("anime", count=10)


def test_loose_images_get_a_message_about_the_layout(tmp_path):
    (tmp_path / "anime").mkdir()
    for i in range(3):
        Image.new("RGB", (8, 8)).save(tmp_path / "anime" / f"{i}.png")
    with pytest.raises(prepare.DatasetError, match=r"3 images directly in .*anime.*class sub"):
        data.load_image_folder(tmp_path / "anime", expected="data/anime/images/*.png")
    with pytest.raises(prepare.DatasetError, match="No dataset at"):
        data.load_image_folder(tmp_path / "nothing")


def kaggle_eyeglasses(tmp_path, ids=range(1, 7), listed=range(1, 6)):
    folder = tmp_path / "faces-spring-2020" / "faces-spring-2020"  # Kaggle's zip nests the folder
    folder.mkdir(parents=True)
    for i in ids:
        Image.new("RGB", (8, 8), (i, 0, 0)).save(folder / f"face-{i}.png")
    with open(tmp_path / "train.csv", "w") as handle:
        handle.write("id,glasses\n" + "".join(f"{i},{i % 2}\n" for i in listed))
    return tmp_path / "faces-spring-2020", tmp_path / "train.csv", tmp_path / "glasses"


def test_prepare_eyeglasses_sorts_by_the_csv_and_can_run_again(tmp_path, capsys):
    source, labels_csv, target = kaggle_eyeglasses(tmp_path)
    # ids 1, 3, 5 wear glasses
    assert prepare.prepare_eyeglasses(source, labels_csv, target) == {"G": 3, "NoG": 2}
    assert "3 with glasses" in capsys.readouterr().out
    assert (target / "G" / "face-3.png").is_file() and (target / "NoG" / "face-4.png").is_file()
    assert not (target / "NoG" / "face-6.png").exists()  # not in train.csv
    assert prepare.prepare_eyeglasses(source, labels_csv, target) == {"G": 3, "NoG": 2}
    assert (source / "faces-spring-2020" / "face-1.png").is_file()  # copied, not moved


def test_prepare_eyeglasses_says_what_is_missing(tmp_path):
    source, labels_csv, target = kaggle_eyeglasses(tmp_path, ids=range(1, 4), listed=range(1, 6))
    with pytest.raises(prepare.DatasetError, match=r"2 images listed .* missing .*face-4.png"):
        prepare.prepare_eyeglasses(source, labels_csv, target)
    with pytest.raises(prepare.DatasetError, match=r"No .*train.csv"):
        prepare.prepare_eyeglasses(source, tmp_path / "train.csv.missing", target)
    with pytest.raises(prepare.DatasetError, match=r"Wrong layout: no face-<id>.png"):
        prepare.prepare_eyeglasses(tmp_path / "elsewhere", labels_csv, target)


def test_command_line_makes_faces_and_reports_eyeglasses_errors(course_root, capsys):
    assert prepare.main(["faces", "--count", "12", "--size", "32"]) == 0
    assert "12 procedural faces are ready" in capsys.readouterr().out
    folder = course_root / "data" / "procedural_faces" / "12-32px-seed42"
    assert len(list(folder.glob("*/*.png"))) == 12 and (folder / "faces.pt").is_file()
    assert prepare.main(["eyeglasses"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: No ") and "train.csv" in err and "Traceback" not in err
