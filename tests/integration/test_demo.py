# SPDX-License-Identifier: GPL-2.0-or-later
"""`make demo`'s script end to end against the build under test: socket
activation, a real parallel build of this project's sources through distcc,
the monitor, the per-job log lines, the stats page and the object compare,
then the same build in pump mode (objects compared again, client CPU of
both shown). It exits 0 only if all of that held and it stopped what it
started."""
import os
import shutil
import subprocess
import tempfile

from conftest import BUILD, TOP
from ecosystem_helpers import needs_client

pytestmark = needs_client


def test_make_demo_script():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISTCC_")}
    # TMPDIR: one the daemon's unprivileged user can traverse (pytest's own
    # tmp_path is under a 0700 directory); removed however the run ends
    tmp = tempfile.mkdtemp(prefix="distcc-demo-test-")
    os.chmod(tmp, 0o755)
    env.update({"DEMO_BUILD": BUILD, "DEMO_QUIET": "1", "TMPDIR": tmp})
    try:
        p = subprocess.run([os.path.join(TOP, "tests/demo/demo.sh")], env=env,
                           capture_output=True, text=True, timeout=600)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out[-5000:]
    assert "demo passed" in out
    assert "byte-identical to the local build" in out
    assert "pump-mode objects are byte-identical to the local build" in out
    assert "client CPU (make, distcc, local preprocessors, include server): plain" in out
    assert "-- sample 1" in out or "finished between monitor samples" in out
    assert "kept in" not in out, "the temp dir is removed on success"
