import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Max

from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.rpc import RPC
from trytond.model.fields import SQL_OPERATORS
from trytond.transaction import Transaction, without_check_access

from trytond.modules.factory_stock_ext import inputs, workflow_guard

from .exceptions import ScanError
from .program import ABC
from .stock import done_now

REASONS = [
    (None, ""),
    ('miscount', "Previous Miscount"),
    ('unrecorded_move', "Unrecorded Move"),
    ('damage', "Damage or Scrap"),
    ('theft', "Loss or Theft"),
    ('unit', "Unit of Measure Error"),
    ('lot', "Wrong Lot"),
    ('other', "Other"),
    ]
# Set by scans (Count.record) and by finish only: a count is never typed in
LINE_WORKFLOW_FIELDS = {'added', 'round', 'counted_quantity', 'counted_at',
    'counted_by', 'first_quantity', 'first_counted_by', 'recount_required',
    'book_quantity', 'variance_quantity', 'variance_value',
    'within_tolerance'}
# What a counted line is a count of
LINE_KEYS = {'task', 'location', 'product', 'lot'}
COUNT_FIELDS = {'task', 'line', 'quantity', 'round', 'counted_at', 'counter',
    'device', 'client_key'}


class TaskLine(ModelSQL, ModelView):
    __name__ = 'stocktake.task.line'
    task = fields.Many2One('stocktake.task', "Task", required=True,
        ondelete='CASCADE')
    location = fields.Many2One('stock.location', "Location", required=True)
    product = fields.Many2One('product.product', "Product", required=True)
    lot = fields.Many2One('stock.lot', "Lot")
    abc_class = fields.Selection(ABC + [(None, "")], "ABC Class")
    added = fields.Boolean("Added", readonly=True,
        help="Found in the location although not expected.")
    round = fields.Integer("Round", readonly=True)
    counted_quantity = fields.Float("Counted Quantity", readonly=True)
    # Timestamp keeps microseconds: the book snapshot compares it with the
    # moves' done_at, and a DateTime (whole seconds) put moves done earlier
    # in the same second after the count
    counted_at = fields.Timestamp("Counted at", readonly=True)
    counted_by = fields.Many2One('res.user', "Counted by", readonly=True)
    first_quantity = fields.Float("First Count", readonly=True)
    first_counted_by = fields.Many2One(
        'res.user', "First Counted by", readonly=True)
    recount_required = fields.Boolean("Recount Required", readonly=True)
    # Book side: readable only by supervisors (ir.model.field.access)
    book_quantity = fields.Float("Book Quantity", readonly=True,
        help="Book quantity at the moment the line was counted.")
    variance_quantity = fields.Float("Variance", readonly=True)
    variance_value = fields.Numeric("Variance Value", digits=(16, 2),
        readonly=True)
    within_tolerance = fields.Boolean("Within Tolerance", readonly=True)
    reason = fields.Selection(REASONS, "Variance Reason")
    reason_note = fields.Char("Reason Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('task', 'ASC'), ('location', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_round():
        return 0

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        workflow_guard.check(cls, mode, lines, values, external,
            fields=LINE_WORKFLOW_FIELDS)
        keys = LINE_KEYS & set(values or {})
        # Moving a count to another task, bin, product or lot forges it
        if (external and mode == 'write' and keys
                and workflow_guard.first_decided(
                    cls, lines, LINE_WORKFLOW_FIELDS)):
            raise workflow_guard.refuse(cls, sorted(keys)[0], lines)

    def get_rec_name(self, name):
        lot = f' / {self.lot.number}' if self.lot else ''
        return f'{self.location.rec_name}: {self.product.rec_name}{lot}'

    @classmethod
    def snapshot_books(cls, lines):
        "{line id: book quantity at the moment the line was counted}"
        pool = Pool()
        Figures = pool.get('stock.figures')
        Move = pool.get('stock.move')
        Date = pool.get('ir.date')
        if not lines:
            return {}
        locations = sorted({l.location.id for l in lines})
        products = sorted({l.product.id for l in lines})
        company = lines[0].task.company
        with Transaction().set_context(company=company.id):
            today = Date.today()
        books = Figures.on_hand(company, today, products=products,
            grouping=('product', 'lot'), per_location=True,
            locations=locations)
        # Undo the moves done after each count, by the time they were done
        # (not write_date: a price written later on a move done before the
        # count would move it after).  Moves done before done_at was
        # recorded have none: done before any count that reads it.
        # Set-based: one query, few rows since counting is recent.
        since = min(l.counted_at for l in lines)
        move = Move.__table__()
        stamp = move.done_at
        after = defaultdict(list)
        cursor = Transaction().connection.cursor()
        for sub in [list(products)]:
            cursor.execute(*move.select(move.from_location, move.to_location,
                    move.product, move.lot, move.internal_quantity, stamp,
                    where=(move.state == 'done') & (stamp > since)
                    # only the moves in today's books are taken out again
                    & (move.effective_date <= today)
                    & SQL_OPERATORS['in'](move.product, sub)))
            for from_, to, product, lot, qty, when in cursor:
                after[(to, product, lot)].append((when, qty))
                after[(from_, product, lot)].append((when, -qty))
        result = {}
        for line in lines:
            key = (line.location.id, line.product.id,
                line.lot.id if line.lot else None)
            book = books.get(key, 0) - sum(q for w, q in after.get(key, [])
                if _stamp(w) > line.counted_at)
            result[line.id] = line.product.default_uom.round(book)
        return result

    @classmethod
    def compute_variances(cls, lines, tolerances, flag=True):
        """Store book, variance and tolerance; grouped writes, not per line.
        Returns the ids of the lines flagged for a recount."""
        books = cls.snapshot_books(lines)
        to_write = defaultdict(list)
        for line in lines:
            book = books[line.id]
            variance = line.counted_quantity - book
            value = Decimal(str(variance)) * (line.product.cost_price or 0)
            qty_tol, value_tol = tolerances.get(line.abc_class, (0, 0))
            within = (abs(variance) <= qty_tol
                and abs(value) <= Decimal(str(value_tol)))
            values = (book, variance, value.quantize(Decimal('0.01')), within)
            if flag:
                values += (not within,)
            to_write[values].append(line)
        args = []
        for values, records in to_write.items():
            book, variance, value, within = values[:4]
            vals = {'book_quantity': book, 'variance_quantity': variance,
                'variance_value': value, 'within_tolerance': within}
            if flag:
                vals['recount_required'] = values[4]
            args.extend((records, vals))
        if args:
            cls.write(*args)
        return {l.id for values, records in to_write.items()
            if flag and values[4] for l in records}

    @classmethod
    def adhoc_items(cls, kind, warehouse, locations=None, products=None,
            low_quantity=0):
        "[(location, product, lot, abc)] for an ad-hoc count"
        pool = Pool()
        Figures = pool.get('stock.figures')
        ABCModel = pool.get('stock.product.abc')
        # the chosen locations, else the counted ones of the warehouse;
        # zeros: a key back to zero is what a count of empty places checks
        chosen = kind == 'location' and locations
        pbl = Figures.on_hand(Figures.current_company(),
            scope=None if chosen else warehouse.storage_location,
            locations=[l.id for l in locations] if chosen else None,
            products=[p.id for p in products] if products else None,
            grouping=('product', 'lot'), per_location=True, zeros=True)
        if kind == 'zero':
            keys = [k for k, q in pbl.items() if q <= low_quantity]
        elif kind == 'variance':
            keys = cls._last_variances(warehouse)
        else:
            keys = [k for k, q in pbl.items() if q]
        classes = ABCModel.classes_for(warehouse.id)
        return sorted((l, p, lot, classes[p])
            for l, p, lot in keys)

    @classmethod
    def _last_variances(cls, warehouse):
        pool = Pool()
        task = pool.get('stocktake.task').__table__()
        line = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.join(task, condition=line.task == task.id
                ).select(Max(line.id),
                where=(task.state == 'done')
                & (task.warehouse == warehouse.id),
                group_by=[line.location, line.product, line.lot]))
        ids = [i for i, in cursor]
        with without_check_access():
            return [(l.location.id, l.product.id,
                    l.lot.id if l.lot else None)
                for l in cls.browse(ids) if l.variance_quantity]


class Count(ModelSQL, ModelView):
    "One scan: an absolute quantity, never a delta"
    __name__ = 'stocktake.count'
    task = fields.Many2One('stocktake.task', "Task", required=True,
        ondelete='CASCADE', readonly=True)
    line = fields.Many2One('stocktake.task.line', "Line", required=True,
        ondelete='CASCADE', readonly=True)
    quantity = fields.Float("Quantity", required=True, readonly=True)
    round = fields.Integer("Round", readonly=True)
    counted_at = fields.Timestamp("Counted at", required=True, readonly=True)
    counter = fields.Many2One('res.user', "Counter", readonly=True)
    device = fields.Char("Device", readonly=True)
    client_key = fields.Char("Client Key", readonly=True,
        help="Key generated by the device so that a replay is a no-op.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # A key belongs to one scope (task, counter; the company is the
        # task's): a replay in it is answered from the count, elsewhere it is
        # refused.  So the key is unique over all counts, which also makes
        # two users racing with one key meet here (see inputs.key_race)
        cls._sql_constraints += [
            ('client_key_unique', Unique(t, t.client_key),
                'stocktake_mobile.msg_count_client_key_unique'),
            ]
        cls._order = [('counted_at', 'DESC'), ('id', 'DESC')]
        cls.__rpc__['scan'] = RPC(readonly=False)

    @classmethod
    def check_modification(cls, mode, counts, values=None, external=False):
        super().check_modification(
            mode, counts, values=values, external=external)
        # A count is made by scan/record only and never changes
        workflow_guard.check(cls, mode, counts, values, external,
            fields=COUNT_FIELDS)

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        # A version kept the key unique per scope only
        cls.__table_handler__(module).drop_constraint(
            'client_key_scope_unique')

    @classmethod
    def scan(cls, task_id, location_code, code, quantity, lot_code=None,
            client_key=None):
        "RPC entry: record a scan on a task the user may see"
        Task = Pool().get('stocktake.task')
        tasks = Task.search([('id', '=', task_id)], limit=1)
        if not tasks:
            raise ScanError('msg_task_not_found', task=task_id)
        with without_check_access():
            count, created = cls.record(tasks[0], location_code, code,
                quantity, lot_code=lot_code, client_key=client_key)
        return count.id

    @classmethod
    def record(cls, task, location_code, code, quantity, lot_code=None,
            client_key=None, device=None, counted_at=None):
        "Record one scan; returns (count, created). Replays are no-ops."
        pool = Pool()
        Line = pool.get('stocktake.task.line')
        User = pool.get('res.user')
        user = User(Transaction().user)
        client_key = inputs.client_key(client_key)
        device = inputs.text(device, 'device', inputs.KEY_LENGTH)
        if client_key:
            # A replay in the key's scope gives the count first recorded;
            # the key used in another scope is refused with nothing of it
            existing = cls.search([('client_key', '=', client_key)])
            for other in existing:
                if other.task == task and other.counter == user:
                    return other, False
            if existing:
                raise inputs.key_conflict(client_key)
        if task.state not in {'open', 'recount'}:
            raise ScanError('msg_task_not_counting',
                task=task.rec_name, state=task.state)
        location = next((l for l in task.locations
                if location_code in {l.code, str(l.id)}), None)
        if not location:
            raise ScanError('msg_scan_unknown_location',
                code=location_code, task=task.rec_name)
        location_code = inputs.text(location_code, 'location') or ''
        product, lot = _resolve(code, lot_code)
        quantity = _absolute(quantity, product)
        now = done_now()  # the clock of the moves' done_at
        # Offline scans keep their device time, bounded by the task window
        if not counted_at or counted_at > now or counted_at < task.create_date:
            counted_at = now
        round_ = 2 if task.state == 'recount' else 1
        lines = Line.search([('task', '=', task.id),
                ('location', '=', location.id), ('product', '=', product.id),
                ('lot', '=', lot.id if lot else None)], limit=1)
        if lines:
            line, = lines
        elif round_ == 1:
            line, = Line.create([{'task': task.id, 'location': location.id,
                        'product': product.id, 'lot': lot.id if lot else None,
                        'added': True}])
        if round_ == 2 and not (lines and line.recount_required):
            raise ScanError('msg_recount_not_required', task=task.rec_name,
                line=f'{location.rec_name}: {product.rec_name}')
        if round_ == 2 and line.first_counted_by == user:
            raise ScanError('msg_recount_same_user', line=line.rec_name,
                user=user.rec_name)
        with inputs.key_race(client_key,
                'stocktake_mobile.msg_count_client_key_unique'):
            count, = cls.create([{'task': task.id, 'line': line.id,
                        'quantity': quantity, 'round': round_,
                        'counted_at': counted_at, 'counter': user.id,
                        'device': device, 'client_key': client_key}])
        # Absolute counts: the latest scan of the round replaces earlier ones
        if (line.round or 0) < round_ or not line.counted_at or (
                counted_at >= line.counted_at):
            values = {'counted_quantity': quantity, 'counted_at': counted_at,
                'counted_by': user.id, 'round': round_}
            if round_ == 1:
                values.update(first_quantity=quantity,
                    first_counted_by=user.id)
            Line.write([line], values)
        return count, True


def _resolve(code, lot_code=None):
    """Product and lot of a scanned code (lot number, product code or
    barcode) and of the lot number given with it.  A lot given but unknown,
    or of another product, is refused: the count is never put on the
    product without its lot."""
    pool = Pool()
    Product = pool.get('product.product')
    Lot = pool.get('stock.lot')
    code = inputs.text(code, 'code', barcode=True) or ''
    lot_code = inputs.text(lot_code, 'lot')
    lots = Lot.search([('number', '=', code)], limit=2) if code else []
    if len(lots) == 1 and lot_code in {None, code}:
        return lots[0].product, lots[0]
    products = Product.search(['OR', ('code', '=', code),
            ('identifiers.code', '=', code)], limit=1) if code else []
    if not products and len(lots) == 1:
        # The code is a lot label: its product is the lot's
        products = [lots[0].product]
    if not products:
        if code or not lot_code:
            raise ScanError('msg_scan_unknown_product', code=code or '-')
        lots = Lot.search([('number', '=', lot_code)], limit=2)
        if len(lots) != 1:
            raise ScanError('msg_scan_unknown_product', code=lot_code)
        return lots[0].product, lots[0]
    product, = products
    if not lot_code:
        return product, None
    lots = Lot.search([('number', '=', lot_code),
            ('product', '=', product.id)], limit=1)
    if lots:
        return product, lots[0]
    if Lot.search([('number', '=', lot_code)], limit=1):
        raise ScanError('msg_scan_lot_other_product', lot=lot_code,
            product=product.rec_name)
    raise ScanError('msg_scan_unknown_lot', lot=lot_code,
        product=product.rec_name)


def _absolute(quantity, product=None):
    "A counted quantity: finite, 0 or more, bounded, in the unit's decimals"
    quantity = inputs.quantity(quantity)
    if product is not None:
        inputs.check_decimals(quantity, product.default_uom,
            product.rec_name)
    return quantity


def _stamp(value):
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value
