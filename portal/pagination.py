"""Pages of a list that can grow to a city's size (分页：上限计数).

Django's ``Paginator`` counts every row of the list to number its pages: for a window desk with a
million applications that count is the page's only cost that grows with the data (≈ 70 ms at 1M,
docs/performance.md). ``CappedPaginator`` counts at most ``cap`` + 1 rows (``SELECT COUNT(*) FROM
(… LIMIT cap + 1)``, served from the index the list is ordered by), so a page costs the same at 10,000
rows as at 1,000,000. Past the cap the page numbers stop and the page says "more than …": nobody pages
through 50 pages of a desk; they search or filter.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from portal.conf import setting


def count_cap() -> int:
    """LIST_COUNT_CAP: how many rows such a list counts before it says "more than" (default 1,000)."""
    return int(setting("LIST_COUNT_CAP", "1000"))


class CappedPaginator(Paginator):
    """A paginator whose ``count`` stops at ``cap``; ``capped`` tells the template there are more."""

    def __init__(self, object_list, per_page, *, cap=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap or count_cap()

    @cached_property
    def _counted(self) -> int:
        # Slicing a queryset before count() makes Django count over a LIMITed subquery.
        head = self.object_list[: self.cap + 1]
        return head.count() if hasattr(head, "query") else len(head)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self._counted > self.cap
