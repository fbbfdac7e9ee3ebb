"""The load test's moving parts: production settings with one extra URL, the seed, the locustfile."""
