# This file is part of the factory addons.
"""Outbox of goods movements to post to the ERP.

A record is written in the transaction that makes the stock move done, so a
movement is never lost and never reported for a move that was rolled back.
Workers claim one record at a time in their own transaction (``FOR UPDATE
SKIP LOCKED`` on PostgreSQL) and keep the row lock while posting, so several
workers never post the same record at once.  If a worker dies, its
transaction rolls back and the record is claimed again; the connector looks
the document up by our key before writing, so a replay never double-posts.
"""
import datetime as dt
import json
import logging
import traceback

from sql import Null
from sql.operators import Not

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.modules.factory_stock_ext import workflow_guard
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .endpoint import KINDS
from .exceptions import EndpointError, OutboxError

logger = logging.getLogger(__name__)

STATES = [
    ('pending', "Pending"),
    ('sent', "Sent"),
    ('confirmed', "Confirmed"),
    ('failed', "Failed"),
    ]
CLAIMABLE = ('pending', 'sent')
MAX_DELAY = 24 * 60 * 60
# Consecutive failed records after which a run leaves an endpoint alone:
# the ERP is probably down, the records keep their backoff.
MAX_CONSECUTIVE_FAILURES = 3
# Claims lost to another worker's commit in a row before a run gives up
MAX_CLAIM_CONFLICTS = 50
AUTH_STOP = 'auth'


class Outbox(Workflow, ModelSQL, ModelView):
    __string__ = "ERP Outbox"
    __name__ = 'erp.sync.outbox'
    _rec_name = 'key'

    endpoint = fields.Many2One(
        'erp.sync.endpoint', "Endpoint", required=True, readonly=True,
        ondelete='RESTRICT')
    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    move = fields.Many2One(
        'stock.move', "Move", required=True, readonly=True,
        ondelete='RESTRICT')
    key = fields.Char(
        "Key", required=True, readonly=True,
        help="Idempotency key sent to the ERP.")
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    date = fields.Date("Date", required=True, readonly=True)
    payload = fields.Text("Payload", required=True, readonly=True)
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False,
        help="Sent: handed to the ERP at least once, not confirmed yet.")
    attempts = fields.Integer("Attempts", readonly=True)
    next_attempt = fields.DateTime("Next Attempt", readonly=True)
    error_code = fields.Char("Error Code", readonly=True)
    last_error = fields.Text(
        "Last Error", readonly=True,
        states={'invisible': ~Eval('last_error')})
    remote_id = fields.Char("Remote ID", readonly=True)
    remote_number = fields.Char("Remote Number", readonly=True)
    already_existed = fields.Boolean(
        "Already Existed", readonly=True,
        help="The ERP already held the document when it was posted "
        "(a replay after a lost answer).")
    sent_at = fields.DateTime("Sent at", readonly=True)
    confirmed_at = fields.DateTime("Confirmed at", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('endpoint')
        t = cls.__table__()
        cls._sql_constraints = [
            ('endpoint_move_unique', Unique(t, t.endpoint, t.move),
                'erp_sync.msg_outbox_key_unique'),
            ('endpoint_key_unique', Unique(t, t.endpoint, t.key),
                'erp_sync.msg_outbox_key_unique'),
            ]
        cls._sql_indexes.add(Index(
                t, (t.state, Index.Equality()), (t.id, Index.Range()),
                where=t.state.in_(CLAIMABLE)))
        cls._order = [('id', 'DESC')]
        cls._transitions |= {
            ('failed', 'pending'),
            }
        cls._buttons.update({
                'retry': {
                    'invisible': Eval('state') != 'failed',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state') == 'failed', 'danger',
                    If(Eval('state') == 'confirmed', 'muted', ''))),
            ]

    @staticmethod
    def default_state():
        return 'pending'

    @staticmethod
    def default_attempts():
        return 0

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        # What the ERP answered is set by the worker only
        workflow_guard.check(cls, mode, records, values, external,
            fields={'state', 'attempts', 'sent_at', 'confirmed_at',
                'remote_id', 'remote_number', 'already_existed',
                'error_code', 'last_error'})

    @classmethod
    def delete(cls, records):
        for record in records:
            raise OutboxError(gettext(
                    'erp_sync.msg_outbox_delete', record=record.rec_name))
        super().delete(records)

    @classmethod
    def copy(cls, records, default=None):
        # A copy would post the same movement under the same key again
        if records:
            raise OutboxError(gettext(
                    'erp_sync.msg_outbox_copy', record=records[0].rec_name))
        return super().copy(records, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('pending')
    def retry(cls, records):
        "Put dead letters back in the queue, as if new (same key)"
        cls.write(records, {
                'attempts': 0,
                'next_attempt': None,
                'error_code': None,
                })

    # -- writing -----------------------------------------------------------
    @classmethod
    def enqueue(cls, moves):
        "Write outbox records for the done moves of synced kinds"
        pool = Pool()
        Endpoint = pool.get('erp.sync.endpoint')
        Move = pool.get('stock.move')
        endpoints = Endpoint.for_moves({m.company.id for m in moves})
        if not endpoints:
            return []
        classified = [(m, k) for m in moves if (k := Move.erp_kind(m))]
        values = []
        for endpoint in endpoints:
            selected = [(m, k) for m, k in classified
                if m.company == endpoint.company
                and k in (endpoint.kinds or ())
                and any(endpoint.syncs_warehouse(w)
                    for w in Move.erp_warehouses(m, k))]
            if selected:
                values.extend(cls._outbox_values(endpoint, selected))
        return cls.create(values) if values else []

    @classmethod
    def _outbox_values(cls, endpoint, selected):
        Mapping = Pool().get('erp.sync.mapping')
        products = {m.product for m, _ in selected}
        locations = set()
        for move, _ in selected:
            for location in [move.from_location, move.to_location]:
                locations.add(location)
                if location.warehouse:
                    locations.add(location.warehouse)
        product_codes = Mapping.product_codes(endpoint, products)
        location_codes = Mapping.location_codes(endpoint, locations)
        for move, kind in selected:
            payload = move.erp_movement(
                kind, endpoint.key_prefix + str(move.id), product_codes,
                location_codes)
            yield {
                'endpoint': endpoint.id,
                'company': endpoint.company.id,
                'move': move.id,
                'key': payload['key'],
                'kind': kind,
                'date': move.effective_date,
                'payload': json.dumps(payload, ensure_ascii=False),
                }

    # -- posting -------------------------------------------------------------
    @classmethod
    def process_cron(cls):
        cls.process()

    @classmethod
    def process(cls, endpoints=None, limit=None):
        """Post claimable records, oldest first, one transaction each.

        Returns the number of records handled (posted or failed)."""
        endpoint_ids = [e.id for e in endpoints] if endpoints else None
        clients, failures, skipped = {}, {}, set()
        handled = conflicts = 0
        try:
            while limit is None or handled < limit:
                with Transaction().new_transaction() as transaction:
                    try:
                        record = cls._claim(endpoint_ids, skipped)
                    except backend.DatabaseOperationalError:
                        # REPEATABLE READ: the oldest row was posted by
                        # another worker after our snapshot; claim again
                        # from a fresh one.
                        transaction.rollback()
                        conflicts += 1
                        if conflicts > MAX_CLAIM_CONFLICTS:
                            raise
                        continue
                    conflicts = 0
                    if record is None:
                        break
                    endpoint = record.endpoint
                    ok = record._post(clients, endpoint)
                    record.save()
                    message = record.last_error
                    endpoint_id = endpoint.id
                    transaction.commit()
                handled += 1
                if ok == AUTH_STOP:
                    # Credentials or rights refused: retrying cannot help and
                    # every record would be refused alike. Stop posting to it
                    # and tell the supervisors (the endpoint list shows it).
                    skipped.add(endpoint_id)
                    cls._flag_endpoint(endpoint_id, message)
                    continue
                failures[endpoint_id] = 0 if ok else (
                    failures.get(endpoint_id, 0) + 1)
                if failures[endpoint_id] >= MAX_CONSECUTIVE_FAILURES:
                    skipped.add(endpoint_id)
        finally:
            for client in clients.values():
                client.close()
        return handled

    @classmethod
    def _flag_endpoint(cls, endpoint_id, message):
        Endpoint = Pool().get('erp.sync.endpoint')
        logger.warning("ERP endpoint %s refused our credentials or rights; "
            "posting to it stopped: %s", endpoint_id, message)
        try:
            with Transaction().new_transaction() as transaction:
                endpoint = Endpoint(endpoint_id)
                endpoint.attention = True
                endpoint.status = message
                endpoint.checked_at = dt.datetime.now()
                endpoint.save()
                transaction.commit()
        except backend.DatabaseOperationalError:
            pass    # another worker flagged it at the same moment

    @classmethod
    def _claim(cls, endpoint_ids, skipped):
        transaction = Transaction()
        database = transaction.database
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        now = dt.datetime.now()
        where = (table.state.in_(CLAIMABLE)
            & ((table.next_attempt == Null) | (table.next_attempt <= now)))
        if endpoint_ids is not None:
            where &= table.endpoint.in_(endpoint_ids or [-1])
        if skipped:
            where &= Not(table.endpoint.in_(list(skipped)))
        query = table.select(
            table.id, where=where, order_by=[table.id.asc], limit=1)
        if database.has_select_for():
            # Another worker holds that row: take the next one
            query.for_ = database.get_select_for_skip_locked()('UPDATE')
        cursor.execute(*query)
        row = cursor.fetchone()
        return cls(row[0]) if row else None

    def _post(self, clients, endpoint):
        "Post to the ERP and record the outcome; True when confirmed"
        from connectors.errors import AuthError, ConnectorError
        now = dt.datetime.now()
        self.attempts = (self.attempts or 0) + 1
        self.sent_at = now
        try:
            if endpoint.id not in clients:
                clients[endpoint.id] = endpoint.get_client()
            result = clients[endpoint.id].post_movement(
                json.loads(self.payload))
        except EndpointError as exc:
            # Our own setup (no key to decrypt the credentials, bad options)
            self._stop(endpoint, endpoint.redact(exc.message), 'setup')
            return AUTH_STOP
        except ConnectorError as exc:
            # Texts pass through redact: no credential is ever stored.
            message = endpoint.redact(exc.message or str(exc))
            if isinstance(exc, AuthError) and not exc.retryable:
                self._stop(endpoint, message, exc.code)
                return AUTH_STOP
            self._fail(endpoint, message, exc.code, exc.retryable)
            return False
        except Exception as exc:
            # The traceback may quote a URL with a token: redacted, never raw
            logger.error("posting outbox %s failed: %s", self.key,
                endpoint.redact(traceback.format_exc()))
            self._fail(endpoint, gettext(
                    'erp_sync.msg_outbox_unexpected',
                    error=endpoint.redact(str(exc))),
                'unexpected', True)
            return False
        self.state = 'confirmed'
        self.remote_id = result.remote_id
        self.remote_number = result.number
        self.already_existed = result.already_existed
        self.confirmed_at = now
        self.next_attempt = None
        self.error_code = None
        return True

    def _stop(self, endpoint, message, code):
        "Refused credentials or rights: not the record's fault, not counted"
        self.attempts -= 1
        self.error_code = code
        self.last_error = gettext('erp_sync.msg_outbox_auth_stopped',
            endpoint=endpoint.rec_name, error=message)
        self.next_attempt = (dt.datetime.now()
            + dt.timedelta(seconds=endpoint.retry_delay))

    def _fail(self, endpoint, message, code, retryable):
        self.error_code = code
        self.last_error = message
        if not retryable:
            self.state = 'failed'
        elif self.attempts >= endpoint.max_attempts:
            self.state = 'failed'
            self.last_error = gettext(
                'erp_sync.msg_outbox_gave_up',
                attempts=self.attempts, error=message)
        else:
            self.state = 'sent'
            delay = min(
                endpoint.retry_delay * 2 ** (self.attempts - 1), MAX_DELAY)
            self.next_attempt = (
                dt.datetime.now() + dt.timedelta(seconds=delay))
