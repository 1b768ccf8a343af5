# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .configuration import METHODS


class Category(metaclass=PoolMeta):
    __name__ = 'product.category'
    safety_method = fields.Selection(
        METHODS, "Safety Stock Method",
        help="Method for the products of this category without their own.")
    safety_critical = fields.Boolean(
        "Critical Material", help="Use the critical service level.")


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'
    safety_method = fields.Selection(
        METHODS, "Safety Stock Method",
        help="Empty: the method of the category, else of the configuration.")
    safety_critical = fields.Boolean(
        "Critical Material", help="Use the critical service level.")
    safety_min_quantity = fields.Float(
        "Fixed Minimum", digits='default_uom',
        states={'invisible': Eval('safety_method') != 'fixed'},
        help="Reorder point of the fixed method.")
    safety_max_quantity = fields.Float(
        "Fixed Maximum", digits='default_uom',
        domain=['OR',
            ('safety_max_quantity', '=', None),
            ('safety_max_quantity', '>=', Eval('safety_min_quantity', 0)),
            ],
        states={'invisible': Eval('safety_method') != 'fixed'})
