"""Real file systems for the tests that need a disk to fail for real (a test kit, not part of the package)."""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def tmpfs(where: Path, options: str) -> Iterator[Path]:
    """A real tmpfs mounted at ``where`` with mount ``options`` (``size=64k``, ``ro``), the test skipped where
    mounting is not permitted (not root); unmounted after, lazily if something still holds it (a store the CLI
    left open is closed only when it is collected)."""
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if sys.platform != "linux" or mount is None or umount is None:
        pytest.skip("needs Linux mount")
    where.mkdir()
    done = subprocess.run([mount, "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        gc.collect()
        if subprocess.run([umount, str(where)], capture_output=True).returncode:
            subprocess.run([umount, "-l", str(where)], check=False)
