"""What other apps may use of complaints (12345 投诉举报): nothing yet.

Complaints sits at the right end of the apps; only the project's composition (``portal``: demo,
reminders, supervision) reads it. Anything an app needs from here one day is re-exported below.
"""

__all__: list[str] = []
