"""A teacher's view of who passed which exercise, without a gradebook.

Every exercise check (``exercises``) records its latest verdict in the learner's own course folder,
``files/progress.json`` (whatever the profile): per exercise id, "passed" or "not yet", the time
of the check and how many times it ran. Nothing is sent anywhere; a check whose record cannot be
written says so in one line and still gives its verdict.

A teacher (on a hub, its admin, who can read every learner's home) prints the table::

    python -m gan_helpers.course.progress /home/jupyter-*

Each DIR is a learner's course folder (it holds the course's ``pyproject.toml`` and
``gan_helpers/``, or a ``files/progress.json``) or a home folder with one in it, such as the copy
an nbgitpuller link cloned into the learner's home. A row per learner, named after the home folder
(or the course folder, given itself); a column per exercise, in course order: ``+`` passed,
``x`` not yet, ``-`` untried. ``--notebook 03`` keeps one notebook's exercises. The command only
reads; it exits with 1 when a DIR is not a course folder (it says which and why).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .. import settings

FILE = Path("files") / "progress.json"  # in the learner's course folder
MARKS = {"passed": "+", "not yet": "x", None: "-"}
LEGEND = "+ passed, x not yet, - untried"


def progress_file() -> Path:
    """The learner's record: ``files/progress.json`` in the course folder (not in ``files/smoke/``:
    one record, whatever the profile)."""
    return settings.project_root() / FILE


def _shared_folders() -> list[Path]:
    """The folders a class shares (read-only data, a teacher's trained models): never written."""
    shared = [settings.data_dir()] if settings.shared_data() else []
    models = os.environ.get("GAN_MODELS_DIR", "").strip()
    if models:
        shared.append(Path(models).expanduser().resolve())
    return shared


def record(exercise: str, passed: bool) -> None:
    """Keep the verdict of one check in the learner's ``files/progress.json``. Never raises: a
    record that cannot be written is one printed line, and the check goes on."""
    try:
        path = progress_file()
        folder = path.parent.resolve()
        for shared in _shared_folders():
            if folder == shared or shared in folder.parents:
                raise PermissionError(f"{path} is in the class's shared folder {shared}, which "
                                      "the course only reads")
        kept = read(path) if path.is_file() else {}
        exercises = kept.setdefault("exercises", {})
        before = exercises.get(exercise, {})
        exercises[exercise] = {
            "verdict": "passed" if passed else "not yet",
            "time": datetime.now().astimezone().isoformat(timespec="seconds"),
            "checks": int(before.get("checks", 0)) + 1,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, json.dumps(kept, indent=1, sort_keys=True) + "\n")
    except Exception as error:  # a record must never break the check that made it
        print(f"(Exercise {exercise}: your progress was not saved: {type(error).__name__}: "
              f"{error})")


def read(path: Path) -> dict:
    """A learner's record; a damaged one is an empty record, which the next check replaces."""
    try:
        kept = json.loads(path.read_text())
    except ValueError:
        return {}
    return kept if isinstance(kept, dict) and isinstance(kept.get("exercises", {}), dict) else {}


def _write_atomically(path: Path, text: str) -> None:
    """``text`` into a temporary file beside ``path``, then renamed onto it: a reader (the
    teacher's table) or an interrupted kernel never sees half a file. The file gets the
    permissions of any file the learner writes (the umask's), so a teacher can read it."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")
    try:
        with open(partial, "x") as file:
            file.write(text)
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise


# ---- the teacher's table


def exercise_ids(notebook: str | None = None) -> dict[str, str]:
    """Every exercise id the checks declare, in course order -> the notebook that checks it."""
    from .exercises import EXERCISES

    return {exercise: where for exercise, where in EXERCISES.items()
            if notebook is None or where == notebook}


def is_course(folder: Path) -> bool:
    """A learner's course folder: a copy of the course, or a folder with a progress record."""
    return ((folder / "pyproject.toml").is_file() and (folder / "gan_helpers").is_dir()) or (
        folder / FILE).is_file()


@dataclass
class Learner:
    """One row: a learner's name, course folder and latest verdicts (exercise -> record)."""

    name: str
    course: Path
    exercises: dict[str, dict] = field(default_factory=dict)

    def verdict(self, exercise: str) -> str | None:
        entry = self.exercises.get(exercise)
        return entry.get("verdict") if isinstance(entry, dict) else None

    def last_check(self) -> str:
        times = [str(entry.get("time", "")) for entry in self.exercises.values()
                 if isinstance(entry, dict)]
        latest = max(times, default="")
        try:
            return datetime.fromisoformat(latest).astimezone().strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return "-"


def find_learners(folder: Path) -> list[Learner]:
    """The course folders that ``folder`` is or holds (a home folder: its subfolders), each a
    row; none when it is neither."""
    if is_course(folder):
        return [Learner(folder.name, folder)]
    courses = sorted(child for child in folder.iterdir() if child.is_dir() and is_course(child))
    if len(courses) == 1:
        return [Learner(folder.name, courses[0])]
    return [Learner(f"{folder.name}/{course.name}", course) for course in courses]


def collect(folders: list[Path]) -> tuple[list[Learner], list[str]]:
    """Every learner in ``folders`` with their records, and a line for each folder that could not
    be read as a course folder."""
    learners, problems = [], []
    for folder in folders:
        if not folder.is_dir():
            problems.append(f"{folder}: not a folder")
            continue
        try:
            found = find_learners(folder)
        except OSError as error:
            problems.append(f"{folder}: cannot be read ({error.strerror}); run the command as a "
                            "user who can read every learner's home")
            continue
        if not found:
            problems.append(f"{folder}: not a course folder, nor a home folder with one in it "
                            "(a course folder holds pyproject.toml and gan_helpers/, or "
                            f"{FILE})")
        for learner in found:
            path = learner.course / FILE
            try:
                learner.exercises = read(path).get("exercises", {}) if path.is_file() else {}
            except OSError as error:
                problems.append(f"{path}: cannot be read ({error.strerror}); "
                                "run the command as a user who can read every learner's home")
                continue
            learners.append(learner)
    names = [learner.name for learner in learners]
    for learner in learners:  # two course folders of the same name: say which is which
        if names.count(learner.name) > 1:
            learner.name = str(learner.course)
    return learners, problems


def table(learners: list[Learner], exercises: dict[str, str]) -> list[str]:
    """The table's lines: a header of notebooks and exercise ids, then a row per learner. Columns
    are one space apart within a notebook, two between notebooks."""
    name_width = max([len("notebook"), *(len(learner.name) for learner in learners)])
    notebooks = list(exercises.values())
    starts = [index == 0 or notebook != notebooks[index - 1]
              for index, notebook in enumerate(notebooks)]
    total = len(exercises)

    def line(first: str, cells: list[str], *rest: str) -> str:
        text = first.ljust(name_width)
        for cell, exercise, new in zip(cells, exercises, starts):
            text += ("  " if new else " ") + cell.ljust(len(exercise))
        return "  ".join([text, *rest]).rstrip()

    headings = [notebook if new else "" for notebook, new in zip(notebooks, starts)]
    lines = [line("notebook", headings), line("learner", list(exercises), "passed", "last check")]
    for learner in learners:
        marks = [MARKS.get(learner.verdict(exercise), "?") for exercise in exercises]
        passed = sum(learner.verdict(exercise) == "passed" for exercise in exercises)
        lines.append(line(learner.name, marks, f"{passed}/{total}".ljust(len("passed")),
                          learner.last_check()))
    return lines


def main(argv: list[str] | None = None) -> int:
    """The command: the table for the folders named, then what could not be read."""
    parser = argparse.ArgumentParser(
        prog="python -m gan_helpers.course.progress",
        description="Which learner passed which exercise: the latest verdict of each check, "
                    "read from each learner's files/progress.json.")
    parser.add_argument("folders", metavar="DIR", nargs="+", type=Path,
                        help="a learner's course folder, or a home folder with one in it")
    parser.add_argument("--notebook", metavar="NN",
                        help="only this notebook's exercises (01 to 07)")
    args = parser.parse_args(argv)
    exercises = exercise_ids(args.notebook)
    if not exercises:
        parser.error(f"no exercises in notebook {args.notebook!r}; the notebooks with "
                     f"exercises are {', '.join(sorted(set(exercise_ids().values())))}")
    learners, problems = collect(args.folders)
    if learners:
        print(f"{len(learners)} learner{'s' if len(learners) != 1 else ''}, "
              f"{len(exercises)} exercises ({LEGEND})")
        print("\n".join(table(learners, exercises)))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
