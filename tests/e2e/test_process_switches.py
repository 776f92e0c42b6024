"""The memory switch (``speed.keep_freed_memory``), each probe in a fresh Python process: it
changes no result, and it changes how many fresh pages large tensors fault in."""

import subprocess
import sys

import pytest

KEEP_FREED_MEMORY_PROBE = """
import resource, sys, torch
from gan_helpers import models, training
from gan_helpers.course import speed
if sys.argv[1] == "keep":
    print(speed.keep_freed_memory())
if sys.argv[1] == "handed back":
    print(speed.keep_freed_memory(True) and speed.keep_freed_memory(False))
torch.manual_seed(0)
G = models.conditional_generator(features=4, image_size=64)
C = models.wgan_critic(features=4, image_size=64)
real, labels = torch.rand(8, 3, 64, 64) * 2 - 1, torch.eye(2).repeat(4, 1)
stats = training.wgan_gp_step(G, C, real, labels, g_optimizer=torch.optim.Adam(G.parameters()),
                              d_optimizer=torch.optim.Adam(C.parameters()), latent_size=100)
print([round(v.item(), 8) for v in stats.values()])
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    torch.ones(2 ** 24).sum()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="keep_freed_memory acts on glibc, Linux's C library")
def test_keep_freed_memory_reuses_pages_and_changes_no_result():
    """Each in a fresh process: the same WGAN-GP step gives the same losses, and ten 64 MB tensors
    made one after another fault in far fewer fresh pages."""
    def probe(mode):
        run = subprocess.run([sys.executable, "-c", KEEP_FREED_MEMORY_PROBE, mode],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        return run.stdout.split("\n")

    plain, kept = probe("plain"), probe("keep")
    assert kept[0] == "True"
    assert kept[1] == plain[0]  # the losses, to the last digit
    faults_plain, faults_kept = int(plain[1]), int(kept[2])
    assert faults_plain >= 10  # each 64 MB tensor: fresh pages (4 KB each; 2 MB with huge pages)
    assert faults_kept < faults_plain / 10, (faults_kept, faults_plain)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_handing_memory_back_restores_the_defaults():
    """Kept, then handed back: large blocks go back to the system again, so each fresh 64 MB
    tensor faults in fresh pages as without the switch."""
    run = subprocess.run([sys.executable, "-c", KEEP_FREED_MEMORY_PROBE, "handed back"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    handed_back, _, faults = run.stdout.split("\n")[:3]
    assert handed_back == "True"
    assert int(faults) >= 10, faults
