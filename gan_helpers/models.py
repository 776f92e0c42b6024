"""Every network of the course, its weight init, and the inputs of the conditional GAN
(introduced in notebook 01); each docstring says which notebook introduces that network."""

from __future__ import annotations

import torch
from torch import nn


def fashion_classifier() -> nn.Sequential:
    """Notebook 01's 10-class MLP, 784-256-128-64-10 with ReLU; logits out (CrossEntropyLoss
    applies the softmax itself)."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(28 * 28, 256), nn.ReLU(),
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 10),
    )


def fashion_cnn() -> nn.Sequential:
    """Notebook 04's scorer of clothing: a small convolutional classifier of Fashion-MNIST,
    (N, 1, 28, 28) -> 10 logits; its 128 hidden values, before the last layer, are the features
    of notebook 04's Fréchet distance.

    Two blocks of Conv2d(3x3), BatchNorm, ReLU and MaxPool halve the image twice (28 -> 14 -> 7)
    while the channels grow to 16, then 32; then 128 hidden values and the 10 logits.
    """
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )


def shape_discriminator(inputs: int = 2, dropout: float = 0.3) -> nn.Sequential:
    """Notebook 02's D: a point (x, y) -> probability that it is real; 2-256-128-64-1, ReLU and
    Dropout(0.3) after each hidden layer, sigmoid out."""
    return nn.Sequential(
        nn.Linear(inputs, 256), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(256, 128), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(128, 64), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(64, 1), nn.Sigmoid(),
    )


class CrowdAwareShapeDiscriminator(nn.Module):
    """Notebook 02's course D: the book's D plus a third input, how crowded each point's
    neighbourhood is in its batch (``dropout``: the course uses none; the book's D has 0.3).

    Minibatch discrimination (Salimans et al., 2016) for points: the crowding of a point is the
    mean of a Gaussian kernel over its distances to the batch's points, measured in units of
    ``spread`` (the width of the data's x range), so that a generator piling its points up gets
    caught.
    """

    def __init__(self, spread: float, bandwidth: float = 0.05, dropout: float = 0.0) -> None:
        super().__init__()
        self.spread, self.bandwidth = spread, bandwidth
        self.net = shape_discriminator(inputs=3, dropout=dropout)

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        scaled = points / self.spread
        kernel = torch.exp(-torch.cdist(scaled, scaled) ** 2 / (2 * self.bandwidth**2))
        crowding = kernel.mean(dim=1, keepdim=True) * 10  # about 1 for evenly spread points
        return self.net(torch.cat([points, crowding], dim=1))


def shape_generator(latent_size: int = 2) -> nn.Sequential:
    """Notebook 02's G: noise -> a point (x, y); latent_size-16-32-2 with ReLU between, no
    output activation."""
    return nn.Sequential(
        nn.Linear(latent_size, 16), nn.ReLU(),
        nn.Linear(16, 32), nn.ReLU(),
        nn.Linear(32, 2),
    )


def number_discriminator(width: int = 100) -> nn.Sequential:
    """Notebook 03's D: a one-hot vector of ``width`` -> probability that it is real; Linear,
    then sigmoid."""
    return nn.Sequential(nn.Linear(width, 1), nn.Sigmoid())


def number_generator(width: int = 100) -> nn.Sequential:
    """Notebook 03's G: ``width`` noise values -> ``width`` non-negative scores; Linear, then
    ReLU."""
    return nn.Sequential(nn.Linear(width, width), nn.ReLU())


class CrowdAwareDiscriminator(nn.Module):
    """Notebook 03's fix for mode collapse: the book's D plus one input, how crowded each
    sample's value is in its batch.

    Minibatch discrimination (Salimans et al., 2016) in its simplest form: the extra input is the
    dot product of a sample with its batch's mean vector, which for one-hot vectors is the share
    of the batch that has the same value. A collapsed generator makes crowded batches; D learns
    to call crowded samples fake, and G is pushed to spread out.
    """

    def __init__(self, width: int = 100) -> None:
        super().__init__()
        self.linear = nn.Linear(width + 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        crowding = (x * x.mean(dim=0, keepdim=True)).sum(dim=1, keepdim=True)
        return torch.sigmoid(self.linear(torch.cat([x, crowding], dim=1)))


class MinibatchStd(nn.Module):
    """Notebook 04's course addition in front of D's last layer: one more feature per sample, how
    much the batch's samples differ, the mean over features of their standard deviation across
    the batch (Karras et al., 2018). A generator that repeats itself makes batches that differ
    little, which D can now see: minibatch discrimination, as in notebooks 02 and 03."""

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        spread = features.std(dim=0).mean().expand(len(features), 1)  # (B, 1)
        return torch.cat([features, spread], dim=1)


def fashion_discriminator(widths: tuple[int, int, int] = (1024, 512, 256),
                          minibatch_std: bool = False) -> nn.Sequential:
    """Notebook 04's D: a 28x28 image, flattened -> probability that it is real;
    784-1024-512-256-1, ReLU and Dropout(0.3) after each hidden layer, sigmoid out.

    ``widths`` are the hidden layers (exercise 4.1 tries 1000/500/200); ``minibatch_std`` adds
    ``MinibatchStd`` before the last layer.
    """
    layers: list[nn.Module] = [nn.Flatten()]
    for width_in, width_out in zip((28 * 28, *widths), widths):
        layers += [nn.Linear(width_in, width_out), nn.ReLU(), nn.Dropout(0.3)]
    features = widths[-1]
    if minibatch_std:
        layers.append(MinibatchStd())
        features += 1  # MinibatchStd adds one feature per sample
    return nn.Sequential(*layers, nn.Linear(features, 1), nn.Sigmoid())


def fashion_generator(latent_size: int = 100,
                      widths: tuple[int, int, int] = (256, 512, 1024)) -> nn.Sequential:
    """Notebook 04's G: noise -> a 28x28 image in [-1, 1]; 100-256-512-1024-784, ReLU between,
    tanh out.

    D's widths in reverse order: the mirror image of ``fashion_discriminator``. ``widths`` are the
    hidden layers (exercise 4.2 tries 200/500/1000). The 784 outputs become an image (1, 28, 28).
    """
    layers: list[nn.Module] = []
    for width_in, width_out in zip((latent_size, *widths), widths):
        layers += [nn.Linear(width_in, width_out), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(widths[-1], 28 * 28), nn.Tanh(),
                         nn.Unflatten(1, (1, 28, 28)))


def dcgan_discriminator(channels: int = 3, features: int = 64) -> nn.Sequential:
    """Notebook 06's D (its shapes worked out in notebook 05): a 64x64 image -> probability that
    it is real.

    Four Conv2d(kernel 4, stride 2, padding 1) halve the image 64 -> 32 -> 16 -> 8 -> 4 while the
    channels grow from ``features`` to 8 * ``features``; BatchNorm after all but the first;
    LeakyReLU(0.2); a last Conv2d(kernel 4) turns the 4x4 map into one number; sigmoid; flatten.
    No convolution has a bias, as in the book.
    """
    layers: list[nn.Module] = [nn.Conv2d(channels, features, 4, 2, 1, bias=False),
                               nn.LeakyReLU(0.2)]
    for multiple in (1, 2, 4):
        layers += [nn.Conv2d(features * multiple, features * multiple * 2, 4, 2, 1, bias=False),
                   nn.BatchNorm2d(features * multiple * 2), nn.LeakyReLU(0.2)]
    return nn.Sequential(*layers, nn.Conv2d(features * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid(),
                         nn.Flatten())


def dcgan_generator(latent_size: int = 100, channels: int = 3, features: int = 64) -> nn.Sequential:
    """Notebook 06's G (its shapes worked out in notebook 05): noise of shape (B, 100, 1, 1) -> a
    64x64 image in [-1, 1].

    The mirror of ``dcgan_discriminator``: ConvTranspose2d(kernel 4, stride 1, padding 0) makes a
    4x4 map of 8 * ``features`` channels, then four ConvTranspose2d(kernel 4, stride 2, padding 1)
    double it 4 -> 8 -> 16 -> 32 -> 64 while the channels shrink to ``channels``; BatchNorm and
    ReLU between, tanh out. No bias, as in the book.
    """
    layers: list[nn.Module] = [nn.ConvTranspose2d(latent_size, features * 8, 4, 1, 0, bias=False),
                               nn.BatchNorm2d(features * 8), nn.ReLU()]
    for multiple in (8, 4, 2):
        layers += [nn.ConvTranspose2d(features * multiple, features * multiple // 2, 4, 2, 1,
                                      bias=False),
                   nn.BatchNorm2d(features * multiple // 2), nn.ReLU()]
    return nn.Sequential(*layers, nn.ConvTranspose2d(features, channels, 4, 2, 1, bias=False),
                         nn.Tanh())


class InstanceNoise(nn.Module):
    """Notebook 06's course addition in front of D: Gaussian noise of std ``std`` added to every
    image D sees in training mode, real and fake alike (G's half of the step included); none in
    eval mode.

    Early on, D can tell real from fake faces by details G cannot make yet (clean edges, flat
    colours) and grows near certain; the real and generated images then barely overlap, and D's
    verdicts tell G little about which way to move (Arjovsky and Bottou, 2017). The same noise on
    both makes the two overlap, so that D must judge the coarser shapes G can already learn
    (instance noise: Sønderby et al., 2016).
    """

    def __init__(self, std: float) -> None:
        super().__init__()
        self.std = std

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if self.training and self.std:
            return images + self.std * torch.randn_like(images)
        return images

    def extra_repr(self) -> str:
        return f"std={self.std}"


def init_weights(module: nn.Module) -> None:
    """The DCGAN weight init (the DCGAN paper's, as the book does in chapter 5; notebooks 06
    and 07), used as ``model.apply(init_weights)``: convolution weights from N(0, 0.02),
    BatchNorm scales from N(1, 0.02) and shifts 0."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def dcgan_players(latent_size: int = 100, features: int = 64,
                  instance_noise: float = 0.5) -> tuple[nn.Sequential, nn.Sequential]:
    """Notebook 06's G and D as its training builds them: G with a layer in front that reshapes
    noise (B, latent_size) into (B, latent_size, 1, 1), D with ``InstanceNoise`` in front, both
    initialised with ``init_weights``; on the CPU (the caller moves them)."""
    G = nn.Sequential(nn.Unflatten(1, (latent_size, 1, 1)),
                      dcgan_generator(latent_size, features=features))
    D = nn.Sequential(InstanceNoise(instance_noise), dcgan_discriminator(features=features))
    return G.apply(init_weights), D.apply(init_weights)


def face_classifier(outputs: int, features: int = 64) -> nn.Sequential:
    """Notebook 06's scorer of faces: a small CNN, an image of any size -> ``outputs`` logits.

    Three Conv2d(kernel 4, stride 2) halve the image three times, a pooling layer brings any size
    to 4x4, and a hidden layer of ``features`` values describes the face: the Fréchet distance of
    notebooks 06 and 07 is measured on these.
    """
    return nn.Sequential(
        nn.Conv2d(3, 16, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(16, 32, 4, 2, 1), nn.BatchNorm2d(32), nn.LeakyReLU(0.2),
        nn.Conv2d(32, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
        nn.AdaptiveAvgPool2d(4), nn.Flatten(),
        nn.Linear(64 * 4 * 4, features), nn.ReLU(),
        nn.Linear(features, outputs),
    )


def parameter_count(network: nn.Module) -> int:
    """How many numbers training adjusts in ``network`` (notebook 02)."""
    return sum(p.numel() for p in network.parameters())


def layer_shapes(network: nn.Sequential, x: torch.Tensor) -> list[str]:
    """One line per layer: its name and the shape of what it outputs for ``x`` (notebook 06)."""
    lines = []
    with torch.no_grad():
        for layer in network:
            x = layer(x)
            lines.append(f"{type(layer).__name__:<18} {tuple(x.shape[1:])}")
    return lines


# ---- chapter 5: a conditional WGAN with gradient penalty (notebook 07)


def label_channels(images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The images with one constant channel per label value appended: the critic's input
    (notebook 07). Images (B, 3, H, W) and one-hot labels (B, 2) give (B, 5, H, W); the label
    [1, 0] adds a channel of ones and a channel of zeros."""
    planes = labels[:, :, None, None].expand(-1, -1, *images.shape[2:])  # (B, 2, H, W)
    return torch.cat([images, planes.to(images.dtype)], dim=1)


def generator_input(noise: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Noise (B, 100) and labels (B, 2) side by side as 1x1 channels, (B, 102, 1, 1): the
    conditional generator's input (notebook 07)."""
    return torch.cat([noise, labels.to(noise.dtype)], dim=1)[:, :, None, None]


def _doublings(image_size: int) -> int:
    """How many times a 4x4 map doubles to reach ``image_size`` (a power of 2, at least 8)."""
    doublings = (image_size // 4).bit_length() - 1
    if image_size < 8 or 4 * 2**doublings != image_size:
        raise ValueError(f"image_size={image_size}: the ch. 5 networks need a power of 2 of at "
                         "least 8, such as 32 (quick) or 256 (the book)")
    return doublings


def wgan_critic(channels: int = 5, features: int = 16, image_size: int = 64) -> nn.Sequential:
    """Notebook 07's critic (ch. 5): an image plus its label channels -> a score (no sigmoid:
    any number).

    Conv2d(kernel 4, stride 2, padding 1) with LeakyReLU(0.2) halves the image and makes
    ``features`` channels; then blocks of the same Conv2d without bias, InstanceNorm2d and
    LeakyReLU halve it down to 4x4 while doubling the channels; a last Conv2d(kernel 4) gives one
    score. InstanceNorm, not BatchNorm: the gradient penalty is a property of each image's score
    on its own, so no image's score may depend on the others in its batch.
    """
    layers: list[nn.Module] = [nn.Conv2d(channels, features, 4, 2, 1), nn.LeakyReLU(0.2)]
    width = features
    for _ in range(_doublings(image_size) - 1):
        layers += [nn.Conv2d(width, width * 2, 4, 2, 1, bias=False),
                   nn.InstanceNorm2d(width * 2, affine=True), nn.LeakyReLU(0.2)]
        width *= 2
    return nn.Sequential(*layers, nn.Conv2d(width, 1, 4, 1, 0), nn.Flatten())


def conditional_generator(inputs: int = 102, channels: int = 3, features: int = 16,
                          image_size: int = 64) -> nn.Sequential:
    """Notebook 07's generator (ch. 5): noise and one-hot label, (B, 100 + 2, 1, 1) -> an image
    in [-1, 1].

    ConvTranspose2d(kernel 4, stride 1, padding 0) makes a 4x4 map, then ConvTranspose2d(kernel
    4, stride 2, padding 1) blocks double it up to the image size while halving the channels,
    down to ``2 * features`` before the last layer, which makes ``channels`` colours; BatchNorm
    and ReLU between, no bias but in the last layer, tanh out.
    """
    doublings = _doublings(image_size)
    width = features * 2**doublings
    layers: list[nn.Module] = [nn.ConvTranspose2d(inputs, width, 4, 1, 0, bias=False),
                               nn.BatchNorm2d(width), nn.ReLU()]
    for _ in range(doublings - 1):
        layers += [nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False),
                   nn.BatchNorm2d(width // 2), nn.ReLU()]
        width //= 2
    return nn.Sequential(*layers, nn.ConvTranspose2d(width, channels, 4, 2, 1), nn.Tanh())
