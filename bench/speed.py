"""The course's training loops against book-style ones, for notebooks 04, 06 and 07, timed in one
run.

For each notebook: the same networks, the book's batch size and the same number of batches (G
steps), first in a book-style loop, then in the course's, one after the other. Prints seconds,
images per second, the time of one epoch of the book's dataset (scaled from the timed steps) and
the ratio, with the device and versions.

Book style, the way the book's listings are written:
- data: a torchvision dataset with per-image transforms (ToTensor, Normalize; Resize for the faces)
  through a DataLoader, every batch moved to the device inside the loop;
- 04 and 06: three optimizer steps per batch (D on real, D on fresh fakes, G on fresh fakes: ch.
  3-4's train_D_on_real, train_D_on_fake, train_G), label tensors made on the CPU and moved;
- 07: one-hot labels and label channels built per batch on the CPU; 5 critic steps, whose loss
  backpropagates through G as well (fakes not detached; ``backward(retain_graph=True)`` keeps G's
  graph for its own step), then one G step;
- Adam as constructed by default (on the CPU: a Python loop over the parameters).

Course: what the notebook runs: the images as one tensor on the device (``data.TensorLoader``),
``training.train_gan`` with the notebook's step (``gan_step``, ``wgan_gp_step``) and moving average
of G, ``Adam(fused=True)``, and the notebook's speed switches (``channels_last`` for notebook 06's
convolutions; ``cudnn_benchmark``; ``cuda_graphs`` on a CUDA GPU; ``keep_freed_memory`` for
notebook 07, on during its course loop only).

The face notebooks use procedural faces saved as PNG files (the book reads the Kaggle images; the
eyeglasses files are 1024x1024, so the book's loader does more work per image than measured here).

    .venv/bin/python bench/speed.py [--notebooks 04 06 07] [--steps 04=1875 06=10 07=3]
                                    [--no-channels-last] [--no-keep-freed-memory] [--no-cuda-graphs]
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import torch
import torchvision
from torch import nn
from torch.utils.data import DataLoader
from torchvision import transforms as T

from gan_helpers import data, models, settings, training
from gan_helpers.course import faces, speed

from timing import (  # bench/timing.py, beside this script
    book_fashion_loader,
    describe_machine,
    report,
    timed,
)

LATENT = 100
BOOK = {  # the book's batch size and dataset size, and the steps timed by default
    "04": dict(batch=32, epoch_images=60_000, steps=1875),
    "06": dict(batch=128, epoch_images=63_632, steps=10),
    "07": dict(batch=16, epoch_images=4_500, steps=3),
}


def fused_adam(parameters, lr: float, betas: tuple[float, float]) -> torch.optim.Adam:
    """The course's optimizer: Adam's update for all parameters in one fused kernel."""
    return torch.optim.Adam(parameters, lr=lr, betas=betas, fused=True)


def course_side(G, D, images, lr, betas, channels_last):
    """What the notebooks add for speed: ``channels_last`` weights and images if asked, fused Adam;
    and the moving average of G that they train with. Returns (G, D, images, G's optimizer, D's,
    the average)."""
    if channels_last:
        G, D = G.to(memory_format=torch.channels_last), D.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    average = training.MovingAverage(G, decay=0.999)
    g_opt, d_opt = fused_adam(G.parameters(), lr, betas), fused_adam(D.parameters(), lr, betas)
    return G, D, images, g_opt, d_opt, average


def course_loop(G, D, loader, g_opt, d_opt, average, step, switches):
    """One epoch of ``training.train_gan`` over ``loader``, as the notebook calls it."""
    with speed.process_switches(cudnn_benchmark=True, keep_memory=switches["keep_freed_memory"]):
        training.train_gan(G, D, loader, step=step, g_optimizer=g_opt, d_optimizer=d_opt,
                           latent_size=LATENT, epochs=1, average=average,
                           capture=switches["cuda_graphs"])


def seeded_players(make_generator, make_discriminator, device, init_weights: bool = True):
    """G and D as the notebook builds them, from the same seed for both loops; the book's N(0, 0.02)
    weights (``models.init_weights``) for the face notebooks."""
    torch.manual_seed(42)
    G, D = make_generator().to(device), make_discriminator().to(device)
    if init_weights:
        G.apply(models.init_weights)
        D.apply(models.init_weights)
    return G, D


def book_style_gan(G, D, loader, g_optimizer, d_optimizer, device, steps, reshape=lambda x: x):
    """Ch. 3-4's loop: D on real, D on fresh fakes, G on fresh fakes; ``reshape`` flattens 04's
    images."""
    loss_fn = nn.BCELoss()
    batch_size = loader.batch_size
    for step, (real, _) in enumerate(loader):
        if step == steps:
            break
        real = reshape(real).to(device)
        loss_d = loss_fn(D(real), torch.ones((real.shape[0], 1)).to(device))
        d_optimizer.zero_grad()
        loss_d.backward()
        d_optimizer.step()
        fake = G(torch.randn((batch_size, LATENT)).to(device))
        loss_d = loss_fn(D(fake), torch.zeros((batch_size, 1)).to(device))
        d_optimizer.zero_grad()
        loss_d.backward()
        d_optimizer.step()
        fake = G(torch.randn((batch_size, LATENT)).to(device))
        loss_g = loss_fn(D(fake), torch.ones((batch_size, 1)).to(device))
        g_optimizer.zero_grad()
        loss_g.backward()
        g_optimizer.step()


def book_style_wgan_gp(G, C, loader, g_optimizer, c_optimizer, device, steps, critic_steps=5,
                       penalty_weight=10):
    """Ch. 5's loop: labels and label channels built per batch, the critic's loss backpropagated
    through G."""
    for step, (images, labels) in enumerate(loader):
        if step == steps:
            break
        batch_size, _, height, width = images.shape
        real = images.to(device)
        onehots = torch.zeros((batch_size, 2))
        channels = torch.zeros((batch_size, 2, height, width))
        for index in range(batch_size):
            onehots[index, labels[index]] = 1
            channels[index, labels[index], :, :] = 1
        onehots, channels = onehots.to(device), channels.to(device)
        real_and_labels = torch.cat([real, channels], dim=1)
        for _ in range(critic_steps):
            noise = torch.randn((batch_size, LATENT)).to(device)
            fake = G(torch.cat([noise, onehots], dim=1).reshape(batch_size, LATENT + 2, 1, 1))
            fake_and_labels = torch.cat([fake, channels], dim=1)
            critic_real = C(real_and_labels).reshape(-1)
            critic_fake = C(fake_and_labels).reshape(-1)
            penalty = training.gradient_penalty(C, real_and_labels, fake_and_labels)
            loss_c = -(torch.mean(critic_real) - torch.mean(critic_fake)) + penalty_weight * penalty
            c_optimizer.zero_grad()
            loss_c.backward(retain_graph=True)
            c_optimizer.step()
        loss_g = -torch.mean(C(fake_and_labels).reshape(-1))
        g_optimizer.zero_grad()
        loss_g.backward()
        g_optimizer.step()


def image_folder_loader(root, size: int, batch_size: int) -> DataLoader:
    """The book's face loader: ImageFolder, Resize, ToTensor, Normalize, one image at a time."""
    transform = T.Compose([T.Resize((size, size)), T.ToTensor(), T.Normalize([0.5] * 3, [0.5] * 3)])
    folder = torchvision.datasets.ImageFolder(str(root), transform=transform)
    return DataLoader(folder, batch_size=batch_size, shuffle=True)


def course_loader(*tensors, batch_size: int) -> data.TensorLoader:
    return data.TensorLoader(*tensors, batch_size=batch_size, shuffle=True, drop_last=True,
                             generator=torch.Generator().manual_seed(42))


def time_both(book_run, course_run) -> tuple[float, float]:
    """Each loop once untimed on 2 steps (allocations, optimizer state), then timed."""
    book_run(2)
    book = timed(lambda: book_run(None))
    course_run(2)
    return book, timed(lambda: course_run(None))


def notebook_04(device, steps, batch, switches):
    def players():
        return seeded_players(models.fashion_generator, models.fashion_discriminator, device,
                              init_weights=False)

    book_loader = book_fashion_loader(batch)
    G, D = players()
    g_opt = torch.optim.Adam(G.parameters(), lr=1e-4)
    d_opt = torch.optim.Adam(D.parameters(), lr=1e-4)

    def book_run(count):  # the book flattens images by hand; D[0] and G[-1] do it in the course's
        book_style_gan(G[:-1], D[1:], book_loader, g_opt, d_opt, device, count or steps,
                       reshape=lambda x: x.reshape(-1, 28 * 28))

    images = data.load_fashion_mnist(train=True)[0].to(device)
    G2, D2, images, g_opt2, d_opt2, average = course_side(*players(), images, 1e-4, (0.9, 0.999),
                                                          switches["channels_last"])

    def course_run(count):
        loader = course_loader(images[: (count or steps) * batch], batch_size=batch)
        course_loop(G2, D2, loader, g_opt2, d_opt2, average, training.gan_step, switches)

    return time_both(book_run, course_run)


def face_pngs(count: int, size: int):
    """Procedural faces as PNG files in the eyeglasses layout (cached under data/), and the same in
    memory."""
    root = faces.write_face_folder(count, size=size)
    return root, data.load_image_folder(root, size)


def notebook_06(device, steps, batch, switches):
    count = (steps + 2) * batch
    root, loaded = face_pngs(count, 64)
    book_loader = image_folder_loader(root, 64, batch)

    def players():
        torch.manual_seed(42)
        G, D = models.dcgan_players(LATENT)
        return G.to(device), D.to(device)

    G, D = players()
    betas = (0.5, 0.999)
    g_opt = torch.optim.Adam(G.parameters(), 2e-4, betas=betas)
    d_opt = torch.optim.Adam(D.parameters(), 2e-4, betas=betas)

    def book_run(count):
        book_style_gan(G, D[1:], book_loader, g_opt, d_opt, device, count or steps)

    images = data.to_unit_range(loaded.images).to(device)
    G2, D2, images, g_opt2, d_opt2, average = course_side(*players(), images, 2e-4, betas,
                                                          switches["channels_last"])

    def course_run(count):
        loader = course_loader(images[: (count or steps) * batch], batch_size=batch)
        course_loop(G2, D2, loader, g_opt2, d_opt2, average, training.gan_step, switches)

    return time_both(book_run, course_run)


def notebook_07(device, steps, batch, switches):
    size = 256
    root, loaded = face_pngs((steps + 2) * batch, size)
    book_loader = image_folder_loader(root, size, batch)

    def players():
        return seeded_players(lambda: models.conditional_generator(image_size=size),
                              lambda: models.wgan_critic(image_size=size), device)

    G, C = players()
    betas = (0.0, 0.9)
    g_opt = torch.optim.Adam(G.parameters(), 1e-4, betas=betas)
    c_opt = torch.optim.Adam(C.parameters(), 1e-4, betas=betas)

    def book_run(count):
        book_style_wgan_gp(G, C, book_loader, g_opt, c_opt, device, count or steps)

    images = data.to_unit_range(loaded.images).to(device)
    G2, C2, images, g_opt2, c_opt2, average = course_side(*players(), images, 1e-4, betas,
                                                          switches["channels_last"])
    one_hot = nn.functional.one_hot(loaded.labels, 2).float().to(device)

    def course_run(count):
        taken = (count or steps) * batch
        loader = course_loader(images[:taken], one_hot[:taken], batch_size=batch)
        course_loop(G2, C2, loader, g_opt2, c_opt2, average, training.wgan_gp_step, switches)

    return time_both(book_run, course_run)


NOTEBOOKS = {"04": notebook_04, "06": notebook_06, "07": notebook_07}
CHANNELS_LAST = {"04": False, "06": True, "07": False}  # the notebooks' defaults (hp.channels_last)
KEEP_FREED_MEMORY = {"04": False, "06": False, "07": True}  # and hp.keep_freed_memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notebooks", nargs="+", default=list(NOTEBOOKS), choices=list(NOTEBOOKS))
    parser.add_argument("--steps", nargs="*", default=[], metavar="NB=N",
                        help="optimizer steps to time per notebook, e.g. 06=20 (defaults: "
                             + ", ".join(f"{k}={v['steps']}" for k, v in BOOK.items()) + ")")
    parser.add_argument("--no-channels-last", action="store_true",
                        help="turn notebook 06's channels_last off")
    parser.add_argument("--no-keep-freed-memory", action="store_true",
                        help="leave glibc's memory settings alone in notebook 07's course loop")
    parser.add_argument("--no-cuda-graphs", action="store_true",
                        help="run the course's steps as written on a CUDA GPU, not as graphs")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()
    try:
        asked = {k: int(v) for k, v in (pair.split("=") for pair in args.steps)}
    except ValueError:
        sys.exit(f"--steps takes NB=N pairs such as 06=20, not {args.steps}")
    if set(asked) - set(BOOK):
        sys.exit(f"--steps: no notebook {', '.join(sorted(set(asked) - set(BOOK)))} here; the "
                 f"timed notebooks are {', '.join(BOOK)}")
    steps = {**{k: v["steps"] for k, v in BOOK.items()}, **asked}
    os.environ["TQDM_DISABLE"] = "1"  # no progress bars between the timings
    device = settings.get_device()
    print(describe_machine(device))
    figures = {"machine": describe_machine(device)}
    for name in sorted(args.notebooks):
        book_values = BOOK[name]
        batch = book_values["batch"]
        switches = {"channels_last": CHANNELS_LAST[name] and not args.no_channels_last,
                    "keep_freed_memory": KEEP_FREED_MEMORY[name] and not args.no_keep_freed_memory,
                    "cuda_graphs": speed.cuda_graphs_possible(device) and not args.no_cuda_graphs}
        book, course = NOTEBOOKS[name](device, steps[name], batch, switches)
        images = steps[name] * batch
        used = "".join(f", {switch}" for switch, on in switches.items() if on)
        ratio = report(f"notebook {name}: {steps[name]} steps of batch {batch}{used}", images,
                       book, course, book_values["epoch_images"])
        figures[name] = {"steps": steps[name], "batch": batch, "book_s": round(book, 3),
                         "course_s": round(course, 3),
                         "book_epoch_s": round(book * book_values["epoch_images"] / images, 1),
                         "course_epoch_s": round(course * book_values["epoch_images"] / images, 1),
                         "ratio": round(ratio, 2)}
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(figures, handle, indent=2)


if __name__ == "__main__":
    main()
