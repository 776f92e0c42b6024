"""Saving and loading models (introduced in notebook 01; export without the class in notebook 02;
a trained generator with the run that made it, for exploring without training, in notebook 02).

A checkpoint is a dict of plain data: the ``state_dict``, the architecture as a list of
(parameter name, shape), and free-form ``info`` (numbers, strings, lists, tensors). It is read
back with ``torch.load(..., weights_only=True)``, which refuses to run code hidden in a file.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from . import metrics, settings
from .course import storage

if TYPE_CHECKING:
    from .training import EarlyStop


class CheckpointMismatchError(ValueError):
    """A checkpoint was saved from a different architecture than the model it is loaded into."""


class DamagedCheckpointError(CheckpointMismatchError):
    """A file that is not a whole checkpoint: truncated, damaged, or another kind of file."""


def architecture_of(model: nn.Module) -> list[tuple[str, tuple[int, ...]]]:
    """The model's parameters and buffers as (name, shape) pairs: what a checkpoint must match."""
    return [(name, tuple(tensor.shape)) for name, tensor in model.state_dict().items()]


def save_checkpoint(model: nn.Module, path: str | Path, **info: Any) -> Path:
    """Write ``model``'s weights and architecture (plus ``info``) to ``path``.

    The file is written under a temporary name and renamed, so an interrupted save, a full disk
    or a read-only folder leaves the previous checkpoint intact and nothing half-written
    (``save_atomically``).
    """
    path = Path(path)
    state = {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()}
    checkpoint = {
        "state_dict": state,
        "architecture": [[name, list(shape)] for name, shape in architecture_of(model)],
        "model_class": type(model).__name__,
        "info": info,
    }
    save_atomically(checkpoint, path)
    return path


def save_atomically(contents: Any, path: Path) -> None:
    """``torch.save`` under a temporary name, then a rename: an interrupted save leaves the
    previous file intact, and only a complete file is ever found at ``path``. A save that fails
    (a full disk, a read-only folder) removes the temporary file and raises
    ``storage.SaveError`` saying why and what to do."""
    with storage.writing(path) as file:
        torch.save(contents, file)


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise FileNotFoundError(f"No checkpoint at {path}: run the notebook that trains and saves "
                                "this model first.")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except OSError:  # not allowed to read it, say: as it is
        raise
    except Exception as error:  # truncated, damaged, or not a checkpoint at all
        raise DamagedCheckpointError(storage.unreadable(
            path, error, "Delete it and run the notebook that trains and saves this model "
            "again, or copy it again from where it came.")) from None
    if not isinstance(checkpoint, dict) or "architecture" not in checkpoint:
        what = ("a bare state_dict" if isinstance(checkpoint, dict) and checkpoint
                and all(isinstance(v, torch.Tensor) for v in checkpoint.values())
                else f"a {type(checkpoint).__name__}")
        raise DamagedCheckpointError(
            f"{path} was not written by gan_helpers.checkpoints.save_checkpoint (weights with the "
            f"architecture they fit): it holds {what}. Save the model with save_checkpoint, or "
            "load a bare state_dict with model.load_state_dict(torch.load(path, "
            "weights_only=True)).")
    return checkpoint


def load_checkpoint(model: nn.Module, path: str | Path) -> dict[str, Any]:
    """Load weights saved by ``save_checkpoint`` into ``model`` (on its device); return the
    ``info``.

    Raises ``FileNotFoundError`` for a missing file, ``CheckpointMismatchError``, naming the
    first difference, for a checkpoint of another architecture, and ``DamagedCheckpointError``
    for a file that is not a whole checkpoint (truncated, damaged, another kind of file).
    """
    path = Path(path)
    checkpoint = _read(path)
    saved = [(name, tuple(shape)) for name, shape in checkpoint["architecture"]]
    expected = architecture_of(model)
    if saved != expected:
        made_by = checkpoint["info"].get("profile")
        hint = f" (it was trained in the {made_by} profile)" if made_by else ""
        raise CheckpointMismatchError(
            f"{path} holds a {checkpoint['model_class']} of another architecture than this "
            f"{type(model).__name__}{hint}: {_first_difference(saved, expected)}. Build the model "
            "with the hyperparameters it was trained with, or retrain and save it again."
        )
    model.load_state_dict(checkpoint["state_dict"])
    return checkpoint["info"]


def _first_difference(saved: list, expected: list) -> str:
    for (saved_name, saved_shape), (name, shape) in zip(saved, expected):
        if saved_name != name:
            return f"the checkpoint has {saved_name} where the model has {name}"
        if saved_shape != shape:
            return (f"{name} has shape {list(saved_shape)} in the checkpoint but {list(shape)} "
                    "in the model")
    return f"the checkpoint has {len(saved)} tensors, the model {len(expected)}"


def add_info(path: str | Path, **info: Any) -> None:
    """Add ``info`` (figures measured after saving, say) to a checkpoint's info."""
    path = Path(path)
    checkpoint = _read(path)
    checkpoint["info"].update(info)
    save_atomically(checkpoint, path)


# ---- a trained generator and the run that made it: explore without training (hp.train = False)


def find_trained(path: str | Path) -> Path:
    """The file to load for ``path`` (a file in ``settings.output_dir()``): the first folder of
    ``settings.trained_dirs()`` that has a file of that name (the learner's own run first, then
    a teacher's ``GAN_MODELS_DIR``, then the course's ``pretrained/``); ``path`` if none has."""
    name = Path(path).name
    return next((folder / name for folder in settings.trained_dirs() if (folder / name).is_file()),
                Path(path))


def save_run(generator: nn.Module, path: str | Path, *, history: dict[str, list[float]],
             snapshots: dict[int, torch.Tensor], **info: Any) -> Path:
    """Save a trained generator with what its run showed (the loss history, the snapshots) and
    ``info`` about the run (profile, epochs, ...), stamped with today's date (notebook 02)."""
    today = datetime.date.today().isoformat()
    return save_checkpoint(generator, path, history=history, snapshots=snapshots, date=today,
                           **info)


def load_run(generator: nn.Module, path: str | Path, *, notebook: str,
             ) -> tuple[nn.Module, dict[str, list[float]], dict[int, torch.Tensor]]:
    """A generator trained and saved earlier by ``save_run`` (``hp.train = False``): loads it into
    ``generator`` from the first place ``find_trained`` finds it, says which run made it, and
    returns (generator in eval mode, history, snapshots). Reads only: nothing is written. When
    there is none, or one of another size, says how to make one."""
    places = ", ".join(str(folder) for folder in settings.trained_dirs())
    path = find_trained(path)
    how = (f"Run notebook {notebook} with hp.train = True (it saves the generator in "
           f"{settings.output_dir()}), or copy in the files/ folder of a run that did (`make "
           "results` trains every notebook in `quick`; a `full` run on a GPU trains them at the "
           "book's size), or point GAN_MODELS_DIR at a teacher's folder of trained generators.")
    try:
        info = load_checkpoint(generator, path)
    except FileNotFoundError:
        raise FileNotFoundError(f"No trained generator named {path.name} in {places}. {how}"
                                ) from None
    except CheckpointMismatchError as error:
        raise CheckpointMismatchError(f"{error}\n{how}") from None
    figures = ", ".join(f"{name} {value:.4g}" if isinstance(value, float) else f"{name} {value}"
                        for name, value in info.get("figures", {}).items())
    run = ", ".join(f"{name} {info[name]}" for name in ("profile", "epochs", "seconds", "date")
                    if name in info)
    print(f"loaded the generator from {path}, trained by notebook {notebook} ({run})"
          + (f"; it measured {figures}" if figures else ""))
    return generator.eval(), info["history"], info["snapshots"]


def train_or_load(generator: nn.Module, path: str | Path, *, train: bool, notebook: str,
                  run: Callable[[], tuple[dict[str, list[float]], dict[int, torch.Tensor]]],
                  **info: Any) -> tuple[dict[str, list[float]], dict[int, torch.Tensor]]:
    """The training cell of every GAN notebook (notebook 02): with ``train``, ``run()`` trains
    (the notebook's call of ``train_gan``, written as a ``lambda``) and ``generator``, the G that
    run trains or averages, is saved with the run's history, snapshots, number of epochs and
    ``info`` (``save_run``); without, the generator an earlier run saved is loaded into
    ``generator`` instead (``load_run``), and nothing trains. Returns (history, snapshots), with
    ``generator`` in eval mode either way."""
    if train:
        history, snapshots = run()
        epochs = len(next(iter(history.values())))
        save_run(generator.eval(), path, history=history, snapshots=snapshots, epochs=epochs,
                 **info)
        return history, snapshots
    _, history, snapshots = load_run(generator, path, notebook=notebook)
    return history, snapshots


def best_of_run(generator: nn.Module, early_stop: EarlyStop, path: str | Path, *, train: bool,
                notebook: str, **info: Any) -> nn.Module:
    """The generator of ``early_stop``'s best check, kept beside the one training left in
    ``generator`` (notebooks 02 and 03, whose book rule returns the last): with ``train``, a copy
    of ``generator`` given the best check's weights and saved at ``path`` with ``info``; without,
    the copy an earlier run saved there, loaded (``load_run``). In eval mode either way."""
    best = copy.deepcopy(generator)
    if train:
        early_stop.restore_best(best)
        save_run(best.eval(), path, history={}, snapshots={}, epochs=early_stop.best_check,
                 **info)
        return best
    load_run(best, path, notebook=notebook)
    return best.eval()


def reload_and_compare(generator: nn.Module, path: str | Path, trained: nn.Module,
                       inputs: torch.Tensor) -> dict[str, Any]:
    """Load the checkpoint at ``path`` into ``generator`` (a new one, untrained) and say whether
    it makes the same outputs as ``trained`` for ``inputs``, both in eval mode: proof that the
    file holds the trained weights (notebooks 04, 06 and 07). Returns the checkpoint's info."""
    path = Path(path)
    info = load_checkpoint(generator, path)
    same = torch.allclose(metrics.outputs_of(generator, inputs),
                          metrics.outputs_of(trained, inputs), atol=1e-5)
    print(f"loaded {path.name} (trained in the {info.get('profile', 'unknown')} profile); "
          f"same outputs as the G in memory: {same}")
    return info


def export_model(model: nn.Module, example_input: torch.Tensor, path: str | Path) -> Path:
    """Save ``model`` with ``torch.export`` so that it can run without its Python class.

    This is what the book does with TorchScript (``torch.jit``), which PyTorch has deprecated.
    The model is left in eval mode, the mode it is exported in. The first dimension of the input
    (the batch) may differ from ``example_input``'s when the loaded model runs.
    """
    path = Path(path)
    model.eval()
    batch = torch.export.Dim.AUTO
    program = torch.export.export(model, (example_input,), dynamic_shapes=({0: batch},))
    with storage.writing(path) as file:  # whole or not at all, as save_atomically
        torch.export.save(program, file)
    return path


def load_exported(path: str | Path) -> nn.Module:
    """A module loaded from a file written by ``export_model``; no class definition needed."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No exported model at {path}: run the cell that exports it first.")
    try:
        with open(path, "rb") as file:
            return torch.export.load(file).module()
    except OSError:
        raise
    except Exception as error:  # truncated, damaged, or not an exported model
        raise DamagedCheckpointError(storage.unreadable(
            path, error, "Delete it and run the cell that exports it (checkpoints.export_model) "
            "again, or copy it again from where it came.")) from None
