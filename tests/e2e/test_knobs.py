"""Every knob of every hyperparameter table changes what it says it changes.

For each notebook, the knobs of its ``settings.choose(...)`` call are read from the notebook itself,
and each must have an entry here: a changed value, a probe of what training does (a step count, a
loss, a shape, a weight), and the name the probe reads. The notebook runs in the ``smoke`` profile
in this process (``gan_helpers.course.runner``), once as it is and once per knob with that knob
changed, up to the cell that defines the name; the probe must differ. A knob that only changes what
is shown, or only how fast a step runs, is named as such, and must still change something
observable. A knob missing here fails the test: no knob goes unchecked."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import torch

from gan_helpers.course import runner, speed

from support import ROOT


@dataclass
class Knob:
    value: Any  # the changed value
    probe: Callable[[dict], Any]  # what the knob changes, read from the notebook's namespace
    needs: str  # the name the probe reads: the run stops after the cell that defines it
    kind: str = "training"  # "training", "display" (what is shown) or "speed" (how fast)
    base: dict = field(default_factory=dict)  # changes made in both runs, to make room


def steps_taken(optimizer: torch.optim.Optimizer) -> int:
    return int(next(iter(optimizer.state.values()))["step"])


def weights(network: torch.nn.Module) -> tuple[float, ...]:
    return tuple(round(p.detach().double().sum().item(), 10) for p in network.parameters())


def losses(name: str, key: str = "d_loss") -> Callable[[dict], tuple]:
    return lambda ns: tuple(ns[name][key])


def epochs_run(name: str, key: str = "d_loss") -> Callable[[dict], int]:
    return lambda ns: len(ns[name][key])


def captured(ns: dict) -> bool:
    return bool(ns["_captured"])


def switches(ns: dict) -> tuple:
    return tuple(sorted(ns["_switches"].items()))


CUDA_GRAPHS = dict(value=False, probe=captured, kind="speed")

KNOBS: dict[str, dict[str, Knob]] = {
    "01": {
        "seed": Knob(7, lambda ns: tuple(ns["binary_losses"]), "binary_losses"),
        "batch_size": Knob(128, lambda ns: len(ns["bin_train_loader"]), "bin_train_loader"),
        "lr": Knob(3e-3, lambda ns: tuple(ns["binary_losses"]), "binary_losses"),
        "binary_epochs": Knob(1, lambda ns: len(ns["binary_losses"]), "binary_losses"),
        "epochs": Knob(2, epochs_run("history", "train_loss"), "history"),
        "patience": Knob(0, epochs_run("history", "train_loss"), "history"),
        "stop_on": Knob("val_loss", lambda ns: round(ns["early_stop"].min_loss, 6), "history"),
        "lr_halving_patience": Knob(None, lambda ns: tuple(ns["history"]["lr"]), "history",
                                    base={"train_size": 200, "epochs": 30, "patience": 30,
                                          "lr_halving_patience": 0}),
        "train_size": Knob(1_000, lambda ns: len(ns["train_loader"].dataset), "train_loader"),
        "val_size": Knob(500, lambda ns: len(ns["val_loader"].dataset), "val_loader"),
    },
    "02": {
        "seed": Knob(5, losses("book_history"), "book_history"),
        "num_points": Knob(1024, lambda ns: len(ns["train_loader"].dataset), "train_loader"),
        "batch_size": Knob(64, lambda ns: len(ns["train_loader"]), "train_loader"),
        "latent_size": Knob(3, lambda ns: ns["G_book"][0].in_features, "book_history"),
        "lr": Knob(1e-3, losses("book_history"), "book_history"),
        "adam_betas": Knob((0.5, 0.999), losses("book_history"), "book_history"),
        "d_dropout": Knob(0.0, losses("book_history"), "book_history"),
        "epochs": Knob(2, epochs_run("book_history"), "book_history"),
        "patience": Knob(0, epochs_run("book_history"), "book_history"),
        "show_every": Knob(3, lambda ns: sorted(ns["book_snapshots"]), "book_snapshots",
                           kind="display"),
        "sine_epochs": Knob(2, lambda ns: steps_taken(ns["g_sine"]), "G_sine"),
        "train": Knob(False, lambda ns: len(ns["_loaded"]), "G_average"),
        "course_epochs": Knob(3, epochs_run("history"), "history"),
        "crowd_aware": Knob(False, lambda ns: type(ns["D"]).__name__, "D"),
        "crowding_bandwidth": Knob(0.2, losses("history"), "history"),
        "ema_decay": Knob(0.05, lambda ns: weights(ns["G_average"]), "G_average"),
        "lr_decay_from": Knob(1.0, losses("history"), "history", base={"course_epochs": 8}),
        "course_lr": Knob(5e-4, losses("history"), "history"),
        "course_adam_betas": Knob((0.9, 0.999), losses("history"), "history"),
        "course_dropout": Knob(0.3, losses("history"), "history"),
        "cuda_graphs": Knob(needs="history", **CUDA_GRAPHS),
    },
    "03": {
        "seed": Knob(5, losses("book_history"), "book_history"),
        "width": Knob(50, lambda ns: ns["book_G"][0].in_features, "book_history"),
        "multiple": Knob(10, lambda ns: ns["book_quality"]["valid_values"], "book_quality"),
        "batch_size": Knob(20, losses("book_history"), "book_history"),
        "lr": Knob(1e-3, losses("book_history"), "book_history"),
        "patience": Knob(0, epochs_run("book_history"), "book_history"),
        "train": Knob(False, lambda ns: len(ns["_loaded"]), "G_average"),
        "max_steps": Knob(5, epochs_run("book_history"), "book_history"),
        "fixed_batch_size": Knob(32, losses("history"), "history"),
        "fixed_steps": Knob(50, epochs_run("history"), "history"),
        "ema_decay": Knob(0.05, lambda ns: weights(ns["G_average"]), "G_average"),
        "eval_count": Knob(500, lambda ns: len(ns["course_numbers"]), "course_numbers"),
        "exercise_steps": Knob(50, lambda ns: weights(ns["G3"]), "G3"),
        "cuda_graphs": Knob(needs="history", **CUDA_GRAPHS),
    },
    "04": {
        "seed": Knob(5, losses("history"), "history"),
        "batch_size": Knob(32, lambda ns: len(ns["train_loader"]), "train_loader"),
        "latent_size": Knob(64, lambda ns: ns["G"][0].in_features, "G"),
        "g_lr": Knob(1e-3, losses("history", "g_loss"), "history"),
        "d_lr": Knob(1e-3, losses("history"), "history"),
        "adam_betas": Knob((0.9, 0.999), losses("history"), "history"),
        "epochs": Knob(2, epochs_run("history"), "history"),
        "show_every": Knob(2, lambda ns: sorted(ns["snapshots"]), "snapshots", kind="display",
                           base={"epochs": 3}),
        "exercise_epochs": Knob(2, lambda ns: weights(ns["G_4_2"]), "G_4_2"),
        "train": Knob(False, lambda ns: len(ns["_loaded"]), "G_average"),
        "minibatch_std": Knob(True, losses("history"), "history"),
        "ema_decay": Knob(0.05, lambda ns: weights(ns["G_average"]), "G_average"),
        "train_images": Knob(1_000, lambda ns: len(ns["images"]), "images"),
        "score_count": Knob(500, lambda ns: len(ns["generated"]), "generated"),
        "scorer_epochs": Knob(2, lambda ns: ns["scorer_accuracy"], "scorer_accuracy"),
        "fused_adam": Knob(False, lambda ns: ns["g_optimizer"].defaults["fused"], "history",
                           kind="speed"),
        "cuda_graphs": Knob(needs="history", **CUDA_GRAPHS),
    },
    "06": {
        "batch_size": Knob(64, lambda ns: len(ns["train_loader"]), "train_loader"),
        "latent_size": Knob(64, lambda ns: ns["G"][0].unflattened_size[0], "G"),
        "lr": Knob(1e-3, losses("history"), "history"),
        "adam_betas": Knob((0.9, 0.999), losses("history"), "history"),
        "epochs": Knob(1, epochs_run("history"), "history"),
        "show_every": Knob(1, lambda ns: sorted(ns["snapshots"]), "snapshots", kind="display"),
        "features": Knob(8, lambda ns: sum(p.numel() for p in ns["G"].parameters()), "G"),
        "images": Knob(128, lambda ns: len(ns["faces"].images), "faces"),
        "train": Knob(False, lambda ns: len(ns["_loaded"]), "G_average"),
        "seed": Knob(5, losses("history"), "history"),
        "instance_noise": Knob(0.0, losses("history"), "history"),
        "ema_decay": Knob(0.05, lambda ns: weights(ns["G_average"]), "G_average"),
        "score_count": Knob(64, lambda ns: len(ns["generated"]), "generated"),
        "classifier_epochs": Knob(2, lambda ns: weights(ns["classifier"]), "classifier"),
        "exercise_epochs": Knob(2, epochs_run("history_x"), "history_x"),
        "fused_adam": Knob(False, lambda ns: ns["g_optimizer"].defaults["fused"], "history",
                           kind="speed"),
        "channels_last": Knob(True, lambda ns: ns["train_loader"].tensors[0].is_contiguous(
            memory_format=torch.channels_last), "train_loader", kind="speed"),
        "cudnn_benchmark": Knob(False, switches, "history", kind="speed"),
        "cuda_graphs": Knob(needs="history", **CUDA_GRAPHS),
    },
    "07": {
        "image_size": Knob(16, lambda ns: tuple(ns["faces"].images.shape[2:]), "faces"),
        "batch_size": Knob(16, lambda ns: len(ns["train_loader"]), "train_loader"),
        "latent_size": Knob(64, lambda ns: ns["G"][0].in_channels, "G"),
        "lr": Knob(1e-3, losses("history", "g_loss"), "history"),
        "adam_betas": Knob((0.0, 0.9), losses("history", "g_loss"), "history"),
        "critic_steps": Knob(1, lambda ns: (steps_taken(ns["c_optimizer"]),
                                            steps_taken(ns["g_optimizer"])), "history"),
        "penalty_weight": Knob(0, lambda ns: round(max(
            abs(c + r - f) for c, r, f in zip(ns["history"]["critic_loss"],
                                              ns["history"]["critic_real"],
                                              ns["history"]["critic_fake"])), 5), "history"),
        "epochs": Knob(2, epochs_run("history", "g_loss"), "history"),
        "show_every": Knob(1, lambda ns: sorted(ns["snapshots"]), "snapshots", kind="display",
                           base={"epochs": 2}),
        "features": Knob(8, lambda ns: sum(p.numel() for p in ns["G"].parameters()), "G"),
        "images": Knob(128, lambda ns: len(ns["faces"].images), "faces"),
        "exercise_epochs": Knob(2, lambda ns: weights(ns["G_binary"]), "G_binary"),
        "train": Knob(False, lambda ns: len(ns["_loaded"]), "G_average"),
        "seed": Knob(5, losses("history", "g_loss"), "history"),
        "ema_decay": Knob(0.05, lambda ns: weights(ns["G_average"]), "G_average"),
        "score_count": Knob(50, lambda ns: len(ns["noise"]), "accuracy"),
        "classifier_epochs": Knob(2, lambda ns: weights(ns["classifier"]), "classifier"),
        "fused_adam": Knob(False, lambda ns: ns["g_optimizer"].defaults["fused"], "history",
                           kind="speed"),
        "channels_last": Knob(True, lambda ns: ns["train_loader"].tensors[0].is_contiguous(
            memory_format=torch.channels_last), "train_loader", kind="speed"),
        "cudnn_benchmark": Knob(False, switches, "history", kind="speed"),
        "keep_freed_memory": Knob(False, switches, "history", kind="speed"),
        "cuda_graphs": Knob(needs="history", **CUDA_GRAPHS),
    },
}


def notebook_path(prefix: str) -> Path:
    [path] = runner.notebook_paths([prefix], ROOT / "notebooks")
    return path


def table_knobs(path: Path) -> list[str]:
    """The names in the notebook's settings.choose(...) call, as the notebook writes them (none
    for a notebook without a table: 05 trains nothing)."""
    cells = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"]
             if c["cell_type"] == "code"]
    source = next((cell for cell in cells if "settings.choose(" in cell), None)
    if source is None:
        return []
    call = next(node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
                and getattr(node.func, "attr", "") == "choose")
    names = []
    for keyword in call.keywords:
        if keyword.arg in ("book", "course", "speed"):
            names += [k.arg for k in keyword.value.keywords]
    return names


@pytest.mark.parametrize("prefix", [f"0{i}" for i in range(1, 8)])
def test_every_knob_of_the_table_is_checked_here(prefix):
    knobs = table_knobs(notebook_path(prefix))
    assert sorted(knobs) == sorted(KNOBS.get(prefix, {})), (
        f"notebook {prefix}'s table has {sorted(set(knobs) - set(KNOBS.get(prefix, {})))} "
        f"unchecked, and the test lists {sorted(set(KNOBS.get(prefix, {})) - set(knobs))} "
        "that the table does not have")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder of its own, reading this one's data, in the smoke profile."""
    root = tmp_path_factory.mktemp("course")
    patch = pytest.MonkeyPatch()
    patch.setenv("GAN_COURSE_ROOT", str(root))
    patch.setenv("GAN_DATA_DIR", str(ROOT / "data"))
    patch.setenv("GAN_PROFILE", "smoke")
    yield root
    patch.undo()


def run(prefix: str, changes: dict, needs: str | None, monkeypatch,
        edits: dict | None = None) -> dict:
    """The notebook with ``changes``, up to the cell defining ``needs`` (all of it if None), with
    recorders for what the speed switches and the loop do."""
    captured_steps, used_switches, loaded = [], {}, []

    def capturing(step):  # stands in for a CUDA graph on this CPU, to see the switch used
        captured_steps.append(step)
        return step

    real_switches = speed.process_switches

    def recording_switches(**kwargs):
        used_switches.update(kwargs)
        return real_switches(**kwargs)

    monkeypatch.setattr(speed, "cuda_graphs_possible", lambda device: True)
    monkeypatch.setattr(speed, "make_capturable", lambda optimizers: None)
    monkeypatch.setattr(speed, "CapturedStep", capturing)
    monkeypatch.setattr(speed, "process_switches", recording_switches)
    from gan_helpers import checkpoints

    real_load_run = checkpoints.load_run

    def counting_load_run(*args, **kwargs):  # hp.train = False loads instead of training
        loaded.append(1)
        return real_load_run(*args, **kwargs)

    monkeypatch.setattr(checkpoints, "load_run", counting_load_run)
    namespace = runner.run_cells(notebook_path(prefix), changes,
                                 until=(lambda ns: needs in ns) if needs else None, edits=edits)
    namespace.update(_captured=captured_steps, _switches=used_switches, _loaded=loaded)
    monkeypatch.undo()
    return namespace


_BASELINES: dict = {}


def baseline(prefix: str, knob: Knob, monkeypatch) -> dict:
    """The notebook as it is (with ``knob.base``), run once per stopping point and kept."""
    key = (prefix, repr(sorted(knob.base.items())), knob.needs)
    if key not in _BASELINES:
        if any(cached[0] != prefix for cached in _BASELINES):
            _BASELINES.clear()  # one notebook's runs at a time in memory
        _BASELINES[key] = run(prefix, knob.base, knob.needs, monkeypatch)
    return _BASELINES[key]


@pytest.mark.parametrize(("prefix", "name"), [(prefix, name) for prefix, knobs in KNOBS.items()
                                          for name in knobs])
def test_the_knob_changes_what_it_says(prefix, name, course, monkeypatch):
    knob = KNOBS[prefix][name]
    before = knob.probe(baseline(prefix, knob, monkeypatch))
    changed = run(prefix, {**knob.base, name: knob.value}, knob.needs, monkeypatch)
    after = knob.probe(changed)
    assert before != after, (f"notebook {prefix}: setting hp.{name} = {knob.value!r} changed "
                             f"nothing the test can see ({knob.kind} knob; probe gave {before!r})")


@pytest.mark.parametrize(("prefix", "name"), [("01", "lr"), ("02", "course_lr"), ("03", "lr"),
                                          ("04", "g_lr"), ("06", "lr"), ("07", "lr")])
def test_a_run_repeats_exactly_so_that_a_dead_knob_would_show(prefix, name, course,
                                                              monkeypatch):
    """The probes compare losses and weights: two runs with the same values must give the same
    ones, or a knob that changes nothing could pass."""
    knob = KNOBS[prefix][name]
    first = knob.probe(baseline(prefix, knob, monkeypatch))
    again = knob.probe(run(prefix, knob.base, knob.needs, monkeypatch))
    assert first == again


# a learner's edit of the step written out on the page: G's loss doubled
STEP_EDITS = {
    "04": ("    g_loss = bce(discriminator(fake), real_labels)\n",
           "    g_loss = 2 * bce(discriminator(fake), real_labels)\n"),
    "07": ("    g_loss = -critic(label_channels(fake, labels)).mean()\n",
           "    g_loss = -2 * critic(label_channels(fake, labels)).mean()\n"),
}


@pytest.mark.parametrize("prefix", sorted(STEP_EDITS))
def test_editing_the_step_on_the_page_changes_training(prefix, course, monkeypatch, capsys):
    old, new = STEP_EDITS[prefix]
    knob = Knob(None, lambda ns: weights(ns["G"]), "history")
    before = baseline(prefix, knob, monkeypatch)
    capsys.readouterr()
    edited = run(prefix, {}, "history", monkeypatch, edits={old: new})
    # with CUDA graphs possible, the page's step as it is is recorded, an edited one runs as
    # written and one line says so (gan_helpers.course.speed.captured)
    assert before["_captured"] and not edited["_captured"]
    out = capsys.readouterr().out
    said = [line for line in out.splitlines() if line.startswith("cuda_graphs:")]
    assert len(said) == 1 and "runs as written" in said[0], said
    assert weights(edited["G"]) != weights(before["G"]), (
        f"notebook {prefix}: doubling G's loss in the step on the page left G's weights as they "
        "were: the training does not run the page's step")
    first_g_loss = edited["history"]["g_loss"][0], before["history"]["g_loss"][0]
    assert first_g_loss[0] == pytest.approx(2 * first_g_loss[1], rel=0.2), first_g_loss
