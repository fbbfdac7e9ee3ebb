"""What citizens, clerks and credit officers do over HTTP in the fault scripts."""

import re
import time
import uuid

from tests.faults.stack import PASSWORD, Client


class Timed:
    """Every request a script makes: status and seconds, to count failures and slow answers."""

    def __init__(self):
        self.calls: list[tuple[str, int | None, float]] = []

    def __call__(self, what, send):
        started = time.monotonic()
        try:
            response = send()
        except Exception:
            self.calls.append((what, None, time.monotonic() - started))
            raise
        self.calls.append((what, response.status_code, time.monotonic() - started))
        return response

    @property
    def tried(self):
        return len(self.calls)

    def failed(self, ok=(200, 302)):
        return sum(1 for _w, status, _s in self.calls if status not in ok)

    def slowest(self):
        return max((s for _w, _st, s in self.calls), default=0.0)


def sign_and_submit(client: Client, username, full_name, service_id, timed: Timed | None = None):
    """Log in, start an application, sign its commitment, submit. Returns (application id, letter number)."""
    timed = timed or Timed()
    timed("login", lambda: client.login(username))
    response = timed("start", lambda: client.post_form(f"/applications/new/?service={service_id}",
                                                       {"token": str(uuid.uuid4())}, field="token",
                                                       check_all=False))
    assert response.status_code == 302, response.text[:1500]
    app_path = response.headers["Location"]
    app_id = int(re.search(r"/applications/(\d+)/", app_path).group(1))
    page = client.get(app_path).text
    sign_path = re.search(rf"/applications/{app_id}/requirements/\d+/commit/", page).group(0)
    response = timed("sign", lambda: client.post_form(sign_path, {"full_name": full_name, "password": PASSWORD},
                                                                  field="full_name"))
    assert response.status_code == 302, response.text[:1500]
    response = timed("submit", lambda: client.post_form(app_path, action_contains="/submit/"))
    assert response.status_code == 302, response.text[:1500]
    number = re.search(r"\bCN-\d{4}-\d{6}\b", client.get(app_path).text)  # the letter number
    return app_id, number.group(0) if number else None


def accept(clerk: Client, app_id, timed: Timed | None = None):
    timed = timed or Timed()
    path = f"/desk/applications/{app_id}/"
    response = timed("accept", lambda: clerk.post_form(path, action_contains="/accept/"))
    assert response.status_code == 302, response.text[:1500]
    return response
