"""What other apps may use of verification (核查): the one door into ``verification``.

Complaints turns a report of a false commitment into a verification task and reads the task's state.
"""

from .models import VerificationTask
from .services import open_task_for_report

__all__ = ["VerificationTask", "open_task_for_report"]
