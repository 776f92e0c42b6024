"""Fashion-MNIST: preparation on tiny fake files (real sizes and MD5s swapped for theirs), the
shared read-only data folder, loading as tensors; TensorLoader and FreshBatches."""

import gzip
import hashlib
import struct
from pathlib import Path

import pytest
import torch

from gan_helpers import data, settings
from gan_helpers.course import prepare

from support import listing

COUNTS = {"train": 6, "t10k": 4}


def idx_bytes(tensor: torch.Tensor, magic: int) -> bytes:
    header = struct.pack(f">I{tensor.dim()}I", magic, *tensor.shape)
    return header + tensor.to(torch.uint8).numpy().tobytes()


@pytest.fixture
def fake_files(monkeypatch, tmp_path):
    """Small valid IDX files under tmp_path/'source', registered as the dataset's files."""
    source = tmp_path / "source"
    source.mkdir()
    generator = torch.Generator().manual_seed(0)
    contents = {}
    for prefix, count in COUNTS.items():
        images = torch.randint(0, 256, (count, 28, 28), generator=generator)
        contents[f"{prefix}-images-idx3-ubyte"] = idx_bytes(images, 2051)
        contents[f"{prefix}-labels-idx1-ubyte"] = idx_bytes(torch.arange(count) % 10, 2049)
    for name, content in contents.items():
        (source / name).write_bytes(content)
    published = {name: (len(c), hashlib.md5(c).hexdigest()) for name, c in contents.items()}
    monkeypatch.setattr(prepare, "FASHION_FILES", published)
    return source


def gzip_all(folder: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        (target / (path.name + ".gz")).write_bytes(gzip.compress(path.read_bytes()))


def refuse_download(monkeypatch):
    import torchvision.datasets

    def no_network(*args, **kwargs):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz: "
                           "<urlopen error no network>")

    monkeypatch.setattr(torchvision.datasets, "FashionMNIST", no_network)


def leftovers(root: Path) -> list[str]:
    return [p.name for p in root.rglob("*")
            if p.name.endswith(".partial") or p.name.startswith(".download-")]


def test_copies_and_unpacks_a_system_copy(fake_files, tmp_path, capsys):
    system = tmp_path / "usr-share"
    gzip_all(fake_files, system)
    raw = prepare.prepare_fashion_mnist(tmp_path / "data", system_dir=system, download=False)
    for name in prepare.FASHION_FILES:
        assert (raw / name).read_bytes() == (fake_files / name).read_bytes()
    assert str(system) in capsys.readouterr().out  # it says where the data came from


def test_unpacks_gz_files_put_in_the_data_folder(fake_files, tmp_path):
    raw = prepare.fashion_mnist_raw_dir(tmp_path / "data")
    gzip_all(fake_files, raw)
    prepare.prepare_fashion_mnist(tmp_path / "data", system_dir=tmp_path / "none", download=False)
    assert all((raw / name).is_file() for name in prepare.FASHION_FILES)


def test_missing_everywhere_and_no_network_lists_the_three_ways(fake_files, tmp_path, monkeypatch):
    refuse_download(monkeypatch)
    root = tmp_path / "data"
    with pytest.raises(prepare.DatasetError) as error:
        prepare.prepare_fashion_mnist(root, system_dir=tmp_path / "none")
    message = str(error.value)
    assert "train-images-idx3-ubyte" in message
    assert "download failed" in message and "no network" in message
    assert "1. put the four files" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "3. connect to the internet" in message
    assert leftovers(root) == []
    assert list(prepare.fashion_mnist_raw_dir(root).iterdir()) == []


def test_download_goes_through_a_temporary_folder(fake_files, tmp_path, monkeypatch, capsys):
    import torchvision.datasets

    def fake_download(root, train, download):
        gzip_all(fake_files, Path(root) / "FashionMNIST" / "raw")
        for path in fake_files.iterdir():
            (Path(root) / "FashionMNIST" / "raw" / path.name).write_bytes(path.read_bytes())

    monkeypatch.setattr(torchvision.datasets, "FashionMNIST", fake_download)
    root = tmp_path / "data"
    raw = prepare.prepare_fashion_mnist(root, system_dir=tmp_path / "none")
    assert "downloading" in capsys.readouterr().out
    assert sorted(p.name for p in raw.iterdir()) == sorted(prepare.FASHION_FILES)
    assert leftovers(root) == []


@pytest.mark.parametrize(("damage", "words"), [(lambda b: b[:100], "truncated"),
                                           (lambda b: b[:-1] + b"\x01", "corrupt")])
def test_damaged_file_is_named(fake_files, tmp_path, damage, words):
    raw = prepare.fashion_mnist_raw_dir(tmp_path / "data")
    raw.mkdir(parents=True)
    for path in fake_files.iterdir():
        (raw / path.name).write_bytes(path.read_bytes())
    broken = raw / "t10k-images-idx3-ubyte"
    broken.write_bytes(damage(broken.read_bytes()))
    with pytest.raises(prepare.DatasetError) as error:
        prepare.prepare_fashion_mnist(tmp_path / "data", system_dir=tmp_path / "none",
                                      download=False)
    message = str(error.value)
    assert str(broken) in message and words in message
    assert "Delete them" in message and "apt-get install" in message


def test_damaged_system_copy_is_refused_and_not_left_behind(fake_files, tmp_path):
    system = tmp_path / "usr-share"
    gzip_all(fake_files, system)
    archive = system / "train-images-idx3-ubyte.gz"
    archive.write_bytes(archive.read_bytes()[:40])  # a half-downloaded archive
    root = tmp_path / "data"
    with pytest.raises(prepare.DatasetError, match=r"train-images-idx3-ubyte.gz"):
        prepare.prepare_fashion_mnist(root, system_dir=system, download=False)
    assert leftovers(root) == []
    assert not (prepare.fashion_mnist_raw_dir(root) / "train-images-idx3-ubyte").exists()


def test_load_gives_normalised_tensors(fake_files, tmp_path):
    raw = prepare.fashion_mnist_raw_dir(tmp_path / "data")
    raw.mkdir(parents=True)
    for path in fake_files.iterdir():
        (raw / path.name).write_bytes(path.read_bytes())
    images, labels = data.load_fashion_mnist(train=False, root=tmp_path / "data")
    assert images.shape == (COUNTS["t10k"], 1, 28, 28) and images.dtype == torch.float32
    stored = bytearray((raw / "t10k-images-idx3-ubyte").read_bytes()[16:])
    pixels = torch.frombuffer(stored, dtype=torch.uint8)
    expected = (pixels.float() / 255 - 0.5) / 0.5  # ToTensor() then Normalize([0.5], [0.5])
    assert torch.allclose(images.flatten(), expected)
    assert labels.tolist() == [0, 1, 2, 3]


def test_command_line_reports_the_error_and_fails(fake_files, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GAN_COURSE_ROOT", str(tmp_path))
    monkeypatch.setattr(prepare, "SYSTEM_FASHION_MNIST", tmp_path / "none")
    assert prepare.main(["fashion-mnist", "--no-download"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: Fashion-MNIST is missing") and "Traceback" not in err


def test_real_fashion_mnist_when_prepared():
    """The real files, as `make data` prepared them: sizes, MD5s, and the known first labels."""
    raw_dir = prepare.fashion_mnist_raw_dir(settings.own_data_dir())
    if any(prepare.problem_with(raw_dir / name) for name in prepare.FASHION_FILES):
        pytest.skip("Fashion-MNIST is not prepared in data/: run `make data`")
    images, labels = data.load_fashion_mnist(train=True, root=settings.own_data_dir())
    assert images.shape == (60_000, 1, 28, 28)
    assert labels[:6].tolist() == [9, 0, 0, 3, 0, 2]
    assert torch.bincount(labels).tolist() == [6000] * 10


class TestTensorLoader:
    def test_batches_cover_everything_once_when_shuffled(self):
        x, y = torch.arange(10).float(), torch.arange(10)
        loader = data.TensorLoader(x, y, batch_size=4, shuffle=True,
                                   generator=torch.Generator().manual_seed(1))
        batches = list(loader)
        assert len(loader) == len(batches) == 3 and [len(b[0]) for b in batches] == [4, 4, 2]
        assert sorted(torch.cat([b[1] for b in batches]).tolist()) == list(range(10))
        assert all(torch.equal(bx.long(), by) for bx, by in batches)  # pairs stay together
        assert torch.cat([b[1] for b in batches]).tolist() != list(range(10))

    def test_same_seed_same_order_and_new_order_each_epoch(self):
        def orders(seed):
            loader = data.TensorLoader(torch.arange(20), batch_size=20, shuffle=True,
                                       generator=torch.Generator().manual_seed(seed))
            return [next(iter(loader))[0].tolist() for _ in range(2)]

        first, second = orders(5)
        assert orders(5) == [first, second] and first != second

    def test_unshuffled_and_drop_last(self):
        loader = data.TensorLoader(torch.arange(10), batch_size=4, drop_last=True)
        assert [b[0].tolist() for b in loader] == [[0, 1, 2, 3], [4, 5, 6, 7]]
        assert len(loader) == 2 and len(loader.dataset) == 10

    def test_rejects_tensors_of_different_lengths(self):
        with pytest.raises(ValueError, match="same first dimension"):
            data.TensorLoader(torch.zeros(3), torch.zeros(4), batch_size=2)


def test_fresh_batches_draw_new_samples_every_time():
    draws = iter(range(100))
    loader = data.FreshBatches(lambda: torch.tensor([next(draws)]), batches=3)
    assert len(loader) == 3
    assert [batch[0].item() for (batch,) in loader] == [0, 1, 2]
    assert [batch[0].item() for (batch,) in loader] == [3, 4, 5]


def test_a_shared_data_folder_is_only_read(fake_files, tmp_path, monkeypatch):
    """GAN_DATA_DIR: a sound shared copy is used where it is; a missing one is named, not fixed."""
    shared = tmp_path / "shared"
    monkeypatch.setenv("GAN_DATA_DIR", str(shared))
    monkeypatch.setenv("GAN_COURSE_ROOT", str(tmp_path / "learner"))
    monkeypatch.setattr(prepare, "SYSTEM_FASHION_MNIST", tmp_path / "usr-share")
    gzip_all(fake_files, tmp_path / "usr-share")  # a system copy the course would otherwise use
    with pytest.raises(prepare.DatasetError) as error:
        data.load_fashion_mnist(train=False)
    message = str(error.value)
    assert str(prepare.fashion_mnist_raw_dir(shared)) in message and "GAN_DATA_DIR" in message
    assert not shared.exists() and not (tmp_path / "learner").exists()  # nothing written anywhere
    # the teacher's make data
    prepare.prepare_fashion_mnist(shared, system_dir=tmp_path / "usr-share")
    before = listing(shared)
    images, _ = data.load_fashion_mnist(train=False)
    assert listing(shared) == before  # read, and nothing written there
    assert images.shape == (COUNTS["t10k"], 1, 28, 28)


def test_to_unit_range_maps_0_and_255_to_the_ends_and_leaves_its_input_alone():
    images = torch.tensor([[0.0, 127.5, 255.0]])
    assert data.to_unit_range(images).tolist() == [[-1.0, 0.0, 1.0]]
    assert images.tolist() == [[0.0, 127.5, 255.0]]  # a new tensor, even for float input
    assert data.to_unit_range(torch.tensor([0, 255], dtype=torch.uint8)).dtype == torch.float32
