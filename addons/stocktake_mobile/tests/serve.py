"""trytond's WSGI application served on 127.0.0.1 from threads of the test
process, for the browser tests.

Why in-process: a server process per test class loaded Python, trytond and
the pool of the database again (~3 s of CPU each, 11 classes per backend);
here the threads use the pool this process already holds, as the threads
of one trytond worker do.
"""
import logging
import socket
import threading

from werkzeug.serving import make_server

from trytond.pool import Pool


def share_pool(database, source):
    """Serve `database` (a file copy of `source` on SQLite) with the model
    classes of `source`: the same modules, so the same classes"""
    if database != source and database not in Pool.database_list():
        Pool._pools[database] = Pool._pools[source]
        Pool._pool_modules[database] = Pool._pool_modules[source]


class Server:
    "Listens on the port (0: a free one) until stop()"

    def __init__(self, port=0):
        from trytond.wsgi import app

        import trytond.modules.stocktake_mobile  # noqa: F401 (its routes)
        logging.getLogger('werkzeug').setLevel(logging.WARNING)
        self._server = make_server('127.0.0.1', int(port), app, threaded=True)
        self._connections = []
        accept = self._server.process_request

        def process_request(request, client_address):
            self._connections.append(request)
            accept(request, client_address)
        self._server.process_request = process_request
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def port(self):
        return self._server.port

    def running(self):
        return self._thread.is_alive()

    def stop(self):
        """Stop listening and cut the open connections, as a server that
        went down does (a browser's kept-alive socket gets no answer)"""
        self._server.shutdown()
        self._server.server_close()
        for connection in self._connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:  # closed already
                pass
        self._connections.clear()
        self._thread.join()
