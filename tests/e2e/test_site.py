"""The course's website (``make site``, docs/site/): built offline, then read offline in a browser.

Builds the site into a temporary folder with ``docs/site/build.py --strict`` (a Sphinx warning,
such as a link to nowhere, fails it; the build itself refuses any connection off this machine)
and checks that the notebooks' pages show the outputs stored in docs/notebooks/ (nothing is run
again). Then serves it on 127.0.0.1 and opens every page in Debian's Chromium through Playwright.
Every request the pages make is recorded; one to an address outside loopback is aborted and fails
the test. Each page must also have its math typeset by MathJax, every picture loaded, every
internal link and anchor leading somewhere, no error in the console, no widget left unrendered;
the notebooks' pages must keep their solutions collapsed and their code highlighted, and the menu
must list the notebooks in course order. A screenshot of each page goes to
``test-artifacts/site/``, with ``requests.json``, the request log.

The browser part is skipped, with the reason, where Playwright or Chromium is missing;
``GAN_REQUIRE_BROWSER=1`` (``.ci/run`` sets it once Chromium is there) turns that skip into a
failure. The build part always runs.
"""

from __future__ import annotations

import functools
import html
import ipaddress
import json
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from support import ROOT

# as in test_browser.py: Debian's Chromium, without background connections or a sandbox
ARTIFACTS = ROOT / "test-artifacts" / "site"
NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, built by ``make site``'s script into a temporary folder."""
    folder = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "site" / "build.py"), str(folder / "site"),
         "--cache", str(folder / "cache"), "--quiet", "--strict"],
        capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, f"the site's build failed:\n{built.stdout}\n{built.stderr}"
    return folder / "site"


def first_printed_line(notebook: Path) -> str:
    """The first line that the executed notebook printed, as stored in it."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        for output in cell.get("outputs", []):
            if output["output_type"] == "stream" and "".join(output["text"]).strip():
                return "".join(output["text"]).strip().splitlines()[0]
    raise AssertionError(f"{notebook.name} printed nothing")


def test_the_site_has_every_page_with_the_stored_outputs(site):
    pages = {path.relative_to(site).as_posix() for path in site.rglob("*.html")}
    expected = {"index.html", "README.html", "docs/glossary.html", "docs/teaching.html",
                *(f"notebooks/{notebook.stem}.html" for notebook in NOTEBOOKS)}
    assert expected <= pages
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    for notebook in NOTEBOOKS:  # what `make results` printed, not a new run's output
        page = (site / "notebooks" / f"{notebook.stem}.html").read_text(encoding="utf-8")
        assert html.escape(first_printed_line(notebook), quote=False) in page, notebook.name


@pytest.fixture(scope="module")
def server(site):
    """The site served on 127.0.0.1 (a free port), as ``python -m http.server`` would."""
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=site))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# what each page reports once loaded and typeset
PAGE_REPORT = """() => {
    const math = [...document.querySelectorAll('.math')];
    return {
        math: math.length,
        typeset: math.filter(m => m.querySelector('mjx-container')).length,
        math_errors: document.querySelectorAll('mjx-merror').length,
        images: document.images.length,
        broken_images: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))
                                           .map(i => i.src),
        links: [...document.querySelectorAll('a[href]')].map(a => a.href),
        ids: [...document.querySelectorAll('[id]')].map(e => e.id)
             .concat([...document.querySelectorAll('a[name]')].map(a => a.name)),
        widgets_left: document.querySelectorAll(
            'script[type="application/vnd.jupyter.widget-view+json"], .jupyter-widgets').length,
        collapsed: document.querySelectorAll('details.above-input:not([open])').length,
        opened: document.querySelectorAll('details.above-input[open]').length,
        highlighted: document.querySelectorAll('div.highlight pre span.k').length,
        menu: [...document.querySelectorAll('.bd-sidebar-primary a.reference.internal')]
              .map(a => a.getAttribute('href')),
    };
}"""

# every picture, offscreen ones included, loaded or failed; then MathJax done typesetting
SETTLE = """async () => {
    for (const image of document.images) image.loading = 'eager';
    await Promise.all([...document.images].map(i => i.complete ? null :
        new Promise(done => { i.onload = i.onerror = done; })));
    if (document.querySelector('.math')) {
        while (!(window.MathJax && MathJax.startup && MathJax.startup.promise))
            await new Promise(done => setTimeout(done, 50));
        await MathJax.startup.promise;
    }
}"""


def hidden_sources(notebook: Path) -> int:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(bool(cell["metadata"].get("jupyter", {}).get("source_hidden")) for cell in cells)


def has_math(notebook: Path) -> bool:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return any(cell["cell_type"] == "markdown" and "$" in "".join(cell["source"])
               for cell in cells)


def test_every_page_reads_offline_with_math_pictures_and_links(site, server, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests, refused, problems, reports = [], [], [], {}

    def guard(route):  # the offline proof: only this machine answers
        if is_loopback(route.request.url):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    context.on("request", lambda request: requests.append(request.url))
    pages = sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html")
                   if not path.relative_to(site).parts[0].startswith("_"))  # the theme's parts
    for name in pages:
        page = context.new_page()

        def console(message, name=name):
            if message.type == "error":
                problems.append(f"{name}: console error: {message.text}")

        page.on("console", console)
        page.on("pageerror", lambda error, name=name: problems.append(f"{name}: {error}"))
        page.on("websocket", lambda socket: refused.append(socket.url))
        page.goto(server + name, wait_until="load")
        if name == "index.html":  # it sends the browser to the home page
            page.wait_for_url("**/README.html")
        page.evaluate(SETTLE)
        page.wait_for_load_state("networkidle")
        reports[name] = report = page.evaluate(PAGE_REPORT)
        page.screenshot(path=ARTIFACTS / (name.replace("/", "_").removesuffix(".html") + ".png"),
                        full_page=True)
        page.close()
        if report["typeset"] != report["math"] or report["math_errors"]:
            problems.append(f"{name}: {report['typeset']} of {report['math']} formulas typeset, "
                            f"{report['math_errors']} with TeX errors")
        problems.extend(f"{name}: picture did not load: {src}" for src in report["broken_images"])
        if report["widgets_left"]:
            problems.append(f"{name}: {report['widgets_left']} widgets left for JavaScript")
    context.close()

    requests = [url for url in requests if not url.startswith(("data:", "blob:"))]
    outside = [url for url in requests if not is_loopback(url)]
    summary = {"pages": len(pages), "requests": len(requests),
               "to loopback": len(requests) - len(outside),
               "outside loopback": len(set(outside + refused))}
    (ARTIFACTS / "requests.json").write_text(json.dumps(
        {"summary": summary, "refused": refused, "requests": requests}, indent=1))
    print(f"site request log: {summary}")
    assert not outside and not refused, (f"requests left the machine: {set(outside + refused)}")

    # every internal link leads to a file of the site, and its #anchor to an id on that page
    ids = {name: set(report["ids"]) for name, report in reports.items()}
    for name, report in reports.items():
        for link in set(report["links"]):
            if not link.startswith(server):
                continue
            path, _, anchor = unquote(link.removeprefix(server)).partition("#")
            path = path.split("?")[0] or "index.html"
            if path.endswith("/"):
                path += "index.html"
            if not (site / path).is_file():
                problems.append(f"{name}: link to a missing page: {link}")
            elif anchor and path in ids and anchor not in ids[path]:
                problems.append(f"{name}: link to a missing anchor: {link}")

    for notebook in NOTEBOOKS:
        report = reports[f"notebooks/{notebook.stem}.html"]
        if (report["collapsed"], report["opened"]) != (hidden_sources(notebook), 0):
            problems.append(f"{notebook.stem}: {report['collapsed']} collapsed and "
                            f"{report['opened']} open hidden cells, for "
                            f"{hidden_sources(notebook)} solutions")
        if not report["highlighted"]:
            problems.append(f"{notebook.stem}: no highlighted code")
        if has_math(notebook) and not report["math"]:
            problems.append(f"{notebook.stem}: its markdown has math, its page none")
        if not report["images"]:
            problems.append(f"{notebook.stem}: no pictures")
    menu = [href for href in reports["README.html"]["menu"] if href.startswith("notebooks/")]
    assert menu == [f"notebooks/{notebook.stem}.html" for notebook in NOTEBOOKS], menu
    for page in ("docs/glossary.html", "docs/teaching.html"):
        assert page in reports["README.html"]["menu"], f"{page} is not in the menu"
    assert sum(report["math"] for report in reports.values()) > 0
    assert not problems, "\n".join(problems)
