"""Training loops of the course (classifier epochs and ``EarlyStop`` introduced in notebook 01).

The notebooks write these out where they first teach them; a test keeps the copies here
identical to the notebooks' so that later notebooks and the tests can import them.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable

import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm.auto import tqdm

from . import checkpoints, data, metrics, models, settings
from .metrics import predicted_labels


def progress(iterable: Iterable, **kwargs) -> tqdm:
    """A ``tqdm.auto`` progress bar, turned off in the ``smoke`` profile."""
    return tqdm(iterable, disable=settings.get_profile() == "smoke", **kwargs)


class EarlyStop:
    """Stop training when the monitored loss has not reached a new minimum for ``patience`` checks.

    Introduced in notebook 01 (the book's class, ch. 2). It also remembers the model's weights at
    the best check, so that ``restore_best`` can undo the epochs that only overfitted.
    """

    def __init__(self, patience: int = 10) -> None:
        self.patience = patience
        self.steps = 0
        self.min_loss = float("inf")
        self.best_step = -1
        self.checks = 0
        self.best_state: dict | None = None

    def stop(self, loss: float, model: nn.Module | None = None) -> bool:
        if loss < self.min_loss:
            self.min_loss, self.steps, self.best_step = loss, 0, self.checks
            if model is not None:
                self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.steps += 1
        self.checks += 1
        return self.steps >= self.patience

    def restore_best(self, model: nn.Module) -> None:
        model.load_state_dict(self.best_state)


def train_epoch(model, loader, loss_fn, optimizer) -> float:
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
def evaluate(model, loader, loss_fn) -> tuple[float, float]:
    """Mean loss and accuracy on ``loader``, in eval mode (dropout off) (notebook 01)."""
    model.eval()
    total, correct, count = 0.0, 0, 0
    for images, labels in loader:
        outputs = model(images)
        total = total + loss_fn(outputs, labels) * len(images)
        correct = correct + (predicted_labels(outputs) == labels.view(-1)).sum()
        count += len(images)
    return float(total) / count, float(correct) / count


def fit_classifier(model, train_loader, loss_fn, optimizer, epochs, val_loader=None,
                   early_stop=None, stop_on="val_loss", scheduler=None) -> dict:
    """Train for ``epochs``, or until ``early_stop`` says so; returns the history (notebook 01).

    ``early_stop`` watches ``stop_on``: "val_loss" (the book) or "val_error" (1 - accuracy).
    A ``ReduceLROnPlateau`` ``scheduler`` is told the validation loss after every epoch.
    """
    if stop_on not in ("val_loss", "val_error"):
        raise ValueError(f"stop_on={stop_on!r}: early stopping can watch 'val_loss' or 'val_error'")
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
                print(f"early stop at epoch {epoch}: no new minimum of the {stop_on.replace('_', ' ')} "
                      f"for {early_stop.patience} epochs (best at epoch {early_stop.best_step + 1})")
                break
    seconds = time.perf_counter() - start
    device = next(model.parameters()).device
    print(f"{epoch} epochs in {seconds:.1f} s, {seen / seconds:,.0f} images/s on {device}; "
          f"last train loss {history['train_loss'][-1]:.4f}"
          + (f", val loss {history['val_loss'][-1]:.4f}" if history["val_loss"] else "")
          + f"; learning rate {history['lr'][0]:g} -> {history['lr'][-1]:g}")
    return history


def gan_step(generator, discriminator, real, g_optimizer, d_optimizer, loss_fn, latent_size) -> tuple:
    """One round of the adversarial game on a batch of real samples; returns (D loss, G loss) (notebook 02).

    The book takes three optimizer steps (D on real, D on fresh fakes, G); this takes two: D on
    real and fake together, then G on the same fakes. The losses come back detached, as tensors,
    so that the loop converts them to numbers only when it needs them.
    """
    batch = len(real)
    real_labels = torch.ones(batch, 1, device=real.device)
    fake_labels = torch.zeros(batch, 1, device=real.device)
    # 1. the discriminator learns: real samples are labelled 1, generated ones 0
    fake = generator(torch.randn(batch, latent_size, device=real.device))
    d_loss = loss_fn(discriminator(real), real_labels) + loss_fn(discriminator(fake.detach()), fake_labels)
    d_optimizer.zero_grad(set_to_none=True)
    d_loss.backward()
    d_optimizer.step()
    # 2. the generator learns to make the discriminator call its samples real
    g_loss = loss_fn(discriminator(fake), real_labels)
    g_optimizer.zero_grad(set_to_none=True)
    g_loss.backward()
    g_optimizer.step()
    return d_loss.detach(), g_loss.detach()


def train_shape_gan(generator, discriminator, loader, curve, lr, betas, epochs, patience, snapshot_every,
                    ema_decay=None, lr_decay_from=None) -> tuple[dict, dict]:
    """Notebook 02's loop: ``gan_step`` on every batch, the book's on-curve MSE after every epoch, and its
    early stopping (``patience=None``: none); returns (history, {"epoch N": points}).

    The course's additions, each optional: ``ema_decay`` keeps a moving average of G's weights, which
    is what gets measured and, at the end, what G keeps; ``lr_decay_from`` (a share of ``epochs``)
    lowers both learning rates linearly to 0 from that point on.
    """
    loss_fn = nn.BCELoss()
    g_optimizer = torch.optim.Adam(generator.parameters(), lr=lr, betas=betas)
    d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=lr, betas=betas)
    schedules = []
    if lr_decay_from is not None:
        def factor(epoch: int) -> float:
            return min(1.0, (1 - epoch / epochs) / (1 - lr_decay_from))
        schedules = [torch.optim.lr_scheduler.LambdaLR(opt, factor) for opt in (g_optimizer, d_optimizer)]
    average = AveragedModel(generator, multi_avg_fn=get_ema_multi_avg_fn(ema_decay)) if ema_decay else None
    measured = generator if average is None else average.module
    device = next(generator.parameters()).device
    fixed_noise = torch.randn(1000, generator[0].in_features, generator=torch.Generator().manual_seed(1)).to(device)
    stopper = EarlyStop(patience=patience) if patience else None
    history, snapshots = {"d_loss": [], "g_loss": [], "on_curve_mse": []}, {}
    for epoch in progress(range(1, epochs + 1), desc="epochs"):
        d_total, g_total = 0.0, 0.0
        for (batch,) in loader:
            d_loss, g_loss = gan_step(generator, discriminator, batch, g_optimizer, d_optimizer, loss_fn,
                                      fixed_noise.shape[1])
            d_total, g_total = d_total + d_loss, g_total + g_loss
            if average is not None:
                average.update_parameters(generator)
        for schedule in schedules:
            schedule.step()
        # the book's measure, on a fixed batch of noise
        with torch.no_grad():
            fake = measured(fixed_noise)
        mse = ((fake[:, 1] - curve(fake[:, 0])) ** 2).mean().item()
        history["d_loss"].append(float(d_total) / len(loader))
        history["g_loss"].append(float(g_total) / len(loader))
        history["on_curve_mse"].append(mse)
        if epoch % snapshot_every == 0:
            snapshots[f"epoch {epoch}"] = fake.cpu()
        if stopper is not None and stopper.stop(mse, measured):
            break
    if stopper is not None:
        stopper.restore_best(measured)
        print(f"stopped after {epoch} epochs; best on-curve MSE {stopper.min_loss:.4f} at epoch {stopper.best_step + 1}")
    else:
        print(f"trained {epoch} epochs; on-curve MSE at the end {mse:.4f}")
    generator.load_state_dict(measured.state_dict())
    return history, snapshots


def train_gan(generator, discriminator, loader, g_optimizer, d_optimizer, epochs, latent_size,
              fixed_noise, show_every, average=None) -> tuple[dict, dict]:
    """Notebook 04's loop: ``gan_step`` on every batch, the mean losses of each epoch, and G's images of
    ``fixed_noise`` every ``show_every`` epochs; returns (history, {epoch: images}).

    ``average`` (an ``AveragedModel`` of G) is updated after every step and, if given, makes the images.
    """
    loss_fn = nn.BCELoss()
    history, snapshots = {"d_loss": [], "g_loss": []}, {}
    sampler = generator if average is None else average.module
    for epoch in progress(range(1, epochs + 1), desc="epochs"):
        generator.train()
        discriminator.train()
        d_total, g_total = 0.0, 0.0
        for real, *_ in loader:
            d_loss, g_loss = gan_step(generator, discriminator, real, g_optimizer, d_optimizer, loss_fn,
                                      latent_size)
            d_total, g_total = d_total + d_loss, g_total + g_loss
            if average is not None:
                average.update_parameters(generator)
        history["d_loss"].append(float(d_total) / len(loader))
        history["g_loss"].append(float(g_total) / len(loader))
        if epoch % show_every == 0 or epoch == epochs:
            sampler.eval()
            with torch.no_grad():
                snapshots[epoch] = sampler(fixed_noise).cpu()
    return history, snapshots


def scoring_classifier(device: torch.device, epochs: int = 5) -> nn.Sequential:
    """Notebook 01's Fashion-MNIST classifier, to score generated images (notebook 04).

    Loaded from notebook 01's checkpoint; if there is none, a classifier is trained now for ``epochs``
    epochs on the training images, saved where notebook 01 would save it, and the function says so.
    """
    model = models.fashion_classifier()
    path = settings.output_dir() / "fashion_classifier.pt"
    if path.exists():
        checkpoints.load_checkpoint(model, path)
        print(f"scoring with notebook 01's classifier from {path}")
        return model.to(device).eval()
    print(f"no classifier at {path} (notebook 01 saves one there): training one now for {epochs} epochs")
    images, labels = data.load_fashion_mnist(train=True)
    loader = data.TensorLoader(images.to(device), labels.to(device), batch_size=64, shuffle=True)
    model.to(device)
    fit_classifier(model, loader, nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=1e-3), epochs)
    checkpoints.save_checkpoint(model, path, trained_by="gan_helpers.training.scoring_classifier", epochs=epochs)
    return model.eval()


def train_face_classifier(images: torch.Tensor, attributes: dict[str, torch.Tensor], device: torch.device,
                          epochs: int = 3, seed: int = 0) -> tuple[nn.Sequential, dict[str, float]]:
    """Notebook 06's scorer, trained on the dataset's own labels: a ``models.face_classifier`` with one
    output per attribute (glasses, long hair), on nine tenths of ``images`` (uint8).

    A dataset without labels (the anime faces) gets a task made from the images themselves: which way
    up is the face (turned by 0, 90, 180 or 270 degrees)? To answer, the classifier must learn where
    eyes, hair and chin are, and so its features still describe faces. Returns the classifier, in eval
    mode, and its accuracy on the held-out tenth for each attribute (or for "rotation").
    """
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(images), generator=generator)
    x = data.to_unit_range(images[order])
    if attributes:
        names = list(attributes)
        targets = torch.stack([attributes[name][order] for name in names], dim=1).float()
        loss_fn, outputs = nn.BCEWithLogitsLoss(), len(names)
    else:
        names, targets = ["rotation"], torch.arange(len(x)) % 4
        for quarter_turns in range(1, 4):
            x[targets == quarter_turns] = torch.rot90(x[targets == quarter_turns], quarter_turns, dims=(2, 3))
        loss_fn, outputs = nn.CrossEntropyLoss(), 4
    held_out = max(1, len(x) // 10)
    loader = data.TensorLoader(x[held_out:].to(device), targets[held_out:].to(device), batch_size=64,
                               shuffle=True, generator=generator)
    torch.manual_seed(seed)
    model = models.face_classifier(outputs).to(device)
    fit_classifier(model, loader, loss_fn, torch.optim.Adam(model.parameters(), lr=1e-3), epochs)
    predictions = metrics.outputs_of(model, x[:held_out])
    if attributes:
        correct = (predictions > 0) == targets[:held_out].bool()
        return model.eval(), {name: correct[:, i].float().mean().item() for i, name in enumerate(names)}
    return model.eval(), {"rotation": (predictions.argmax(1) == targets[:held_out]).float().mean().item()}


# ---- chapter 5: a conditional WGAN with gradient penalty (notebook 07)


def label_channels(images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The images with one constant channel per label value appended: the critic's input (notebook 07).

    A one-hot label [1, 0] adds a channel of ones and a channel of zeros, each the size of the image.
    """
    planes = labels[:, :, None, None].expand(-1, -1, *images.shape[2:])
    return torch.cat([images, planes.to(images.dtype)], dim=1)


def generator_input(noise: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Noise and labels side by side, shaped as 1x1 channels: the generator's input (notebook 07)."""
    return torch.cat([noise, labels.to(noise.dtype)], dim=1)[:, :, None, None]


def gradient_penalty(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """The WGAN-GP penalty (notebook 07): the mean of (|gradient of the critic's score| - 1)^2 at points
    mixed between real and fake inputs, one random mixing weight per example.

    ``real`` and ``fake`` are the critic's whole inputs, label channels included (mixed too, as in the
    book). ``create_graph`` keeps the gradient differentiable, so that the critic learns from it.
    """
    weight = torch.rand(len(real), 1, 1, 1, device=real.device)
    mixed = (weight * real + (1 - weight) * fake).requires_grad_(True)
    (gradient,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    return ((gradient.flatten(1).norm(dim=1) - 1) ** 2).mean()


def wgan_gp_step(generator, critic, real, labels, g_optimizer, c_optimizer, latent_size,
                 critic_steps: int = 5, penalty_weight: float = 10.0) -> tuple:
    """One round of the book's WGAN-GP game on a batch of real images and their one-hot labels (notebook 07):
    ``critic_steps`` critic updates (fresh noise each), then one generator update.

    Critic loss: -(mean score of real - mean score of fake) + ``penalty_weight`` * gradient penalty;
    generator loss: -mean score of fake. Returns (critic loss, generator loss, penalty), detached.
    """
    real_input = label_channels(real, labels)
    for _ in range(critic_steps):
        noise = torch.randn(len(real), latent_size, device=real.device)
        fake = generator(generator_input(noise, labels))
        fake_input = label_channels(fake.detach(), labels)
        penalty = gradient_penalty(critic, real_input, fake_input)
        c_loss = -(critic(real_input).mean() - critic(fake_input).mean()) + penalty_weight * penalty
        c_optimizer.zero_grad(set_to_none=True)
        c_loss.backward()
        c_optimizer.step()
    g_loss = -critic(label_channels(fake, labels)).mean()
    g_optimizer.zero_grad(set_to_none=True)
    g_loss.backward()
    g_optimizer.step()
    return c_loss.detach(), g_loss.detach(), penalty.detach()


def train_wgan_gp(generator, critic, loader, g_optimizer, c_optimizer, epochs, latent_size, fixed_input,
                  show_every, average=None) -> tuple[dict, dict]:
    """Notebook 07's loop: ``wgan_gp_step`` on every batch of (images, one-hot labels), the mean losses and
    penalty of each epoch, and G's images of ``fixed_input`` (noise and labels, as ``generator_input``
    makes them) every ``show_every`` epochs; returns (history, {epoch: images}).

    ``average`` (an ``AveragedModel`` of G) is updated after every step and, if given, makes the images.
    """
    history, snapshots = {"c_loss": [], "g_loss": [], "penalty": []}, {}
    sampler = generator if average is None else average.module
    for epoch in progress(range(1, epochs + 1), desc="epochs"):
        generator.train()
        critic.train()
        totals = 0.0
        for real, labels in loader:
            totals = totals + torch.stack(wgan_gp_step(generator, critic, real, labels, g_optimizer, c_optimizer,
                                                       latent_size))
            if average is not None:
                average.update_parameters(generator)
        for key, total in zip(history, (totals / len(loader)).tolist()):
            history[key].append(total)
        if epoch % show_every == 0 or epoch == epochs:
            sampler.eval()
            with torch.no_grad():
                snapshots[epoch] = sampler(fixed_input).cpu()
    return history, snapshots
