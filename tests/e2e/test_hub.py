"""A class on one JupyterHub: two learners share one read-only data folder, and each learner's
outputs stay in their own folder.

Starts a real JupyterHub on localhost (its proxy, configurable-http-proxy, from npm; a dummy
authenticator with a password; the local-process spawner) with two learners. Each learner has their
own copy of the course (``GAN_COURSE_ROOT``), their own home and ``notebook_dir``, the ``smoke``
profile, and the same shared Fashion-MNIST folder (``GAN_DATA_DIR``), made read-only. Through the
hub's REST API and the proxy, the test starts both learners' servers and runs, cell by cell over
the kernel's websocket, every code cell of their copy of notebook 03, then a cell that loads
Fashion-MNIST from the shared folder. Both learners run at the same time, as in a class.

It proves that:

- both learners' notebooks run to the end without an error;
- each learner's checkpoints land in their own ``files/smoke/`` and nowhere else;
- both read Fashion-MNIST, (10000, 1, 28, 28), from the shared folder;
- the shared folder is exactly as it was: no file appeared, vanished or changed there.

The read-only permissions catch a learner's server that runs as an ordinary user; root (as in
containers and CI) writes through them, so the proof is the listing of the shared folder, taken
before the learners start and compared after they finish.

Skipped, with the reason, where JupyterHub or configurable-http-proxy is missing; ``.ci/run``
installs the proxy and sets ``GAN_REQUIRE_HUB=1``, which turns that skip into a failure.
Run with ``-s`` to see the memory each learner's server and kernel used.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest

from support import ROOT, free_port, skip_or_fail

BIN = Path(sys.executable).parent  # .venv/bin: jupyterhub-singleuser is installed beside python
RAW = ROOT / "data" / "FashionMNIST" / "raw"
NOTEBOOK = "03_number_pattern_gan.ipynb"
OUTPUTS = ("number_generator.pt", "number_generator_book.pt")  # what notebook 03 writes
LEARNERS = ("ada", "grace")
PASSWORD = "class-of-two"
START_TIMEOUT = 180  # seconds for the hub, or a learner's server, to be up: the machine is slow
RUN_TIMEOUT = 300  # seconds for one learner's notebook and extra cells
# after the notebook: Fashion-MNIST from the shared folder, then where this learner's files go
DATA_CELL = ("from gan_helpers import data; from gan_helpers.course import prepare; "
             "images, labels = data.load_fashion_mnist(train=False); "
             "print(prepare.fashion_mnist_raw_dir(), tuple(images.shape))")
WHERE_CELL = "from gan_helpers import settings; print('outputs:', settings.output_dir())"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# the hub's configuration; the test fills in the values between <<...>>
CONFIG = '''\
c = get_config()  # noqa
c.JupyterHub.bind_url = "http://127.0.0.1:<<port>>"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:<<hub_port>>"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:<<proxy_api_port>>"
c.ConfigurableHTTPProxy.command = [<<proxy>>]
c.ConfigurableHTTPProxy.auth_token = <<proxy_token>>
c.JupyterHub.db_url = "sqlite:///<<hub_dir>>/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "<<hub_dir>>/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = "<<hub_dir>>/jupyterhub.pid"

c.JupyterHub.authenticator_class = "jupyterhub.auth.DummyAuthenticator"
c.DummyAuthenticator.password = <<password>>
c.Authenticator.allowed_users = set(<<learners>>)

# the test's token: start and stop the learners' servers, and use them through the proxy
c.JupyterHub.services = [{"name": "course-test", "api_token": <<token>>}]
c.JupyterHub.load_roles = [{
    "name": "course-test",
    "scopes": ["read:users", "admin:servers", "access:servers"],
    "services": ["course-test"],
}]

# one process per learner, as the hub's own user (no isolation: fine for a test, not a class)
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = "<<class_dir>>/{username}/home"
c.Spawner.notebook_dir = "<<class_dir>>/{username}/course"
c.Spawner.cmd = [<<singleuser>>]
c.Spawner.args = <<server_args>>
c.Spawner.start_timeout = <<start_timeout>>
c.Spawner.http_timeout = <<start_timeout>>
c.Spawner.environment = {
    "GAN_PROFILE": "smoke",
    "GAN_DATA_DIR": "<<shared>>",  # the class's data folder: read-only, shared
    "GAN_COURSE_ROOT": lambda spawner: f"<<class_dir>>/{spawner.user.name}/course",
    "OMP_NUM_THREADS": "1",  # the learners share the machine's cores
}
'''


# ---- what the test needs, and the folders it makes


def missing_hub() -> str | None:
    """Why the hub test cannot run here, or None."""
    try:
        import jupyterhub
    except ImportError:
        return "JupyterHub is not installed (`pip install -e '.[test]'` installs it)"
    if int(jupyterhub.__version__.split(".")[0]) < 5:
        return (f"JupyterHub {jupyterhub.__version__} is too old: the test needs 5 or later "
                "(`pip install -e '.[test]'`)")
    if not (BIN / "jupyterhub-singleuser").is_file():
        return f"no jupyterhub-singleuser in {BIN} (`pip install -e '.[test]'` installs it)"
    if not shutil.which("configurable-http-proxy"):
        return ("JupyterHub's proxy is not installed: "
                "`npm install -g configurable-http-proxy` (Node.js's npm) installs it")
    return None


def listing(folder: Path) -> dict[str, tuple]:
    """Every path under ``folder`` (itself as ".") -> (kind, size, mtime in ns, permissions)."""
    found = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        info = path.lstat()
        kind = "dir" if stat.S_ISDIR(info.st_mode) else "file"
        size = info.st_size if kind == "file" else None
        found[path.relative_to(folder).as_posix()] = (kind, size, info.st_mtime_ns,
                                                      stat.S_IMODE(info.st_mode))
    return found


def differences(before: dict[str, tuple], after: dict[str, tuple]) -> list[str]:
    """The paths that appeared, vanished or changed between two listings, one line each."""

    def when(mtime_ns: int) -> str:
        return datetime.fromtimestamp(mtime_ns / 1e9).strftime("%H:%M:%S.%f")[:-3]

    lines = [f"appeared: {path} ({after[path][0]}"
             + (f", {after[path][1]:,} bytes)" if after[path][1] is not None else ")")
             for path in sorted(after.keys() - before)]
    lines += [f"vanished: {path}" for path in sorted(before.keys() - after)]
    for path in sorted(before.keys() & after):
        (kind, size, mtime, mode), (_, new_size, new_mtime, new_mode) = before[path], after[path]
        what = ([f"size {size:,} -> {new_size:,} bytes"] if size != new_size else []) + (
            [f"modified {when(mtime)} -> {when(new_mtime)}"] if mtime != new_mtime else []) + (
            [f"mode {mode:o} -> {new_mode:o}"] if mode != new_mode else [])
        if what:
            lines.append(f"changed:  {path} ({kind}: {', '.join(what)})")
    return lines


def set_writable(folder: Path, writable: bool) -> None:
    """Make ``folder`` and everything in it read-only (folders 0o555, files 0o444), or writable
    again."""
    paths = [folder, *folder.rglob("*")]
    for path in paths if writable else reversed(paths):  # read-only: the deepest first
        if path.is_dir():
            path.chmod(0o755 if writable else 0o555)
        else:
            path.chmod(0o644 if writable else 0o444)


# ---- processes, as /proc shows them


def process_start(pid: int) -> str | None:
    """The start time of a live process (to tell it from a later one with the same id), or None
    when it is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else fields[19]


def descendants(pid: int) -> set[tuple[int, str]]:
    """The processes below ``pid`` (children, their children...), as (pid, start time)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            start = process_start(child)
            if start is not None:
                found.add((child, start))
                todo.append(child)
    return found


def memory_mib(pid: int) -> dict[str, float]:
    """Resident memory now (VmRSS) and at its peak (VmHWM) of a process, in MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) / 1024
    return found


# ---- the hub


@dataclass
class Hub:
    """A running JupyterHub: its public URL, the test's token, its process and its log."""

    url: str
    token: str
    process: subprocess.Popen
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        """The end of the hub's log (the learners' servers log there too)."""
        text = self.log.read_text(errors="replace") if self.log.is_file() else ""
        return "\n".join(text.splitlines()[-lines:])

    async def request(self, method: str, path: str, body: dict | None = None,
                      timeout: float = 60) -> tuple[int, object]:
        """``method`` on ``path`` (under the hub's URL) with the test's token; the status and the
        answer: JSON, or text (the proxy's error pages), or None."""
        from tornado.httpclient import AsyncHTTPClient, HTTPClientError

        client = AsyncHTTPClient(force_instance=True)
        try:
            response = await client.fetch(
                self.url + path, method=method, request_timeout=timeout,
                headers={"Authorization": f"token {self.token}"},
                body=json.dumps(body or {}) if method in ("POST", "PUT", "PATCH") else None)
        except HTTPClientError as error:
            if error.response is None:
                raise
            response = error.response
        finally:
            client.close()
        text = response.body.decode(errors="replace") if response.body else ""
        try:
            return response.code, json.loads(text)
        except ValueError:
            return response.code, text or None

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, object]:
        """``request`` from synchronous code."""
        return asyncio.run(self.request(method, path, body))


def wait_for_hub(hub: Hub) -> None:
    """Wait until the hub answers through its proxy, or fail with its log."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            pytest.fail(f"JupyterHub exited with {hub.process.returncode}:\n{hub.log_tail()}")
        try:
            code, _ = hub.call("GET", "/hub/api/")
            if code == 200:
                return
        except Exception:  # not listening yet, or not answering yet
            pass
        time.sleep(0.5)
    pytest.fail(f"JupyterHub did not answer within {START_TIMEOUT} s:\n{hub.log_tail()}")


def stop_servers(hub: Hub) -> list[str]:
    """Stop every learner's server through the API and wait for it; what went wrong, if
    anything."""
    problems = []
    for name in LEARNERS:
        try:
            code, _ = hub.call("DELETE", f"/hub/api/users/{name}/server")
            deadline = time.monotonic() + 60
            while code == 202 and time.monotonic() < deadline:
                time.sleep(0.5)
                code = 204 if not hub.call("GET", f"/hub/api/users/{name}")[1]["servers"] else 202
            if code not in (204, 400):  # 400: it was not running
                problems.append(f"stopping {name}'s server: HTTP {code}")
        except Exception as error:  # the teardown goes on: the hub's exit stops servers too
            problems.append(f"stopping {name}'s server: {type(error).__name__}: {error}")
    return problems


def fashion_files() -> list[str]:
    """The names of Fashion-MNIST's four unpacked files."""
    from gan_helpers.course import prepare

    return list(prepare.FASHION_FILES)


@pytest.fixture
def hub_installed():
    """JupyterHub and its proxy are there (first, so that a missing one is said before anything
    else is set up)."""
    reason = missing_hub()
    if reason:
        skip_or_fail(reason, "GAN_REQUIRE_HUB")


@pytest.fixture
def shared_data(tmp_path, hub_installed):
    """The class's data folder: Fashion-MNIST's four files, read-only; writable again after the
    test so that pytest can delete it."""
    if any(not (RAW / name).is_file() for name in fashion_files()):
        skip_or_fail(f"Fashion-MNIST is not prepared in {RAW} (`make data` prepares it)",
                     "GAN_REQUIRE_HUB")
    folder = tmp_path / "shared"
    (folder / "FashionMNIST" / "raw").mkdir(parents=True)
    for name in fashion_files():
        shutil.copyfile(RAW / name, folder / "FashionMNIST" / "raw" / name)
    set_writable(folder, False)
    yield folder
    set_writable(folder, True)


@pytest.fixture
def classroom(tmp_path):
    """One folder per learner: their copy of the course (notebooks/; GAN_COURSE_ROOT and
    notebook_dir) and their home."""
    folder = tmp_path / "class"
    for name in LEARNERS:
        shutil.copytree(ROOT / "notebooks", folder / name / "course" / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        (folder / name / "home").mkdir()
    return folder


@pytest.fixture
def hub(tmp_path, hub_installed, shared_data, classroom):
    """JupyterHub serving the class on free localhost ports; stopped, with every process it
    started, at the end."""
    hub_dir = tmp_path / "hub"
    hub_dir.mkdir()
    port, token = free_port(), secrets.token_hex(32)
    values = {
        "port": port, "hub_port": free_port(), "proxy_api_port": free_port(),
        "proxy": repr(shutil.which("configurable-http-proxy")),
        "proxy_token": repr(secrets.token_hex(32)), "hub_dir": hub_dir,
        "password": repr(PASSWORD), "learners": repr(list(LEARNERS)), "token": repr(token),
        "class_dir": classroom, "singleuser": repr(str(BIN / "jupyterhub-singleuser")),
        # jupyter_server refuses to run as root (containers, CI) without --allow-root
        "server_args": repr(["--allow-root"] if os.getuid() == 0 else []),
        "start_timeout": START_TIMEOUT, "shared": shared_data,
    }
    config = CONFIG
    for key, value in values.items():
        config = config.replace(f"<<{key}>>", str(value))
    (hub_dir / "jupyterhub_config.py").write_text(config)
    # the servers inherit PATH (LocalProcessSpawner's env_keep), with .venv/bin first; nothing of
    # the test's own course settings or Jupyter's
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GAN_", "JUPYTER", "JPY_", "CONFIGPROXY_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    log = hub_dir / "hub.log"
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(hub_dir / "jupyterhub_config.py")],
            cwd=hub_dir, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True)
    running, up = Hub(f"http://127.0.0.1:{port}", token, process, log), False
    try:
        wait_for_hub(running)
        up = True
        yield running
    finally:
        problems = shutdown(running, stop_servers_first=up)
        if problems:
            pytest.fail("JupyterHub did not shut down cleanly:\n" + "\n".join(problems))


def shutdown(hub: Hub, stop_servers_first: bool = True) -> list[str]:
    """Stop the learners' servers (through the API), then the hub (which stops its proxy), then
    anything of theirs still running; what was left behind or went wrong."""
    started = descendants(hub.process.pid)  # the proxy, the servers, their kernels
    running = stop_servers_first and hub.process.poll() is None
    problems = stop_servers(hub) if running else []
    hub.process.send_signal(signal.SIGTERM)
    try:
        hub.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        problems.append("JupyterHub ignored SIGTERM for 60 s; killed")
        os.killpg(hub.process.pid, signal.SIGKILL)
        hub.process.wait()
    deadline = time.monotonic() + 15
    left = started
    while left and time.monotonic() < deadline:
        left = {(pid, start) for pid, start in left if process_start(pid) == start}
        time.sleep(0.2)
    for pid, _ in left:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        problems.append(f"left behind, now killed: {pid} {command[:150]}")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return problems


# ---- a learner's notebook, run through the hub


@dataclass
class Run:
    """What one learner's kernel did: each cell's printed text, and the first error."""

    learner: str
    texts: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


def code_cells(path: Path) -> list[str]:
    """The sources of a notebook's code cells, in order."""
    cells = json.loads(path.read_text())["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


async def start_server(hub: Hub, name: str) -> None:
    """Start a learner's server through the hub's REST API and wait until it is ready."""
    code, answer = await hub.request("POST", f"/hub/api/users/{name}/server")
    if code not in (201, 202):
        raise AssertionError(f"starting {name}'s server: HTTP {code} {answer}")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        code, user = await hub.request("GET", f"/hub/api/users/{name}")
        server = (user or {}).get("servers", {}).get("")
        if server and server.get("ready"):
            return
        if code != 200 or not server:
            raise AssertionError(f"{name}'s server stopped while starting: HTTP {code} {user}\n"
                                 f"{hub.log_tail()}")
        await asyncio.sleep(1)
    raise AssertionError(f"{name}'s server was not ready within {START_TIMEOUT} s\n"
                         f"{hub.log_tail()}")


def execute_request(code: str, session: str) -> dict:
    """A Jupyter ``execute_request`` message for the shell channel."""
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request",
                   "username": "course-test", "session": session, "version": "5.3",
                   "date": datetime.now(timezone.utc).isoformat()},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }


async def execute(connection, code: str, session: str, deadline: float) -> tuple[str, dict | None]:
    """Run ``code`` in the kernel behind ``connection``; its printed text and its error (the
    ``error`` message's content), if any."""
    request = execute_request(code, session)
    await connection.write_message(json.dumps(request))
    texts, error, replied, idle = [], None, False, False
    while not (replied and idle):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the kernel did not finish the cell in time")
        message = await asyncio.wait_for(connection.read_message(), timeout=left)
        if message is None:
            raise ConnectionError("the kernel's websocket closed")
        if isinstance(message, bytes):  # binary buffers (widgets): nothing the test reads
            continue
        message = json.loads(message)
        if message.get("parent_header", {}).get("msg_id") != request["header"]["msg_id"]:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "stream":
            texts.append(content["text"])
        elif kind == "error":
            error = content
        elif kind == "execute_reply":
            replied = True
            if content["status"] == "error" and error is None:
                error = content
        elif kind == "status" and content["execution_state"] == "idle":
            idle = True
    return "".join(texts), error


def describe_error(label: str, code: str, error: dict) -> str:
    """A cell's error for a failure message: which cell, the error's name and value, and the end
    of its traceback."""
    traceback = ANSI.sub("", "\n".join(error.get("traceback", [])))
    first_line = code.strip().splitlines()[0] if code.strip() else ""
    return (f"{label} ({first_line[:60]!r}) ended with "
            f"{error.get('ename')}: {error.get('evalue')}\n"
            f"...{traceback[-1500:]}")


async def run_learner(hub: Hub, name: str, cells: list[tuple[str, str]]) -> Run:
    """Start ``name``'s server and a kernel, and run ``cells`` (label, code) one by one until the
    first error."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    run, began = Run(name), time.monotonic()
    deadline = began + RUN_TIMEOUT
    await start_server(hub, name)
    code, kernel = await hub.request("POST", f"/user/{name}/api/kernels", {"name": "python3"})
    assert code == 201, f"starting {name}'s kernel: HTTP {code} {kernel}"
    session = uuid.uuid4().hex
    url = (hub.url.replace("http", "ws", 1)
           + f"/user/{name}/api/kernels/{kernel['id']}/channels?session_id={session}")
    connection = await websocket_connect(
        HTTPRequest(url, headers={"Authorization": f"token {hub.token}"}, connect_timeout=60),
        max_message_size=64 << 20)
    try:
        for label, cell in cells:
            text, error = await execute(connection, cell, session, deadline)
            run.texts.append(text)
            if error is not None:
                run.error = describe_error(label, cell, error)
                break
    except (TimeoutError, ConnectionError) as error:
        run.error = f"{cells[len(run.texts)][0]}: {type(error).__name__}: {error}"
    finally:
        connection.close()
        run.seconds = time.monotonic() - began
    return run


async def run_class(hub: Hub, classroom: Path) -> dict[str, Run]:
    """Every learner's copy of notebook 03, then the extra cells, all learners at once."""
    def cells(name: str) -> list[tuple[str, str]]:
        notebook = code_cells(classroom / name / "course" / "notebooks" / NOTEBOOK)
        return [*((f"code cell {index} of {NOTEBOOK}", code)
                  for index, code in enumerate(notebook)),
                ("the extra data cell", DATA_CELL), ("the extra outputs cell", WHERE_CELL)]

    runs = await asyncio.gather(*(run_learner(hub, name, cells(name)) for name in LEARNERS))
    return {run.learner: run for run in runs}


def server_memory(hub: Hub) -> dict[str, dict[str, float]]:
    """The memory of each learner's server and of the processes below it (the kernel), in MiB,
    from /proc."""
    found = {}
    for name in LEARNERS:
        _, user = hub.call("GET", f"/hub/api/users/{name}")
        pid = (user["servers"].get("", {}).get("state") or {}).get("pid")
        if pid and Path(f"/proc/{pid}/status").is_file():
            found[f"{name}'s server"] = memory_mib(pid)
            for child, _ in descendants(pid):
                found[f"{name}'s kernel ({child})"] = memory_mib(child)
    return found


# ---- the test


def test_a_class_shares_one_read_only_data_folder(hub, shared_data, classroom):
    """Two learners at once: notebook 03 and Fashion-MNIST from the shared folder; their
    checkpoints in their own folders, the shared folder untouched."""
    shared_before, class_before = listing(shared_data), listing(classroom)
    started = time.monotonic()
    runs = asyncio.run(run_class(hub, classroom))
    elapsed = time.monotonic() - started
    memory = server_memory(hub)
    print(f"\nthe class ran in {elapsed:.0f} s: "
          + ", ".join(f"{name} {len(run.texts)} cells in {run.seconds:.0f} s"
                     for name, run in runs.items()))
    for owner, values in memory.items():
        print(f"  {owner}: {values.get('VmRSS', 0):.0f} MiB now, "
              f"{values.get('VmHWM', 0):.0f} MiB at its peak")

    # the shared folder: nothing written, nothing changed
    changed = differences(shared_before, listing(shared_data))
    assert not changed, (f"the learners wrote to the shared data folder {shared_data}:\n"
                         + "\n".join(changed))

    # every cell of both learners ran
    errors = [f"{name}: {run.error}" for name, run in runs.items() if run.error]
    assert not errors, "\n\n".join(errors)

    raw_dir = shared_data / "FashionMNIST" / "raw"
    for name, run in runs.items():
        course = classroom / name / "course"
        # the data cell read the shared folder; the outputs go to the learner's own copy
        assert run.texts[-2].split() == [str(raw_dir), "(10000,", "1,", "28,", "28)"], (
            f"{name}'s data cell printed {run.texts[-2]!r}, expected {raw_dir} (10000, 1, 28, 28)")
        assert run.texts[-1].strip() == f"outputs: {course / 'files' / 'smoke'}", (
            f"{name}'s outputs go elsewhere: {run.texts[-1]!r}")
        for output in OUTPUTS:
            path = course / "files" / "smoke" / output
            assert path.is_file(), f"{name}'s {output} is not in their own folder, {path.parent}"
            assert path.stat().st_mtime > time.time() - elapsed - 5, f"{path} is not from this run"

    # neither learner's folder holds the other's files: every new file is in one learner's
    # folder, both learners made the same outputs, each in their own files (not shared links)
    new = listing(classroom).keys() - class_before.keys()
    stray = sorted(path for path in new if path.split("/")[0] not in LEARNERS)
    assert not stray, f"files outside every learner's folder: {stray}"
    outputs = {name: sorted(path.split("/", 1)[1] for path in new
                            if path.startswith(f"{name}/course/files/"))
               for name in LEARNERS}
    assert len({tuple(paths) for paths in outputs.values()}) == 1, (
        f"the learners' outputs differ: {outputs}")
    first, second = (classroom / name / "course" / "files" / "smoke" for name in LEARNERS)
    shared = [output for output in OUTPUTS if (first / output).samefile(second / output)]
    assert not shared, f"the learners share one file for {shared}"
