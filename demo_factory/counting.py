"""A year of cycle counts, and the counts waiting on the last day.

Each month the program's scheduled task plans the counts due; the zone's
clerks count them (blind, by scanning), tasks over tolerance go to a
recount by the other clerk, the supervisor approves and posts them through
core stock.inventory. Most lines match the books; some find real shrinkage
(both counters agree, the loss is posted) and some are miscounts that the
recount corrects. What the postings change is handed back to the history
simulation, so that the stock it issues afterwards is the stock there is.
"""
import datetime as dt
import random
from collections import defaultdict


from trytond.pool import Pool
from trytond.transaction import Transaction

from .actors import on_day

EVERY_DAYS = 30
# the last monthly round leaves the A items due again in the last week
LAST_ROUND_BEFORE_END = 28


class Counting:

    def __init__(self, options, actors, program_id, items, warehouse):
        self.o = options
        self.actors = actors
        self.program = program_id
        self.warehouse = warehouse
        self.index = {it.id: i for i, it in enumerate(items)}
        self.tasks = 0

    # -- history --------------------------------------------------------
    def checkpoint(self, simulation, day):
        "Runs after each simulated day: a count round every month"
        if (day == 0 or day % EVERY_DAYS
                or day > self.o.days - LAST_ROUND_BEFORE_END):
            return
        simulation.sink.flush()
        date = simulation.date(day)
        with on_day(date, 9):
            task_ids = self.actors.call('cron', _plan, self.program)
        with on_day(date, 14):
            self.count_and_post(task_ids, simulation)
        simulation.sink.resync()

    def count_and_post(self, task_ids, simulation=None):
        call = self.actors.call
        truth = {}
        for task_id, assignee in call('cron', _assignees, task_ids):
            truth.update(call(assignee or 'li', self._first_count, task_id))
            call(assignee or 'li', _finish, task_id)
        for task_id, recounter in call('cron', _recounters, task_ids):
            call(recounter or 'zhao', _recount, task_id, truth)
            call(recounter or 'zhao', _finish, task_id)
        call('zhang', _approve, task_ids)
        changes = call('zhang', _post, task_ids)
        self.tasks += len(task_ids)
        if simulation:
            for product, location, lot, qty in changes:
                if product in self.index:
                    simulation.adjust(self.index[product],
                        self.warehouse, qty, lot)

    def _first_count(self, task_id, miscount=False, exact=False):
        """Scan every line: mostly the books, some real shrinkage, some
        miscounts (the first line with `miscount`, none when `exact`);
        returns {line: true quantity} for the recount"""
        Count = Pool().get('stocktake.count')
        # one stream per task: a call that restarts draws the same again
        rng = random.Random(f'{self.o.seed}-count-{task_id}')
        truth = {}
        for line, location, code, lot, book, unit in _lines(task_id):
            draw = 1 if exact else rng.random()
            true = book
            if draw < 0.06 and book >= 2:
                true = book - max(unit, round(book * 0.03 / unit) * unit)
            counted = true
            if miscount:
                # ten units off: over every class's tolerance
                counted, miscount = true + 10, False
            elif 0.06 <= draw < 0.10:
                counted = true + unit * rng.choice([-2, -1, 1, 3])
            counted = max(0, round(counted, 4))
            truth[line] = max(0, round(true, 4))
            Count.scan(task_id, location, code, counted, lot_code=lot)
        return truth

    # -- the last day ---------------------------------------------------
    def today(self, date):
        """Tasks planned for the last week: some counted and waiting for
        the recount or the approval, the others waiting to be counted"""
        call = self.actors.call
        with on_day(date, 9):
            task_ids = call('cron', _plan, self.program)
        with on_day(date, 11):
            pairs = call('cron', _assignees, task_ids)
            # the first one goes to a recount, the second waits for the
            # approval, the others for their counters
            for n, (task_id, assignee) in enumerate(pairs[:2]):
                call(assignee or 'li', self._first_count, task_id,
                    miscount=n == 0, exact=n == 1)
                call(assignee or 'li', _finish, task_id)
            if len(pairs) < 3:
                task_ids.append(call('zhang', _adhoc, self.warehouse))
        self.tasks += len(task_ids)
        return task_ids


def _plan(program_id):
    Program = Pool().get('stocktake.program')
    ABC = Pool().get('stock.product.abc')
    ABC.compute()
    return [t.id for t in Program.generate_tasks([Program(program_id)])]


def _adhoc(warehouse):
    "The supervisor asks for a count of the bins that show no stock"
    pool = Pool()
    Task = pool.get('stocktake.task')
    Location = pool.get('stock.location')
    User = pool.get('res.user')
    li, = User.search([('login', '=', 'li')])
    return Task.create_adhoc('zero', Location(warehouse), assignee=li).id


def _assignees(task_ids):
    Task = Pool().get('stocktake.task')
    User = Pool().get('res.user')
    logins = {u.id: u.login for u in User.search([])}
    return [(t.id, logins.get(t.assignee.id) if t.assignee else None)
        for t in Task.browse(task_ids)]


def _recounters(task_ids):
    Task = Pool().get('stocktake.task')
    User = Pool().get('res.user')
    logins = {u.id: u.login for u in User.search([])}
    return [(t.id, logins.get(t.recount_assignee.id)
            if t.recount_assignee else None)
        for t in Task.browse(task_ids) if t.state == 'recount']


def _lines(task_id):
    """(line, location code, product code, lot, book quantity, unit step):
    the book as the task's snapshot will see it at the count"""
    pool = Pool()
    Task = pool.get('stocktake.task')
    Product = pool.get('product.product')
    task = Task(task_id)
    lines = sorted(task.lines, key=lambda l: l.id)
    locations = sorted({l.location.id for l in lines})
    products = sorted({l.product.id for l in lines})
    with Transaction().set_context(stock_date_end=pool.get(
                'ir.date').today()):
        books = Product.products_by_location(locations, with_childs=False,
            grouping=('product', 'lot'), grouping_filter=(products,))
    later = _stamped_later(products)
    for line in lines:
        key = (line.location.id, line.product.id,
            line.lot.id if line.lot else None)
        unit = line.product.default_uom
        # quarters of a kilogram: sums of them are exact in binary floats,
        # so a bin counted empty is 0 and not -3.5e-15
        step = 1 if unit.rounding >= 1 else 0.25
        yield (line.id, line.location.code, line.product.code,
            line.lot.number if line.lot else None,
            books.get(key, 0) - later.get(key, 0), step)


def _stamped_later(products):
    """{(location, product, lot): quantity} of the done moves whose done_at
    is after now. The snapshot of a count takes them out of the books as
    done after it (stocktake_mobile's Line.snapshot_books)."""
    pool = Pool()
    Move = pool.get('stock.move')
    move = Move.__table__()
    cursor = Transaction().connection.cursor()
    stamp = move.done_at
    cursor.execute(*move.select(move.from_location, move.to_location,
            move.product, move.lot, move.internal_quantity,
            where=(move.state == 'done')
            & (stamp > dt.datetime.utcnow())
            & (move.effective_date <= Pool().get('ir.date').today())
            & move.product.in_(products or [-1])))
    later = defaultdict(float)
    for from_, to, product, lot, qty in cursor:
        later[(to, product, lot)] += qty
        later[(from_, product, lot)] -= qty
    return later


def _finish(task_id):
    Task = Pool().get('stocktake.task')
    Task.finish([Task(task_id)])


def _recount(task_id, truth):
    pool = Pool()
    Task = pool.get('stocktake.task')
    Count = pool.get('stocktake.count')
    task = Task(task_id)
    for line in sorted(task.lines, key=lambda l: l.id):
        if line.recount_required:
            Count.scan(task_id, line.location.code, line.product.code,
                truth.get(line.id, line.first_quantity),
                lot_code=line.lot.number if line.lot else None)


def _approve(task_ids):
    Task = Pool().get('stocktake.task')
    tasks = [t for t in Task.browse(task_ids) if t.state == 'counted']
    if tasks:
        Task.approve(tasks)


def _post(task_ids):
    """Post the approved tasks; returns what their inventories moved:
    [(product, bin, lot, quantity into the bin)]"""
    Task = Pool().get('stocktake.task')
    tasks = [t for t in Task.browse(task_ids) if t.state == 'approved']
    if not tasks:
        return []
    Task.post(tasks)
    changes = []
    for task in Task.browse([t.id for t in tasks]):
        for inventory in task.inventories:
            for move in (m for l in inventory.lines for m in l.moves):
                if move.state != 'done':
                    continue
                if move.to_location.type == 'storage':
                    changes.append((move.product.id, move.to_location.id,
                            move.lot.id if move.lot else None,
                            move.internal_quantity))
                else:
                    changes.append((move.product.id, move.from_location.id,
                            move.lot.id if move.lot else None,
                            -move.internal_quantity))
    return changes
