"""Checks of the learners' answers to the exercises, with the answers: read it after you have
answered. Every notebook calls its checks right after each exercise.

Each ``check_*`` function takes the learner's answer (a value, a function, a network), tries it on
cases whose answers are known, and returns a ``Verdict``: "pass", or "not yet" with what was wrong
and a hint in the words of the lesson. A check never raises: an unfinished answer (``None``, a
function that returns ``None`` or raises) is "not yet" too, so that a notebook runs top to bottom
with its exercises undone.

Each check also records its verdict in the learner's own ``files/progress.json`` (``progress``),
for the teacher's table: ``python -m gan_helpers.course.progress``.

Where a later cell trains with the function a learner wrote (``init_weights`` in notebook 06,
``gradient_penalty`` in notebook 07), it trains with ``yours_or_reference(...)``: the learner's
function once its check passes, else the course's own, and one printed line says which, so that
an unfinished exercise never spoils the rest of the lesson.
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from . import progress

# every exercise id a check declares, in course order (the order of the checks below, which is
# the order of the notebooks) -> the notebook that checks it; filled in by _never_raises
EXERCISES: dict[str, str] = {}


@dataclass
class Verdict:
    """The outcome of a check: ``passed``, and what to tell the learner."""

    exercise: str
    passed: bool
    message: str
    hint: str = ""

    def __repr__(self) -> str:
        if self.passed:
            return f"Exercise {self.exercise}: pass. {self.message}"
        hint = f"\nHint: {self.hint}" if self.hint else ""
        return f"Exercise {self.exercise}: not yet. {self.message}{hint}"

    __str__ = __repr__


def _passed(exercise: str, message: str) -> Verdict:
    return Verdict(exercise, True, message)


def _not_yet(exercise: str, message: str, hint: str = "") -> Verdict:
    return Verdict(exercise, False, message, hint)


def _never_raises(exercise: str) -> Callable[[Callable[..., Verdict]], Callable[..., Verdict]]:
    """Makes a check keep its promise never to raise: an answer of the wrong kind, which trips the
    check itself up, is "not yet" too. Declares ``exercise`` (``EXERCISES``, with the notebook
    that the check's docstring names) and records each verdict in the learner's progress."""
    def decorate(check: Callable[..., Verdict]) -> Callable[..., Verdict]:
        notebook = re.search(r"\(notebook (\d\d)\)", check.__doc__ or "")
        EXERCISES[exercise] = notebook.group(1) if notebook else "?"

        @functools.wraps(check)
        def checked(*args: Any, **kwargs: Any) -> Verdict:
            if args:  # a check judges the learner's answer, never the reference standing in for it
                args = (getattr(args[0], "stands_in_for", args[0]), *args[1:])
            try:
                verdict = check(*args, **kwargs)
            except Exception as error:  # the learner's answer made the check fail
                verdict = _not_yet(exercise, f"checking your answer raised "
                                             f"{type(error).__name__}: {error}.",
                                   "compare the kind, the shape and the length of your answer "
                                   "with what the exercise asks for")
            progress.record(exercise, verdict.passed)  # never raises
            return verdict

        checked.exercise = exercise  # type: ignore[attr-defined]
        return checked
    return decorate


def _call(function: Any, *args: Any, **kwargs: Any) -> tuple[Any, str | None]:
    """The function's result, or None and why it could not give one (not written yet, raised)."""
    if not callable(function):
        return None, f"expected a function, got {function!r}"
    try:
        return function(*args, **kwargs), None
    except Exception as error:  # the learner's code: any failure is feedback, not a crash
        return None, f"it raised {type(error).__name__}: {error}"


def _tensor(value: Any) -> torch.Tensor | None:
    return value if isinstance(value, torch.Tensor) else None


def _same(a: torch.Tensor, b: torch.Tensor, atol: float = 1e-5) -> bool:
    return a.shape == b.shape and torch.allclose(a.double(), b.double(), atol=atol)


def _has_trained(network: nn.Module) -> bool:
    """Whether ``network`` has trained: each of its BatchNorm layers has seen a batch."""
    counts = [m.num_batches_tracked for m in network.modules()
              if isinstance(m, nn.BatchNorm2d) and m.num_batches_tracked is not None]
    return bool(counts) and all(int(count) > 0 for count in counts)


# ---- the function that trains: the learner's once its check passes, else the course's


def _course_answer(check: Callable[..., Verdict]) -> Callable[..., Any]:
    """The course's own answer to the exercise ``check`` checks, for ``yours_or_reference``."""
    from .. import models, training

    answers = {"6.a": models.init_weights, "7.a": training.gradient_penalty}
    exercise = getattr(check, "exercise", None)
    if exercise not in answers:
        raise ValueError(f"no course answer stands in for exercise {exercise}: pass reference=")
    return answers[exercise]


def yours_or_reference(answer: Any, check: Callable[..., Verdict],
                       reference: Callable[..., Any] | None = None) -> Callable[..., Any]:
    """The function that later cells train with: the learner's ``answer`` if ``check`` passes
    it, else the course's ``reference`` (by default the course's answer to that exercise)
    standing in for it. Runs the check quietly and prints one line: which one trains, and why.

    The stand-in keeps the learner's answer (``stands_in_for``): the check, or this function,
    run on it again judges the learner's answer, never the course's."""
    reference = reference or _course_answer(check)
    name = reference.__name__
    answer = getattr(answer, "stands_in_for", answer)
    with torch.random.fork_rng(devices=[]):  # the notebook's random numbers stay as they were
        verdict = check(answer)
    if verdict.passed:
        print(f"your {name} passed its check: it trains below")
        return answer

    @functools.wraps(reference)
    def stand_in(*args: Any, **kwargs: Any) -> Any:
        return reference(*args, **kwargs)

    stand_in.stands_in_for = answer  # type: ignore[attr-defined]
    print(f"your {name} did not pass its check (exercise {verdict.exercise}: "
          f"{verdict.message.rstrip('.')}): the course's {name} trains below instead; fix yours, "
          "run its cell, then re-run from here")
    return stand_in


# ---- notebook 01: tensors, the early-stopping rule, a confusion matrix, dropout


@_never_raises("2.1-2.5")
def check_warmups(**answers: Any) -> Verdict:
    """Exercises 2.1 to 2.5 of the book: ``numbers``, ``zeros``, ``middle``, ``element``,
    ``smallest`` and ``where`` (notebook 01)."""
    m = torch.arange(9).reshape(3, 3)
    expected = {
        "numbers": (torch.tensor([10, 20, 30, 40, 50]), "torch.tensor takes the list as it is"),
        "zeros": (torch.zeros(2, 3, 4), "torch.zeros takes the shape: torch.zeros(2, 3, 4)"),
        "middle": (torch.arange(10)[3:7], "a slice stops before its end: t[3:7] holds 3, 4, 5, 6"),
        "element": (m[1, 2], "rows and columns count from 0: the second row is 1, the third "
                             "column 2"),
        "smallest": (torch.tensor(1.0), "values.min() gives the smallest value"),
        "where": (torch.tensor(3), "values.argmin() gives where it is, counted from 0"),
    }
    wrong = []
    for name, (value, hint) in expected.items():
        answer = _tensor(answers.get(name))
        if answer is None or answer.shape != value.shape or not torch.equal(
                answer.to(value.dtype), value):
            wrong.append((name, answers.get(name), hint))
    if not wrong:
        return _passed("2.1-2.5", "All six answers are right.")
    name, got, hint = wrong[0]
    others = f" ({len(wrong) - 1} more to do)" if len(wrong) > 1 else ""
    return _not_yet("2.1-2.5", f"`{name}` is {got!r}{others}.", hint)


@_never_raises("1.a")
def check_should_stop(should_stop: Callable[[Sequence[float], int], bool]) -> Verdict:
    """Exercise 1.a: ``should_stop(losses, patience)``, the book's early-stopping rule
    (notebook 01)."""
    cases = [
        ([0.9, 0.7, 0.6, 0.65, 0.61, 0.62], 3, True,
         "count the epochs since the last new minimum, the lowest loss so far (0.6): not since "
         "the start, and not since the previous epoch's loss"),
        ([0.9, 0.7, 0.6, 0.65, 0.61], 3, False,
         "count the epochs since the last new minimum (0.6): only 2 have passed"),
        ([1.0, 1.0], 1, True, "an equal loss is no new minimum: only a lower one resets the count"),
        ([1.0, 1.1, 0.5, 0.6, 0.7], 2, True, "a new minimum (0.5) resets the count"),
        ([1.0, 1.1, 0.5, 0.6], 2, False, "a new minimum (0.5) resets the count"),
        ([0.5, 0.4, 0.45, 0.3], 2, False, "compare with the lowest loss so far, not with the "
                                          "previous epoch's"),
        ([0.5, 0.45, 0.46, 0.44], 2, False, "0.44 is a new minimum: the count starts again"),
        ([0.5], 1, False, "the first epoch always sets a new minimum"),
    ]
    for losses, patience, expected, hint in cases:
        answer, problem = _call(should_stop, list(losses), patience)
        if problem or not isinstance(answer, bool | torch.Tensor) or bool(answer) != expected:
            got = problem or f"it returned {answer!r}"
            return _not_yet("1.a", f"should_stop({losses}, patience={patience}): {got}; the "
                                   f"book's rule says {expected}.", hint)
    return _passed("1.a", f"should_stop follows the book's rule on {len(cases)} sequences.")


@_never_raises("1.b")
def check_most_confused(answer: Any, confusion: torch.Tensor,
                        class_names: Sequence[str]) -> Verdict:
    """Exercise 1.b: the (true class, predicted class) names most often confused (notebook 01)."""
    off_diagonal = confusion - torch.diag(confusion.diag())
    true_class, predicted = divmod(int(off_diagonal.argmax()), len(class_names))
    expected = (class_names[true_class], class_names[predicted])
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return _not_yet("1.b", f"expected two class names (true, predicted), got {answer!r}.",
                        "the largest number off the diagonal: its row is the true class, its "
                        "column the prediction")
    if tuple(answer) == expected:
        count = int(off_diagonal.max())
        return _passed("1.b", f"{count} {expected[0]}s were taken for {expected[1]}s.")
    if tuple(answer) == expected[::-1]:
        return _not_yet("1.b", f"{answer!r} is the right pair the wrong way round.",
                        "rows are true classes, columns are predictions")
    return _not_yet("1.b", f"{answer!r} is not the most confused pair.",
                    "leave out the diagonal (the right answers), then find the largest count")


@_never_raises("1.c")
def check_dropout_placement(model: Any, training_losses: Any) -> Verdict:
    """Exercise 1.c: the binary model with its dropout between hidden layers, trained: its last
    training loss below ln(2) / 4, the floor that dropout on the single output puts under the
    book's (notebook 01)."""
    floor = math.log(2) / 4
    if not isinstance(model, nn.Sequential):
        return _not_yet("1.c", f"expected an nn.Sequential, got {type(model).__name__}.",
                        "copy the book's binary model and move its Dropout")
    layers = list(model)
    kinds = [type(layer).__name__ for layer in layers]
    dropouts = [i for i, layer in enumerate(layers) if isinstance(layer, nn.Dropout)]
    last_linear = max((i for i, layer in enumerate(layers) if isinstance(layer, nn.Linear)),
                      default=-1)
    if not dropouts:
        return _not_yet("1.c", f"the model has no Dropout: {kinds}.",
                        "keep the book's Dropout(0.25); only its place changes")
    if any(i > last_linear for i in dropouts):
        return _not_yet("1.c", "a Dropout still follows the last linear layer, so it still zeroes "
                               "the output that becomes the probability: a quarter of the training "
                               "outputs are 0.5, and the training loss cannot fall far below "
                               f"{floor:.3f}.",
                        "put it after the first ReLU, between hidden layers")
    first_relu = kinds.index("ReLU") if "ReLU" in kinds else -1
    if dropouts[0] != first_relu + 1:
        return _not_yet("1.c", f"the Dropout sits at position {dropouts[0]}: {kinds}.",
                        "put it right after the first ReLU")
    if not isinstance(layers[-1], nn.Sigmoid):
        return _not_yet("1.c", "the model no longer ends with a Sigmoid.",
                        "nn.BCELoss needs probabilities: keep the Sigmoid last")
    losses = training_losses
    if isinstance(losses, torch.Tensor):
        losses = losses.flatten().tolist()
    if isinstance(losses, Sequence) and not isinstance(losses, str):
        losses = [float(loss) if isinstance(loss, int | float | torch.Tensor) and
                  torch.as_tensor(loss).numel() == 1 else None for loss in losses]
    if not isinstance(losses, list) or not losses or None in losses:
        return _not_yet("1.c", f"the placement is right; expected its training losses, one number "
                               f"per epoch, got {training_losses!r}.",
                        "fixed_losses = [train_epoch(fixed_model, ...) for _ in "
                        "range(hp.binary_epochs)]")
    last = float(losses[-1])
    if not last < floor:
        return _not_yet("1.c", f"the placement is right, but the last training loss is {last:.4f}, "
                               f"not below the floor ln(2) / 4 = {floor:.4f} that the book's "
                               "placement keeps its model at.",
                        "train this model (a fresh optimizer on its parameters) for "
                        "hp.binary_epochs epochs, and keep the loss train_epoch returns")
    return _passed("1.c", f"The Dropout sits between hidden layers, and the training loss ends at "
                          f"{last:.3g}, below the floor ln(2) / 4 = {floor:.4f} of the book's "
                          "placement.")


@_never_raises("1.d")
def check_patience_replay(answer: Any, val_losses: Sequence[float]) -> Verdict:
    """Exercise 1.d: for patience 1, 3 and 10, the epoch where the book's rule stops (None if it
    never does) and the epoch it keeps, replayed on the validation losses (notebook 01)."""
    expected = {}
    for patience in (1, 3, 10):
        best, best_epoch, waited, stopped = math.inf, 0, 0, None
        for epoch, loss in enumerate(val_losses, 1):
            if loss < best:
                best, best_epoch, waited = loss, epoch, 0
            else:
                waited += 1
            if waited >= patience:
                stopped = epoch
                break
        expected[patience] = (stopped, best_epoch)
    if not isinstance(answer, dict) or set(answer) != set(expected):
        return _not_yet("1.d", f"expected a dict {{patience: (stopped, kept)}} for patience 1, 3 "
                               f"and 10, got {answer!r}.",
                        "replay the losses through EarlyStop(patience) and note where it says "
                        "stop, and its best_check")
    for patience, (stopped, kept) in expected.items():
        if tuple(answer[patience]) != (stopped, kept):
            return _not_yet("1.d", f"patience {patience}: you have {tuple(answer[patience])}, the "
                                   f"replay gives {(stopped, kept)}.",
                            "epochs count from 1; a rule that never stops gives None")
    said = [f"patience {p}: {'never stops' if s is None else f'stops at epoch {s}'}, keeps "
            f"epoch {k}" for p, (s, k) in expected.items()]
    return _passed("1.d", "; ".join(said) + ".")


@_never_raises("1.e")
def check_wrong_shirts(wrong: Any, predictions: torch.Tensor, labels: torch.Tensor,
                       shirt: int) -> Verdict:
    """Exercise 1.e: the indices of 16 test shirts the model got wrong (notebook 01)."""
    index = _tensor(wrong)
    if index is None or index.dtype not in (torch.int64, torch.int32) or index.dim() != 1:
        return _not_yet("1.e", f"expected a 1-D tensor of test-image indices, got {wrong!r}.",
                        "((labels == shirt) & (predictions != shirt)).nonzero().flatten()")
    available = int(((labels == shirt) & (predictions != shirt)).sum())
    if (labels[index] != shirt).any():
        return _not_yet("1.e", "some of these images are not shirts.",
                        "select on the true label, test_labels == shirt")
    if (predictions[index] == shirt).any():
        return _not_yet("1.e", "the model got some of these shirts right.",
                        "keep those whose prediction is not shirt")
    if len(index) != min(16, available):
        return _not_yet("1.e", f"{len(index)} images; the exercise asks for 16.",
                        "take the first 16: [:16]")
    return _passed("1.e", f"{len(index)} misread shirts, of {available} in the test set.")


# ---- notebook 02: D's targets, and a sine wave


@_never_raises("2.a")
def check_discriminator_loss(discriminator_loss: Callable[..., torch.Tensor]) -> Verdict:
    """Exercise 2.a: D's loss from its verdicts on real and fake samples (notebook 02)."""
    generator = torch.Generator().manual_seed(0)
    d_real = torch.rand(8, 1, generator=generator) * 0.98 + 0.01
    d_fake = torch.rand(8, 1, generator=generator) * 0.98 + 0.01
    bce = nn.BCELoss()
    expected = bce(d_real, torch.ones(8, 1)) + bce(d_fake, torch.zeros(8, 1))
    answer, problem = _call(discriminator_loss, d_real, d_fake)
    if problem or _tensor(answer) is None or answer.numel() != 1:
        return _not_yet("2.a", problem or f"it returned {answer!r}, not a loss (one number).",
                        "BCELoss of D's verdicts on real samples against labels 1, plus on fakes "
                        "against labels 0")
    value = answer.detach().reshape(())
    swapped = bce(d_real, torch.zeros(8, 1)) + bce(d_fake, torch.ones(8, 1))
    if math.isclose(value.item(), expected.item(), rel_tol=1e-5):
        return _passed("2.a", f"D's loss is {value.item():.4f}: real samples against 1, fakes "
                              "against 0.")
    if math.isclose(value.item(), swapped.item(), rel_tol=1e-5):
        return _not_yet("2.a", "the labels are swapped: D learns to call real samples fake.",
                        "real samples are labelled 1, generated ones 0")
    if math.isclose(value.item(), bce(d_fake, torch.ones(8, 1)).item(), rel_tol=1e-5):
        return _not_yet("2.a", "that is G's loss (fakes against label 1), not D's.",
                        "D sees both: real against 1 and fakes against 0")
    if math.isclose(value.item(), expected.item() / 2, rel_tol=1e-5):
        return _not_yet("2.a", "that is half of D's loss, the mean of its two halves.",
                        "the course adds the two halves, as gan_step does")
    return _not_yet("2.a", f"it returned {value.item():.4f}; D's loss here is "
                           f"{expected.item():.4f}.",
                    "nn.BCELoss()(d_real, torch.ones_like(d_real)) + "
                    "nn.BCELoss()(d_fake, torch.zeros_like(d_fake))")


@_never_raises("3.1")
def check_sine_points(points: Any) -> Verdict:
    """Exercise 3.1 of the book: 2,048 points on y = sin x with x in [-5, 5] (notebook 02)."""
    points = _tensor(points)
    if points is None or points.shape != (2048, 2):
        shape = None if points is None else tuple(points.shape)
        return _not_yet("3.1", f"expected a (2048, 2) tensor of points, got {shape}.",
                        "data.sample_curve(2048, torch.sin, x_range=(-5, 5))")
    x, y = points[:, 0], points[:, 1]
    if x.min() < -5 or x.max() > 5 or x.max() - x.min() < 9:
        return _not_yet("3.1", f"x runs from {x.min():.2f} to {x.max():.2f}.",
                        "the book's x = 10 * (rand - 0.5) lies between -5 and 5")
    if not torch.allclose(y, torch.sin(x), atol=1e-5):
        return _not_yet("3.1", "y is not sin x.", "the second column is torch.sin of the first")
    return _passed("3.1", "2,048 points on the sine wave, x from -5 to 5.")


@_never_raises("3.2")
def check_sine_gan(generator: Any, epochs: int) -> Verdict:
    """Exercises 3.2 and 3.3 of the book: a GAN trained on the sine points (notebook 02): its
    points' mean distance from sin x (at most 0.25) and how evenly they cover x (a KS statistic
    of at most 0.15), judged once it trained 100 epochs or more."""
    from ..metrics import ks_uniform
    from ..sampling import generate, generator_latent_size, seeded_noise

    judge_from, most_distance, most_ks = 100, 0.25, 0.15  # notebook 02's exercise text says so

    if not isinstance(generator, nn.Module):
        return _not_yet("3.2", f"expected the trained generator, got {generator!r}.",
                        "build it with shape_generator and train it with train_gan")
    points = generate(generator, seeded_noise(2, generator_latent_size(generator), 2000))
    distance = (points[:, 1] - torch.sin(points[:, 0])).abs().mean().item()
    ks = ks_uniform(points[:, 0], -5, 5)
    measured = (f"mean |y - sin x| {distance:.3f} (passes at {most_distance} or less), KS "
                f"statistic of x {ks:.3f} (at {most_ks} or less)")
    if epochs < judge_from:
        return _not_yet("3.2", f"It trains, but {epochs} epochs are too few to judge the wave "
                               f"({measured}).", f"train {judge_from} epochs or more: raise "
                                                 "hp.sine_epochs and train again")
    if distance > most_distance or ks > most_ks:
        return _not_yet("3.2", f"After {epochs} epochs: {measured}.",
                        "train it like the curve GAN: crowd-aware D with spread 10 (the width of "
                        "[-5, 5]), moving average, learning-rate decay")
    return _passed("3.2", f"After {epochs} epochs: {measured}.")


# ---- notebook 03: one-hot vectors, multiples of 3


@_never_raises("3.a")
def check_one_hot(encode: Callable[..., torch.Tensor],
                  decode: Callable[..., torch.Tensor]) -> Verdict:
    """Exercise 3.a: one-hot encoding and decoding written by hand (notebook 03)."""
    numbers = torch.tensor([0, 5, 35, 99, 5])
    vectors, problem = _call(encode, numbers, 100)
    if problem or _tensor(vectors) is None:
        return _not_yet("3.a", f"encode: {problem or f'it returned {vectors!r}'}.",
                        "start from torch.zeros(len(numbers), width) and put a 1 in each row")
    if vectors.shape != (5, 100):
        return _not_yet("3.a", f"encode gave shape {tuple(vectors.shape)}; one row of 100 per "
                               "number is (5, 100).",
                        "rows are numbers, columns are positions 0 to 99")
    if not vectors.is_floating_point():
        return _not_yet("3.a", f"encode gave {vectors.dtype} values.",
                        "D and G read floats: .float(), or torch.zeros gives floats already")
    expected = torch.nn.functional.one_hot(numbers, 100).float()
    if not torch.equal(vectors, expected):
        ones = vectors.nonzero()[:, 1].tolist()
        return _not_yet("3.a", f"encode([0, 5, 35, 99, 5]) puts its ones at {ones}.",
                        "vectors[row, number] = 1: position n for the number n")
    decoded, problem = _call(decode, expected)
    if problem or _tensor(decoded) is None or decoded.tolist() != numbers.tolist():
        got = problem or f"it returned {decoded!r}"
        return _not_yet("3.a", f"decode of the vectors for {numbers.tolist()}: {got}.",
                        "the position of the largest value in each row: argmax(dim=1)")
    noisy = expected * 0.6 + 0.001 * torch.arange(100.0)  # a generator's scores are not one-hot
    decoded, problem = _call(decode, noisy)
    if problem or _tensor(decoded) is None or decoded.tolist() != numbers.tolist():
        return _not_yet("3.a", "decode fails on a generator's scores, which are not exactly 0 "
                               "and 1.", "take the largest value of each row, not the 1")
    return _passed("3.a", "encode and decode are each other's inverse, and decode reads "
                          "a generator's scores.")


@_never_raises("3.4")
def check_multiples_gan(generator: Any, multiple: int, steps: int) -> Verdict:
    """Exercise 3.4 of the book: a GAN for the multiples of ``multiple`` (notebook 03), judged on
    1,000 numbers once it trained 2,000 steps or more."""
    from ..metrics import number_quality
    from ..sampling import sample_numbers

    judge_from = 2000

    if not isinstance(generator, nn.Module):
        return _not_yet("3.4", f"expected the trained generator, got {generator!r}.",
                        "train number_generator against CrowdAwareDiscriminator")
    quality = number_quality(sample_numbers(generator, 1000, 100, seed=2), multiple, 100)
    measured = (f"validity {quality['validity']:.1%}, coverage {quality['coverage']}/"
                f"{quality['valid_values']}")
    if steps < judge_from:
        return _not_yet("3.4", f"It trains, but {steps} steps are too few to judge it "
                               f"({measured}).", f"train {judge_from} steps or more: raise "
                                                 "hp.fixed_steps and train again")
    if quality["validity"] < 0.9 or quality["coverage"] < 0.8 * quality["valid_values"]:
        return _not_yet("3.4", f"After {steps} steps: {measured}.",
                        f"real samples must be multiples of {multiple}: sample_multiples(..., "
                        f"multiple={multiple})")
    return _passed("3.4", f"After {steps} steps: {measured}.")


# ---- notebook 04: a generator that mirrors its discriminator


def _linear_widths(network: nn.Module) -> list[tuple[int, int]]:
    return [(m.in_features, m.out_features) for m in network.modules() if isinstance(m, nn.Linear)]


@_never_raises("4.a")
def check_mirrored_generator(mirrored_generator: Callable[..., nn.Module]) -> Verdict:
    """Exercise 4.a: ``mirrored_generator(d_widths, latent_size)``, a dense G whose hidden widths
    are D's in reverse order (notebook 04)."""
    for d_widths in ((1024, 512, 256), (1000, 500, 200)):
        G, problem = _call(mirrored_generator, d_widths, 100)
        if problem or not isinstance(G, nn.Module):
            return _not_yet("4.a", f"mirrored_generator({d_widths}): "
                                   f"{problem or f'it returned {G!r}'}.",
                            "models.fashion_generator takes the hidden widths as `widths`")
        expected = list(zip((100, *d_widths[::-1]), (*d_widths[::-1], 784)))
        widths = _linear_widths(G)
        if widths != expected:
            hint = ("reverse D's widths: G widens where D narrows"
                    if widths == list(zip((100, *d_widths), (*d_widths, 784)))
                    else "G's layers go 100 -> D's last width -> ... -> D's first width -> 784")
            return _not_yet("4.a", f"for D's widths {d_widths} G's linear layers are {widths}; "
                                   f"the mirror is {expected}.", hint)
        images, problem = _call(G, torch.randn(3, 100))
        if problem or images.shape != (3, 1, 28, 28):
            shape = problem or tuple(images.shape)
            return _not_yet("4.a", f"G makes {shape} from 3 noise vectors, not (3, 1, 28, 28).",
                            "end with nn.Tanh() and nn.Unflatten(1, (1, 28, 28))")
        if images.abs().max() > 1:
            return _not_yet("4.a", "G's pixels go beyond [-1, 1].",
                            "end with tanh, like the real images' range")
    return _passed("4.a", "G mirrors D's widths for (1024, 512, 256) and (1000, 500, 200).")


@_never_raises("4.1-4.2")
def check_exercise_widths(discriminator: Any, generator: Any) -> Verdict:
    """Exercises 4.1 and 4.2 of the book: D with hidden widths 1,000, 500 and 200, and a G that
    mirrors it (notebook 04)."""
    if not isinstance(discriminator, nn.Module) or not isinstance(generator, nn.Module):
        return _not_yet("4.1-4.2", "expected exercise 4.1's D and exercise 4.2's G.",
                        "fashion_discriminator((1000, 500, 200)), and your mirrored_generator")
    d_widths = _linear_widths(discriminator)
    if d_widths != [(784, 1000), (1000, 500), (500, 200), (200, 1)]:
        return _not_yet("4.1", f"D's linear layers are {d_widths}.",
                        "fashion_discriminator(widths=(1000, 500, 200))")
    g_widths = _linear_widths(generator)
    if g_widths != [(100, 200), (200, 500), (500, 1000), (1000, 784)]:
        return _not_yet("4.2", f"G's linear layers are {g_widths}; the mirror of D's goes 100 -> "
                               "200 -> 500 -> 1000 -> 784.", "mirrored_generator((1000, 500, 200))")
    return _passed("4.1-4.2", "D has the widths 1,000, 500, 200 and G mirrors them.")


# ---- notebook 05: convolutions by hand


@_never_raises("4.3")
def check_bottom_right(terms: Any) -> Verdict:
    """Exercise 4.3 of the book: the four products that make the bottom-right output, 50
    (notebook 05)."""
    expected = [1 * 1, 2 * 2, 7 * 3, 6 * 4]
    if not isinstance(terms, list | tuple) or len(terms) != 4:
        return _not_yet("4.3", f"expected four products, got {terms!r}.",
                        "the kernel covers four pixels: one product each")
    if sorted(terms) == sorted(expected):
        return _passed("4.3", " + ".join(map(str, expected)) + " = 50.")
    if sum(terms) == 50:
        return _not_yet("4.3", f"{terms} add up to 50, but are not the four products.",
                        "pixel times the weight at the same place in the kernel")
    return _not_yet("4.3", f"{terms} add up to {sum(terms)}, not 50.",
                    "the bottom-right window holds 1, 2 (middle row) and 7, 6 (bottom row)")


@_never_raises("4.4")
def check_transposed_by_hand(answer: Any, layer_output: torch.Tensor) -> Verdict:
    """Exercise 4.4 of the book: the 4x4 output worked out by hand (notebook 05)."""
    answer = _tensor(answer)
    if answer is None or answer.shape != (4, 4):
        return _not_yet("4.4", "expected a 4x4 tensor.",
                        "a 2x2 input, kernel 2 and stride 2 give a 4x4 output")
    if torch.equal(answer.float(), layer_output.float()):
        return _passed("4.4", "Your matrix is the layer's output.")
    rows, cols = (answer.float() != layer_output.float()).nonzero()[0].tolist()
    return _not_yet("4.4", f"output[{rows}, {cols}] is {answer[rows, cols].item():g}; the layer "
                           f"gives {layer_output[rows, cols].item():g}.",
                    "each input value times the whole kernel fills its own 2x2 block: the top "
                    "right block is input[0, 1] times the kernel")


def _conv_cases() -> list[tuple[torch.Tensor, torch.Tensor, int, int]]:
    generator = torch.Generator().manual_seed(0)
    image = torch.randint(-3, 4, (5, 5), generator=generator).float()
    kernel = torch.randint(-2, 3, (3, 3), generator=generator).float()
    small = torch.tensor([[1.0, 1, 1], [0, 1, 2], [8, 7, 6]])
    book_kernel = torch.tensor([[1.0, 2], [3, 4]])
    return [(small, book_kernel, 1, 0), (small, book_kernel, 2, 1), (image, kernel, 1, 0),
            (image, kernel, 2, 1), (image, kernel, 1, 1)]


@_never_raises("5.a")
def check_conv2d_by_hand(conv2d_by_hand: Callable[..., torch.Tensor]) -> Verdict:
    """Exercise 5.a: a convolution written with loops, ``conv2d_by_hand(image, kernel, stride,
    padding)`` on 2-D tensors (notebook 05)."""
    for image, kernel, stride, padding in _conv_cases():
        expected = torch.nn.functional.conv2d(image[None, None], kernel[None, None],
                                              stride=stride, padding=padding)[0, 0]
        answer, problem = _call(conv2d_by_hand, image, kernel, stride, padding)
        case = f"a {tuple(image.shape)} image, kernel {tuple(kernel.shape)}, stride {stride}, " \
               f"padding {padding}"
        if problem or _tensor(answer) is None:
            return _not_yet("5.a", f"{case}: {problem or f'it returned {answer!r}'}.",
                            "pad, then slide the kernel: out[i, j] = (window * kernel).sum()")
        if answer.shape != expected.shape:
            return _not_yet("5.a", f"{case}: shape {tuple(answer.shape)}, expected "
                                   f"{tuple(expected.shape)}.",
                            "the output size is (n + 2p - k) // s + 1")
        if not _same(answer, expected):
            flipped = torch.nn.functional.conv2d(image[None, None], kernel.flip(0, 1)[None, None],
                                                 stride=stride, padding=padding)[0, 0]
            if _same(answer, flipped):
                return _not_yet("5.a", f"{case}: you flipped the kernel, as the textbook "
                                       "convolution does.",
                                "PyTorch's Conv2d does not flip it (a cross-correlation): "
                                "multiply each pixel by the weight at the same place")
            return _not_yet("5.a", f"{case}: the values differ from Conv2d's.",
                            "the window of out[i, j] starts at row i * stride and column "
                            "j * stride of the padded image")
    return _passed("5.a", f"conv2d_by_hand agrees with Conv2d on {len(_conv_cases())} cases.")


@_never_raises("5.b")
def check_transposed_conv_by_hand(
        conv_transpose2d_by_hand: Callable[..., torch.Tensor]) -> Verdict:
    """Exercise 5.b: a transposed convolution written with loops,
    ``conv_transpose2d_by_hand(image, kernel, stride)`` (no padding) (notebook 05)."""
    generator = torch.Generator().manual_seed(1)
    cases = [(torch.tensor([[1.0, 0], [2, 3]]), torch.tensor([[2.0, 3], [4, 5]]), 2),
             (torch.tensor([[1.0, 0], [2, 3]]), torch.tensor([[2.0, 3], [4, 5]]), 1),
             (torch.randint(-3, 4, (3, 3), generator=generator).float(),
              torch.randint(-2, 3, (4, 4), generator=generator).float(), 2)]
    for image, kernel, stride in cases:
        expected = torch.nn.functional.conv_transpose2d(image[None, None], kernel[None, None],
                                                        stride=stride)[0, 0]
        answer, problem = _call(conv_transpose2d_by_hand, image, kernel, stride)
        case = f"a {tuple(image.shape)} input, kernel {tuple(kernel.shape)}, stride {stride}"
        if problem or _tensor(answer) is None:
            return _not_yet("5.b", f"{case}: {problem or f'it returned {answer!r}'}.",
                            "start from zeros of the output size and add input[i, j] * kernel "
                            "into the block at (i * stride, j * stride)")
        if answer.shape != expected.shape:
            return _not_yet("5.b", f"{case}: shape {tuple(answer.shape)}, expected "
                                   f"{tuple(expected.shape)}.",
                            "the output size is (n - 1) * s + k")
        if not _same(answer, expected):
            hint = ("where blocks overlap (stride smaller than the kernel), add the values: += "
                    "rather than =" if stride < kernel.shape[0] else
                    "input[i, j] times the kernel goes to rows i * stride to i * stride + k")
            return _not_yet("5.b", f"{case}: the values differ from ConvTranspose2d's.", hint)
    return _passed("5.b", "conv_transpose2d_by_hand agrees with ConvTranspose2d, overlaps "
                          "included.")


# ---- notebook 06: the DCGAN's weight init, LeakyReLU


@_never_raises("6.a")
def check_init_weights(init_weights: Callable[[nn.Module], None]) -> Verdict:
    """Exercise 6.a: the DCGAN weight init, tried on both players: G, built from
    transposed convolutions, and D, built from convolutions (notebook 06)."""
    from ..models import dcgan_discriminator, dcgan_generator

    with torch.random.fork_rng(devices=[]):  # a fixed draw, leaving the notebook's alone
        torch.random.default_generator.manual_seed(0)
        players = {"G": dcgan_generator(features=16), "D": dcgan_discriminator(features=16)}
        for network in players.values():
            _, problem = _call(network.apply, init_weights)
            if problem:
                return _not_yet("6.a", f"network.apply(init_weights): {problem}.",
                                "init_weights receives one layer at a time: test its type with "
                                "isinstance")
    missed = []  # (player, its layer type, weights of one such layer not from N(0, 0.02))
    for player, kind in (("G", nn.ConvTranspose2d), ("D", nn.Conv2d)):
        weights = [m.weight.detach() for m in players[player].modules() if isinstance(m, kind)]
        off = [w for w in weights if abs(w.std().item() - 0.02) > 0.003
               or abs(w.mean().item()) > 0.003]
        if off:
            missed.append((player, f"nn.{kind.__name__}", off[0]))
    if missed:
        said = "; ".join(f"one of {player}'s {kind} layers has weights of mean {weight.mean():.4f} "
                         f"and std {weight.std():.4f}" for player, kind, weight in missed)
        built = " and ".join(f"{player} is built from {kind}" for player, kind, _ in missed)
        return _not_yet("6.a", f"{said}; the DCGAN init draws every convolution's weights from "
                               "N(0, 0.02).",
                        f"{built} layers: draw their weights too, "
                        "nn.init.normal_(module.weight, 0.0, 0.02) when "
                        "isinstance(module, (nn.Conv2d, nn.ConvTranspose2d))")
    norms = [m for network in players.values() for m in network.modules()
             if isinstance(m, nn.BatchNorm2d)]
    scales = torch.cat([m.weight.detach() for m in norms])
    shifts = torch.cat([m.bias.detach() for m in norms])
    if abs(scales.mean().item() - 1) > 0.01 or abs(scales.std().item() - 0.02) > 0.01:
        return _not_yet("6.a", f"BatchNorm's scales have mean {scales.mean():.3f} and std "
                               f"{scales.std():.3f}; the DCGAN init draws them from N(1, 0.02).",
                        "nn.init.normal_(module.weight, 1.0, 0.02) for nn.BatchNorm2d")
    if shifts.abs().max() > 0:
        return _not_yet("6.a", "BatchNorm's shifts are not 0.", "nn.init.zeros_(module.bias)")
    return _passed("6.a", "In G and D: convolutions and transposed convolutions from N(0, 0.02), "
                          "BatchNorm scales from N(1, 0.02), shifts 0.")


@_never_raises("6.b")
def check_leaky_relu(leaky_relu: Callable[..., torch.Tensor]) -> Verdict:
    """Exercise 6.b: LeakyReLU by hand, ``leaky_relu(x, slope)`` (notebook 06)."""
    x = torch.tensor([-3.0, -0.5, 0.0, 0.5, 3.0])
    for slope in (0.2, 0.01):
        expected = torch.nn.functional.leaky_relu(x, slope)
        answer, problem = _call(leaky_relu, x, slope)
        if problem or _tensor(answer) is None:
            got = problem or f"it returned {answer!r}"
            return _not_yet("6.b", f"leaky_relu(x, {slope}): {got}.",
                            "torch.where(x > 0, x, slope * x)")
        if _same(answer, expected):
            continue
        if _same(answer, torch.relu(x)):
            return _not_yet("6.b", "that is ReLU: negative inputs become 0.",
                            "negative inputs keep a small slope: slope * x")
        if _same(answer, torch.where(x > 0, slope * x, x)):
            return _not_yet("6.b", "the slope is applied to the positive side.",
                            "positive inputs pass unchanged; negative ones are multiplied")
        return _not_yet("6.b", f"leaky_relu({x.tolist()}, {slope}) gave {answer.tolist()}, "
                               f"expected {expected.tolist()}.", "torch.where(x > 0, x, slope * x)")
    return _passed("6.b", "leaky_relu agrees with nn.LeakyReLU for slopes 0.2 and 0.01.")


@_never_raises("6.c")
def check_without_noise(discriminator: Any) -> Verdict:
    """Exercise 6.c: the DCGAN's D trained without instance noise (notebook 06)."""
    from ..models import InstanceNoise

    if not isinstance(discriminator, nn.Module):
        return _not_yet("6.c", f"expected the discriminator you trained, got {discriminator!r}.",
                        "dcgan_players(..., instance_noise=0.0) gives G and D")
    levels = [m.std for m in discriminator.modules() if isinstance(m, InstanceNoise)]
    if any(levels):
        return _not_yet("6.c", f"this D still adds noise of std {max(levels)}.",
                        "build the players with instance_noise=0.0")
    if not any(isinstance(m, nn.Conv2d) for m in discriminator.modules()):
        return _not_yet("6.c", "this D has no convolution: it is not the DCGAN's.",
                        "dcgan_players gives the notebook's G and D")
    if not _has_trained(discriminator):
        return _not_yet("6.c", "this D has not trained yet: its BatchNorm layers have seen no "
                               "batch.", "train it with train_gan for hp.exercise_epochs epochs")
    return _passed("6.c", "A DCGAN discriminator without instance noise, trained. The check "
                          "stops there: the comparison with the main run is yours to make.")


# ---- notebook 07: the gradient penalty, a single label


class _QuadraticCritic(nn.Module):
    """A critic whose score is ½‖x‖² (times ``scale``, 1): its gradient at a point is the point
    itself, so a penalty shows where it was taken. It keeps the points it scored."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))
        self.scored: list[tuple[torch.Tensor, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.scored.append((x.detach().clone(), x.requires_grad))
        return 0.5 * self.scale * x.flatten(1).pow(2).sum(dim=1, keepdim=True)


def _where_the_penalty_looks(gradient_penalty: Callable[..., torch.Tensor]) -> Verdict | None:
    """Where ``gradient_penalty`` takes the gradient, seen through a quadratic critic: "not yet"
    unless at points mixed between real and fake with one weight per example, with the right
    value there; None if so."""
    generator = torch.Generator().manual_seed(0)
    real = 1 + torch.rand(8, 5, 4, 4, generator=generator)  # real - fake is 2 to 4 everywhere,
    fake = -1 - torch.rand(8, 5, 4, 4, generator=generator)  # so every mixing weight shows
    critic = _QuadraticCritic()
    answer, problem = _call(gradient_penalty, critic, real.clone(), fake.clone())
    if problem or _tensor(answer) is None or answer.numel() != 1:
        return _not_yet("7.a", f"on a critic that scores ½‖x‖²: "
                               f"{problem or f'it returned {answer!r}'}.",
                        "mix real and fake, take torch.autograd.grad of the critic's scores, "
                        "then the mean of (norm - 1) ** 2")
    scored = [x for x, needs_grad in critic.scored if needs_grad] or [x for x, _ in critic.scored]
    if not scored or scored[-1].shape != real.shape:
        shape = tuple(scored[-1].shape) if scored else None
        return _not_yet("7.a", f"the critic scored points of shape {shape}, not a batch like "
                               f"real's {tuple(real.shape)}.",
                        "the critic scores the mixed images: critic(mixed)")
    points = scored[-1]
    mixing = ((points - fake) / (real - fake)).flatten(1)  # each value's weight on real
    tolerance = 1e-4
    if (mixing - 1).abs().max() < tolerance or mixing.abs().max() < tolerance:
        which = "real" if (mixing - 1).abs().max() < tolerance else "fake"
        return _not_yet("7.a", f"the gradient was taken at the {which} images themselves, not "
                               "between real and fake (a linear critic cannot tell: its gradient "
                               "is the same everywhere; this critic's is not).",
                        "take it at mixed points: weight * real + (1 - weight) * fake, with "
                        "weight = torch.rand(len(real), 1, 1, 1), one per example")
    if mixing.min() < -tolerance or mixing.max() > 1 + tolerance:
        return _not_yet("7.a", f"some points are not between real and fake: their weight on "
                               f"real runs from {mixing.min():.2f} to {mixing.max():.2f}.",
                        "weight * real + (1 - weight) * fake, with weight between 0 and 1")
    spread = mixing.max(dim=1).values - mixing.min(dim=1).values
    if spread.max() > tolerance:
        first = mixing[int(spread.argmax())]
        return _not_yet("7.a", f"one example's values were mixed with different weights (from "
                               f"{first.min():.2f} to {first.max():.2f}): a weight per pixel, "
                               "not per example.",
                        "one random weight per example, the same for all its values: "
                        "torch.rand(len(real), 1, 1, 1), not torch.rand_like(real)")
    if (mixing[:, 0] - mixing[0, 0]).abs().max() < 1e-6:
        return _not_yet("7.a", f"all {len(real)} examples were mixed with the same weight "
                               f"({mixing[0, 0]:.3f}).",
                        "one random weight per example: torch.rand(len(real), 1, 1, 1)")
    expected = ((points.flatten(1).norm(dim=1) - 1) ** 2).mean().item()
    value = answer.reshape(()).item()
    if not math.isclose(value, expected, rel_tol=1e-4, abs_tol=1e-8):
        return _not_yet("7.a", f"at the points it mixed, where a critic that scores ½‖x‖² has "
                               f"the point itself as its gradient, the penalty is "
                               f"{expected:.4f}; yours gave {value:.4f}.",
                        "the penalty is ((gradient.flatten(1).norm(dim=1) - 1) ** 2).mean()")
    return None


@_never_raises("7.a")
def check_gradient_penalty(gradient_penalty: Callable[..., torch.Tensor]) -> Verdict:
    """Exercise 7.a: the WGAN-GP penalty (notebook 07), checked on linear critics, whose gradient
    is the same everywhere (is the norm right?), and on a quadratic one, whose gradient at a
    point is the point itself (is it taken at points mixed with one weight per example?)."""
    critic = nn.Sequential(nn.Flatten(), nn.Linear(5 * 4 * 4, 1))
    real, fake = torch.randn(6, 5, 4, 4), torch.randn(6, 5, 4, 4)
    for weight in (0.5, 80**-0.5, 0.05):
        with torch.no_grad():
            critic[1].weight.fill_(weight)
        length = weight * 80**0.5
        expected = (length - 1) ** 2
        answer, problem = _call(gradient_penalty, critic, real, fake)
        if problem or _tensor(answer) is None or answer.numel() != 1:
            got = problem or f"it returned {answer!r}"
            return _not_yet("7.a", f"on a linear critic: {got}.",
                            "mix real and fake, take torch.autograd.grad of the critic's scores, "
                            "then the mean of (norm - 1) ** 2")
        value = answer.reshape(()).item()
        if math.isclose(value, expected, rel_tol=1e-4, abs_tol=1e-8):
            continue
        if value == 0:
            return _not_yet("7.a", f"a critic whose gradient has length {length:.3f} got a "
                                   f"penalty of 0, expected {expected:.4f}.",
                            "write the penalty: mix real and fake, take torch.autograd.grad of "
                            "the critic's scores there, then the mean of (norm - 1) ** 2")
        if math.isclose(value, (length**2 - 1) ** 2, rel_tol=1e-4):
            return _not_yet("7.a", "you used the squared length of the gradient.",
                            "the norm is the square root: gradient.flatten(1).norm(dim=1)")
        if math.isclose(value, (weight - 1) ** 2, rel_tol=1e-4) or value < expected / 10:
            return _not_yet("7.a", f"a critic whose gradient has length {length:.3f} got a "
                                   f"penalty of {value:.4f}, expected {expected:.4f}.",
                            "one norm per example, over all its values: "
                            "gradient.flatten(1).norm(dim=1), not element by element")
        return _not_yet("7.a", f"a critic whose gradient has length {length:.3f} got a penalty of "
                               f"{value:.4f}, expected (|w| - 1)^2 = {expected:.4f}.",
                        "the penalty is ((norm - 1) ** 2).mean() over the batch")
    misplaced = _where_the_penalty_looks(gradient_penalty)
    if misplaced:
        return misplaced
    with torch.no_grad():
        critic[1].weight.fill_(0.5)
    penalty, _ = _call(gradient_penalty, critic, real, fake)
    critic.zero_grad()
    with contextlib.suppress(RuntimeError):
        penalty.backward()
    if critic[1].weight.grad is None or critic[1].weight.grad.abs().sum() == 0:
        return _not_yet("7.a", "the penalty has no gradient with respect to the critic's weights, "
                               "so the critic cannot learn from it.",
                        "torch.autograd.grad(..., create_graph=True)")
    return _passed("7.a", "The penalty is (|gradient| - 1)^2 on three linear critics, it is taken "
                          "at points mixed with one random weight per example (a quadratic "
                          "critic shows where), and the critic can learn from it.")


@_never_raises("5.4")
def check_single_label(generator: Any, critic: Any) -> Verdict:
    """Exercise 5.4 of the book: one label value instead of the one-hot (notebook 07)."""
    first = next((m for m in getattr(generator, "modules", list)()
                  if isinstance(m, nn.ConvTranspose2d)), None)
    if first is None:
        return _not_yet("5.4", f"expected the conditional generator, got {generator!r}.",
                        "conditional_generator(inputs=101, ...)")
    if first.in_channels != 101:
        return _not_yet("5.4", f"G takes {first.in_channels} inputs; 100 noise values and 1 label "
                               "value make 101.", "conditional_generator(inputs=101, ...)")
    conv = next((m for m in getattr(critic, "modules", list)() if isinstance(m, nn.Conv2d)), None)
    if conv is None or conv.in_channels != 4:
        channels = None if conv is None else conv.in_channels
        return _not_yet("5.4", f"the critic reads {channels} channels; 3 colours and 1 label "
                               "channel make 4.", "wgan_critic(channels=4, ...)")
    if not _has_trained(generator):
        return _not_yet("5.4", "G has not trained yet: its BatchNorm layers have seen no batch.",
                        "train G_binary and C_binary with train_gan and the unchanged step")
    return _passed("5.4", "G takes 101 inputs and the critic 4 channels: one label value, and "
                          "they trained. The check stops there: how well G obeys is yours to "
                          "compare.")
