"""Finding the notebooks and running their cells in this process (gan_helpers.course.runner), on
tiny notebooks made here."""

import nbformat
import pytest

from gan_helpers.course import runner

TABLE = "from gan_helpers import settings\nhp = settings.choose(dict(lr=0.1), show=False)"


def notebook(tmp_path, *cells, name="01_tiny.ipynb"):
    path = tmp_path / name
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]),
                   path)
    return path


def test_notebook_paths_in_order_and_by_prefix(tmp_path):
    for name in ("02_b.ipynb", "01_a.ipynb", "notes.ipynb"):
        notebook(tmp_path, "x = 1", name=name)
    assert [p.name for p in runner.notebook_paths(folder=tmp_path)] == ["01_a.ipynb", "02_b.ipynb"]
    assert [p.name for p in runner.notebook_paths(["02"], tmp_path)] == ["02_b.ipynb"]
    with pytest.raises(ValueError, match=r"no notebook .* starts with 09; the notebooks are: 01_a"):
        runner.notebook_paths(["09"], tmp_path)


def test_changes_edits_and_stopping(tmp_path):
    path = notebook(tmp_path, TABLE, "doubled = hp.lr * 2", "step = 'the page'", "after = 1")
    namespace = runner.run_cells(path, {"lr": 0.5}, until=lambda ns: "step" in ns,
                                 edits={"'the page'": "'edited'"})
    assert namespace["doubled"] == 1.0 and namespace["step"] == "edited"
    assert "after" not in namespace
    with pytest.raises(KeyError, match="not hyperparameters"):
        runner.run_cells(path, {"epochs": 3})
    with pytest.raises(ValueError, match="is in 0 code cells"):
        runner.run_cells(path, edits={"not there": ""})


def test_a_change_or_a_stop_that_never_applies_is_an_error(tmp_path):
    path = notebook(tmp_path, "x = 1")
    with pytest.raises(ValueError, match="no hyperparameter table"):
        runner.run_cells(path, {"lr": 0.5})
    with pytest.raises(RuntimeError, match="never held"):
        runner.run_cells(path, until=lambda ns: "y" in ns)


def test_waiting_for_a_message_looks_again_so_a_missed_wake_up_costs_a_moment(monkeypatch):
    """nbclient's wait can miss the wake-up of a reply that has arrived (bench/README.md,
    "Headless runs"): the reply is found at the next look, not after the cell's whole timeout, and
    never is waited for forever."""
    import asyncio
    from queue import Empty

    monkeypatch.setattr(runner, "LOOK_EVERY", 0.01)
    waits = []

    async def missed_once(timeout=None):  # the reply is there, but the first wait never sees it
        waits.append(timeout)
        if len(waits) == 1:
            await asyncio.sleep(timeout)
            raise Empty
        return {"msg_type": "execute_reply"}

    assert asyncio.run(runner._looking_again(missed_once)(timeout=None)) == {
        "msg_type": "execute_reply"}
    assert waits == [0.01, 0.01]

    async def nothing(timeout=None):
        await asyncio.sleep(timeout)
        raise Empty

    with pytest.raises(Empty):  # a real timeout still ends the wait
        asyncio.run(runner._looking_again(nothing)(timeout=0.05))
