"""The benchmark script still runs end to end; its figures are not checked, only its shape."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "scripts" / "bench.py"
STAGES = ("load+validate", "convert", "load+validate+convert", "feeds", "mkdocs build")


def test_bench_reports_every_stage() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "-n", "30"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    for stage in STAGES:
        row = re.search(rf"^{re.escape(stage)}\s+30\s+(\d+\.\d+)\s", done.stdout, re.MULTILINE)
        assert row, f"no row for {stage!r} at N=30 in:\n{done.stdout}"
        assert float(row.group(1)) > 0
