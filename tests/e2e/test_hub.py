"""A class on one JupyterHub: the course handed out by the nbgitpuller link of docs/teaching.md, two
learners with their own copies, one read-only data folder and one read-only folder of a teacher's
trained generators, and the teacher's progress table.

Starts a real JupyterHub on localhost (its proxy, configurable-http-proxy, from npm; a dummy
authenticator with a password; the local-process spawner) with two learners, Ada and Grace, each
with their own home (the server's ``notebook_dir``), the ``smoke`` profile, the same shared
Fashion-MNIST folder (``GAN_DATA_DIR``) and the same teacher's models folder (``GAN_MODELS_DIR``),
both read-only. The course is a local bare repository, ``gan-course``, made by the test from this
checkout (a temporary commit of its files as git sees them: tracked and not ignored). Then, as a
class would:

1. both learners log in and open the link that docs/teaching.md gives (its placeholders filled in:
   this hub, the bare repository as ``file://``): nbgitpuller clones the course into their homes;
2. Ada answers exercise 3.a in her copy of ``student/03`` (saved through her server, as JupyterLab
   saves), the teacher publishes an update (a change to another cell of that notebook and a new
   file), and Ada opens the link again: the update arrives and her answer is still there;
3. at the same time, Ada runs every code cell of her ``student/03`` (it trains, and checks her
   answer) and Grace reads Fashion-MNIST; each kernel runs in the learner's copy of the course,
   which the course finds from the notebook's folder (no ``GAN_COURSE_ROOT``);
4. the teacher copies Ada's trained generators (``files/smoke/*.pt``) into the models folder;
   Grace, with no generator of her own, runs her ``student/03`` with ``hp.train = False``: it
   loads them from there;
5. the teacher runs ``python -m gan_helpers.course.progress`` over both homes.

It proves that:

- the link clones the course, opens on the notebook it names, and a second pull merges the update
  without losing the learner's edit;
- both learners' notebooks run to the end without an error, and read Fashion-MNIST,
  (10000, 1, 28, 28), from the shared folder;
- Ada's checkpoints land in her own ``files/smoke/`` and nowhere else; Grace's notebook loads the
  teacher's and saves none;
- the shared data folder and the teacher's models folder are exactly as they were: no file
  appeared, vanished or changed there;
- the table shows each learner's verdicts: Ada passed 3.a and not yet 3.4, Grace not yet both,
  every other exercise untried.

The read-only permissions catch a learner's server that runs as an ordinary user; root (as in
containers and CI) writes through them, so the proof is the listing of each shared folder (paths,
sizes, modification times, permissions), taken before the learners use it and compared after.

Skipped, with the reason, where JupyterHub, configurable-http-proxy, nbgitpuller or git is
missing; ``.ci/run`` installs the proxy and sets ``GAN_REQUIRE_HUB=1``, which turns that skip into
a failure. Run with ``-s`` to see the table, the time of each step and the memory each learner's
server and kernel used.
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
from urllib.parse import unquote, urlencode

import pytest

from support import ROOT, free_port, skip_or_fail

BIN = Path(sys.executable).parent  # .venv/bin: jupyterhub-singleuser is installed beside python
RAW = ROOT / "data" / "FashionMNIST" / "raw"
COURSE = "gan-course"  # the repository's name: nbgitpuller clones it into ~/gan-course
NOTEBOOK = "student/03_number_pattern_gan.ipynb"
OUTPUTS = ("number_generator.pt", "number_generator_book.pt")  # what notebook 03 trains and saves
LEARNERS = ("ada", "grace")
PASSWORD = "class-of-two"
START_TIMEOUT = 180  # seconds for the hub, or a learner's server, to be up: the machine is slow
RUN_TIMEOUT = 300  # seconds for one learner's notebook and extra cells
PULL_TIMEOUT = 120  # seconds for one nbgitpuller pull
# the link as docs/teaching.md gives it, and its placeholders
TEACHING = ROOT / "docs" / "teaching.md"
LINK = re.compile(r"https://YOUR-HUB/hub/user-redirect/git-pull\?[^`\s]+")
HUB_PLACEHOLDER, REPO_PLACEHOLDER = "https://YOUR-HUB", "https://github.com/OWNER/gan-course"
# Ada's answer to exercise 3.a, typed into the exercise's cell of her copy
ANSWER = '''def encode(numbers: torch.Tensor, width: int = 100) -> torch.Tensor:
    vectors = torch.zeros(len(numbers), width)
    vectors[torch.arange(len(numbers)), numbers] = 1  # Ada's answer
    return vectors


def decode(vectors: torch.Tensor) -> torch.Tensor:
    return vectors.argmax(dim=1)'''
# the teacher's update between the two pulls: another cell of the same notebook, and a new file
TITLE = "# 03 · A GAN that makes numbers"
UPDATED_TITLE = "# 03 · A GAN that makes numbers (updated for today's class)"
NEW_FILE = "docs/class-notes.md"
TRAIN_FALSE = "\nhp.train = False  # straight to the sliders: load the generators, do not train"
# the cell of notebook 03 that reads back the file the learner's own training saved; with
# hp.train = False there is none (see _loads_the_learners_own_run)
OWN_RUN = "checkpoints.load_checkpoint(G_loaded, course_path)"
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

# one process per learner, as the hub's own user (no isolation: fine for a test, not a class);
# each learner's server opens on their home, where the nbgitpuller link clones the course
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = "<<class_dir>>/{username}"
c.Spawner.notebook_dir = "<<class_dir>>/{username}"
c.Spawner.cmd = [<<singleuser>>]
c.Spawner.args = <<server_args>>
c.Spawner.start_timeout = <<start_timeout>>
c.Spawner.http_timeout = <<start_timeout>>
c.Spawner.environment = {
    "GAN_PROFILE": "smoke",
    "GAN_DATA_DIR": "<<shared>>",  # the class's data folder: read-only, shared
    "GAN_MODELS_DIR": "<<models>>",  # the teacher's trained generators: read-only, shared
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
    try:
        import nbgitpuller  # noqa: F401
        import requests  # noqa: F401  (JupyterHub's own dependency: the learners' browser)
    except ImportError as error:
        return f"{error.name} is not installed (`pip install -e '.[test]'` installs it)"
    if not shutil.which("git"):
        return "git is not installed: nbgitpuller clones the course with it"
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


# ---- the course as a repository, and the class's folders


def git(*args: str, git_dir: Path, index: Path | None = None, work_tree: Path | None = None,
        stdin: str | None = None) -> str:
    """Run git on the repository ``git_dir`` (with its own index and work tree, when given), as
    the test's own author; its output."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(GIT_DIR=str(git_dir), GIT_AUTHOR_NAME="Course test",
               GIT_AUTHOR_EMAIL="course-test@localhost", GIT_COMMITTER_NAME="Course test",
               GIT_COMMITTER_EMAIL="course-test@localhost")
    if index is not None:
        env["GIT_INDEX_FILE"] = str(index)
    if work_tree is not None:
        env["GIT_WORK_TREE"] = str(work_tree)
    done = subprocess.run(["git", *args], env=env, input=stdin, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


@dataclass
class Remote:
    """The course's bare repository (as GitHub would hold it) and the index that made its last
    commit."""

    path: Path
    index: Path

    @property
    def url(self) -> str:
        return self.path.as_uri()  # file://...: cloned like a network remote (shallow and all)

    def publish(self, changes: dict[str, str], message: str) -> None:
        """A new commit on ``main`` with ``changes`` (path -> text), as a teacher's push."""
        for path, text in changes.items():
            blob = git("hash-object", "-w", "--stdin", git_dir=self.path, stdin=text)
            git("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}",
                git_dir=self.path, index=self.index, work_tree=self.index.parent)
        tree = git("write-tree", git_dir=self.path, index=self.index)
        commit = git("commit-tree", tree, "-p", "main", "-m", message, git_dir=self.path)
        git("update-ref", "refs/heads/main", commit, git_dir=self.path)

    def show(self, path: str) -> str:
        return git("show", f"main:{path}", git_dir=self.path) + "\n"


@pytest.fixture
def hub_installed():
    """JupyterHub, its proxy, nbgitpuller and git are there (first, so that a missing one is said
    before anything else is set up)."""
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
def teacher_models(tmp_path):
    """The teacher's folder of trained generators (``GAN_MODELS_DIR``), laid out like ``files/``:
    empty until the test copies a learner's run into it; writable again after the test."""
    folder = tmp_path / "teacher" / "models"
    folder.mkdir(parents=True)
    yield folder
    set_writable(folder, True)


@pytest.fixture
def course_remote(tmp_path, hub_installed):
    """The course as a bare repository named gan-course, branch main: one commit of this
    checkout's files as git sees them (tracked, and new files that are not ignored), made with
    a separate index so that the checkout's own repository is not touched."""
    remote = Remote(tmp_path / "remote" / COURSE, tmp_path / "remote" / "index")
    git("init", "--quiet", "--bare", "--initial-branch=main", str(remote.path),
        git_dir=remote.path)
    git("add", "--all", git_dir=remote.path, index=remote.index, work_tree=ROOT)
    git("commit", "--quiet", "-m", "The course, as the checkout under test has it",
        git_dir=remote.path, index=remote.index, work_tree=ROOT)
    return remote


@pytest.fixture
def classroom(tmp_path):
    """One empty home per learner (their server's notebook_dir), where the link clones the
    course."""
    folder = tmp_path / "class"
    for name in LEARNERS:
        (folder / name).mkdir(parents=True)
    return folder


@pytest.fixture
def hub(tmp_path, hub_installed, shared_data, teacher_models, classroom):
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
        "start_timeout": START_TIMEOUT, "shared": shared_data, "models": teacher_models,
    }
    config = CONFIG
    for key, value in values.items():
        config = config.replace(f"<<{key}>>", str(value))
    (hub_dir / "jupyterhub_config.py").write_text(config)
    # the servers inherit PATH (LocalProcessSpawner's env_keep), with .venv/bin first; nothing of
    # the test's own course settings or Jupyter's
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GAN_", "JUPYTER", "JPY_", "CONFIGPROXY_", "NBGITPULLER_"))}
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


# ---- the link: a learner's browser, as far as nbgitpuller needs one


def the_link(hub: Hub, remote: Remote) -> str:
    """The nbgitpuller link exactly as docs/teaching.md gives it, with its two placeholders (the
    hub, the repository) filled in."""
    found = LINK.findall(TEACHING.read_text())
    assert len(found) == 1, f"docs/teaching.md should give one nbgitpuller link, it gives {found}"
    link = found[0]
    for placeholder in (HUB_PLACEHOLDER, REPO_PLACEHOLDER):
        assert placeholder in link, f"the link in docs/teaching.md has no {placeholder}: {link}"
    return link.replace(HUB_PLACEHOLDER, hub.url).replace(REPO_PLACEHOLDER, remote.url)


def log_in(hub: Hub, name: str):
    """A learner's browser (cookies and redirects) logged in to the hub with their password."""
    import requests

    browser = requests.Session()
    form = browser.get(f"{hub.url}/hub/login", timeout=60)
    form.raise_for_status()
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text)
    answer = browser.post(f"{hub.url}/hub/login", timeout=60, allow_redirects=False,
                          data={"username": name, "password": PASSWORD,
                                "_xsrf": xsrf.group(1) if xsrf else ""})
    assert answer.status_code == 302, f"{name} could not log in: HTTP {answer.status_code}"
    return browser


def open_link(browser, link: str) -> list[str]:
    """What a browser does with the link: follow it (the hub sends the learner to their server,
    which opens nbgitpuller's page), then do what the page's script does: ask the server to pull,
    read its progress until it is finished, and go on to the page the link names. nbgitpuller's
    messages; fails on an error."""
    page = browser.get(link, timeout=60)
    assert page.status_code == 200, (
        f"the link gave HTTP {page.status_code} at {page.url}: is nbgitpuller's server extension "
        "enabled? (`jupyter server extension list`; `pip install nbgitpuller` enables it)")
    params = {name: unquote(value)
              for name, value in re.findall(r'data-([a-z-]+)="([^"]*)"', page.text)}
    assert {"base-url", "repo", "path", "targetpath", "xsrf"} <= params.keys(), (
        f"{page.url} is not nbgitpuller's page:\n{page.text[:500]}")
    query = {"_xsrf": params["xsrf"], "repo": params["repo"], "targetpath": params["targetpath"],
             **{name: params[name] for name in ("depth", "branch") if name in params}}
    origin = page.url.split("/user/")[0]
    messages, phase = [], None
    with browser.get(f"{origin}{params['base-url']}git-pull/api?{urlencode(query)}",
                     stream=True, timeout=(30, PULL_TIMEOUT)) as events:
        assert events.status_code == 200, f"nbgitpuller's API: HTTP {events.status_code}"
        for line in events.iter_lines(decode_unicode=True):
            if not line or not line.startswith("data:"):
                continue
            event = json.loads(line[len("data:"):])
            messages.append(event.get("output") or event.get("message") or event["phase"])
            phase = event["phase"]
            if phase in ("finished", "error"):
                break
    assert phase == "finished", "nbgitpuller failed:\n" + "".join(map(str, messages))
    landing = browser.get(f"{origin}{params['base-url']}{params['path']}", timeout=60)
    assert landing.status_code == 200, f"{landing.url}: HTTP {landing.status_code}"
    return messages


async def edit_cell(hub: Hub, name: str, path: str, index: int, source: str) -> None:
    """Change one cell of a notebook in a learner's home and save it through their server (the
    contents API, as JupyterLab saves)."""
    code, model = await hub.request("GET", f"/user/{name}/api/contents/{path}?content=1")
    assert code == 200, f"reading {path}: HTTP {code} {model}"
    model["content"]["cells"][index]["source"] = source
    code, answer = await hub.request("PUT", f"/user/{name}/api/contents/{path}",
                                     {"type": "notebook", "format": "json",
                                      "content": model["content"]})
    assert code == 200, f"saving {path}: HTTP {code} {answer}"


# ---- a learner's notebook, run through the hub


@dataclass
class Run:
    """What one learner's kernel did: each cell's printed text, and the first error."""

    learner: str
    texts: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    memory: dict[str, dict[str, float]] = field(default_factory=dict)


def code_cells(path: Path) -> list[str]:
    """The sources of a notebook's code cells, in order."""
    cells = json.loads(path.read_text())["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


def _loads_the_learners_own_run(code: str) -> bool:
    """Notebook 03's "Saving and loading" cell reads back the generator that the learner's own
    training saved, from their own files/ (``load_checkpoint``, not ``find_trained``): with
    ``hp.train = False`` and no run of their own there is nothing to read, and it stops with
    FileNotFoundError. The test leaves that one cell out of such a run, and says so; once the cell
    looks where hp.train = False loads from, it no longer matches and runs."""
    return OWN_RUN in code


def notebook_cells(course: Path, *, train: bool = True) -> tuple[list[tuple[str, str]], list[str]]:
    """The code cells of the learner's copy of ``NOTEBOOK`` as (label, code), with
    ``hp.train = False`` typed into the hyperparameter cell when not ``train``; and the labels of
    the cells left out."""
    cells, left_out = [], []
    for index, code in enumerate(code_cells(course / NOTEBOOK)):
        label = f"code cell {index} of {NOTEBOOK}"
        if not train and "hp = settings.choose(" in code:
            code += TRAIN_FALSE
        if not train and _loads_the_learners_own_run(code):
            left_out.append(label)
            continue
        cells.append((label, code))
    return cells, left_out


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
    """Run ``code`` in the kernel behind ``connection``; its printed text and value, and its error
    (the ``error`` message's content), if any."""
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
        elif kind == "execute_result":  # a cell's value (an exercise check's verdict)
            texts.append(content["data"].get("text/plain", "") + "\n")
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


async def run_learner(hub: Hub, name: str, notebook: str, cells: list[tuple[str, str]]) -> Run:
    """Open ``notebook`` (a path in the learner's home) in a new kernel, as JupyterLab does (the
    kernel starts in the notebook's folder), run ``cells`` (label, code) one by one until the
    first error, note the memory of the learner's server and kernel, and shut the kernel down."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    run, began = Run(name), time.monotonic()
    deadline = began + RUN_TIMEOUT
    code, session = await hub.request("POST", f"/user/{name}/api/sessions", {
        "path": notebook, "type": "notebook", "name": Path(notebook).name,
        "kernel": {"name": "python3"}})
    assert code == 201, f"opening {notebook} for {name}: HTTP {code} {session}"
    client = uuid.uuid4().hex
    url = (hub.url.replace("http", "ws", 1) + f"/user/{name}/api/kernels/"
           f"{session['kernel']['id']}/channels?session_id={client}")
    connection = await websocket_connect(
        HTTPRequest(url, headers={"Authorization": f"token {hub.token}"}, connect_timeout=60),
        max_message_size=64 << 20)
    try:
        for label, cell in cells:
            text, error = await execute(connection, cell, client, deadline)
            run.texts.append(text)
            if error is not None:
                run.error = describe_error(label, cell, error)
                break
    except (TimeoutError, ConnectionError) as error:
        run.error = f"{cells[len(run.texts)][0]}: {type(error).__name__}: {error}"
    finally:
        connection.close()
        run.seconds = time.monotonic() - began
        run.memory = await server_memory(hub, name)
        await hub.request("DELETE", f"/user/{name}/api/sessions/{session['id']}")
    return run


async def server_memory(hub: Hub, name: str) -> dict[str, dict[str, float]]:
    """The memory of a learner's server and of the processes below it (the kernel), in MiB, from
    /proc."""
    found = {}
    _, user = await hub.request("GET", f"/hub/api/users/{name}")
    pid = (user["servers"].get("", {}).get("state") or {}).get("pid")
    if pid and Path(f"/proc/{pid}/status").is_file():
        found[f"{name}'s server"] = memory_mib(pid)
        for child, _ in descendants(pid):
            found[f"{name}'s kernel ({child})"] = memory_mib(child)
    return found


def report(step: str, runs: list[Run]) -> None:
    """The time and memory of a step's runs (shown with ``-s``)."""
    print(f"{step}: " + ", ".join(f"{run.learner} {len(run.texts)} cells in {run.seconds:.0f} s"
                                  for run in runs))
    for run in runs:
        for owner, values in run.memory.items():
            print(f"  {owner}: {values.get('VmRSS', 0):.0f} MiB now, "
                  f"{values.get('VmHWM', 0):.0f} MiB at its peak")


def progress_table(*homes: Path) -> tuple[str, dict[str, dict[str, str]]]:
    """The teacher's command over the learners' homes: its output, and each learner's marks by
    exercise id."""
    done = subprocess.run([sys.executable, "-m", "gan_helpers.course.progress", *map(str, homes)],
                          capture_output=True, text=True, timeout=120,
                          env={key: value for key, value in os.environ.items()
                               if not key.startswith("GAN_")})
    assert done.returncode == 0, f"the progress command: {done.stderr}"
    lines = done.stdout.splitlines()
    header = lines[2].split()
    ids = header[1:header.index("passed")]
    return done.stdout, {line.split()[0]: dict(zip(ids, line.split()[1:])) for line in lines[3:]}


# ---- the test


def test_a_class_from_the_link_with_shared_read_only_folders(
        hub, course_remote, shared_data, teacher_models, classroom):
    """Two learners: the course from the teaching guide's link, an edit that survives a pull,
    notebook 03 trained by one and loaded by the other from the teacher's folder, the progress
    table; the shared folders untouched."""
    began = time.monotonic()
    shared_before = listing(shared_data)
    ada, grace = (classroom / name / COURSE for name in LEARNERS)

    async def start_both():
        await asyncio.gather(*(start_server(hub, name) for name in LEARNERS))

    asyncio.run(start_both())

    # 1. the link clones the course into each learner's home, and opens on its notebook
    link = the_link(hub, course_remote)
    opens = re.search(r"urlpath=lab/tree/([^&]+)", link)
    assert opens, f"the link opens no notebook in JupyterLab: {link}"
    browsers = {name: log_in(hub, name) for name in LEARNERS}
    for name, course in zip(LEARNERS, (ada, grace)):
        open_link(browsers[name], link)
        assert (course / NOTEBOOK).is_file(), f"the link did not clone the course for {name}"
        assert (classroom / name / unquote(opens.group(1))).is_file(), (
            f"the link opens {opens.group(1)}, which {name}'s copy lacks")
    assert (ada / NOTEBOOK).read_text() == course_remote.show(NOTEBOOK)
    print(f"\nthe link: {link}\ncloned for both learners in {time.monotonic() - began:.0f} s")

    # 2. Ada answers 3.a; the teacher publishes an update; Ada's second pull keeps her answer
    exercise = next(index for index, code in enumerate(code_cells(ada / NOTEBOOK))
                    if "def encode" in code)
    cell_index = [index for index, cell in enumerate(json.loads((ada / NOTEBOOK).read_text())
                                                     ["cells"]) if cell["cell_type"] == "code"]
    asyncio.run(edit_cell(hub, "ada", f"{COURSE}/{NOTEBOOK}", cell_index[exercise], ANSWER))
    assert code_cells(ada / NOTEBOOK)[exercise] == ANSWER
    notebook = course_remote.show(NOTEBOOK)
    assert notebook.count(TITLE) == 1, f"{NOTEBOOK} no longer starts with {TITLE!r}"
    course_remote.publish({NOTEBOOK: notebook.replace(TITLE, UPDATED_TITLE),
                           NEW_FILE: "# Notes for today's class\n"}, "The teacher's update")
    open_link(browsers["ada"], link)
    assert (ada / NEW_FILE).is_file(), "the second pull did not bring the teacher's new file"
    text = (ada / NOTEBOOK).read_text()
    assert UPDATED_TITLE in text, "the second pull did not bring the teacher's change"
    assert code_cells(ada / NOTEBOOK)[exercise] == ANSWER, "the second pull lost Ada's answer"

    # 3. at the same time: Ada trains notebook 03 and checks her answer; Grace reads the data
    ada_cells, _ = notebook_cells(ada)
    extra = [("the extra data cell", DATA_CELL), ("the extra outputs cell", WHERE_CELL)]
    started = time.monotonic()

    async def class_at_work():
        return await asyncio.gather(
            run_learner(hub, "ada", f"{COURSE}/{NOTEBOOK}", ada_cells + extra),
            run_learner(hub, "grace", f"{COURSE}/{NOTEBOOK}", extra))

    ada_run, grace_reads = asyncio.run(class_at_work())
    report("Ada's notebook 03 and Grace's data cell, at once", [ada_run, grace_reads])
    errors = [f"{run.learner}: {run.error}" for run in (ada_run, grace_reads) if run.error]
    assert not errors, "\n\n".join(errors)
    raw_dir = shared_data / "FashionMNIST" / "raw"
    for run, course in ((ada_run, ada), (grace_reads, grace)):
        # the data cell read the shared folder; the outputs go to the learner's own copy
        assert run.texts[-2].split() == [str(raw_dir), "(10000,", "1,", "28,", "28)"], (
            f"{run.learner}'s data cell printed {run.texts[-2]!r}, expected {raw_dir} "
            "(10000, 1, 28, 28)")
        assert run.texts[-1].strip() == f"outputs: {course / 'files' / 'smoke'}", (
            f"{run.learner}'s outputs go elsewhere: {run.texts[-1]!r}")
    assert "Exercise 3.a: pass" in "".join(ada_run.texts), "Ada's answer did not pass its check"
    for output in OUTPUTS:
        path = ada / "files" / "smoke" / output
        assert path.is_file(), f"Ada's {output} is not in her own folder, {path.parent}"
        assert path.stat().st_mtime > time.time() - (time.monotonic() - started) - 5, (
            f"{path} is not from this run")
    assert not list((grace / "files").rglob("*.pt")), "Grace has generators of her own"

    # 4. the teacher hands Ada's generators to the class; Grace loads them, trains nothing
    (teacher_models / "smoke").mkdir()
    for path in sorted((ada / "files" / "smoke").glob("*.pt")):
        shutil.copy2(path, teacher_models / "smoke" / path.name)
    set_writable(teacher_models, False)
    models_before = listing(teacher_models)
    grace_cells, left_out = notebook_cells(grace, train=False)
    if left_out:
        print(f"left out of Grace's run (hp.train = False, nothing of her own to read back): "
              f"{', '.join(left_out)}")
    grace_run = asyncio.run(run_learner(hub, "grace", f"{COURSE}/{NOTEBOOK}", grace_cells))
    report("Grace's notebook 03 with hp.train = False", [grace_run])
    assert grace_run.error is None, f"grace: {grace_run.error}"
    printed = "".join(grace_run.texts)
    assert "Exercise 3.a: not yet" in printed, "Grace's unanswered 3.a did not get its verdict"
    for output in OUTPUTS:
        assert f"loaded the generator from {teacher_models / 'smoke' / output}" in printed, (
            f"Grace's notebook did not load {output} from the teacher's folder")
    assert not list((grace / "files").rglob("*.pt")), "hp.train = False saved a generator"
    changed = differences(models_before, listing(teacher_models))
    assert not changed, (f"a learner wrote to the teacher's models folder {teacher_models}:\n"
                         + "\n".join(changed))
    changed = differences(shared_before, listing(shared_data))
    assert not changed, (f"the learners wrote to the shared data folder {shared_data}:\n"
                         + "\n".join(changed))

    # 5. the teacher's table: Ada passed 3.a, neither passed 3.4, nothing else tried
    output, table = progress_table(*(classroom / name for name in LEARNERS))
    print(output, end="")
    untried = dict.fromkeys(set(table["ada"]) - {"3.a", "3.4"}, "-")
    assert table == {"ada": {**untried, "3.a": "+", "3.4": "x"},
                     "grace": {**untried, "3.a": "x", "3.4": "x"}}, output
    print(f"the whole class took {time.monotonic() - began:.0f} s")
