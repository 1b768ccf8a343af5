# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from sql import Literal
from sql.conditionals import NullIf

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval

from . import formula_sql


class SupplierLeadTime(ModelSQL, ModelView):
    """Lead time per product and supplier over the statistics window, as the
    run keeps it (stock.safety.lead): what the pooled figures of a
    parameter are made of, to see which supplier is slow or erratic"""
    __name__ = 'stock.safety.lead.supplier'
    __string__ = "Supplier Lead Time"

    company = fields.Many2One('company.company', "Company", readonly=True)
    warehouse = fields.Many2One('stock.location', "Warehouse", readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    supplier = fields.Many2One('party.party', "Supplier", readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    receipts = fields.Integer("Receipts Measured", readonly=True)
    average = fields.Float("Average Lead Time", readonly=True,
        help="Days from the purchase date to the receipt.")
    std_dev = fields.Float("Std. Dev. of Lead Time", readonly=True)
    maximum = fields.Float("Maximum Lead Time", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('product', 'ASC'), ('average', 'DESC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        Lead = Pool().get('stock.safety.lead')
        lead = Lead.__table__()
        average, std_dev = formula_sql.moments(
            lead.total, lead.total_sq, NullIf(lead.samples, 0))
        return lead.select(lead.id, lead.create_uid, lead.create_date,
            lead.write_uid, lead.write_date, lead.company, lead.warehouse,
            lead.product, lead.party.as_('supplier'),
            lead.samples.as_('receipts'), average.as_('average'),
            std_dev.as_('std_dev'), lead.max_days.as_('maximum'),
            # pending markers carry no figures
            where=(lead.pending == Literal(False)) & (lead.samples > 0))
