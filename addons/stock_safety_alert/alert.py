# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from email.message import EmailMessage

from sql import Literal
from sql.aggregate import Count, Sum

from trytond import config as tconfig
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.factory_stock_ext import workflow_guard
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.sendmail import sendmail_transactional
from trytond.transaction import Transaction

from .detector import AlertDetectors
from .bulk import (
    bulk_insert, bulk_update, execute_binary, invalidate_cache,
    leave_room_for_updates, rename_column)
from .demand import chunks, in_
from .usage import to_date

STATES = [
    ('open', "Open"),
    ('acknowledged', "Acknowledged"),
    ('resolved', "Resolved"),
    ]
# Numbers a detector reports; a change of any of them (or of the date)
# updates the alert
NUMBERS = ['quantity', 'threshold', 'days_of_cover', 'lead_time', 'value']
# types whose age counts the days left until their date, not since it
AGE_UNTIL = {'expiring'}
EMAIL_LINES = 50  # alerts listed in one e-mail; the rest are in Tryton


class Alert(AlertDetectors, Workflow, ModelSQL, ModelView):
    "Stock Alert"
    __name__ = 'stock.alert'
    _rec_name = 'key'

    type = fields.Selection([], "Type", required=True, readonly=True)
    # the type's label as a text, for the charts: sao draws the value of a
    # selection there (expiring, slow...), not its label
    type_name = fields.Function(fields.Char("Type"), 'get_type_name')
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    key = fields.Char("Key", required=True, readonly=True,
        help="One alert per condition: type, product, warehouse and lot.")
    company = fields.Many2One('company.company', "Company", readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    warehouse = fields.Many2One('stock.location', "Warehouse", readonly=True)
    location = fields.Many2One('stock.location', "Location", readonly=True)
    lot = fields.Many2One('stock.lot', "Lot", readonly=True)
    zone = fields.Many2One('stock.location.zone', "Zone", readonly=True)
    assignee = fields.Many2One('res.user', "Assignee",
        states={'readonly': Eval('state') == 'resolved'})
    quantity = fields.Float("Quantity", readonly=True)
    threshold = fields.Float("Threshold", readonly=True)
    days_of_cover = fields.Float("Days of Cover", readonly=True)
    lead_time = fields.Float("Lead Time", readonly=True)
    # from the date as of today, not stored: a stored age would change on
    # every alert of dead, slow, expiring or held stock every night
    age_days = fields.Function(fields.Integer("Days",
            help="Days since the date, or left until it for an expiring "
            "lot, as of today."), 'get_age_days')
    value = fields.Numeric("Value at Cost", digits=(16, 2), readonly=True,
        help="Cash tied up (overstock) or at risk.")
    date = fields.Date("Date", readonly=True)
    description = fields.Function(fields.Char("Description"),
        'get_description')
    proposal = fields.Function(fields.Char("Proposed Action"),
        'get_description')
    detected_at = fields.DateTime("Detected at", readonly=True)
    changed_at = fields.DateTime("Changed at", readonly=True,
        help="When a run created, reopened or last changed the numbers of "
        "this alert. An alert still open holds as of the last run (see "
        "the configuration).")
    occurrences = fields.Integer("Occurrences", readonly=True)
    acknowledged_by = fields.Many2One('res.user', "Acknowledged by",
        readonly=True)
    resolved_at = fields.DateTime("Resolved at", readonly=True)
    resolved_by = fields.Many2One('res.user', "Resolved by", readonly=True,
        help="Empty when the scheduled task saw the condition disappear.")
    note = fields.Text("Note")
    # graph views count records by summing this (graph y needs a field)
    counter = fields.Function(fields.Integer("Alerts"), 'get_counter')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('key_unique', Unique(t, t.key),
                'stock_safety_alert.msg_alert_key_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                Index(t, (t.product, Index.Range())),
                })
        cls._order = [('detected_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('open', 'acknowledged'),
            ('open', 'resolved'),
            ('acknowledged', 'resolved'),
            ('acknowledged', 'open'),
            ('resolved', 'open'),
            }
        cls._buttons.update({
                'acknowledge': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'resolve': {
                    'invisible': Eval('state') == 'resolved',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') == 'open',
                    'depends': ['state'],
                    },
                })
        # The registry: type -> (detector classmethod, description message,
        # proposed-action message). Another module adds a type from its
        # own __setup__ with cls.register_alert_type(...) in a class listed
        # under an optional `[register stock_safety_alert]` section of its
        # tryton.cfg (stocktake_mobile: "count task overdue").
        cls._alert_types = {}
        for name, string in [
                ('below_safety', "Below Safety Stock"),
                ('below_reorder', "Below Reorder Point, No Purchase"),
                ('overstock', "Overstock"),
                ('dead', "Dead Stock"),
                ('slow', "Slow Stock"),
                ('expiring', "Lot Expiring"),
                ('negative', "Negative Stock"),
                ('qc_held', "Held in QC Too Long"),
                ]:
            cls.register_alert_type(name, string, '_detect_' + name,
                'stock_safety_alert.msg_alert_' + name,
                'stock_safety_alert.msg_action_' + name)

    @classmethod
    def __register__(cls, module):
        # last_seen was stamped on every alert by every run
        rename_column(cls, module, 'last_seen', 'changed_at')
        super().__register__(module)
        leave_room_for_updates(cls)

    @classmethod
    def register_alert_type(cls, name, string, detector, message, action):
        """Register an alert type: `detector` names a classmethod taking the
        Snapshot and returning dicts with product, warehouse, lot, location
        and the NUMBERS; `message` and `action` are ir.message ids formatted
        with those numbers."""
        cls.type.selection.append((name, string))
        cls._alert_types[name] = (detector, message, action)

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def check_modification(cls, mode, alerts, values=None, external=False):
        super().check_modification(
            mode, alerts, values=values, external=external)
        # Acknowledged and resolved through the buttons, by their user
        workflow_guard.check(cls, mode, alerts, values, external,
            fields={'state', 'acknowledged_by', 'resolved_by',
                'resolved_at'})

    @classmethod
    def default_occurrences(cls):
        return 1

    def _message_params(self):
        lang = Pool().get('ir.lang').get()

        def number(value, digits=1):
            return lang.format('%.*f', (digits, value or 0), grouping=True)
        return {
            'product': self.product.rec_name if self.product else '',
            'warehouse': self.warehouse.rec_name if self.warehouse else '',
            'location': self.location.rec_name if self.location else '',
            'lot': self.lot.rec_name if self.lot else '',
            'quantity': number(self.quantity),
            'threshold': number(self.threshold),
            'cover': number(self.days_of_cover, 0),
            'lead_time': number(self.lead_time, 0),
            'days': self.age_days or 0,
            'value': number(self.value, 2),
            'date': lang.strftime(self.date) if self.date else '',
            }

    def get_counter(self, name):
        return 1

    @classmethod
    def get_type_name(cls, alerts, name):
        labels = dict(cls.fields_get(['type'])['type']['selection'])
        return {a.id: labels.get(a.type, a.type) for a in alerts}

    def get_rec_name(self, name):
        # in words: the key (expiring:197:77:700) is for the detectors
        names = [self.type_name, self.product.rec_name if self.product
            else None, self.lot.rec_name if self.lot else None,
            self.warehouse.rec_name if self.warehouse else None]
        return ' - '.join(n for n in names if n)

    @classmethod
    def get_age_days(cls, alerts, name):
        today = Pool().get('ir.date').today()
        result = {}
        for alert in alerts:
            days = (today - alert.date).days if alert.date else None
            if days is not None and alert.type in AGE_UNTIL:
                days = -days
            result[alert.id] = days
        return result

    def get_description(self, name):
        entry = self._alert_types.get(self.type)
        if not entry:
            return ''
        message = entry[1] if name == 'description' else entry[2]
        return gettext(message, **self._message_params())

    @classmethod
    @ModelView.button
    @Workflow.transition('acknowledged')
    def acknowledge(cls, alerts):
        cls.write(alerts, {'acknowledged_by': Transaction().user})

    @classmethod
    @ModelView.button
    @Workflow.transition('resolved')
    def resolve(cls, alerts):
        cls.write(alerts, {
                'resolved_by': Transaction().user,
                'resolved_at': dt.datetime.now(),
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, alerts):
        cls.write(alerts, {
                'resolved_by': None, 'resolved_at': None,
                'acknowledged_by': None,
                })

    @classmethod
    def make_key(cls, row):
        return '%s:%s:%s:%s' % (row['type'], row.get('product') or '',
            row.get('warehouse') or '', row.get('lot') or '')

    @classmethod
    def refresh(cls, snapshot, notify=True, email=False):
        """Create, update, reopen and auto-resolve the alerts of the
        snapshot's warehouses: one upsert per condition key."""
        pool = Pool()
        Zone = pool.get('stock.location.zone')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        now = dt.datetime.now()

        found = {}
        for type_, (detector, _, _) in cls._alert_types.items():
            for row in getattr(cls, detector)(snapshot):
                row['type'] = type_
                row.setdefault('location', snapshot.storage.get(
                        row['warehouse']))
                found[cls.make_key(row)] = row
        locations = list({r['location'] for r in found.values()
                if r.get('location')})
        zones = Zone.zones_for_locations(locations)
        users = Zone.responsibles_for_locations(locations)

        columns = [table.id, table.key, table.state, table.assignee,
            table.date] + [getattr(table, n) for n in NUMBERS]
        existing = {}
        scope = ((table.company == snapshot.company)
            & in_(table.warehouse, snapshot.warehouses))
        execute_binary(cursor, table.select(*columns,
                where=scope & (table.state != 'resolved')))
        existing.update((r[1], r) for r in cursor.fetchall())
        for sub in chunks(list(found)):
            execute_binary(cursor, table.select(*columns,
                    where=table.key.in_(list(sub))
                    & (table.state == 'resolved')))
            existing.update((r[1], r) for r in cursor.fetchall())

        to_create, fresh, stale = [], [], []
        changed, reopened = [], []
        for key, row in found.items():
            if row.get('value') is not None:
                # detectors multiply float quantities by costs: store cents
                row['value'] = Decimal(str(round(float(row['value']), 2)))
            numbers = [row.get(n) for n in NUMBERS]
            if key not in existing:
                to_create.append(cls._create_values(
                        key, row, snapshot, zones, users, now))
                continue
            old = existing[key]
            alert_id, state = old[0], old[2]
            if state == 'resolved':
                # the condition is back: same alert, open again
                reopened.append((alert_id, users.get(row['location'])))
            if (state == 'resolved' or to_date(old[4]) != row.get('date')
                    or [float(x or 0) for x in old[5:]]
                    != [float(x or 0) for x in numbers]):
                changed.append([alert_id, *numbers, row.get('date')])
        # only the alerts whose numbers moved are written: the others
        # hold as of this run, which the configuration's last run says
        bulk_update(cls, NUMBERS + ['date'], changed,
            constants={'changed_at': now})
        fresh.extend(reopened)
        bulk_update(cls, ['assignee'], [list(r) for r in reopened])
        for sub in chunks([i for i, _ in reopened]):
            cursor.execute(*table.update(
                    [table.state, table.resolved_at, table.resolved_by,
                        table.acknowledged_by, table.occurrences],
                    ['open', None, None, None, table.occurrences + 1],
                    where=in_(table.id, list(sub))))
        for key, old in existing.items():
            if key not in found and old[2] != 'resolved':
                stale.append(old[0])
        for sub in chunks(stale):
            cursor.execute(*table.update(
                    [table.state, table.resolved_at, table.resolved_by],
                    ['resolved', now, None],
                    where=in_(table.id, list(sub))))
        created = cls._insert(to_create)
        invalidate_cache(cls.__name__)
        fresh.extend(created)
        if notify:
            cls.notify(fresh, email=email)
        cls.snapshot_history(snapshot)
        return [i for i, _ in created]

    @classmethod
    def _insert(cls, to_create):
        """Insert new alerts in bulk (a site can raise thousands at once);
        returns [(id, assignee)]"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        if not to_create:
            return []
        names = sorted(to_create[0])
        user, now = Transaction().user, dt.datetime.now()
        bulk_insert(cls, names + ['create_uid', 'create_date'],
            [[v[n] for n in names] + [user, now] for v in to_create])
        created = []
        for sub in chunks([v['key'] for v in to_create]):
            cursor.execute(*table.select(table.id, table.assignee,
                    where=table.key.in_(list(sub))))
            created.extend(cursor.fetchall())
        return created

    @classmethod
    def _create_values(cls, key, row, snapshot, zones, users, now):
        values = {
            'key': key, 'type': row['type'], 'state': 'open',
            'company': snapshot.company, 'product': row.get('product'),
            'warehouse': row['warehouse'], 'lot': row.get('lot'),
            'location': row.get('location'),
            'zone': zones.get(row.get('location')),
            'assignee': users.get(row.get('location')),
            'date': row.get('date'),
            'detected_at': now, 'changed_at': now, 'occurrences': 1,
            }
        values.update((n, row.get(n)) for n in NUMBERS)
        return values

    @classmethod
    def notify(cls, fresh, email=False):
        """One notification per responsible user for the alerts new to them,
        and with email, one e-mail to those who have an address"""
        pool = Pool()
        Notification = pool.get('res.notification')
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        action_id = ModelData.get_id('stock_safety_alert', 'act_alert_form')
        by_user = defaultdict(list)
        for alert_id, user in fresh:
            if user:
                by_user[user].append(alert_id)
        Notification.create([{
                    'user': user,
                    'label': gettext(
                        'stock_safety_alert.msg_notification_label',
                        count=len(ids)),
                    'description': gettext(
                        'stock_safety_alert.msg_notification_description'),
                    'model': cls.__name__,
                    'records': json.dumps(ids[:1000]),
                    'action': action_id,
                    } for user, ids in by_user.items()])
        if email:
            for user in User.browse(list(by_user)):
                if user.email:
                    cls._send_email(user, by_user[user.id])

    @classmethod
    def _send_email(cls, user, ids):
        """Queue the e-mail on the transaction: trytond sends it only when
        the run commits, so a failed run mails nobody"""
        language = user.language.code if user.language else None
        with Transaction().set_context(language=language):
            alerts = cls.browse(ids[:EMAIL_LINES])
            lines = ['- %s: %s %s' % (
                    a.product.rec_name if a.product else '', a.description,
                    a.proposal) for a in alerts]
            if len(ids) > EMAIL_LINES:
                lines.append(gettext('stock_safety_alert.msg_email_more',
                        count=len(ids) - EMAIL_LINES))
            lines += ['', gettext(
                    'stock_safety_alert.msg_notification_description')]
            msg = EmailMessage()
            msg['Subject'] = gettext(
                'stock_safety_alert.msg_notification_label', count=len(ids))
        from_ = tconfig.get('email', 'from')
        msg['From'] = from_
        msg['To'] = user.email
        msg.set_content('\n'.join(lines))
        sendmail_transactional(from_, [user.email], msg)

    @classmethod
    def snapshot_history(cls, snapshot):
        "Today's count and value of active alerts, for the trend graph"
        History = Pool().get('stock.alert.history')
        history = History.__table__()
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        scope = ((history.company == snapshot.company)
            & in_(history.warehouse, snapshot.warehouses)
            & (history.date == snapshot.today))
        cursor.execute(*history.delete(where=scope))
        cursor.execute(*history.insert(
                [history.date, history.company, history.warehouse,
                    history.type, history.count, history.value,
                    history.create_uid, history.create_date],
                table.select(
                    Literal(snapshot.today), table.company, table.warehouse,
                    table.type, Count(table.id), Sum(table.value),
                    Literal(Transaction().user), Literal(dt.datetime.now()),
                    where=(table.state != 'resolved')
                    & (table.company == snapshot.company)
                    & in_(table.warehouse, snapshot.warehouses),
                    group_by=[table.company, table.warehouse, table.type])))
