"""Each app's api.py: what it declares exists, and other apps reach the app through nothing else."""

import ast
import importlib
from pathlib import Path

import pytest

APPS = ["catalog", "credit", "commitments", "verification", "complaints"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("app", APPS)
def test_every_name_an_api_declares_is_there(app):
    api = importlib.import_module(f"{app}.api")
    missing = [name for name in api.__all__ if not hasattr(api, name)]
    assert missing == []


def _imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


@pytest.mark.parametrize("app", APPS)
def test_no_other_app_imports_anything_of_it_but_its_api(app):
    offending = []
    for other in APPS:
        if other == app:
            continue
        for path in (ROOT / other).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for module, names in _imported_modules(path):
                if module == app and all(name == "api" for name in names):
                    continue
                if module == app or (module.startswith(app + ".") and module != f"{app}.api"):
                    offending.append(f"{path.relative_to(ROOT)}: {module} {names}")
    assert offending == []


def test_verification_tells_credit_of_a_false_finding_only_through_commitments():
    source = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "verification" / "services").glob("*.py")))
    assert "record_false_commitment" not in source and "record_commitment_outcome" not in source
    assert "commitments.record_false_finding(" in source
