"""Benchmark (run by `make bench`, not timed assertions): letter PDF render time per page, in-process."""

import re
import shutil
import statistics
import subprocess
import time

import pytest

from commitments import letters
from tests.commitments.conftest import (  # noqa: F401 (fixtures)
    _media,
    accepted,
    catalogue_staff,
    published,
    ready,
    service,
    sign,
    start,
    submitted,
)

pytestmark = pytest.mark.django_db


def harfbuzz_subsetting() -> bool:
    """WeasyPrint subsets fonts through libharfbuzz-subset when it loaded it (otherwise fontTools: slow)."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return bool(harfbuzz_subset) and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def page_count(content: bytes) -> int:
    if not shutil.which("pdfinfo"):
        return 1
    out = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))


def test_letter_render_median_ms_per_page(accepted):  # noqa: F811
    commitment = accepted.commitments.first()
    letters.render(commitment)  # warm up: fonts, fontconfig
    timings, pages = [], 0
    for _ in range(10):
        t = time.perf_counter()
        content = letters.render(commitment)
        timings.append((time.perf_counter() - t) * 1000)
    pages = page_count(content)
    median = statistics.median(timings)
    print(f"\n告知承诺书 PDF：中位数 {median:.0f} ms/份，{median / pages:.0f} ms/页（{pages} 页），"
          f"HarfBuzz 字体子集化：{'已启用' if harfbuzz_subsetting() else '未启用（请安装 libharfbuzz-subset0）'}")
