"""The fake Kingdee ERP of the demo: posted to at build time, served beside
trytond by `make demo` (serve.py), on a fixed loopback port the demo's ERP
endpoint points to.

At build time the outbox of the live days is posted once by the addon's own
worker loop (Outbox.process): receipts of mapped materials are confirmed,
those of the materials nobody mapped are refused by the ERP and become dead
letters, and the ERP answers the first postings with a server error, which
leaves them waiting for their retry.
"""
import contextlib
import socket

DEFAULT_PORT = 8765
# materials the fake knows (P000000...): more than any demo maps
FAKE_MATERIALS = 100000
RETRYABLE_FAULTS = 3
# The login the fake accepts and the demo's endpoint sends (demo only)
ACCOUNT, USERNAME, PASSWORD = 'FAKE01', 'demo', 'demo-pass-7'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def url(port):
    return f'http://127.0.0.1:{port}/k3cloud/'


def fake(port, seed=0):
    from connectors.fakes import FakeKingdee
    return FakeKingdee(port=port, seed=seed, materials=FAKE_MATERIALS,
        acct_id=ACCOUNT, username=USERNAME, password=PASSWORD)


@contextlib.contextmanager
def running(port, seed=0):
    server = fake(port, seed).start()
    try:
        yield server
    finally:
        server.stop()


def post_outbox(name, options):
    "Post the demo's outbox to a fake started for it; counts per state"
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    from .actors import on_day
    with running(options.erp_port) as server, \
            on_day(options.end_date, 23):
        server.faults.push('server_error', match='Save',
            times=RETRYABLE_FAULTS)
        with Transaction().start(name, 0) as transaction:
            Outbox = Pool().get('erp.sync.outbox')
            # a run leaves an endpoint alone after 3 failures in a row:
            # run again until nothing is left to post now
            while Outbox.process():
                pass
            counts = {}
            for record in Outbox.search([]):
                key = f'outbox_{record.state}'
                counts[key] = counts.get(key, 0) + 1
            transaction.commit()
    return counts
