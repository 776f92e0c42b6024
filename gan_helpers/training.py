"""Training (introduced in notebook 01): the classifier's epochs and ``EarlyStop`` (notebook 01),
the GAN step and the one loop that trains every GAN of the course (notebook 02), the WGAN-GP step
(notebook 07).

The notebooks write these out where they first teach them, marked as copies of this module; a
test keeps the two identical, so that later notebooks and the tests can import them.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

import torch
from torch import nn
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau
from tqdm.auto import tqdm

from . import settings
from .course import speed
from .metrics import predicted_labels
from .models import generator_input, label_channels


def progress(iterable: Iterable | None = None, **kwargs) -> tqdm:
    """A ``tqdm.auto`` progress bar, off in the ``smoke`` profile and wherever the environment
    says ``TQDM_DISABLE=1`` (the benchmarks set it)."""
    if settings.get_profile() == "smoke" or os.environ.get("TQDM_DISABLE", "") not in ("", "0"):
        kwargs.setdefault("disable", True)
    return tqdm(iterable, **kwargs)


class EarlyStop:
    """Stop training when the watched loss has not reached a new minimum for ``patience`` checks.

    Introduced in notebook 01 (the book's class, ch. 2); one check per epoch there (per step in
    notebook 03). It also keeps the model's weights at the best check, so that ``restore_best``
    can undo the epochs that only overfitted.
    """

    def __init__(self, patience: int = 10) -> None:
        self.patience = patience
        self.checks = 0  # checks so far
        self.best_check = 0  # the check with the lowest loss, counted from 1 (0: none yet)
        self.min_loss = float("inf")
        self.waited = 0  # checks since the last new minimum
        self.best_state: dict[str, torch.Tensor] | None = None

    def stop(self, loss: float, model: nn.Module | None = None) -> bool:
        self.checks += 1
        if loss < self.min_loss:
            self.min_loss, self.best_check, self.waited = loss, self.checks, 0
            if model is not None:
                self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.waited += 1
        return self.waited >= self.patience

    def restore_best(self, model: nn.Module) -> None:
        if self.best_state is None:
            raise ValueError("EarlyStop kept no weights: pass the model to stop(loss, model)")
        model.load_state_dict(self.best_state)


class Loader(Protocol):
    """What the loops take: batches of tensors, and how many there are per pass (``len``): a
    ``DataLoader``, a ``data.TensorLoader`` or a ``data.FreshBatches``."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Sequence[torch.Tensor]]: ...


LossFunction = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def train_epoch(model: nn.Module, loader: Loader, loss_fn: LossFunction,
                optimizer: torch.optim.Optimizer) -> float:
    """One pass over ``loader``; returns the mean training loss (notebook 01)."""
    model.train()
    total, count = 0.0, 0
    for images, labels in loader:
        # forward
        loss = loss_fn(model(images), labels)
        # backward
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        # update
        optimizer.step()
        # track stats (detach: no graph kept, and no device sync until the end)
        total = total + loss.detach() * len(images)
        count += len(images)
    return float(total) / count


@torch.no_grad()
def evaluate(model: nn.Module, loader: Loader, loss_fn: LossFunction) -> tuple[float, float]:
    """Mean loss and accuracy on ``loader``, in eval mode (dropout off) (notebook 01)."""
    model.eval()
    total, correct, count = 0.0, 0, 0
    for images, labels in loader:
        outputs = model(images)
        total = total + loss_fn(outputs, labels) * len(images)
        correct = correct + (predicted_labels(outputs) == labels.view(-1)).sum()
        count += len(images)
    return float(total) / count, float(correct) / count


def fit_classifier(model: nn.Module, train_loader: Loader, *, loss_fn: LossFunction,
                   optimizer: torch.optim.Optimizer, epochs: int, val_loader: Loader | None = None,
                   early_stop: EarlyStop | None = None, stop_on: str = "val_loss",
                   scheduler: ReduceLROnPlateau | None = None) -> dict[str, list[float]]:
    """Train for ``epochs``, or until ``early_stop`` says so; returns the history (notebook 01).

    ``early_stop`` watches ``stop_on``: "val_loss" (the book) or "val_error" (1 - accuracy).
    A ``ReduceLROnPlateau`` ``scheduler`` is told the validation loss after every epoch.
    """
    if stop_on not in ("val_loss", "val_error"):
        raise ValueError(f"stop_on={stop_on!r}: early stopping can watch 'val_loss' or 'val_error'")
    if val_loader is None and (early_stop is not None or scheduler is not None):
        raise ValueError("early_stop and scheduler watch the validation set: pass val_loader")
    history = {"train_loss": [], "val_loss": [], "val_accuracy": [], "lr": []}
    start, seen = time.perf_counter(), 0
    bar = progress(range(1, epochs + 1), desc="epochs")
    for epoch in bar:
        history["lr"].append(optimizer.param_groups[0]["lr"])
        history["train_loss"].append(train_epoch(model, train_loader, loss_fn, optimizer))
        seen += len(train_loader.dataset)
        if val_loader is not None:
            val_loss, val_accuracy = evaluate(model, val_loader, loss_fn)
            history["val_loss"].append(val_loss)
            history["val_accuracy"].append(val_accuracy)
            bar.set_postfix(train=history["train_loss"][-1], val=val_loss, acc=val_accuracy)
            if scheduler is not None:
                scheduler.step(val_loss)
            watched = val_loss if stop_on == "val_loss" else 1 - val_accuracy
            if early_stop is not None and early_stop.stop(watched, model):
                watched_name = stop_on.replace("_", " ")
                print(f"early stop at epoch {epoch}: no new minimum of the {watched_name} for "
                      f"{early_stop.patience} epochs (best at epoch {early_stop.best_check})")
                break
    seconds = time.perf_counter() - start
    device = next(model.parameters()).device
    val = f", val loss {history['val_loss'][-1]:.4f}" if history["val_loss"] else ""
    print(f"{epoch} epoch{'' if epoch == 1 else 's'} in {seconds:.1f} s, "
          f"{seen / seconds:,.0f} images/s on {device}; "
          f"last train loss {history['train_loss'][-1]:.4f}{val}; "
          f"learning rate {history['lr'][0]:g} -> {history['lr'][-1]:g}")
    return history


# ---- chapters 3-5: the GAN step and the loop around it (notebook 02)


class MovingAverage(nn.Module):
    """An exponential moving average of a network's weights, with a warm-up (introduced in
    notebook 02).

    ``average.module`` is a copy of the network; ``update_parameters(network)`` moves each of its
    weights (and BatchNorm statistics) towards the network's: w <- d * w + (1 - d) * w_net, with
    d = min(decay, (1 + t) / (10 + t)) at update t = 0, 1, 2, ...: the warm-up of TensorFlow's
    ``ExponentialMovingAverage(num_updates=...)``. Without it the average starts as the random
    first network and forgets it slowly (a share decay^t is left after t updates: 39% after 938
    updates at decay 0.999); with it the average remembers about (10 + t) / 9 updates until that
    reaches 1 / (1 - decay). Counts (BatchNorm's batch counter) are copied. The update count and
    d live on the network's device and are computed there, so that an update never makes a CUDA
    GPU wait and can be recorded in a CUDA graph (the ``cuda_graphs`` switch); that is also why
    this is not ``torch.optim.swa_utils.AveragedModel``.
    """

    def __init__(self, network: nn.Module, decay: float) -> None:
        super().__init__()
        if not 0 <= decay <= 1:
            raise ValueError(f"decay={decay}: a moving average's decay lies between 0 and 1")
        self.module = copy.deepcopy(network).requires_grad_(False)
        self.decay = decay
        device = next(network.parameters()).device
        self.register_buffer("count", torch.zeros((), device=device), persistent=False)

    @property
    def updates(self) -> int:
        """How many updates so far (reading it waits for the device)."""
        return int(self.count)

    @torch.no_grad()
    def update_parameters(self, network: nn.Module) -> None:
        pairs = zip([*self.module.parameters(), *self.module.buffers()],
                    [*network.parameters(), *network.buffers()])
        floats, counts = [], []
        for mine, theirs in pairs:
            (floats if mine.is_floating_point() else counts).append((mine, theirs.detach()))
        decay = torch.clamp((1 + self.count) / (10 + self.count), max=self.decay)
        if floats:  # w + (1 - d) * (w_net - w), with d a tensor: one weight, on the device
            torch._foreach_lerp_([m for m, _ in floats], [t for _, t in floats],
                                 [1 - decay] * len(floats))
        for mine, theirs in counts:
            mine.copy_(theirs)
        self.count += 1


def gan_step(generator: nn.Module, discriminator: nn.Module, real: torch.Tensor, *,
             g_optimizer: torch.optim.Optimizer, d_optimizer: torch.optim.Optimizer,
             latent_size: int) -> dict[str, torch.Tensor]:
    """One round of the game on a batch of real samples (notebook 02): D learns, then G learns.

    The book takes three optimizer steps (D on real, D on fresh fakes, G on fresh fakes); this
    takes two, D on real and fake together, then G on the same fakes. Returns the losses and D's
    mean verdicts on real samples, D(x), and on fakes, D(G(z)), detached, as tensors: the loop
    turns them into numbers once per epoch.
    """
    bce = nn.BCELoss()  # binary cross-entropy, the book's loss
    batch = len(real)
    real_labels = torch.ones(batch, 1, device=real.device)
    fake_labels = torch.zeros(batch, 1, device=real.device)
    # 1. D learns: real samples are labelled 1, generated ones 0
    fake = generator(torch.randn(batch, latent_size, device=real.device))
    d_real, d_fake = discriminator(real), discriminator(fake.detach())
    d_loss = bce(d_real, real_labels) + bce(d_fake, fake_labels)
    d_optimizer.zero_grad(set_to_none=True)
    d_loss.backward()
    d_optimizer.step()
    # 2. G learns to make D call its fakes real: label 1 (the non-saturating loss)
    g_loss = bce(discriminator(fake), real_labels)
    g_optimizer.zero_grad(set_to_none=True)
    g_loss.backward()
    g_optimizer.step()
    return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach(),
            "d_real": d_real.detach().mean(), "d_fake": d_fake.detach().mean()}


class GanStep(Protocol):
    """What ``train_gan`` calls on every batch: G and D (or the critic), the batch's tensors, and
    the keywords below; returns statistics as tensors on the device (losses, D's verdicts).
    ``gan_step`` is one (notebook 02), ``wgan_gp_step`` another (notebook 07)."""

    def __call__(self, generator: nn.Module, discriminator: nn.Module, *batch: torch.Tensor,
                 g_optimizer: torch.optim.Optimizer, d_optimizer: torch.optim.Optimizer,
                 latent_size: int) -> dict[str, torch.Tensor]: ...


def train_gan(
    generator: nn.Module,
    discriminator: nn.Module,
    loader: Loader,
    *,
    step: GanStep,
    g_optimizer: torch.optim.Optimizer,
    d_optimizer: torch.optim.Optimizer,
    latent_size: int,
    epochs: int,
    average: MovingAverage | None = None,
    fixed_input: torch.Tensor | None = None,
    show_every: int = 1,
    measures: dict[str, Callable[[nn.Module], float]] | None = None,
    early_stop: EarlyStop | None = None,
    schedulers: Sequence[LRScheduler] = (),
    capture: bool = False,
) -> tuple[dict[str, list[float]], dict[int, torch.Tensor]]:
    """Train a GAN for ``epochs`` passes over ``loader``, calling ``step`` on every batch
    (notebook 02).

    After every step, ``average`` (a ``MovingAverage`` of G) follows G; the average, if given, is
    the G that is measured and shown. After every epoch: the mean of each statistic the step
    returned (losses, D's verdicts); each of ``measures`` (name: function of G) on the G shown;
    ``early_stop`` on the first measure (G is left as it was when training stopped, as the book
    leaves it; ``early_stop.restore_best`` puts the best epoch's weights into a network); the
    ``schedulers``; and, every ``show_every`` epochs, G's output for ``fixed_input``. ``capture``
    replays the step as a CUDA graph on a CUDA GPU (the ``cuda_graphs`` switch) and changes
    nothing elsewhere. Returns (history: name -> one value per epoch, snapshots: epoch -> G's
    output).
    """
    measures = measures or {}
    if early_stop is not None and not measures:
        raise ValueError("early_stop watches the first of `measures`: give train_gan a measure")
    if epochs < 1:
        raise ValueError(f"epochs={epochs}: train for at least one epoch")
    shown = generator if average is None else average.module

    def train_step(*batch: torch.Tensor) -> dict[str, torch.Tensor]:
        stats = step(generator, discriminator, *batch, g_optimizer=g_optimizer,
                     d_optimizer=d_optimizer, latent_size=latent_size)
        if average is not None:
            average.update_parameters(generator)
        return stats

    train_step = speed.captured(train_step, [g_optimizer, d_optimizer], enabled=capture)

    history: dict[str, list[float]] = {}
    snapshots: dict[int, torch.Tensor] = {}
    bar = progress(total=epochs * len(loader), desc="training", unit="step")
    start, seen = time.perf_counter(), 0
    for epoch in range(1, epochs + 1):
        generator.train()
        discriminator.train()
        totals: dict[str, torch.Tensor] = {}
        for batch in loader:
            for key, value in train_step(*batch).items():
                totals[key] = totals.get(key, 0) + value
            seen += len(batch[0])
            bar.update()
        for scheduler in schedulers:
            scheduler.step()
        means = (torch.stack(list(totals.values())) / len(loader)).tolist()  # one wait per epoch
        shown.eval()
        with torch.no_grad():
            figures = dict(zip(totals, means))
            figures.update({name: measure(shown) for name, measure in measures.items()})
            for name, value in figures.items():
                history.setdefault(name, []).append(value)
            watched = figures[next(iter(measures))] if early_stop is not None else None
            stopped = early_stop is not None and early_stop.stop(watched, shown)
            if fixed_input is not None and (epoch % show_every == 0 or epoch == epochs or stopped):
                snapshots[epoch] = shown(fixed_input).cpu()
        bar.set_postfix({"epoch": epoch, **{k: f"{v:.3f}" for k, v in list(figures.items())[:2]}})
        if stopped:
            break
    bar.close()
    seconds = time.perf_counter() - start
    last = ", ".join(f"{name} {values[-1]:.3g}" for name, values in history.items())
    device = next(generator.parameters()).device
    print(f"{epoch} epoch{'' if epoch == 1 else 's'} in {seconds:.1f} s, "
          f"{seen / seconds:,.0f} examples/s on {device}; "
          f"last epoch: {last}")
    if early_stop is not None:
        how = f"stopped early at epoch {epoch}" if stopped else "ran every epoch"
        print(f"{how}; the lowest {next(iter(measures))} ({early_stop.min_loss:.4g}) was at "
              f"epoch {early_stop.best_check}; early_stop.restore_best(G) would bring it back")
    return history, snapshots


# ---- chapter 5: a conditional WGAN with gradient penalty (notebook 07)


def gradient_penalty(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """The WGAN-GP penalty (notebook 07): the mean of (|gradient of the critic's score| - 1)^2 at
    points mixed between real and fake inputs, one random mixing weight per example.

    ``real`` and ``fake`` are the critic's whole inputs, label channels included (mixed too, as in
    the book). ``create_graph`` keeps the gradient differentiable, so that the critic learns from
    it.
    """
    weight = torch.rand(len(real), 1, 1, 1, device=real.device)  # (B, 1, 1, 1): one per example
    mixed = (weight * real + (1 - weight) * fake).requires_grad_(True)
    (gradient,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    return ((gradient.flatten(1).norm(dim=1) - 1) ** 2).mean()  # norm per example: (B,)


def wgan_gp_step(generator: nn.Module, critic: nn.Module, real: torch.Tensor,
                 labels: torch.Tensor, *,
                 g_optimizer: torch.optim.Optimizer, d_optimizer: torch.optim.Optimizer,
                 latent_size: int, critic_steps: int = 5,
                 penalty_weight: float = 10.0) -> dict[str, torch.Tensor]:
    """One round of the book's WGAN-GP game on real images and their labels (notebook 07):
    ``critic_steps`` critic updates (fresh noise each), then one generator update. The critic
    takes D's place in ``train_gan``, so its optimizer is the one passed as ``d_optimizer``.

    Critic loss: -(mean score of real - mean score of fake) + ``penalty_weight`` * gradient
    penalty; generator loss: -mean score of fake. Returns both losses, the last critic step's mean
    scores of real and fake images and its penalty, detached.
    """
    if critic_steps < 1:
        raise ValueError(f"critic_steps={critic_steps}: the critic learns at least once per step")
    real_input = label_channels(real, labels)
    for _ in range(critic_steps):
        noise = torch.randn(len(real), latent_size, device=real.device)
        fake = generator(generator_input(noise, labels))
        fake_input = label_channels(fake.detach(), labels)
        critic_real, critic_fake = critic(real_input).mean(), critic(fake_input).mean()
        penalty = gradient_penalty(critic, real_input, fake_input)
        critic_loss = -(critic_real - critic_fake) + penalty_weight * penalty
        d_optimizer.zero_grad(set_to_none=True)
        critic_loss.backward()
        d_optimizer.step()
    g_loss = -critic(label_channels(fake, labels)).mean()
    g_optimizer.zero_grad(set_to_none=True)
    g_loss.backward()
    g_optimizer.step()
    return {"critic_loss": critic_loss.detach(), "g_loss": g_loss.detach(),
            "critic_real": critic_real.detach(), "critic_fake": critic_fake.detach(),
            "penalty": penalty.detach()}
