"""What verification keeps counted per agency and day (``portal.rollup``), for the supervision figures.

``task`` — verification tasks by due date and bucket: the task's state, except that a concluded task whose
local conclusion date is on or before its due date counts as ``concluded_on_time``. Whether a task is overdue
or decided depends on today, so the figures derive it when they read (due day before today), never here.
"""

from portal.rollup import Rollup

ON_TIME = "concluded_on_time"

TASKS = Rollup(
    kind="task", table="verification_verificationtask", agency="agency_id", day="due_date", timestamp=False,
    bucket=lambda d, r: (f"CASE WHEN {r}.state = 'concluded' AND {d.local_date(r + '.concluded_at')} <= {r}.due_date "
                         f"THEN '{ON_TIME}' ELSE {r}.state END"),
    watched=("state", "concluded_at"),
)
ROLLUPS = (TASKS,)
