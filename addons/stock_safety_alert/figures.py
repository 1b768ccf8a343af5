# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""stock.figures answered from the stock balance (balance.py) where it
holds: today's on hand (less the moves done at a later date) and first
receipts of a company once a run has
built the balance.  Core's computation sums every move since the last
closed stock period, which bench_safety_alert measures at several times
the whole run's bare GROUP BY on a site that closes none; the balance
answers in one read of a row per item in stock.  Other dates, and any
call with the context key `stock_figures_from_moves` (checks, benchmarks),
read core's."""
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class StockFigures(metaclass=PoolMeta):
    __name__ = 'stock.figures'

    @classmethod
    def on_hand_query(cls, company, date=None, scope=None, products=None,
            grouping=('product',), locations=None, lots=None):
        if not cls._from_balance(company, date):
            return super().on_hand_query(company, date=date, scope=scope,
                products=products, grouping=grouping, locations=locations,
                lots=lots)
        cls._check_grouping(grouping, lots)
        location_ids = cls.locations(scope, among=locations)
        if not location_ids or not cls._asks_some(products, lots):
            return None
        with Transaction().set_context(company=int(company)):
            today = Pool().get('ir.date').today()
        return Pool().get('stock.safety.balance').on_hand_query(
            company, location_ids, today, products, grouping, lots=lots)

    @classmethod
    def first_receipts_query(cls, company, scope=None, products=None,
            grouping=('product',), locations=None):
        if not cls._from_balance(company, None):
            return super().first_receipts_query(company, scope=scope,
                products=products, grouping=grouping, locations=locations)
        cls._check_grouping(grouping)
        location_ids = cls.locations(scope, among=locations)
        if not location_ids:
            return None
        return Pool().get('stock.safety.balance').first_receipts_query(
            company, location_ids, products, grouping)

    @classmethod
    def _from_balance(cls, company, date):
        """Whether the balance answers: today's figures (it holds every
        done move, whatever its date) of a built balance"""
        pool = Pool()
        Balance = pool.get('stock.safety.balance')
        Date = pool.get('ir.date')
        if Transaction().context.get('stock_figures_from_moves'):
            return False
        if date is not None:
            with Transaction().set_context(company=int(company)):
                if date < Date.today():
                    return False
        return Balance.is_built()
