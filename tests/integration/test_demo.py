# SPDX-License-Identifier: GPL-2.0-or-later
"""`make demo`'s script end to end against the build under test: socket
activation, a real parallel build of this project's sources through distcc,
the monitor, the per-job log lines, the stats page and the object compare.
It exits 0 only if all of that held and it stopped what it started."""
import os
import subprocess

from conftest import BUILD, TOP
from ecosystem_helpers import needs_client

pytestmark = needs_client


def test_make_demo_script(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISTCC_")}
    # TMPDIR: a failed run keeps its files, under pytest's own temp dir
    env.update({"DEMO_BUILD": BUILD, "DEMO_QUIET": "1", "TMPDIR": str(tmp_path)})
    p = subprocess.run([os.path.join(TOP, "tests/demo/demo.sh")], env=env, capture_output=True,
                       text=True, timeout=240)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out[-5000:]
    assert "demo passed" in out
    assert "byte-identical to the local build" in out
    assert "-- sample 1" in out or "finished between monitor samples" in out
    assert "kept in" not in out, "the temp dir is removed on success"
