"""`import matchday` stays light: the heavy libraries load only where they are used."""

from __future__ import annotations

import subprocess
import sys


def test_import_is_light():
    code = ("import sys, matchday, matchday.cli; "
            "heavy = [m for m in ('pandas', 'duckdb', 'matplotlib', 'scipy') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"imported at start-up: {out}"
