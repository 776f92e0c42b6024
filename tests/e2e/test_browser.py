"""The course as a learner sees it: JupyterLab in a real browser (Chromium, driven by Playwright).

Starts JupyterLab on a free localhost port with a token, opens notebook 04 in the ``smoke`` profile,
runs all its cells from the Run menu, drags the seed slider of the latent explorer, and checks that
the picture under the sliders changed. Screenshots go to ``test-artifacts/browser/``.

Skipped, with the reason, where Playwright or Debian's Chromium (``/usr/bin/chromium``) is missing;
``.ci/run`` installs Chromium and sets ``GAN_REQUIRE_BROWSER=1``, which turns that skip into a
failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

from support import ROOT, free_port

ARTIFACTS = ROOT / "test-artifacts" / "browser"
NOTEBOOK = "04_fashion_mnist_gan.ipynb"
@pytest.fixture
def jupyterlab(tmp_path):
    """JupyterLab serving a copy of the notebook (so that autosave never touches the course's file).
    """
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, tmp_path / NOTEBOOK)
    # every cell in the page (JupyterLab 4 leaves cells out of view unrendered), and no news prompt
    for plugin, setting in (("notebook-extension/tracker", {"windowingMode": "none"}),
                            ("apputils-extension/notification", {"fetchNews": "false"})):
        path = tmp_path / "settings" / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(setting))
    port, token = free_port(), uuid.uuid4().hex
    env = {**os.environ, "GAN_PROFILE": "smoke",
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    log = open(tmp_path / "jupyterlab.log", "w")  # noqa: SIM115 (open while the server runs)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}", "--allow-root",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            if server.poll() is not None:
                logged = (tmp_path / "jupyterlab.log").read_text()
                pytest.fail(f"JupyterLab exited ({server.returncode}):\n{logged}")
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not answer on port {port} within 60 s")
        yield f"{base}/lab/tree/{NOTEBOOK}?token={token}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def picture_id(src: str | None) -> str:
    """A short fingerprint of an image's data URL, so that a failure prints 12 characters, not the
    PNG."""
    return hashlib.sha1((src or "").encode()).hexdigest()[:12]


def explorer_image(page):
    """The picture that the latent explorer (the first ipywidgets ``interactive`` of the notebook)
    shows."""
    return page.locator(".widget-interact").first.locator("img").first


def test_moving_a_slider_changes_the_picture(browser, jupyterlab):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(jupyterlab)
    page.locator(".jp-Notebook").wait_for()
    page.locator("#jp-main-statusbar", has_text="| Idle").wait_for()  # the kernel has started

    # Run > Run All Cells, as a learner does; if JupyterLab asks which kernel, take the one it
    # offers
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_timeout(2_000)
    if page.locator(".jp-Dialog", has_text="Select Kernel").count():
        page.locator(".jp-Dialog .jp-mod-accept").click()
    image = explorer_image(page)
    try:
        image.wait_for(state="attached", timeout=300_000)  # all cells above the explorer have run
    except Exception:
        page.screenshot(path=ARTIFACTS / "0-no-explorer.png", full_page=True)
        raise
    image.scroll_into_view_if_needed()
    before = picture_id(image.get_attribute("src"))
    page.screenshot(path=ARTIFACTS / "1-explorer-before.png")

    # drag the seed slider's handle to the right
    seed_slider = page.locator(".widget-interact").first.locator(".widget-slider", has_text="seed")
    handle = seed_slider.locator(".noUi-handle")
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    seed_value = seed_slider.locator(".widget-readout").inner_text()

    deadline = time.monotonic() + 60
    after = before
    while time.monotonic() < deadline and after == before:
        page.wait_for_timeout(250)
        if explorer_image(page).count():
            after = picture_id(explorer_image(page).get_attribute("src"))
    explorer_image(page).scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "2-explorer-after.png")
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert seed_value != "0", "dragging the seed slider did not move it"
    assert after != before, (f"the explorer's picture did not change within 60 s of moving the "
                             f"seed slider to {seed_value} (screenshots in {ARTIFACTS}); stderr "
                             f"in the notebook: {errors.all_inner_texts()[:3]}")
    page.close()
