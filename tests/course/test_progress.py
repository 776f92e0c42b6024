"""The teacher's progress view: every check records its latest verdict in the learner's own
files/progress.json, and ``python -m gan_helpers.course.progress`` (``main``, called in-process)
prints the table of learners by exercise."""

import json
import os
import re
from datetime import datetime

import pytest

from gan_helpers.course import exercises, progress

from support import ROOT, listing, one_hot_decode, one_hot_encode

IDS = list(exercises.EXERCISES)


encode, decode = one_hot_encode, one_hot_decode


def recorded(course):
    return json.loads((course / "files" / "progress.json").read_text())["exercises"]


def a_course(folder, verdicts=None):
    """A learner's copy of the course (what a clone holds, as far as the table cares), with
    ``verdicts`` (exercise -> passed) recorded as the checks record them."""
    (folder / "gan_helpers").mkdir(parents=True)
    (folder / "pyproject.toml").write_text("[project]\n")
    if verdicts:
        kept = {exercise: {"verdict": "passed" if passed else "not yet",
                           "time": "2026-12-06T01:30:00+00:00", "checks": 1}
                for exercise, passed in verdicts.items()}
        (folder / "files").mkdir()
        (folder / "files" / "progress.json").write_text(json.dumps({"exercises": kept}))
    return folder


def run(capsys, *argv):
    """``main(argv)``: its exit status, what it printed and what it said on stderr."""
    status = progress.main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def rows(lines):
    """The table's rows by learner: the marks under each exercise id, then passed, last check."""
    header = lines[2].split()
    assert header[0] == "learner" and header[-3:] == ["passed", "last", "check"]
    found = {}
    for line in lines[3:]:
        cells = line.split()
        ids = header[1:-3]
        found[cells[0]] = {**dict(zip(ids, cells[1:])), "passed": cells[len(ids) + 1],
                           "last check": " ".join(cells[len(ids) + 2:])}
    return found


# ---- the record


def test_every_check_records_its_latest_verdict_in_the_learners_files(course_root, profile):
    profile("smoke")  # whatever the profile: files/progress.json, not files/smoke/
    exercises.check_one_hot(None, None)
    first = recorded(course_root)["3.a"]
    assert first["verdict"] == "not yet" and first["checks"] == 1
    assert abs(datetime.fromisoformat(first["time"]).timestamp()
               - datetime.now().timestamp()) < 60
    exercises.check_one_hot(encode, decode)
    exercises.check_multiples_gan(None, multiple=3, steps=300)
    kept = recorded(course_root)
    assert kept.keys() == {"3.a", "3.4"}
    assert kept["3.a"]["verdict"] == "passed" and kept["3.a"]["checks"] == 2
    assert kept["3.4"]["verdict"] == "not yet"
    # written under a temporary name and renamed: nothing else is left in files/
    assert [path.name for path in (course_root / "files").iterdir()] == ["progress.json"]
    # with the permissions of any file the learner writes: a teacher can read it
    umask = os.umask(0)
    os.umask(umask)
    mode = (course_root / "files" / "progress.json").stat().st_mode & 0o777
    assert mode == 0o666 & ~umask


def test_an_answer_that_trips_the_check_up_is_recorded_too(course_root):
    verdict = exercises.check_one_hot(encode, lambda vectors: vectors.foo())
    assert not verdict.passed
    assert recorded(course_root)["3.a"]["verdict"] == "not yet"


def test_a_record_that_cannot_be_written_is_one_line_and_the_check_goes_on(course_root, capsys):
    (course_root / "files").write_text("a file where the folder should be")
    verdict = exercises.check_one_hot(encode, decode)
    assert verdict.passed
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 1
    assert printed[0].startswith("(Exercise 3.a: your progress was not saved:")


def test_an_interrupted_write_keeps_the_previous_record(course_root, monkeypatch, capsys):
    exercises.check_one_hot(None, None)
    before = (course_root / "files" / "progress.json").read_text()

    def interrupted(*args):
        raise OSError("disk full")

    monkeypatch.setattr(progress.os, "replace", interrupted)
    assert exercises.check_one_hot(encode, decode).passed
    assert "disk full" in capsys.readouterr().out
    assert (course_root / "files" / "progress.json").read_text() == before
    assert [p.name for p in (course_root / "files").iterdir()] == ["progress.json"]


def test_a_damaged_record_is_replaced(course_root):
    (course_root / "files").mkdir()
    (course_root / "files" / "progress.json").write_text("{half a fi")
    exercises.check_one_hot(encode, decode)
    assert recorded(course_root)["3.a"]["verdict"] == "passed"


def test_nothing_is_recorded_in_a_shared_folder(monkeypatch, tmp_path, capsys):
    """A course folder inside the class's shared data or models folder (a set-up mistake): the
    check says the record was not saved, and the shared folder stays as it was."""
    shared = tmp_path / "shared"
    shared.mkdir()
    for variable in ("GAN_DATA_DIR", "GAN_MODELS_DIR"):
        monkeypatch.delenv("GAN_DATA_DIR", raising=False)
        monkeypatch.delenv("GAN_MODELS_DIR", raising=False)
        monkeypatch.setenv(variable, str(shared))
        monkeypatch.setenv("GAN_COURSE_ROOT", str(shared / "course"))
        assert exercises.check_one_hot(encode, decode).passed
        assert "shared folder" in capsys.readouterr().out
        assert listing(shared) == {}


# ---- the order of the exercises


def test_the_exercises_are_in_course_order_with_their_notebooks():
    """EXERCISES lists every check's id in the order the notebooks call the checks."""
    called = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            for name in re.findall(r"exercises\.(check_\w+)\(", "".join(cell["source"])):
                called.append((getattr(exercises, name).exercise, path.name[:2]))
    assert list(exercises.EXERCISES.items()) == called


# ---- the table


def test_the_table_shows_each_learner_by_exercise(tmp_path, capsys):
    """A home folder with its course in it (an nbgitpuller clone), and a course folder itself."""
    home = tmp_path / "homes" / "jupyter-ada"
    a_course(home / "gan-course", {"3.a": True, "3.4": False})
    (home / ".local").mkdir()  # what else a home holds
    grace = a_course(tmp_path / "grace", {"3.a": False, "1.a": True})
    before = listing(tmp_path)
    status, lines, err = run(capsys, home, grace)
    assert status == 0 and not err
    assert lines[0] == f"2 learners, {len(IDS)} exercises (+ passed, x not yet, - untried)"
    assert lines[1].split() == ["notebook", "01", "02", "03", "04", "05", "06", "07"]
    assert lines[2].split() == ["learner", *IDS, "passed", "last", "check"]
    # every mark sits under its exercise's id
    for line in lines[3:]:
        for exercise in IDS:
            column = lines[2].index(f" {exercise} ") + 1
            assert line[column] in "+x-", (line, exercise)
    table = rows(lines)
    assert table.keys() == {"jupyter-ada", "grace"}
    assert {e: m for e, m in table["jupyter-ada"].items() if m != "-"} == {
        "3.a": "+", "3.4": "x", "passed": f"1/{len(IDS)}",
        "last check": datetime.fromisoformat("2026-12-06T01:30:00+00:00").astimezone()
        .strftime("%Y-%m-%d %H:%M")}
    assert table["grace"]["3.a"] == "x" and table["grace"]["1.a"] == "+"
    assert table["grace"]["passed"] == f"1/{len(IDS)}"
    assert listing(tmp_path) == before, "the table wrote something"


def test_a_learner_who_checked_nothing_yet_is_all_untried(tmp_path, capsys):
    status, lines, _ = run(capsys, a_course(tmp_path / "alan"))
    assert status == 0
    assert rows(lines)["alan"] == {**dict.fromkeys(IDS, "-"), "passed": f"0/{len(IDS)}",
                                   "last check": "-"}


def test_one_notebooks_exercises(tmp_path, capsys):
    status, lines, _ = run(capsys, a_course(tmp_path / "ada", {"3.a": True}), "--notebook", "03")
    assert status == 0
    assert lines[0] == "1 learner, 2 exercises (+ passed, x not yet, - untried)"
    assert lines[2].split() == ["learner", "3.a", "3.4", "passed", "last", "check"]
    assert rows(lines)["ada"]["passed"] == "1/2"
    with pytest.raises(SystemExit):
        progress.main([str(tmp_path / "ada"), "--notebook", "08"])
    assert "01, 02, 03, 04, 05, 06, 07" in capsys.readouterr().err


def test_a_folder_that_is_not_a_course_folder_is_named_and_the_rest_shown(tmp_path, capsys):
    (tmp_path / "admin" / "notes").mkdir(parents=True)
    a_course(tmp_path / "ada", {"3.a": True})
    status, lines, err = run(capsys, tmp_path / "admin", tmp_path / "ada", tmp_path / "nobody")
    assert status == 1
    assert rows(lines).keys() == {"ada"}
    assert f"{tmp_path / 'admin'}: not a course folder, nor a home folder with one in it" in err
    assert f"{tmp_path / 'nobody'}: not a folder" in err
    status, lines, err = run(capsys, tmp_path / "admin")
    assert status == 1 and lines == [] and "not a course folder" in err


def test_a_home_with_two_copies_has_a_row_for_each(tmp_path, capsys):
    """nbgitpuller's backup=true keeps the old copy beside the new one."""
    a_course(tmp_path / "ada" / "gan-course", {"3.a": True})
    a_course(tmp_path / "ada" / "gan-course_backup_20261206", {"3.a": False})
    _, lines, _ = run(capsys, tmp_path / "ada")
    table = rows(lines)
    assert table["ada/gan-course"]["3.a"] == "+"
    assert table["ada/gan-course_backup_20261206"]["3.a"] == "x"


def test_copies_of_the_same_name_are_told_apart_by_their_path(tmp_path, capsys):
    first = a_course(tmp_path / "ada" / "gan-course", {"3.a": True})
    second = a_course(tmp_path / "grace" / "gan-course", {"3.a": False})
    _, lines, _ = run(capsys, first, second)
    table = rows(lines)
    assert table[str(first)]["3.a"] == "+" and table[str(second)]["3.a"] == "x"


def test_a_home_the_teacher_cannot_read_is_named(tmp_path, capsys, monkeypatch):
    """A home the command's user may not read (chmod proves nothing as root: the refusal is
    simulated)."""
    a_course(tmp_path / "ada", {"3.a": True})
    (tmp_path / "grace").mkdir()
    real_iterdir = type(tmp_path).iterdir

    def iterdir(folder):
        if folder.name == "grace":
            raise PermissionError(13, "Permission denied")
        return real_iterdir(folder)

    monkeypatch.setattr(type(tmp_path), "iterdir", iterdir)
    status, lines, err = run(capsys, tmp_path / "ada", tmp_path / "grace")
    assert status == 1
    assert rows(lines).keys() == {"ada"}
    assert f"{tmp_path / 'grace'}: cannot be read (Permission denied)" in err
