# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""One classmethod per alert type, registered in Alert._alert_types.

A detector reads only the Snapshot (plus at most one set-based query) and
yields plain dicts: product, warehouse, lot, location and the numbers the
alert's one-line description is formatted with."""
import datetime as dt
from collections import defaultdict

from trytond.pool import Pool
from trytond.transaction import Transaction

from .demand import chunks, in_
from .usage import to_date


class AlertDetectors:
    __slots__ = ()

    @classmethod
    def _detect_below_safety(cls, snap):
        main = snap.main_location
        for (wh, product), row in snap.params.items():
            safety = row.get('safety_stock')
            if safety and row['quantity'] < safety:
                yield cls._product_row(snap, main, wh, product, row, safety)

    @classmethod
    def _detect_below_reorder(cls, snap):
        "Between safety stock and reorder point, and nobody is buying"
        main = snap.main_location
        for (wh, product), row in snap.params.items():
            rop, safety = row.get('reorder_point'), row.get('safety_stock')
            if (rop and safety is not None
                    and safety <= row['quantity'] < rop
                    and (wh, product) not in snap.open_supply):
                yield cls._product_row(snap, main, wh, product, row, rop)

    @classmethod
    def _detect_overstock(cls, snap):
        "Above the maximum or more days of cover than configured"
        main = snap.main_location
        days = snap.config.overstock_days
        for (wh, product), row in snap.params.items():
            qty, avg = row['quantity'], row['avg_daily']
            limits = []
            if row.get('max_quantity'):
                limits.append(row['max_quantity'])
            if avg > 0 and days:
                limits.append(avg * days)
            if qty <= 0 or not limits or qty <= max(limits):
                continue
            limit = max(limits)
            result = cls._product_row(snap, main, wh, product, row, limit)
            result['value'] = (qty - limit) * snap.costs.get(product, 0)
            yield result

    @classmethod
    def _detect_dead(cls, snap):
        yield from cls._idle(snap, snap.config.dead_days, None)

    @classmethod
    def _detect_slow(cls, snap):
        yield from cls._idle(
            snap, snap.config.slow_days, snap.config.dead_days)

    @classmethod
    def _idle(cls, snap, min_days, max_days):
        """Stock whose last outgoing move (or first receipt when it never
        left) is at least min_days and less than max_days old"""
        main = snap.main_location
        for key, qty in snap.on_hand.items():
            if qty <= 0:
                continue
            row = snap.params.get(key) or {}
            last = row.get('last_out_date') or snap.first_in.get(key)
            if not last:
                continue
            age = (snap.today - last).days
            if age < min_days or (max_days is not None and age >= max_days):
                continue
            wh, product = key
            yield {
                'product': product, 'warehouse': wh,
                'location': main.get(key), 'quantity': qty,
                'date': last,
                'value': qty * snap.costs.get(product, 0),
                }

    @classmethod
    def _detect_expiring(cls, snap):
        "Lots in stock whose expiration date is within the warning days"
        limit = snap.today + dt.timedelta(days=snap.config.expiry_days)
        lots = cls._lot_rows(snap, lambda lot: (
                lot.expiration_date <= limit)
            | (lot.shelf_life_expiration_date <= limit))
        for (wh, lot_id), (product, qty, location, lot) in lots.items():
            dates = [to_date(d) for d in lot[1:3] if d]
            expiry = min(dates)
            yield {
                'product': product, 'warehouse': wh, 'lot': lot_id,
                'location': location, 'quantity': qty, 'date': expiry,
                'value': qty * snap.costs.get(product, 0),
                }

    @classmethod
    def _detect_qc_held(cls, snap):
        "Lots still on QC hold (factory_stock_ext) after the allowed days"
        limit = snap.today - dt.timedelta(days=snap.config.qc_hold_days)
        lots = cls._lot_rows(snap, lambda lot: (lot.qc_state == 'hold')
            & (lot.qc_hold_date <= limit))
        for (wh, lot_id), (product, qty, location, lot) in lots.items():
            held = to_date(lot[3])
            if not held:
                continue
            yield {
                'product': product, 'warehouse': wh, 'lot': lot_id,
                'location': location, 'quantity': qty, 'date': held,
                'value': qty * snap.costs.get(product, 0),
                }

    @classmethod
    def _detect_negative(cls, snap):
        worst = {}
        for (wh, location, product, lot), qty in snap.stock.items():
            if qty < 0 and qty < worst.get((wh, product, lot), (0, None))[0]:
                worst[wh, product, lot] = (qty, location)
        for (wh, product, lot), (qty, location) in worst.items():
            yield {
                'product': product, 'warehouse': wh, 'lot': lot,
                'location': location, 'quantity': qty,
                }

    @classmethod
    def _product_row(cls, snap, main, wh, product, row, threshold):
        return {
            'product': product, 'warehouse': wh,
            'location': main.get((wh, product)),
            'quantity': row['quantity'], 'threshold': threshold,
            'days_of_cover': row.get('days_of_cover'),
            'lead_time': row.get('avg_lead_time'),
            }

    @classmethod
    def _lot_rows(cls, snap, condition):
        """{(warehouse, lot): (product, quantity, main location, lot row)}
        for the lots in stock that match condition(lot table)"""
        Lot = Pool().get('stock.lot')
        cursor = Transaction().connection.cursor()
        in_stock = defaultdict(float)
        where = {}
        for (wh, location, product, lot), qty in snap.stock.items():
            if lot:
                in_stock[wh, lot, product] += qty
                if qty > where.get((wh, lot), (None, 0))[1]:
                    where[wh, lot] = (location, qty)
        lot_ids = list({k[1] for k, q in in_stock.items() if q > 0})
        rows = {}
        lot = Lot.__table__()
        for sub in chunks(lot_ids):
            cursor.execute(*lot.select(
                    lot.id, lot.expiration_date,
                    lot.shelf_life_expiration_date, lot.qc_hold_date,
                    where=in_(lot.id, list(sub)) & condition(lot)))
            rows.update((r[0], r) for r in cursor.fetchall())
        result = {}
        for (wh, lot_id, product), qty in in_stock.items():
            if qty > 0 and lot_id in rows:
                result[wh, lot_id] = (
                    product, qty, where[wh, lot_id][0], rows[lot_id])
        return result
