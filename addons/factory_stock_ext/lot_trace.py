# Lot traceability. The lot graph (lot -> production -> lots) is walked by
# two recursive CTEs (upstream and downstream); supplier receipts and
# customer deliveries of every lot found are read in one more query, so the
# number of queries does not depend on the depth or width of the trace.
import datetime as dt
from collections import defaultdict

from sql import Cast, Literal, Null, With

from trytond import backend
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

MAX_DEPTH = 50  # guards against cycles left by corrected data
MAX_NODES = 20000  # a trace is read by people: keep the tree bounded
NODE_FIELDS = ['kind', 'direction', 'name', 'lot', 'product', 'production',
    'move', 'shipment', 'party', 'quantity', 'unit', 'date']

KINDS = [
    ('lot', "Lot"),
    ('group', "Group"),
    ('production', "Production"),
    ('receipt', "Supplier Receipt"),
    ('delivery', "Customer Delivery"),
    ]
DIRECTIONS = [
    ('root', "Traced Lot"),
    ('upstream', "Upstream"),
    ('downstream', "Downstream"),
    ]


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # The trace joins moves on lot and on production; without these
        # indexes every level would scan the move table.
        cls._sql_indexes.update({
                Index(t, (t.lot, Index.Range()), where=t.lot != Null),
                Index(t, (t.production_input, Index.Range()),
                    where=t.production_input != Null),
                Index(t, (t.production_output, Index.Range()),
                    where=t.production_output != Null),
                })


def _lot_graph(lot_ids, upstream):
    """Return the edges (lot, parent lot, production, move) reachable from
    lot_ids; upstream follows productions backwards (output to inputs)."""
    pool = Pool()
    Move = pool.get('stock.move')
    Lot = pool.get('stock.lot')
    lot = Lot.__table__()
    here = Move.__table__()  # move of the lot already reached
    there = Move.__table__()  # move of the lot reached through production
    if upstream:
        here_prod, there_prod = here.production_output, there.production_input
    else:
        here_prod, there_prod = here.production_input, there.production_output
    cursor = Transaction().connection.cursor()
    graph = With('lot', 'parent', 'production', 'move', 'depth',
        recursive=True)
    graph.query = lot.select(
        lot.id, Cast(Null, 'INTEGER'), Cast(Null, 'INTEGER'),
        Cast(Null, 'INTEGER'), Literal(0),
        where=fields.SQL_OPERATORS['in'](lot.id, list(lot_ids)))
    graph.query |= (graph
        .join(here, condition=(here.lot == graph.lot)
            & (here_prod != Null) & (here.state == 'done'))
        .join(there, condition=(there_prod == here_prod)
            & (there.lot != Null) & (there.state == 'done'))
        .select(there.lot, graph.lot, here_prod, there.id, graph.depth + 1,
            where=graph.depth < MAX_DEPTH))
    cursor.execute(*graph.select(
            graph.lot, graph.parent, graph.production, graph.move,
            where=graph.parent != Null, distinct=True, with_=[graph]))
    return cursor.fetchall()


def _external_moves(lot_ids, location_type, column):
    "Done moves of the lots from (or to) a location of the type"
    pool = Pool()
    Move = pool.get('stock.move')
    Location = pool.get('stock.location')
    move = Move.__table__()
    location = Location.__table__()
    cursor = Transaction().connection.cursor()
    result = []
    for sub_ids in grouped_slice(lot_ids, backend.MAX_QUERY_PARAMS):
        cursor.execute(*move.join(location,
                condition=getattr(move, column) == location.id).select(
                move.id,
                where=fields.SQL_OPERATORS['in'](move.lot, list(sub_ids))
                & (move.state == 'done') & (location.type == location_type)))
        result.extend(r for r, in cursor)
    return result


class LotTraceSession(ModelSQL, ModelView):
    __name__ = 'stock.lot.trace.session'
    __string__ = "Lot Trace Session"
    lot = fields.Many2One(
        'stock.lot', "Lot", required=True, readonly=True, ondelete='CASCADE')
    nodes = fields.One2Many(
        'stock.lot.trace.node', 'session', "Nodes", readonly=True)

    @classmethod
    def trace(cls, lot):
        "Create a session holding the trace tree of the lot"
        pool = Pool()
        Node = pool.get('stock.lot.trace.node')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        session, = cls.create([{'lot': lot.id}])
        # Nodes are numbered in tree order; all levels go in with multi-row
        # INSERTs and one UPDATE links each node to its parent's number.
        node = Node.__table__()
        columns = ['sequence', 'parent_sequence'] + NODE_FIELDS
        rows, offset, previous = [], 0, 0
        for level in cls.build_tree(lot):
            for i, values in enumerate(level):
                parent = values.pop('_parent')
                rows.append([offset + i, (
                            previous + parent if parent is not None
                            else None)]
                    + [values.get(f) for f in NODE_FIELDS])
            previous, offset = offset, offset + len(level)
        now = dt.datetime.now()
        table_columns = [getattr(node, c) for c in columns] + [
            node.session, node.create_uid, node.create_date]
        size = max(1, backend.MAX_QUERY_PARAMS // len(table_columns))
        for sub_rows in grouped_slice(rows, size):
            cursor.execute(*node.insert(table_columns, [
                        r + [session.id, transaction.user, now]
                        for r in sub_rows]))
        parent = Node.__table__()
        cursor.execute(*node.update([node.parent],
                [parent.select(parent.id, where=(
                            (parent.session == session.id)
                            & (parent.sequence == node.parent_sequence)))],
                where=(node.session == session.id)
                & (node.parent_sequence != Null)))
        return session

    @classmethod
    def build_tree(cls, lot):
        """Return the trace as a list of levels, each a list of node values
        whose '_parent' is the index of its parent in the previous level"""
        pool = Pool()
        Move = pool.get('stock.move')
        Lot = pool.get('stock.lot')
        Production = pool.get('production')
        up_edges = _lot_graph([lot.id], upstream=True)
        down_edges = _lot_graph([lot.id], upstream=False)
        children = {'upstream': defaultdict(list),
            'downstream': defaultdict(list)}
        for direction, edges in [
                ('upstream', up_edges), ('downstream', down_edges)]:
            for child, parent, production, move in edges:
                children[direction][parent].append((production, child, move))
        up_lots = {lot.id} | {e[0] for e in up_edges}
        down_lots = {lot.id} | {e[0] for e in down_edges}
        receipts = _external_moves(list(up_lots), 'supplier', 'from_location')
        deliveries = _external_moves(
            list(down_lots), 'customer', 'to_location')
        edge_moves = {e[3] for e in up_edges + down_edges}

        moves = {m.id: m for m in Move.browse(
                list(edge_moves | set(receipts) | set(deliveries)))}
        external = {'upstream': defaultdict(list),
            'downstream': defaultdict(list)}
        for direction, ids in [
                ('upstream', receipts), ('downstream', deliveries)]:
            for move_id in ids:
                external[direction][moves[move_id].lot.id].append(
                    moves[move_id])
        lots = {l.id: l for l in Lot.browse(list(up_lots | down_lots))}
        productions = {p.id: p for p in Production.browse(list(
                    {e[2] for e in up_edges + down_edges}))}

        budget = [MAX_NODES]

        def expand(lot_id, direction, path):
            "Child nodes of a lot in one direction (no query here)"
            nodes = [cls._move_node(m, direction)
                for m in external[direction][lot_id]]
            by_production = defaultdict(list)
            for production, child, move in children[direction][lot_id]:
                if child not in path:  # skip cycles
                    by_production[production].append((child, move))
            for production in sorted(by_production):
                if budget[0] <= 0:
                    break
                lot_nodes = []
                for child, move in sorted(by_production[production]):
                    budget[0] -= 1
                    node = cls._lot_node(lots[child], direction, moves[move])
                    node['_children'] = expand(
                        child, direction, path | {child})
                    lot_nodes.append(node)
                node = cls._production_node(
                    productions[production], direction)
                node['_children'] = lot_nodes
                nodes.append(node)
            budget[0] -= len(nodes)
            return nodes

        root = cls._lot_node(lots[lot.id], 'root', None)
        # Group nodes are named in the user's language
        Node = pool.get('stock.lot.trace.node')
        names = dict(Node.fields_get(['direction'])['direction']['selection'])
        root['_children'] = [{
                'kind': 'group', 'direction': direction,
                'name': names[direction],
                '_children': expand(lot.id, direction, {lot.id}),
                } for direction in ['upstream', 'downstream']]
        # Flatten breadth first so each level is created in one call
        levels, current = [], [(None, root)]
        while current:
            level, following = [], []
            for parent, node in current:
                node['_parent'] = parent
                index = len(level)
                level.append(node)
                following.extend(
                    (index, c) for c in node.pop('_children', []))
            levels.append(level)
            current = following
        return levels

    @classmethod
    def _lot_node(cls, lot, direction, move):
        return {
            'kind': 'lot', 'direction': direction,
            'name': lot.number, 'lot': lot.id, 'product': lot.product.id,
            'move': move.id if move else None,
            'quantity': move.quantity if move else None,
            'unit': move.unit.id if move else None,
            'date': move.effective_date if move else None,
            }

    @classmethod
    def _production_node(cls, production, direction):
        return {
            'kind': 'production', 'direction': direction,
            'name': production.number or str(production.id),
            'production': production.id,
            'date': production.effective_date,
            }

    @classmethod
    def _move_node(cls, move, direction):
        shipment = move.shipment
        if direction == 'upstream':
            kind = 'receipt'
            party = getattr(shipment, 'supplier', None)
        else:
            kind = 'delivery'
            party = getattr(shipment, 'customer', None)
        return {
            'kind': kind, 'direction': direction,
            'name': (shipment.rec_name if shipment else move.rec_name),
            'lot': move.lot.id, 'product': move.product.id,
            'move': move.id, 'party': party.id if party else None,
            'shipment': str(shipment) if shipment else None,
            'quantity': move.quantity, 'unit': move.unit.id,
            'date': move.effective_date,
            }

    @classmethod
    def clean(cls, days=1):
        "Delete the sessions older than days (cron)"
        limit = dt.datetime.now() - dt.timedelta(days=days)
        cls.delete(cls.search([('create_date', '<', limit)]))


class LotTraceNode(ModelSQL, ModelView):
    __name__ = 'stock.lot.trace.node'
    __string__ = "Lot Trace Node"
    session = fields.Many2One(
        'stock.lot.trace.session', "Session", required=True,
        ondelete='CASCADE')
    parent = fields.Many2One(
        'stock.lot.trace.node', "Parent", ondelete='CASCADE')
    children = fields.One2Many('stock.lot.trace.node', 'parent', "Children")
    kind = fields.Selection(KINDS, "Kind", readonly=True)
    direction = fields.Selection(DIRECTIONS, "Direction", readonly=True)
    name = fields.Char("Name", readonly=True)
    lot = fields.Many2One('stock.lot', "Lot", readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True)
    production = fields.Many2One('production', "Production", readonly=True)
    move = fields.Many2One('stock.move', "Move", readonly=True)
    shipment = fields.Reference(
        "Shipment", selection='get_shipments', readonly=True)
    party = fields.Many2One('party.party', "Party", readonly=True)
    quantity = fields.Float("Quantity", digits='unit', readonly=True)
    unit = fields.Many2One('product.uom', "Unit", readonly=True)
    date = fields.Date("Date", readonly=True)
    sequence = fields.Integer("Sequence", readonly=True)
    parent_sequence = fields.Integer("Parent Sequence", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('sequence', 'ASC'), ('id', 'ASC')]

    @classmethod
    def get_shipments(cls):
        Move = Pool().get('stock.move')
        return Move.get_shipment()


class Lot(metaclass=PoolMeta):
    __name__ = 'stock.lot'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'open_trace_tree': {},
                })

    @classmethod
    @ModelView.button_action('factory_stock_ext.wizard_lot_trace_open')
    def open_trace_tree(cls, lots):
        pass
