"""Build the course's website, offline: ``make site``, or ``python docs/site/build.py [OUT]``.

It runs no notebook. It takes what the repository holds: the executed notebooks in docs/notebooks/
(as ``make results`` left them), README.md, docs/glossary.md, docs/teaching.md, data/README.md and
bench/README.md and pretrained/README.md. It copies them into a staging folder laid out like the repository, so that their
relative links still resolve (the notebooks go to notebooks/, where their links were written
for), then Sphinx with myst-nb (``conf.py`` beside this file) writes static HTML to OUT (``site/``).
Open OUT/index.html in a browser: nothing is fetched from the network, MathJax included.

The staged copies differ from the originals in three ways:

- a notebook's widgets (slider explorers, progress bars) become what they showed when the notebook
  was saved: the sliders' values as a line of text and the picture under them, as plain outputs.
  A web page has no Python behind it, so a slider there could not move the picture anyway;
- a cell whose source is hidden (the solutions: ``metadata.jupyter.source_hidden``) gets myst-nb's
  ``hide-input`` tag: collapsed, opened with a click, as in JupyterLab;
- README's links to the executed copies (docs/notebooks/) go to the notebooks' pages, and a link
  to a folder (which a site has no page for) becomes its plain text.

Offline is checked, not hoped for: a Python audit hook refuses and records every connection (and
name lookup) that the build tries to make to anything but this machine, and the build then fails.
"""

from __future__ import annotations

import argparse
import copy
import html
import ipaddress
import json
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
NOTEBOOKS = ROOT / "docs" / "notebooks"
# the pages besides README and the notebooks, in the menu's order
PAGES = ["docs/glossary.md", "docs/teaching.md", "data/README.md", "bench/README.md",
         "pretrained/README.md"]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

# ---- offline: no connection leaves this machine while the site is built

refused: list[str] = []


def _is_local(host) -> bool:
    host = str(host).strip("[]")
    if host in ("", "localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a name that would need a lookup


def _refuse_the_network(event: str, args: tuple) -> None:
    if event == "socket.connect" and isinstance(args[1], tuple) and not _is_local(args[1][0]):
        refused.append(f"connect to {args[1]}")
    elif event == "socket.getaddrinfo" and not _is_local(args[0]):
        refused.append(f"name lookup of {args[0]}")
    else:
        return
    raise ConnectionRefusedError(f"the site is built offline: {refused[-1]} refused")


# ---- staging


def _saved_view(model_id: str, state: dict) -> list[dict]:
    """The outputs that show what a widget showed when its notebook was saved: a line of text with
    its controls (slider values, progress, labels) and the outputs of its Output widgets."""
    line, outputs = [], []

    def walk(model_id: str) -> None:
        model = state.get(model_id.removeprefix("IPY_MODEL_"))
        if model is None:
            return
        name, values = model["model_name"], model["state"]
        if name == "OutputModel":
            outputs.extend(values.get("outputs", []))
        elif name in ("HTMLModel", "LabelModel"):
            line.append(html.unescape(re.sub(r"<[^>]+>", "", values.get("value", ""))).strip())
        elif name.endswith("ProgressModel"):
            done = round(10 * values.get("value", 0) / max(values.get("max", 1), 1))
            line.append("|" + "█" * done + " " * (10 - done) + "|")
        elif "value" in values and values.get("description"):
            line.append(f"{values['description']} = {values['value']}")
        for child in values.get("children", []):
            walk(child)

    walk(model_id)
    text = " ".join(part for part in line if part)
    if outputs:  # an explorer: its sliders, then the picture under them
        text = f"sliders, as saved (run the notebook to move them):\n{', '.join(line)}"
    lines = [{"output_type": "stream", "name": "stdout", "text": text + "\n"}] if text else []
    return lines + outputs


def static_notebook(notebook: dict) -> dict:
    """A copy of an executed notebook for a web page without Python (see the module's doc)."""
    notebook = copy.deepcopy(notebook)
    widgets = notebook["metadata"].pop("widgets", {})
    state = widgets.get(WIDGET_STATE, {}).get("state", {})
    for cell in notebook["cells"]:
        if cell["metadata"].get("jupyter", {}).get("source_hidden"):
            tags = cell["metadata"].setdefault("tags", [])
            tags.append("hide-input")
        if cell["cell_type"] != "code":
            continue
        outputs = []
        for output in cell["outputs"]:
            view = output.get("data", {}).get(WIDGET_VIEW)
            outputs += _saved_view(view["model_id"], state) if view else [output]
        cell["outputs"] = outputs
    return notebook


def _write(path: Path, text: str) -> None:
    """Write only what changed, so that Sphinx rebuilds only the pages that changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _without_folder_links(markdown: str) -> str:
    """``[text](some/folder/)`` as ``text``: on GitHub such a link lists the folder, on a site it
    would lead nowhere."""
    return re.sub(r"\[([^\]]*)\]\((?![a-z]+:)[^)\s]*/\)", r"\1", markdown)


def stage(source: Path) -> None:
    """Lay out the site's sources under ``source``."""
    notebooks = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        sys.exit(f"no executed notebooks in {NOTEBOOKS}: `make results` writes them")
    for path in notebooks:
        executed = json.loads(path.read_text(encoding="utf-8"))
        _write(source / "notebooks" / path.name, json.dumps(static_notebook(executed), indent=1))
    for staged in (source / "notebooks").glob("*.ipynb"):  # one gone from docs/notebooks/
        if staged.name not in {path.name for path in notebooks}:
            staged.unlink()
    for page in PAGES:
        _write(source / page, _without_folder_links((ROOT / page).read_text(encoding="utf-8")))
    for picture in (ROOT / "docs" / "results").rglob("*"):  # what README shows and links to
        if picture.is_file():
            target = source / picture.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() or target.read_bytes() != picture.read_bytes():
                shutil.copyfile(picture, target)

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    readme = _without_folder_links(readme).replace("](docs/notebooks/", "](notebooks/")
    menu = {"Notebooks": [f"notebooks/{path.stem}" for path in notebooks],
            "Reference": [page.removesuffix(".md") for page in PAGES]}
    for caption, entries in menu.items():  # the site's menu, in course order (README: home page)
        readme += (f"\n```{{toctree}}\n:hidden:\n:caption: {caption}\n\n"
                   + "\n".join(entries) + "\n```\n")
    _write(source / "README.md", readme)


def build(out: Path, cache: Path, quiet: bool = False, strict: bool = False) -> None:
    """Stage the sources in ``cache`` and let Sphinx write the site to ``out`` (replaced);
    ``strict``: fail on any warning of Sphinx (a link to nowhere, a missing picture)."""
    from sphinx.cmd.build import build_main

    sys.addaudithook(_refuse_the_network)
    stage(cache / "source")
    # myst-nb writes beside the HTML folder (jupyter_execute/), so Sphinx writes into the cache
    html_dir = cache / "html"
    args = ["-b", "html", "-c", str(HERE), "-d", str(cache / "doctrees"), "--keep-going",
            *(["-q"] if quiet else []), *(["-W"] if strict else []),
            str(cache / "source"), str(html_dir)]
    status = build_main(args)
    if refused:
        sys.exit("the build tried to reach the network, which a site built offline must not:\n  "
                 + "\n  ".join(dict.fromkeys(refused)))
    if status:
        sys.exit(f"sphinx-build failed ({status})")
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(html_dir, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "site",
                        help="the folder to write the site to (replaced; default: site/)")
    parser.add_argument("--cache", type=Path, default=ROOT / ".site-cache",
                        help="staged sources and Sphinx's cache (default: .site-cache/)")
    parser.add_argument("--quiet", action="store_true", help="only warnings and errors")
    parser.add_argument("--strict", action="store_true", help="fail on any warning")
    options = parser.parse_args()
    start = time.perf_counter()
    build(options.out.resolve(), options.cache.resolve(), options.quiet, options.strict)
    size = sum(path.stat().st_size for path in options.out.rglob("*") if path.is_file())
    print(f"site built in {time.perf_counter() - start:.0f} s: {options.out}/index.html "
          f"({size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
