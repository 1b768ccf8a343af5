# One-click trace from a lot (wizard opening the tree) and its xlsx export.
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.pyson import PYSONEncoder
from trytond.report import Report
from trytond.wizard import StateAction, Wizard

from . import excel
from .exceptions import LotTraceError


class LotTraceOpen(Wizard):
    __name__ = 'stock.lot.trace.open'
    start_state = 'open_'
    open_ = StateAction('factory_stock_ext.act_lot_trace_node_tree')

    def do_open_(self, action):
        Session = Pool().get('stock.lot.trace.session')
        if self.model.__name__ != 'stock.lot' or not self.record:
            raise LotTraceError(gettext(
                    'factory_stock_ext.msg_lot_trace_no_lot'))
        session = Session.trace(self.record)
        action['pyson_domain'] = PYSONEncoder().encode([
                ('session', '=', session.id),
                ('parent', '=', None),
                ])
        action['name'] += f' ({self.record.rec_name})'
        return action, {}


class LotTraceExport(Report):
    "Spreadsheet of the trace of lots or of the trace a node belongs to"
    __name__ = 'stock.lot.trace.export'

    @classmethod
    def _execute(cls, records, header, data, action):
        # Core execute still checks the access and names the file.
        # Reports run in read-only transactions: lots are traced in memory.
        pool = Pool()
        Session = pool.get('stock.lot.trace.session')
        Node = pool.get('stock.lot.trace.node')
        traces = []
        if records and records[0].__name__ == 'stock.lot':
            for lot in records:
                levels = Session.build_tree(lot)
                traces.append((lot.number, cls._walk_levels(Node, levels)))
        else:
            if records and records[0].__name__ == 'stock.lot.trace.node':
                records = list({n.session for n in records})
            for session in records:
                nodes = Node.search([('session', '=', session.id)])
                traces.append((session.lot.number, cls._walk(nodes)))
        return 'xlsx', cls.render_xlsx(traces)

    @classmethod
    def render_xlsx(cls, traces):
        "Through the Excel layer: names, lots and parties formula-safe"
        Node = Pool().get('stock.lot.trace.node')
        bold = excel.styles().Font(bold=True)
        workbook = excel.workbook()
        workbook.remove(workbook.active)
        fields = ['kind', 'direction', 'name', 'product', 'lot', 'party',
            'date', 'quantity', 'unit']
        descriptions = Node.fields_get(fields)
        for number, rows in traces:
            sheet = workbook.create_sheet(excel.title(number))
            excel.append(sheet, ['Level'] + [
                    descriptions[f]['string'] for f in fields])
            for cell in sheet[1]:
                cell.font = bold
            for node, depth in rows:
                excel.append(sheet, [depth] + [
                        cls._cell(node, f, descriptions[f]) for f in fields])
        return excel.save(workbook)

    @classmethod
    def _walk(cls, nodes):
        "Depth-first order of the nodes, as in the tree"
        by_parent = {}
        for node in nodes:
            by_parent.setdefault(
                node.parent.id if node.parent else None, []).append(node)
        stack = [(n, 0) for n in reversed(by_parent.get(None, []))]
        while stack:
            node, depth = stack.pop()
            yield node, depth
            stack.extend((c, depth + 1)
                for c in reversed(by_parent.get(node.id, [])))

    @classmethod
    def _walk_levels(cls, Node, levels):
        "Depth-first order of unsaved nodes built from the levels"
        children = [{} for _ in levels]
        for depth, level in enumerate(levels):
            for index, values in enumerate(level):
                children[depth].setdefault(
                    values['_parent'], []).append(index)
        stack = [(0, i) for i in reversed(children[0].get(None, []))]
        while stack:
            depth, index = stack.pop()
            values = {k: v for k, v in levels[depth][index].items()
                if not k.startswith('_')}
            yield Node(**values), depth
            if depth + 1 < len(levels):
                stack.extend((depth + 1, i) for i in reversed(
                        children[depth + 1].get(index, [])))

    @staticmethod
    def _cell(node, name, description):
        value = getattr(node, name, None)
        if description['type'] == 'selection':
            return dict(description['selection']).get(value, value)
        if hasattr(value, 'rec_name'):
            return value.rec_name
        return value
