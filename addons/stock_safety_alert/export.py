# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.factory_stock_ext import excel
from trytond.pool import Pool
from trytond.wizard import Button, StateTransition, StateView, Wizard

ALERT_COLUMNS = ['type', 'state', 'product', 'warehouse', 'lot', 'zone',
    'assignee', 'quantity', 'threshold', 'days_of_cover', 'lead_time',
    'age_days', 'value', 'date', 'description', 'proposal', 'detected_at']
PARAMETER_COLUMNS = ['product', 'warehouse', 'method', 'critical',
    'service_level', 'quantity', 'avg_daily', 'max_daily', 'std_daily',
    'avg_lead_time', 'max_lead_time', 'std_lead_time', 'lead_time_samples',
    'safety_stock', 'reorder_point', 'max_quantity', 'days_of_cover',
    'last_out_date', 'changed_at']


class ExportStart(ModelView):
    "Export Stock Alerts"
    __name__ = 'stock.alert.export.start'
    warehouse = fields.Many2One('stock.location', "Warehouse",
        domain=[('type', '=', 'warehouse')],
        help="Empty for every warehouse.")
    include_resolved = fields.Boolean("Include Resolved Alerts")
    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)


class Export(Wizard):
    "Export Stock Alerts"
    __name__ = 'stock.alert.export'
    start = StateView('stock.alert.export.start',
        'stock_safety_alert.alert_export_start_view_form', [
            Button("Close", 'end', 'tryton-close'),
            Button("Export", 'export', 'tryton-launch', default=True),
            ])
    export = StateTransition()

    def transition_export(self):
        self.start.file = self.workbook(
            self.start.warehouse, self.start.include_resolved)
        self.start.filename = 'stock_alerts.xlsx'
        return 'start'

    def default_start(self, fields):
        values = {}
        for name in ['warehouse', 'include_resolved', 'file', 'filename']:
            value = getattr(self.start, name, None)
            if value is not None:
                values[name] = getattr(value, 'id', value)
        return values

    @classmethod
    def workbook(cls, warehouse=None, include_resolved=False):
        "The alerts and the computed parameters as xlsx bytes"
        pool = Pool()
        Alert = pool.get('stock.alert')
        Parameter = pool.get('stock.safety.parameter')
        domain = []
        if warehouse:
            domain.append(('warehouse', '=', warehouse.id))
        alert_domain = list(domain)
        if not include_resolved:
            alert_domain.append(('state', '!=', 'resolved'))
        book = excel.workbook()
        sheet = book.active
        sheet.title = excel.title(
            gettext('stock_safety_alert.msg_sheet_alerts'))
        cls._fill(sheet, Alert, ALERT_COLUMNS, Alert.search(alert_domain))
        sheet = book.create_sheet(excel.title(
                gettext('stock_safety_alert.msg_sheet_parameters')))
        cls._fill(sheet, Parameter, PARAMETER_COLUMNS,
            Parameter.search(domain))
        return excel.save(book)

    @staticmethod
    def _fill(sheet, Model, columns, records):
        definitions = Model.fields_get(columns)
        excel.append(sheet, [definitions[c]['string'] for c in columns])
        for record in records:
            row = []
            for column in columns:
                value = getattr(record, column)
                definition = definitions[column]
                if definition['type'] == 'selection':
                    value = dict(definition['selection']).get(value, value)
                elif hasattr(value, 'rec_name'):
                    value = value.rec_name
                elif definition['type'] == 'numeric' and value is not None:
                    value = float(value)
                row.append(value)
            # Names come from users: written formula-safe
            excel.append(sheet, row)
        sheet.freeze_panes = 'A2'
