"""Child process of test_crash: push a batch of movements, one line per result.

Usage: crash_pusher.py SYSTEM CLIENT_KWARGS_JSON BATCH_JSON_FILE
Waits for one line on stdin before starting, so the parent can arm its kill
hook first.  The parent SIGKILLs it mid-batch, then runs it again to the end.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import requests  # noqa: E402

from connectors import RetryPolicy, make_client  # noqa: E402


def main():
    system, kwargs, batch_file = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    session = requests.Session()
    session.trust_env = False               # loopback only, never through a proxy
    client = make_client(system, retry=RetryPolicy.no_wait(attempts=8), timeout=(2.0, 10.0),
                         session=session, **kwargs)
    with open(batch_file, encoding="utf-8") as f:
        moves = json.load(f)
    sys.stdin.readline()                    # "go"
    for mv in moves:
        result = client.post_movement(mv)
        print(json.dumps({"key": mv["key"], "already_existed": result.already_existed}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
