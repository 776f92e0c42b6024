"""What a learner meets when something is wrong, in the lesson modules: a checkpoint or an export
that is truncated, damaged or not one at all; a full disk or an interrupt while saving; a bad
batch size or a bad value in a hyperparameter table; a training cell interrupted and run again;
an image folder with a damaged file. Each gets a message that names the file or the knob and
says what to do, and nothing is left half-written."""

import ast
import errno
import json

import pytest
import torch
from PIL import Image

from gan_helpers import checkpoints, data, models, settings, training
from gan_helpers.course import knobs, prepare, speed, storage

from support import ROOT


def model():
    torch.manual_seed(0)
    return models.shape_generator()


def fill_the_disk(monkeypatch, after: int = 1):
    """Every write through ``storage.writing`` fails with ENOSPC after ``after`` writes, as on a
    full disk: torch.save's own writer sees it as a RuntimeError, the message must still say."""
    written = []

    def write(file, data):
        if len(written) >= after:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(len(data))
        return storage.io.FileIO.write(file, data)

    monkeypatch.setattr(storage, "_write", write)


def no_partials(folder):
    return sorted(p.name for p in folder.rglob("*.partial"))


# ---- checkpoints that cannot be read


@pytest.mark.parametrize(("damage", "words"), [
    (lambda b: b[: len(b) // 2], "damaged or incomplete PyTorch file (truncated"),
    (lambda b: b"", "it is empty"),
    (lambda b: b"these are my notes, not a checkpoint\n" * 4, "it is not a PyTorch file ("),
])
def test_a_truncated_or_foreign_checkpoint_is_named_with_what_to_do(tmp_path, damage, words):
    path = checkpoints.save_checkpoint(model(), tmp_path / "shape_generator.pt")
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(checkpoints.DamagedCheckpointError) as error:
        checkpoints.load_checkpoint(model(), path)
    message = str(error.value)
    assert str(path) in message and words in message
    assert "Delete it and run the notebook that trains and saves this model again" in message
    assert "PytorchStreamReader" not in message


def test_hp_train_false_with_a_truncated_generator_says_how_to_get_a_whole_one(
        tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "trained_dirs", lambda: [tmp_path])
    path = checkpoints.save_run(model(), tmp_path / "shape_generator.pt", history={},
                                snapshots={})
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(checkpoints.CheckpointMismatchError, match=r"(?s)cannot be read.*truncated"
                       r".*hp.train = True"):
        checkpoints.load_run(model(), path, notebook="02")


def test_a_truncated_export_is_named(tmp_path):
    path = checkpoints.export_model(model(), torch.randn(4, 2), tmp_path / "g.pt2")
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(checkpoints.DamagedCheckpointError,
                       match=r"g.pt2 cannot be read: .*truncated.*run the cell that exports it"):
        checkpoints.load_exported(path)


# ---- a full disk, a read-only folder or an interrupt while saving


@pytest.mark.parametrize("how", ["the file's writes", "torch.save itself"])
def test_a_full_disk_while_saving_keeps_the_previous_checkpoint_and_no_partial(
        tmp_path, monkeypatch, how):
    path = checkpoints.save_checkpoint(model(), tmp_path / "g.pt", epochs=1)
    if how == "torch.save itself":
        def full(contents, file):
            file.write(b"PK\x03\x04 half a checkpoint")
            raise OSError(errno.ENOSPC, "No space left on device")
        monkeypatch.setattr(torch, "save", full)
    else:
        fill_the_disk(monkeypatch)
    with pytest.raises(storage.SaveError) as error:
        checkpoints.save_checkpoint(model(), path, epochs=2)
    message = str(error.value)
    assert f"Could not save {path}: the disk is full" in message
    assert "g.pt.partial was removed; the previous g.pt is as it was" in message
    assert "Free some space" in message and "run the cell again" in message
    assert no_partials(tmp_path) == []
    monkeypatch.undo()
    assert checkpoints.load_checkpoint(model(), path) == {"epochs": 1}


def test_a_full_disk_while_exporting_leaves_nothing(tmp_path, monkeypatch):
    fill_the_disk(monkeypatch)
    with pytest.raises(storage.SaveError, match=r"g.pt2: the disk is full"):
        checkpoints.export_model(model(), torch.randn(4, 2), tmp_path / "g.pt2")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_written_is_named(tmp_path, monkeypatch):
    def refused(file, data):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(storage, "_write", refused)
    with pytest.raises(storage.SaveError, match=r"cannot be written here \(read-only, or not"):
        checkpoints.save_checkpoint(model(), tmp_path / "g.pt")
    assert no_partials(tmp_path) == []


def test_an_interrupted_save_leaves_the_previous_file_and_no_partial(tmp_path, monkeypatch):
    path = checkpoints.save_checkpoint(model(), tmp_path / "g.pt", epochs=1)

    def interrupted(contents, file):
        file.write(b"PK\x03\x04 half")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        checkpoints.save_checkpoint(model(), path, epochs=2)
    monkeypatch.undo()
    assert no_partials(tmp_path) == []
    assert checkpoints.load_checkpoint(model(), path) == {"epochs": 1}


def test_an_interrupted_training_cell_runs_again_from_the_start(tmp_path, monkeypatch):
    """Interrupted (the stop button) in the middle of training, then run again: the switches are
    put back, nothing is saved half-way, and the second run is the run the cell makes."""
    path = tmp_path / "shape_generator.pt"
    points = data.sample_curve(64, generator=torch.Generator().manual_seed(0))
    calls = []

    def stopped_at_the_third_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return training.gan_step(*args, **kwargs)

    def training_cell(step):  # as the training cells of notebooks 02 to 07 are written
        torch.manual_seed(0)
        G, D = models.shape_generator(), models.shape_discriminator()
        g_opt, d_opt = (torch.optim.Adam(n.parameters(), lr=1e-3) for n in (G, D))
        with speed.process_switches(cudnn_benchmark=True):
            checkpoints.train_or_load(
                G, path, train=True, notebook="02",
                run=lambda: training.train_gan(G, D, data.TensorLoader(points, batch_size=32),
                                               step=step, g_optimizer=g_opt, d_optimizer=d_opt,
                                               latent_size=2, epochs=2))
        return G

    benchmark = torch.backends.cudnn.benchmark
    with pytest.raises(KeyboardInterrupt):
        training_cell(stopped_at_the_third_batch)
    assert torch.backends.cudnn.benchmark is benchmark
    assert not path.exists() and no_partials(tmp_path) == []
    again = training_cell(training.gan_step)
    uninterrupted = training_cell(training.gan_step)
    assert all(torch.equal(a, b) for a, b in zip(again.parameters(), uninterrupted.parameters()))
    assert checkpoints.load_checkpoint(models.shape_generator(), path)["epochs"] == 2


# ---- a bad batch size, a bad value in a hyperparameter table


@pytest.mark.parametrize("size", [0, -3, "64", 6.5, True, None])
def test_a_batch_size_that_is_not_a_whole_number_from_1_names_the_knob(size):
    with pytest.raises(ValueError, match=r"batch_size=.*at least 1.*hp.batch_size"):
        data.TensorLoader(torch.zeros(10, 2), batch_size=size)


TABLE = dict(book=dict(seed=0, batch_size=64, lr=5e-4, adam_betas=(0.9, 0.999), epochs=50,
                       patience=10, stop_on="val_loss", lr_halving_patience=None,
                       d_dropout=0.3),
             course=dict(train=True, ema_decay=0.999, crowding_bandwidth=0.05,
                         penalty_weight=10, instance_noise=0.5),
             speed=dict(cuda_graphs=True), quick=dict(lr_halving_patience=2))


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("batch_size", 0, "a whole number, at least 1"),
    ("batch_size", "64", "a whole number, at least 1"),
    ("epochs", 2.5, "a whole number, at least 1"),
    ("patience", -1, "a whole number, 0 or more"),
    ("lr", 0, "a number above 0"),
    ("lr", "3e-4", "a number above 0"),
    ("adam_betas", (0.5,), "two numbers from 0 to just under 1"),
    ("adam_betas", (0.5, 1.0), "two numbers from 0 to just under 1"),
    ("ema_decay", 1.5, "a number from 0 to 1"),
    ("d_dropout", -0.1, "a number from 0 to 1"),
    ("crowding_bandwidth", 0, "a number above 0"),
    ("penalty_weight", -10, "a number, 0 or more"),
    ("instance_noise", float("nan"), "a number, 0 or more"),
    ("stop_on", "val_accuracy", "'val_loss' or 'val_error'"),
    ("lr_halving_patience", "2", "a whole number, 0 or more (or None)"),
    ("seed", 4.2, "a whole number"),
    ("train", "False", "True or False"),
    ("cuda_graphs", 1, "True or False"),
])
def test_a_value_the_notebook_cannot_use_is_refused_naming_the_knob(name, value, expected):
    hp = settings.choose(**TABLE, profile="quick", show=False)
    before = dict(vars(hp))
    with pytest.raises(knobs.HyperparameterError) as error:
        setattr(hp, name, value)
    message = str(error.value)
    assert message.startswith(f"hp.{name} = {value!r} cannot be used: hp.{name} should be")
    assert expected in message and "the table's value" in message
    assert vars(hp) == before  # the value in use stays
    with pytest.raises(knobs.HyperparameterError, match=f"hp.{name} = "):  # in the table itself
        settings.choose(**{**TABLE, "quick": {name: value}}, profile="quick", show=False)


def test_good_values_of_every_kind_are_taken():
    hp = settings.choose(**TABLE, profile="quick", show=False)
    hp.lr, hp.epochs, hp.patience, hp.adam_betas = 1, 3, 0, [0.5, 0.9]
    hp.ema_decay, hp.instance_noise, hp.lr_halving_patience, hp.stop_on = 0, 0.0, None, "val_error"
    hp.train = False
    assert (hp.lr, hp.patience, hp.adam_betas, hp.train) == (1, 0, [0.5, 0.9], False)


def test_a_misspelt_knob_is_refused_with_the_closest_name():
    hp = settings.choose(**TABLE, profile="full", show=False)
    with pytest.raises(AttributeError, match=r"hp.epoch is not a hyperparameter.*change nothing"
                                             r".*Did you mean hp.epochs\?"):
        hp.epoch = 3
    with pytest.raises(AttributeError, match=r"hp.bach_size is not .* Did you mean hp.batch_size"):
        hp.bach_size  # noqa: B018
    assert not hasattr(hp, "nothing") and "epoch" not in vars(hp)


def test_every_notebooks_table_passes_its_own_checks_in_every_profile():
    for path in sorted((ROOT / "notebooks").glob("0*.ipynb")):
        cells = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                 if c["cell_type"] == "code"]
        source = next((cell for cell in cells if "settings.choose(" in cell), None)
        if source is None:
            continue
        call = next(node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
                    and getattr(node.func, "attr", "") == "choose")
        tables = {k.arg: ast.literal_eval(k.value) if not isinstance(k.value, ast.Call) else
                  {kw.arg: ast.literal_eval(kw.value) for kw in k.value.keywords}
                  for k in call.keywords}
        for profile in settings.PROFILES:
            hp = settings.choose(**tables, profile=profile, show=False)
            for name, value in vars(hp).items():
                setattr(hp, name, value)  # what the table holds can be set again


# ---- image folders


def test_a_damaged_image_in_an_image_folder_is_named(tmp_path):
    root = tmp_path / "anime"
    (root / "images").mkdir(parents=True)
    for i in range(4):
        Image.new("RGB", (40, 40), (i * 40, 90, 30)).save(root / "images" / f"{i}.png")
    whole = (root / "images" / "2.png").read_bytes()
    (root / "images" / "2.png").write_bytes(whole[: len(whole) // 3])
    (root / "images" / "3.png").write_text("not an image")
    with pytest.raises(prepare.DatasetError) as error:
        data.load_image_folder(root, size=16)
    message = str(error.value)
    assert "2 of the files" in message and "2.png" in message and "3.png" in message
    assert "Delete them or copy them again" in message
