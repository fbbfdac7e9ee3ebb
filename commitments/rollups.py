"""What the commitments app keeps counted per agency and day (``portal.rollup``), for the supervision figures.

* ``application`` — applications by the local day they were submitted (drafts, never submitted, are not counted);
* ``commitment`` — commitments by the local day they were signed and their current state.
"""

from portal.rollup import Rollup

APPLICATIONS = Rollup(
    kind="application", table="commitments_application", agency="agency_id", day="submitted_at", timestamp=True,
    bucket=lambda d, r: "''", where=lambda d, r: f"{r}.submitted_at IS NOT NULL",
)
COMMITMENTS = Rollup(
    kind="commitment", table="commitments_commitment", agency="agency_id", day="signed_at", timestamp=True,
    bucket=lambda d, r: f"{r}.state", watched=("state",),
)
ROLLUPS = (APPLICATIONS, COMMITMENTS)
