"""A loopback server that answers vendor sample files verbatim, to test the parsers.

    with Replay({"ValidateUser": sample("kingdee", "login_validateuser_7.1_null_sid.json")}) as r:
        client = KingdeeClient(r.url, ...)

Routes match on a substring of the path; each answer is (status, body, headers)
or a body (200).  Requests are recorded (``r.requests``) so tests can read what
the client sent.
"""
import json

from connectors.fakes import samples
from connectors.fakes.base import FakeServer, Response, Route


def sample(system, name):
    """The published file's text, byte for byte as stored (not re-serialised)."""
    import os
    with open(os.path.join(samples.DIR, system, name), encoding="utf-8") as f:
        return f.read()


class Replay(FakeServer):
    system = "replay"

    def __init__(self, routes, **kw):
        super().__init__(**kw)
        self.routes = routes
        self.requests = []

    @property
    def url(self):
        return self.root_url + "/"

    def route(self, req):
        for part, answer in self.routes.items():
            if part in req.path:
                return Route(part, lambda r, a=answer: self._answer(r, a))
        return Response(404, b"no route", content_type="text/plain")

    def _answer(self, req, answer):
        self.requests.append(req)
        if callable(answer):
            answer = answer(req)
        status, body, headers = answer if isinstance(answer, tuple) else (200, answer, [])
        if not isinstance(body, (str, bytes)):
            body = json.dumps(body, ensure_ascii=False)
        return Response(status, body, headers)
