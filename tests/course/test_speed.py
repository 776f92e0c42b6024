"""The speed switches: on every device there is, the same numbers with and without them; on CUDA,
a training step replayed as a CUDA graph gives the losses of the step run as written."""

import inspect
import linecache
from functools import partial

import pytest
import torch
from torch import nn

from gan_helpers import data, models, training
from gan_helpers.course import speed

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU here")
DEVICES = ["cpu", pytest.param("cuda", marks=CUDA),
           pytest.param("mps", marks=pytest.mark.skipif(not torch.backends.mps.is_available(),
                                                        reason="no Apple MPS here"))]


def weights(module: nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in module.parameters()]


def dcgan_players(device, memory_format=torch.contiguous_format):
    torch.manual_seed(0)
    G, D = models.dcgan_players(features=4)
    return G.to(device, memory_format=memory_format), D.to(device, memory_format=memory_format)


def adam(network, fused=True, lr=2e-4, betas=(0.5, 0.999)):
    return torch.optim.Adam(network.parameters(), lr=lr, betas=betas, fused=fused)


@pytest.mark.parametrize("device", DEVICES)
def test_notebook_06_loop_trains_on_every_device_with_its_speed_switches(device):
    """Fused Adam, channels_last images and weights, the moving average, cuda_graphs: one epoch."""
    device = torch.device(device)
    G, D = dcgan_players(device, torch.channels_last)
    images = (torch.rand(24, 3, 64, 64, device=device) * 2 - 1).contiguous(
        memory_format=torch.channels_last)
    average = training.MovingAverage(G, decay=0.9)
    before_g, before_d = weights(G), weights(D)
    history, snapshots = training.train_gan(
        G, D, data.TensorLoader(images, batch_size=4, shuffle=True), step=training.gan_step,
        g_optimizer=adam(G), d_optimizer=adam(D), latent_size=100, epochs=1, average=average,
        fixed_input=torch.randn(4, 100, device=device), capture=True)
    assert all(not torch.equal(a, b) for a, b in zip(before_g, weights(G)))
    assert all(not torch.equal(a, b) for a, b in zip(before_d, weights(D)))
    assert snapshots[1].shape == (4, 3, 64, 64) and torch.isfinite(snapshots[1]).all()
    assert all(torch.isfinite(torch.tensor(v)).all() for v in history.values())


@pytest.mark.parametrize("device", DEVICES)
def test_notebook_07_loop_trains_on_every_device_with_fused_adam(device):
    device = torch.device(device)
    torch.manual_seed(0)
    G = models.conditional_generator(features=4, image_size=32).to(device)
    C = models.wgan_critic(features=4, image_size=32).to(device)
    loader = data.TensorLoader(torch.rand(16, 3, 32, 32, device=device) * 2 - 1,
                               torch.eye(2, device=device).repeat(8, 1), batch_size=4)
    before = weights(G)
    history, _ = training.train_gan(G, C, loader, step=training.wgan_gp_step,
                                    g_optimizer=adam(G, betas=(0.0, 0.9)),
                                    d_optimizer=adam(C, betas=(0.0, 0.9)), latent_size=100,
                                    epochs=1, capture=True)
    assert all(not torch.equal(a, b) for a, b in zip(before, weights(G)))
    assert all(len(v) == 1 for v in history.values())


def test_speed_switches_are_put_back_after_training():
    before = torch.backends.cudnn.benchmark
    with speed.process_switches(cudnn_benchmark=not before):
        assert torch.backends.cudnn.benchmark is (not before)
    assert torch.backends.cudnn.benchmark is before


def test_memory_format_names_the_layout():
    assert speed.memory_format(True) is torch.channels_last
    assert speed.memory_format(False) is torch.contiguous_format


def test_make_capturable_moves_the_learning_rate_to_the_device_for_the_schedulers():
    network = nn.Linear(2, 2)
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 0.5**epoch)
    network(torch.ones(1, 2)).sum().backward()
    optimizer.step()  # a step taken before: its count moves to the parameters' device
    speed.make_capturable([optimizer])
    group = optimizer.param_groups[0]
    assert group["capturable"] and isinstance(group["lr"], torch.Tensor)
    lr = group["lr"]
    scheduler.step()
    assert group["lr"] is lr and lr.item() == pytest.approx(5e-4)  # changed in place


# ---- CUDA graphs never make a run wrong or stop it (on this CPU, the capture mocked)


def shape_players():
    torch.manual_seed(0)
    return models.shape_generator(), models.shape_discriminator(dropout=0.0)


def train_shape_gan(step, capture=True, epochs=2):
    """notebook 02's loop on 64 curve points; returns the history and G's weights."""
    G, D = shape_players()
    points = data.sample_curve(64, generator=torch.Generator().manual_seed(0))
    torch.manual_seed(1)
    history, _ = training.train_gan(
        G, D, data.TensorLoader(points, batch_size=16), step=step,
        g_optimizer=adam(G, fused=False, lr=1e-3), d_optimizer=adam(D, fused=False, lr=1e-3),
        latent_size=2, epochs=epochs, capture=capture)
    return history, weights(G)


@pytest.fixture
def graphs_possible(monkeypatch):
    """This CPU taken for a CUDA GPU by ``captured``; the steps it hands to ``CapturedStep``."""
    handed = []
    monkeypatch.setattr(speed, "cuda_graphs_possible", lambda device: True)
    monkeypatch.setattr(speed, "make_capturable", lambda optimizers: None)
    monkeypatch.setattr(speed, "CapturedStep", lambda step: handed.append(step) or step)
    return handed


def written_on_the_page(function, old="", new=""):
    """``function``'s source with ``old`` replaced by ``new``, run as a notebook cell runs (its
    lines readable, as Jupyter keeps them): a learner's copy of a step."""
    source = inspect.getsource(function).replace(old, new)
    name = f"a cell with {function.__name__}"
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    namespace = {**vars(training), "__name__": "__main__"}
    exec(compile(source, name, "exec"), namespace)
    return namespace[function.__name__]


def test_the_packages_step_and_an_unchanged_copy_on_the_page_are_recorded(graphs_possible,
                                                                           capsys):
    train_shape_gan(training.gan_step)
    train_shape_gan(written_on_the_page(training.gan_step))
    assert len(graphs_possible) == 2
    assert "cuda_graphs" not in capsys.readouterr().out


def test_a_step_edited_on_the_page_runs_as_written_and_says_so_once(graphs_possible, capsys):
    edited = written_on_the_page(training.gan_step, "    batch = len(real)\n",
                                 "    batch = len(real)\n    print('my line ran')\n")
    train_shape_gan(edited)
    out = capsys.readouterr().out
    assert not graphs_possible
    assert out.count("my line ran") == 8  # 4 batches, 2 epochs: every line of the step took effect
    lines = [line for line in out.splitlines() if line.startswith("cuda_graphs")]
    assert len(lines) == 1 and "gan_step" in lines[0] and "runs as written" in lines[0]


def test_a_function_the_step_calls_counts_as_part_of_the_step():
    """Notebook 07's step calls the page's gradient_penalty: an edit there counts too."""
    penalty = written_on_the_page(training.gradient_penalty, "    weight = ",
                                  "    print('here')\n    weight = ")
    step = written_on_the_page(training.wgan_gp_step)
    step.__globals__["gradient_penalty"] = penalty
    assert speed.edited_steps(partial(step, critic_steps=2)) == ["gradient_penalty"]
    assert speed.edited_steps(partial(training.wgan_gp_step, critic_steps=2)) == []
    assert speed.edited_steps(lambda *batch: {}) == ["<lambda>"]  # not the package's: as written


def stand_in_for_cuda(monkeypatch, fail):
    """On this CPU: the warm-up runs the step as written; recording or replaying fails as
    ``fail`` says."""
    def record(captured, batch):
        if fail == "record":
            raise RuntimeError("CUDA error: operation not permitted when stream is capturing")
        captured.inputs, captured.graph = tuple(batch), object()

    def replay(captured, batch):
        raise RuntimeError("CUDA error: an illegal memory access was encountered")

    monkeypatch.setattr(speed, "cuda_graphs_possible", lambda device: True)
    monkeypatch.setattr(speed, "make_capturable", lambda optimizers: None)
    monkeypatch.setattr(speed.CapturedStep, "_warm_up", lambda captured, batch:
                        captured.step(*batch))
    monkeypatch.setattr(speed.CapturedStep, "_record", record)
    monkeypatch.setattr(speed.CapturedStep, "_replay", replay)


@pytest.mark.parametrize("fail", ["record", "replay"])
def test_a_failed_capture_falls_back_to_the_step_as_written(fail, monkeypatch, capsys):
    """The same weights and history as without the switch, the run goes on, one line says why."""
    stand_in_for_cuda(monkeypatch, fail)
    plain = train_shape_gan(training.gan_step, capture=False)
    capsys.readouterr()
    captured = train_shape_gan(training.gan_step)
    assert captured[0] == plain[0]
    assert all(torch.equal(a, b) for a, b in zip(captured[1], plain[1]))
    lines = [line for line in capsys.readouterr().out.splitlines() if "cuda_graphs" in line]
    assert len(lines) == 1 and "RuntimeError: CUDA error" in lines[0]
    assert "runs as written from here on" in lines[0]


def test_a_capture_error_runs_each_batch_once():
    calls = []

    def step(x):
        calls.append(x)
        return {"x": x}

    def record(batch):
        raise RuntimeError("capture failed")

    captured = speed.CapturedStep(step)
    captured._warm_up = lambda batch: step(*batch)
    captured._record = record
    outputs = [captured(torch.tensor(float(i)))["x"].item() for i in range(6)]
    assert outputs == [0, 1, 2, 3, 4, 5] and len(calls) == 6 and captured.failed


# ---- CUDA graphs (run on a CUDA machine; skipped here with the reason)


def fashion_players(device):
    torch.manual_seed(0)
    G = models.fashion_generator(widths=(64, 64, 64)).to(device)
    D = models.fashion_discriminator((64, 64, 64)).to(device)
    return G, D


def eager_and_captured(make_players, step, batches, device):
    """Run ``step`` on ``batches`` twice from the same weights and the same random state: as
    written, and through ``CapturedStep``; return both runs' statistics and G's final weights."""
    runs = []
    for capture in (False, True):
        G, D = make_players(device)
        g_opt, d_opt = adam(G, fused=True), adam(D, fused=True)
        speed.make_capturable([g_opt, d_opt])  # the same optimizer arithmetic in both runs
        average = training.MovingAverage(G, decay=0.9)

        def train_step(*batch, G=G, D=D, g_opt=g_opt, d_opt=d_opt, average=average):
            stats = step(G, D, *batch, g_optimizer=g_opt, d_optimizer=d_opt, latent_size=100)
            average.update_parameters(G)
            return stats

        run = speed.CapturedStep(train_step) if capture else train_step
        torch.manual_seed(1)
        stats = [{k: v.item() for k, v in run(*batch).items()} for batch in batches]
        runs.append((stats, weights(average.module)))
    return runs


@CUDA
def test_a_captured_gan_step_gives_the_losses_of_the_eager_step():
    device = torch.device("cuda")
    batches = [(torch.rand(32, 1, 28, 28, device=device) * 2 - 1,) for _ in range(8)]
    (eager, eager_weights), (captured, captured_weights) = eager_and_captured(
        fashion_players, training.gan_step, batches, device)
    for mine, theirs in zip(eager, captured):
        assert mine == pytest.approx(theirs, rel=1e-4, abs=1e-5)
    assert all(torch.allclose(a, b, atol=1e-5) for a, b in zip(eager_weights, captured_weights))


@CUDA
def test_a_captured_wgan_gp_step_gives_the_losses_of_the_eager_step():
    """The penalty's double backward is recorded like any other kernel."""
    device = torch.device("cuda")

    def players(device):
        torch.manual_seed(0)
        G = models.conditional_generator(features=4, image_size=32).apply(models.init_weights)
        C = models.wgan_critic(features=4, image_size=32).apply(models.init_weights)
        return G.to(device), C.to(device)

    labels = torch.eye(2, device=device).repeat(8, 1)
    batches = [(torch.rand(16, 3, 32, 32, device=device) * 2 - 1, labels) for _ in range(6)]
    step = partial(training.wgan_gp_step, critic_steps=2)
    (eager, _), (captured, _) = eager_and_captured(players, step, batches, device)
    for mine, theirs in zip(eager, captured):
        assert mine == pytest.approx(theirs, rel=1e-3, abs=1e-4)


@CUDA
def test_the_loop_trains_to_comparable_figures_with_and_without_cuda_graphs():
    device = torch.device("cuda")
    images = torch.rand(512, 1, 28, 28, device=device) * 2 - 1

    def final_losses(capture):
        G, D = fashion_players(device)
        torch.manual_seed(1)
        history, _ = training.train_gan(
            G, D, data.TensorLoader(images, batch_size=32, shuffle=True,
                                    generator=torch.Generator().manual_seed(0)),
            step=training.gan_step, g_optimizer=adam(G), d_optimizer=adam(D), latent_size=100,
            epochs=3, capture=capture)
        return {key: values[-1] for key, values in history.items()}

    plain, captured = final_losses(False), final_losses(True)
    for key in plain:
        assert captured[key] == pytest.approx(plain[key], rel=0.05), key


@CUDA
def test_a_scheduler_changes_the_learning_rate_of_the_replayed_step():
    device = torch.device("cuda")
    G, D = fashion_players(device)
    g_opt, d_opt = adam(G), adam(D)
    schedules = [torch.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 0.0 if epoch else 1.0)
                 for opt in (g_opt, d_opt)]
    loader = data.TensorLoader(torch.rand(256, 1, 28, 28, device=device) * 2 - 1, batch_size=32)
    training.train_gan(G, D, loader, step=training.gan_step, g_optimizer=g_opt, d_optimizer=d_opt,
                       latent_size=100, epochs=1, schedulers=schedules, capture=True)
    after_first = weights(G)
    training.train_gan(G, D, loader, step=training.gan_step, g_optimizer=g_opt, d_optimizer=d_opt,
                       latent_size=100, epochs=1, capture=True)  # learning rate 0 now
    assert all(torch.equal(a, b) for a, b in zip(after_first, weights(G)))
