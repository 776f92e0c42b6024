"""Speed switches: how fast a training step runs, not the computation; results can differ only
in rounding. Nothing here is taught: the notebooks' hyperparameter tables list the switches under
"speed switches", and each notebook's closing "Speed notes" say what they do and what they
measured (``bench/speed.py`` times whole loops against the book-style loop).

- ``fused_adam``: ``torch.optim.Adam(..., fused=True)`` updates all of a network's weights in
  fused kernels instead of the default (a loop over its tensors on a CPU, a few grouped foreach
  kernels per operation on a GPU; passed where the notebook builds Adam);
- ``channels_last``: images and convolution weights stored as (batch, height, width, channels);
- ``cudnn_benchmark``: on a CUDA GPU, cuDNN times its convolution algorithms on the first batches
  and keeps the fastest (``process_switches`` below);
- ``keep_freed_memory``: on Linux, the process keeps the memory a step frees for the next step
  (``process_switches`` below);
- ``cuda_graphs``: on a CUDA GPU, the training step is recorded once and replayed as a CUDA graph
  (``training.train_gan`` takes ``capture`` and calls ``captured`` below). A graph replays the
  GPU's work only, not the step's Python, so only the package's own steps are recorded: a step
  edited on the page runs as written, and a recording that fails falls back to the step as
  written; either way one printed line says so.
"""

from __future__ import annotations

import ast
import contextlib
import ctypes
import ctypes.util
import functools
import inspect
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import CodeType, FunctionType

import torch

# glibc's malloc.h: the options ``keep_freed_memory`` sets, and the defaults it restores
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_MAX = -1, -2, -4
_GLIBC_DEFAULTS = ((M_MMAP_MAX, 65536), (M_TRIM_THRESHOLD, 128 * 1024), (M_TOP_PAD, 128 * 1024))
_KEEP = ((M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, 1 << 30), (M_TOP_PAD, 1 << 30))


def memory_format(channels_last: bool) -> torch.memory_format:
    """``torch.channels_last`` or the default layout, for ``tensor.to(memory_format=...)``."""
    return torch.channels_last if channels_last else torch.contiguous_format


def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.mallopt, libc.malloc_trim  # noqa: B018  present only in glibc
    except (OSError, AttributeError, TypeError):
        return None
    return libc


def keep_freed_memory(keep: bool = True) -> bool:
    """Let this process keep the memory it frees (``keep``), or hand it back again (notebook 07's
    ``keep_freed_memory`` switch).

    A training step frees tensors of tens of megabytes and allocates the same sizes again in the
    next step. By default Linux's C library returns such blocks to the system at once and gets them
    back as fresh pages, which the system must clear one by one: at 256x256 that is a tenth of the
    step on a CPU. Keeping them asks glibc's ``mallopt`` to serve every block from its own heap and
    to keep up to 1 GiB of freed memory there; handing back restores glibc's defaults and returns
    what is free (``malloc_trim``). No number the model computes changes. Returns False, changing
    nothing, where the C library is not glibc (macOS, Windows).
    """
    libc = _glibc()
    if libc is None:
        return False
    options = _KEEP if keep else _GLIBC_DEFAULTS
    done = all(libc.mallopt(option, value) == 1 for option, value in options)
    if not keep:
        libc.malloc_trim(0)
    return done


@contextmanager
def process_switches(*, cudnn_benchmark: bool = False, keep_memory: bool = False) -> Iterator[None]:
    """The two switches that act on the whole process, on for one training run and put back
    afterwards (the others act where the notebook builds its optimizer, tensors or loop).

    ``cudnn_benchmark`` sets ``torch.backends.cudnn.benchmark`` (nothing happens without CUDA);
    ``keep_memory`` calls ``keep_freed_memory()`` and hands the memory back at the end, so that the
    kernel does not hold its peak memory after training.
    """
    before = torch.backends.cudnn.benchmark
    torch.backends.cudnn.benchmark = cudnn_benchmark
    kept = keep_memory and keep_freed_memory(True)
    try:
        yield
    finally:
        torch.backends.cudnn.benchmark = before
        if kept:
            keep_freed_memory(False)


# ---- CUDA graphs (the ``cuda_graphs`` switch)


def cuda_graphs_possible(device: torch.device) -> bool:
    """Capture needs a CUDA device; on the CPU and Apple's MPS the step runs as it is written."""
    return device.type == "cuda"


def make_capturable(optimizers: Sequence[torch.optim.Optimizer]) -> None:
    """Let each optimizer's step run inside a CUDA graph: its step counter lives on the GPU
    (``capturable``) and its learning rate is a tensor, so that a scheduler can change it between
    replays (a number would be baked into the graph)."""
    for optimizer in optimizers:
        for group in optimizer.param_groups:
            group["capturable"] = True
            if not isinstance(group["lr"], torch.Tensor):
                group["lr"] = torch.tensor(group["lr"], device=group["params"][0].device)
        for parameter, state in optimizer.state.items():  # steps taken before: count on the GPU
            if isinstance(state.get("step"), torch.Tensor):
                state["step"] = state["step"].to(parameter.device)


def _functions(step: Callable) -> list[FunctionType]:
    """``step``, the functions it calls through its closure (the GAN step that ``train_gan``'s
    ``train_step`` calls), each unwrapped from ``functools.partial``, and the functions that those
    written in the notebook call by name (notebook 07's step calls its ``gradient_penalty``)."""
    found: list[FunctionType] = []

    def add(function: object) -> None:
        while isinstance(function, functools.partial):
            function = function.func
        if isinstance(function, FunctionType) and function not in found:
            found.append(function)

    add(step)
    for cell in (found[0].__closure__ or ()) if found else ():
        with contextlib.suppress(ValueError):  # a cell not filled yet
            add(cell.cell_contents)
    for function in found:  # grows while it runs
        if not function.__module__.startswith("gan_helpers"):
            for name in function.__code__.co_names:
                add(function.__globals__.get(name))
    return found


def _package_copy(function: FunctionType) -> CodeType | None:
    """The code of the function of the same (qualified) name in ``gan_helpers.training`` or
    ``gan_helpers.models``, or None."""
    from .. import models, training  # training imports this module

    outer, *inner = function.__qualname__.split(".<locals>.")
    code = next((found.__code__ for module in (training, models)
                 if isinstance(found := getattr(module, outer, None), FunctionType)), None)
    for name in inner:
        consts = code.co_consts if code else ()
        code = next((c for c in consts if isinstance(c, CodeType) and c.co_name == name), None)
    return code


def _what_it_does(code: CodeType) -> str | None:
    """The function's syntax tree without its docstring, type annotations, comments and line
    numbers; None where its source cannot be read."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(code)))
    except (OSError, TypeError, SyntaxError):
        return None
    function = tree.body[0]
    if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        function.body = body[1:]  # the docstring
    function.returns = None
    for argument in ast.walk(function.args):
        if isinstance(argument, ast.arg):
            argument.annotation = None
    return ast.dump(function)


def edited_steps(step: Callable) -> list[str]:
    """The names of the functions in ``step`` (``_functions``) whose source differs from
    ``gan_helpers.training``'s (or ``models``') function of the same name, that the package does
    not have, or whose source cannot be read: a learner's edit of the step written in the
    notebook."""
    edited = []
    for function in _functions(step):
        copy = _package_copy(function)
        ours = _what_it_does(function.__code__)
        if copy is None or ours is None or ours != _what_it_does(copy):
            edited.append(function.__name__)
    return edited


def captured(step: Callable[..., dict[str, torch.Tensor]],
             optimizers: Sequence[torch.optim.Optimizer],
             enabled: bool) -> Callable[..., dict[str, torch.Tensor]]:
    """The training step as ``train_gan`` runs it: ``step`` itself, or, when ``enabled`` and the
    optimizers' weights are on a CUDA GPU, a ``CapturedStep`` replaying it as a CUDA graph (the
    optimizers made ``capturable`` first). A step that is not the package's own (``edited_steps``:
    the learner changed it on the page) runs as written, and one printed line says so: a graph
    would replay its GPU work but not its Python (a ``print``, an ``if`` on a value)."""
    device = optimizers[0].param_groups[0]["params"][0].device
    if not (enabled and cuda_graphs_possible(device)):
        return step
    edited = edited_steps(step)
    if edited:
        differ = "differs" if len(edited) == 1 else "differ"
        print(f"cuda_graphs: {', '.join(edited)} {differ} from gan_helpers.training's copy "
              "(edited here?), so the step runs as written, not replayed as a CUDA graph: every "
              "line of it takes effect")
        return step
    make_capturable(optimizers)
    return CapturedStep(step)


class CapturedStep:
    """A training step recorded once as a CUDA graph and then replayed (the ``cuda_graphs``
    switch).

    ``step(*batch)`` must do all its work on the GPU (no ``.item()``, no printing) and return a
    dict of tensors. The first ``WARMUP`` calls run it as it is written, on a side stream (cuDNN
    and the optimizers settle); the next call records it, and from then on every call copies the
    batch into the recorded input tensors and replays the recording with one launch, instead of
    the hundreds of kernel launches Python would issue. Every call trains on its own batch, as
    without the switch. Random numbers drawn inside (noise, dropout) are fresh at every replay.
    A batch of another shape (a last, smaller one) runs as written. The tensors a replay returns
    are overwritten by the next replay: use them (add them up) before calling again. If warming
    up, recording or replaying fails, one printed line says why and every call from then on runs
    the step as written (the failed call too): the switch changes speed, never the run.
    """

    WARMUP = 3

    def __init__(self, step: Callable[..., dict[str, torch.Tensor]]) -> None:
        self.step, self.calls = step, 0
        self.graph: torch.cuda.CUDAGraph | None = None
        self.inputs: tuple[torch.Tensor, ...] = ()
        self.outputs: dict[str, torch.Tensor] = {}
        self.failed = False

    def _warm_up(self, batch: tuple[torch.Tensor, ...]) -> dict[str, torch.Tensor]:
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            outputs = self.step(*batch)
        torch.cuda.current_stream().wait_stream(side)
        return outputs

    def _record(self, batch: tuple[torch.Tensor, ...]) -> None:
        self.inputs = tuple(tensor.clone() for tensor in batch)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):  # records the kernels; runs nothing yet
            self.outputs = self.step(*self.inputs)
        self.graph = graph

    def _replay(self, batch: tuple[torch.Tensor, ...]) -> dict[str, torch.Tensor]:
        for recorded, new in zip(self.inputs, batch):
            recorded.copy_(new)
        assert self.graph is not None
        self.graph.replay()
        return self.outputs  # the recorded outputs: read them before the next call overwrites them

    def __call__(self, *batch: torch.Tensor) -> dict[str, torch.Tensor]:
        if self.failed:
            return self.step(*batch)
        self.calls += 1
        if self.graph is not None and any(new.shape != old.shape
                                          for new, old in zip(batch, self.inputs)):
            return self.step(*batch)
        try:
            if self.calls <= self.WARMUP:
                return self._warm_up(batch)
            if self.graph is None:
                self._record(batch)
            return self._replay(batch)
        except Exception as error:  # any failure of the graph machinery: the step as written
            self.failed, self.graph = True, None
            if torch.cuda.is_available():
                with contextlib.suppress(Exception):
                    torch.cuda.synchronize()
            reason = str(error).strip().splitlines()[0][:160] if str(error).strip() else ""
            print(f"cuda_graphs: the step could not be replayed as a CUDA graph "
                  f"({type(error).__name__}: {reason}); it runs as written from here on")
            return self.step(*batch)
