"""Serve trytond's WSGI app on 127.0.0.1:<free port> for the browser tests.

Usage: python -m trytond.modules.stocktake_mobile.tests.serve <database> [port]
Prints the port on the first line of stdout, then serves until killed.
A port given serves there again (a test stopping and restarting the server:
the page's origin, its service worker and IndexedDB stay the same).
"""
import logging
import sys

from werkzeug.serving import make_server


def main(database, port=0):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    from trytond.wsgi import app

    import trytond.modules.stocktake_mobile  # noqa: F401 (registers routes)
    Pool.start()
    # Like `trytond -d <db>`: load the pool before the first request
    with Transaction().start(database, 0, readonly=True):
        Pool(database).init()
    logging.getLogger('werkzeug').setLevel(logging.WARNING)
    server = make_server('127.0.0.1', int(port), app, threaded=True)
    print(server.port, flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main(*sys.argv[1:3])
