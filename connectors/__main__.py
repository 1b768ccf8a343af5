"""Command line: try a connector by hand, or run a fake.

  python -m connectors serve-fake kingdee|yonyou|sap [--port 8765] [--stock-rows N] [--fault-rate 0.2]
  python -m connectors SYSTEM --config conn.json test
  python -m connectors SYSTEM --config conn.json pull-stock [--out rows.jsonl]
  python -m connectors SYSTEM --config conn.json pull-materials
  python -m connectors SYSTEM --config conn.json push --file movements.json
  python -m connectors check SYSTEM --config conn.json [--key MOVE-123] [--kinds receipt,issue]
      read-only smoke test of a live system: what works, what is missing, what it would post

SYSTEM is kingdee, yonyou, sap or sap-soap.  conn.json holds the client's
constructor arguments; ``serve-fake --write-config FILE`` writes one for the fake.
``--set name=value`` adds or overrides one argument (value parsed as JSON if it can be).
"""
import argparse
import json
import signal
import sys
import threading

from . import CLIENTS, KINDS, RetryPolicy, make_client
from .checks import INFO, MISSING, OK, WARNING
from .errors import ConnectorError
from .redact import redact


def _progress(iterable, what, enabled):
    try:
        from tqdm import tqdm
    except ImportError:          # progress is a nicety, never a reason to fail
        return iterable
    return tqdm(iterable, desc=what, unit=" rows" if "pull" in what else " mv", file=sys.stderr,
                disable=None if enabled else True, mininterval=0.5)


def _value(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def _client(args):
    kwargs = {}
    if args.config:
        with open(args.config, encoding="utf-8") as f:
            kwargs.update(json.load(f))
    for item in args.set or ():
        name, _, value = item.partition("=")
        kwargs[name] = _value(value)
    if args.url:
        kwargs["endpoint" if args.system == "sap-soap" else "base_url"] = args.url
    if args.attempts:
        kwargs["retry"] = RetryPolicy(attempts=args.attempts)
    kwargs.pop("system", None)
    try:
        return make_client(args.system, **kwargs)
    except TypeError as exc:
        raise SystemExit("cannot build the %s client from the given settings: %s" % (args.system, exc))


def _out(path):
    return open(path, "w", encoding="utf-8") if path and path != "-" else sys.stdout


def cmd_pull(args, kind):
    client = _client(args)
    rows = client.iter_stock() if kind == "stock" else client.iter_materials()
    out, count = _out(args.out), 0
    try:
        for row in _progress(rows, "pull-" + kind, not args.no_progress):
            out.write(json.dumps(row.as_dict(), default=str, ensure_ascii=False) + "\n")
            count += 1
    finally:
        if out is not sys.stdout:
            out.close()
    print("%d %s row(s) pulled from %s" % (count, kind, args.system), file=sys.stderr)
    return 0


def _movements(path):
    text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    text = text.strip()
    if text.startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def cmd_push(args):
    client = _client(args)
    failed = 0
    for mv in _progress(_movements(args.file), "push", not args.no_progress):
        key = mv.get("key") if isinstance(mv, dict) else None
        try:
            r = client.post_movement(mv)
            line = {"key": key, "ok": True, "remote_id": r.remote_id, "number": r.number,
                    "already_existed": r.already_existed}
        except ConnectorError as exc:
            failed += 1
            line = {"key": key, "ok": False, "code": exc.code, "retryable": exc.retryable, "error": exc.message}
        print(json.dumps(line, ensure_ascii=False), flush=True)
    return 1 if failed else 0


LABELS = {OK: "OK     ", MISSING: "MISSING", WARNING: "CHECK  ", INFO: "INFO   "}


def cmd_check(args):
    """Read-only: every probe is a login or a one-row read; nothing is posted."""
    client = _client(args)
    kinds = [k for k in (args.kinds.split(",") if args.kinds else KINDS)]
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise SystemExit("unknown kinds %s; choose from %s" % (", ".join(sorted(unknown)), ", ".join(KINDS)))
    findings = client.check(kinds=kinds, key=args.key, warehouse=args.warehouse or "",
                            location=args.location or "", product=args.product or "")
    secrets = client.secrets()
    print("%s check of %s (read-only)" % (args.system, redact(client.base_url, secrets)))
    for f in findings:
        print("%s %s" % (LABELS.get(f.status, f.status), redact(f.text, secrets)))
        if f.code == "would_post" and not args.brief:
            body = json.dumps(f.params.get("body"), ensure_ascii=False, indent=2, default=str)
            print("        " + redact(body, secrets).replace("\n", "\n        "))
    missing = [f for f in findings if f.status == MISSING]
    print("%d ok, %d missing, %d to check" % (sum(f.status == OK for f in findings), len(missing),
                                               sum(f.status == WARNING for f in findings)))
    return 1 if missing else 0


def cmd_serve_fake(args):
    from .fakes import FAKES
    kinds = args.fault_kinds.split(",") if args.fault_kinds else None
    kw = dict(port=args.port, seed=args.seed, fault_rate=args.fault_rate, fault_kinds=kinds,
              hold_seconds=args.hold, stock_rows=args.stock_rows)
    fake = FAKES[args.fake](**kw).start()
    client_kw = fake.client_kwargs()
    if args.write_config:
        with open(args.write_config, "w", encoding="utf-8") as f:
            json.dump(client_kw, f, indent=2)
    print("fake %s listening on %s" % (args.fake, client_kw.get("base_url")), flush=True)
    print("client: %s" % json.dumps(client_kw), flush=True)
    if args.fake == "sap":
        print("soap: %s" % fake.soap_url, flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *a: stop.set())
    stop.wait()
    fake.stop()
    print("applied: %d movement(s), %s" % (fake.applied_total, dict(fake.faults.fired)), file=sys.stderr)
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m connectors", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="system", required=True)
    f = sub.add_parser("serve-fake", help="run a fake ERP on 127.0.0.1 until Ctrl-C")
    f.add_argument("fake", choices=("kingdee", "sap", "yonyou"))
    f.add_argument("--port", type=int, default=0, help="0 = any free port (printed)")
    f.add_argument("--stock-rows", type=int, default=30)
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--fault-rate", type=float, default=0.0, help="probability that a call is faulted")
    f.add_argument("--fault-kinds", help="comma list of server_error,rate_limit,expire,timeout,malformed,"
                                         "commit_then_fail,duplicate")
    f.add_argument("--hold", type=float, default=2.0, help="seconds a 'timeout' fault holds the answer")
    f.add_argument("--write-config", help="write the client settings for this fake to this JSON file")
    c = sub.add_parser("check", help="read-only smoke test of a live system (nothing is posted)")
    c.add_argument("target", choices=sorted(CLIENTS), metavar="SYSTEM")
    c.add_argument("--config", help="JSON file of the client's constructor arguments")
    c.add_argument("--url", help="base URL (endpoint for sap-soap)")
    c.add_argument("--set", action="append", metavar="NAME=VALUE")
    c.add_argument("--attempts", type=int, help="attempts per call before giving up (default 5)")
    c.add_argument("--key", default="MOVE-1", help="an idempotency key as the outbox would send (length check)")
    c.add_argument("--kinds", help="comma list of movement kinds to check (default all)")
    c.add_argument("--warehouse", help="warehouse / plant code for the preview")
    c.add_argument("--location", help="location / storage location code for the preview")
    c.add_argument("--product", help="material number for the preview")
    c.add_argument("--brief", action="store_true", help="do not print the bodies that would be posted")
    for system in CLIENTS:
        s = sub.add_parser(system, help="talk to %s" % system)
        s.add_argument("--config", help="JSON file of the client's constructor arguments")
        s.add_argument("--url", help="base URL (endpoint for sap-soap)")
        s.add_argument("--set", action="append", metavar="NAME=VALUE")
        s.add_argument("--attempts", type=int, help="attempts per call before giving up (default 5)")
        s.add_argument("--no-progress", action="store_true")
        ops = s.add_subparsers(dest="op", required=True)
        ops.add_parser("test", help="log in and read one record")
        for what in ("pull-stock", "pull-materials"):
            ops.add_parser(what, help="stream all rows as JSON lines").add_argument("--out", default="-")
        ops.add_parser("push", help="post movements from a JSON list or JSON-lines file").add_argument(
            "--file", required=True, help="'-' for stdin")
    args = p.parse_args(argv)
    if args.system == "serve-fake":
        return cmd_serve_fake(args)
    if args.system == "check":
        args.system = args.target
        try:
            return cmd_check(args)
        except ConnectorError as exc:
            print("error: %s" % exc, file=sys.stderr)
            return 1
    try:
        if args.op == "test":
            print(_client(args).test_connection())
            return 0
        if args.op == "push":
            return cmd_push(args)
        return cmd_pull(args, "stock" if args.op == "pull-stock" else "materials")
    except ConnectorError as exc:
        print("error: %s" % exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
