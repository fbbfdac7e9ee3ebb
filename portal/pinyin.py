"""Finding a name by what a person types (拼音首字母检索): characters of the name, or the initials of
its pinyin — “lssw” finds 律师事务所设立许可, as Chinese search boxes do."""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=4096)
def initials(name: str) -> str:
    """律师事务所 → ``lsswsj``-style lower-case initials; letters and digits in the name are kept."""
    return "".join(p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")).lower()


def matches(name: str, query: str) -> bool:
    query = "".join(query.split()).lower()
    if not query:
        return True
    return query in name.lower() or (query.isascii() and query in initials(name))
