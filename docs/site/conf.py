"""Sphinx settings of the course's website; ``docs/site/build.py`` (``make site``) stages the
sources and runs Sphinx with them. Everything the pages load comes with the site: the theme's
files from its wheel, MathJax from the PyPI package sphinx-mathjax-offline."""

import importlib
import shutil
from pathlib import Path

project = "GANs, hands-on, in PyTorch"
html_title = "GANs, hands-on, in PyTorch"
author = "the course's authors"
root_doc = "README"  # the home page; index.html sends the browser there

extensions = ["myst_nb"]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3  # README.md#troubleshooting and the like resolve

# the notebooks as `make results` executed them: never run again here
nb_execution_mode = "off"
nb_merge_streams = True
nb_ipywidgets_js = {}  # build.py turns widgets into plain outputs; no widget JavaScript from a CDN

# MathJax 3 from the site itself, not from a CDN (Sphinx's default)
mathjax_path = "mathjax/tex-chtml.js"

html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": False,  # it offers the sources, which the site leaves out
    # no top bar: with pydata-sphinx-theme 0.20 it shows a second search field over the menu and
    # its hidden sidebar buttons take the clicks of the visible ones (sphinx-book-theme #986, #999)
    "navbar_persistent": [],
}
html_context = {"default_mode": "light"}  # else the theme's script logs an error on a first visit
html_copy_source = False
html_show_sourcelink = False
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_additional_pages = {"index": "redirect.html"}


def copy_mathjax(app, error):
    """MathJax's TeX-to-HTML bundle, its fonts and what it loads on demand (extensions, menu,
    accessibility), into _static/mathjax/."""
    if error is None:
        package = Path(importlib.import_module("sphinx-mathjax-offline").__file__).parent
        shutil.copytree(package / "static" / "mathjax", Path(app.outdir, "_static", "mathjax"),
                        dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*svg*", "mml-*.js", "tex-mml-*.js",
                                                      "tex-chtml-full*.js", "node-main.js"))


def setup(app):
    app.connect("build-finished", copy_mathjax)
