"""The README's two set-up commands are the ones CI and users run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_ci_runs_exactly_the_readme_test_command():
    blocks = _bash_blocks((ROOT / "README.md").read_text())
    test_commands = [b for b in blocks if "pytest" in b]
    assert len(test_commands) == 1, "README must give exactly one test command"
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_commands[0] in ci_lines


def test_readme_main_job_uses_only_existing_commands():
    from typer.main import get_command

    from matchday.cli import app

    commands = set(get_command(app).commands)
    main_job = next(b for b in _bash_blocks((ROOT / "README.md").read_text()) if "pytest" not in b)
    used = re.findall(r"matchday (\w+)", main_job)
    assert used and set(used) <= commands
