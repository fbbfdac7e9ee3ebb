"""The production settings (``DJANGO_ENV=production``) unchanged, except one extra URL for the baseline.

``/bench/minimal/`` is a one-query Django view served through the same middleware, so the load
test can print how much each page costs over Django itself in the same run. Nothing else differs.
"""

from chengnuo.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.load.urls"
