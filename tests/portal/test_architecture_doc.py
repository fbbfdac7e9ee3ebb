"""docs/architecture.md's "where does X live" table names files, functions and tests that exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _rows():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Where does X live", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| (.+?) \| `([^`]+)` \| `([^`]+)` \| `([^`]+)` \|$", section, re.M)


def test_the_where_does_x_live_table_names_functions_and_tests_that_exist():
    rows = _rows()
    assert len(rows) >= 20
    for rule, path, function, test in rows:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^def {re.escape(function)}\(", source, re.M), f"{rule}: no {function}() in {path}"
        assert (ROOT / test).is_file(), f"{rule}: {test} does not exist"
