"""Queueing a Celery task by its registered name.

A service that queues its own app's task would import ``tasks``, which imports the service: a
circle. Naming the task instead keeps the dependency one way (tasks → services), and lets an app
queue a task of an app to its right without importing it (``verification.plan_application``).
"""

from celery import current_app


def enqueue(task_name: str, *args):
    """``delay`` the task registered as ``task_name`` (eager where Celery runs tasks eagerly)."""
    task = current_app.tasks.get(task_name)
    if task is None:
        current_app.loader.import_default_modules()  # registers every app's tasks (autodiscovery)
        task = current_app.tasks.get(task_name)
    if task is None:  # not registered in this process: let the broker route it to a worker that has it
        return current_app.send_task(task_name, args=list(args))
    return task.delay(*args)
