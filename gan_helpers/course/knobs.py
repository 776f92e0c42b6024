"""What a value of a hyperparameter table may be: the checks behind ``settings.choose`` (every
notebook's table) and the ``Hyperparameters`` it returns, so that a value the notebook cannot use
(a text for a number, a batch of 0, a misspelt name) stops at once with a message that names
``hp.<name>``, the value and what it should be, instead of an error from deep inside PyTorch.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any


class HyperparameterError(ValueError):
    """A value in a hyperparameter table that the notebook cannot use; the message names the knob
    (``hp.<name>``), the value and what it should be."""


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# what a knob's name says about its values, in every table of the course: (name endings, test,
# what the values should be); a knob that no rule names keeps the type of its table's values
# (the first that matches counts: "bandwidth" is a number, "width" a count)
RULES: tuple[tuple[tuple[str, ...], Callable[[Any], bool], str], ...] = (
    (("lr", "bandwidth"), lambda v: _number(v) and v > 0, "a number above 0, such as 1e-3"),
    (("epochs", "steps", "_size", "count", "images", "points", "show_every", "features", "width",
      "multiple"), lambda v: _whole(v) and v >= 1, "a whole number, at least 1"),
    (("patience",), lambda v: _whole(v) and v >= 0, "a whole number, 0 or more"),
    (("decay", "dropout", "decay_from"), lambda v: _number(v) and 0 <= v <= 1,
     "a number from 0 to 1"),
    (("weight", "noise"), lambda v: _number(v) and v >= 0, "a number, 0 or more"),
    (("stop_on",), lambda v: v in ("val_loss", "val_error"), "'val_loss' or 'val_error'"),
    (("betas",), lambda v: isinstance(v, tuple | list) and len(v) == 2
     and all(_number(b) and 0 <= b < 1 for b in v),
     "two numbers from 0 to just under 1, such as (0.5, 0.999)"),
)
_KINDS = {bool: "True or False", int: "a whole number", float: "a number", str: "a text in quotes",
          tuple: "a tuple such as (1, 2)"}


def _should_be(name: str, value: Any, declared: list[Any]) -> str | None:
    """What the knob ``name``, whose table gives it the values ``declared``, should be when
    ``value`` is not fit for it; None when it is."""
    if value is None and any(v is None for v in declared):
        return None
    for endings, test, what in RULES:
        if name.endswith(endings):
            return None if test(value) else what + (" (or None)" if None in declared else "")
    default = declared[0]  # the book's, the course's or the speed switch's value
    kinds = {type(default)} if default is not None else {type(v) for v in declared if v is not None}
    if (not kinds or type(value) in kinds or (float in kinds and _number(value))
            or (kinds <= {tuple, list} and isinstance(value, tuple | list))):
        return None
    return " or ".join(sorted(_KINDS.get(kind, kind.__name__) for kind in kinds))


def check(name: str, value: Any, declared: list[Any]) -> None:
    what = _should_be(name, value, declared)
    if what is not None:
        raise HyperparameterError(
            f"hp.{name} = {value!r} cannot be used: hp.{name} should be {what} (the table's "
            f"value: {declared[0]!r}). Change it in the hyperparameter cell and run the cells "
            "again.")


def _not_a_knob(name: str, known: dict[str, Any], setting: bool) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    why = ": nothing reads it, so setting it would change nothing." if setting else "."
    hint = f" Did you mean hp.{close[0]}?" if close else ""
    return (f"hp.{name} is not a hyperparameter of this notebook{why}{hint} Its "
            f"hyperparameters: {', '.join(known)}.")


class Hyperparameters(SimpleNamespace):
    """The table ``choose`` returns (notebook 01): ``hp.lr`` is a value, ``hp.lr = 3e-4`` changes
    it. A value the notebook cannot use (a text for a number, a batch of 0) or a name the table
    does not have is refused at once, with a message that names ``hp.<name>``."""

    __slots__ = ("_declared",)  # name -> the values the table gives it (not in vars(hp))

    def __setattr__(self, name: str, value: Any) -> None:
        declared = getattr(self, "_declared", None)
        if declared is not None and not name.startswith("_"):
            if name not in declared:
                raise AttributeError(_not_a_knob(name, declared, setting=True))
            check(name, value, declared[name])
        super().__setattr__(name, value)

    def __getattr__(self, name: str) -> Any:  # only for a name that is not there
        try:
            declared = None if name.startswith("_") else object.__getattribute__(self, "_declared")
        except AttributeError:  # a copy: no table to name
            declared = None
        raise AttributeError(_not_a_knob(name, declared, setting=False) if declared else name)
