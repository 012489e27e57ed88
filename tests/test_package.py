"""Package-wide properties: `import matchday` stays light (the heavy libraries load only where they are
used); layers import only downwards; no two modules import each other."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path


def test_import_is_light():
    code = ("import sys, matchday, matchday.cli; "
            "heavy = [m for m in ('pandas', 'duckdb', 'matplotlib', 'scipy') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"imported at start-up: {out}"


# --------------------------------------------------------------------------------------- layering

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "matchday"
LAYERS = ("data", "rules", "models", "forecast", "simulate", "decide")
TOP = ("evaluate", "workflows", "reports", "cli")  # read every layer; nothing in LAYERS imports them
#: The one reference upwards: ScoreGrid's market methods call forecast/markets.py (pure NumPy, importing
#: nothing of matchday) when a market is asked for, so each market is computed in one place.
ALLOWED_UPWARD = {("matchday.models.grid", "matchday.forecast.markets")}


def _module_imports() -> dict[str, set[str]]:
    """Every matchday import (module level, inside functions, type-only) of every module, by module."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        name = "matchday." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        name = name.removesuffix(".__init__")
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("matchday"):
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("matchday")}
        modules[name] = found
    return modules


def _layer(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_layers_import_only_their_own_layer_and_the_ones_below():
    upward = []
    for module, imports in _module_imports().items():
        layer = _layer(module)
        if layer not in LAYERS:
            continue
        for target in imports:
            other = _layer(target)
            above = other in TOP or (other in LAYERS and LAYERS.index(other) > LAYERS.index(layer))
            if above and (module, target) not in ALLOWED_UPWARD:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_no_import_cycle_between_modules():
    imports = _module_imports()

    def resolve(target: str) -> str:
        while target not in imports and "." in target:
            target = target.rsplit(".", 1)[0]
        return target

    graph = {m: {resolve(t) for t in ts} - {m} for m, ts in imports.items()}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    cycle: list[str] = []

    def visit(module: str, path: list[str]) -> bool:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycle.extend(path + [module, target])
                return True
            if state.get(target) is None and visit(target, path + [module]):
                return True
        state[module] = 2
        return False

    for module in sorted(graph):
        if state.get(module) is None and visit(module, []):
            break
    assert cycle == []


def test_decide_never_opens_the_store():
    """decide takes frames and fitted models from its callers (workflows.py reads the store for them)."""
    users = [m for m, imports in _module_imports().items()
             if m.startswith("matchday.decide") and "matchday.data.store" in imports]
    assert users == []
