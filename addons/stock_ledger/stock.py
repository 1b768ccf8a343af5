# Opening inventories: each line carries the unit cost of its sheet row, and
# its move is valued at that cost (core would take the product cost price).
from trytond.model import fields
from trytond.modules.product import price_digits
from trytond.pool import PoolMeta


class Inventory(metaclass=PoolMeta):
    __name__ = 'stock.inventory'
    opening_import = fields.Many2One('stock.opening.import', "Opening Import",
        readonly=True, ondelete='RESTRICT')


class InventoryLine(metaclass=PoolMeta):
    __name__ = 'stock.inventory.line'
    opening_cost = fields.Numeric("Opening Unit Cost", digits=price_digits,
        readonly=True)

    def get_move(self):
        move = super().get_move()
        if move and self.opening_cost is not None:
            move.cost_price = self.opening_cost
        return move
