"""Stock and material data behind the fakes.

Base rows are computed from their index instead of being stored, so a fake
seeded with 100k rows starts at once and pages are cheap slices; only rows that
changed (or were created) live in dicts.  One store type serves all three
fakes; Kingdee and U8 use an empty location, SAP uses storage locations.
"""
import math

WAREHOUSES = ("WH01", "WH02", "WH03")


class MaterialStore:
    """Materials P000000…: base ones generated, extra ones added by tests."""

    def __init__(self, count=50, prefix="P", uom="PCS"):
        self.count, self.prefix, self.uom = count, prefix, uom
        self.extra = {}     # code -> dict(name, uom, group, active)
        self._extra_order = []

    def base_code(self, i):
        return "%s%06d" % (self.prefix, i)

    def _base_index(self, code):
        if len(code) == len(self.prefix) + 6 and code.startswith(self.prefix) and code[len(self.prefix):].isdigit():
            i = int(code[len(self.prefix):])
            if i < self.count:
                return i
        return None

    def exists(self, code):
        return code in self.extra or self._base_index(code) is not None

    def add(self, code, name, uom=None, group="", active=True):
        if code not in self.extra:
            self._extra_order.append(code)
        self.extra[code] = {"name": name, "uom": uom or self.uom, "group": group, "active": active}

    def get(self, code):
        if code in self.extra:
            return dict(code=code, **self.extra[code])
        i = self._base_index(code)
        if i is None:
            return None
        return {"code": code, "name": "Material %s" % code, "uom": self.uom,
                "group": "G%d" % (i % 5), "active": True}

    def __len__(self):
        return self.count + len(self._extra_order)

    def codes(self, start=0, stop=None):
        stop = len(self) if stop is None else min(stop, len(self))
        for i in range(start, stop):
            yield self.base_code(i) if i < self.count else self._extra_order[i - self.count]


class StockStore:
    """On-hand quantities keyed (product, warehouse, location, lot)."""

    def __init__(self, rows=0, warehouses=WAREHOUSES, location="", with_lots=True, prefix="P"):
        self.n = rows
        self.warehouses = tuple(warehouses)
        self.location = location
        self.with_lots = with_lots
        self.prefix = prefix
        self._wh_index = {w: i for i, w in enumerate(self.warehouses)}
        self._override = {}            # base index -> qty
        self._extra_keys = []          # keys of rows that are not base rows
        self._extra_index = {}         # key -> index (>= n)
        self._extra_qty = []
        self._by_product = {}          # product -> [extra indexes]

    @property
    def product_count(self):
        return math.ceil(self.n / len(self.warehouses))

    # -- base rows, computed --------------------------------------------------
    def _base_key(self, i):
        p, w = divmod(i, len(self.warehouses))
        lot = "L%02d" % (p % 10) if self.with_lots else ""
        return ("%s%06d" % (self.prefix, p), self.warehouses[w], self.location, lot)

    @staticmethod
    def _base_qty(i):
        return float((i * 7919) % 997 + 1)

    def _base_index(self, key):
        product, warehouse = key[0], key[1]
        digits = product[len(self.prefix):]
        if not (product.startswith(self.prefix) and len(digits) == 6 and digits.isdigit()):
            return None
        w = self._wh_index.get(warehouse)
        if w is None:
            return None
        i = int(digits) * len(self.warehouses) + w
        if i < self.n and self._base_key(i) == tuple(key):
            return i
        return None

    # -- access ------------------------------------------------------------------
    def __len__(self):
        return self.n + len(self._extra_keys)

    def index_of(self, key):
        i = self._base_index(key)
        return i if i is not None else self._extra_index.get(tuple(key))

    def key(self, i):
        return self._base_key(i) if i < self.n else self._extra_keys[i - self.n]

    def qty_at(self, i):
        if i < self.n:
            return self._override.get(i, self._base_qty(i)) if self._override else self._base_qty(i)
        return self._extra_qty[i - self.n]

    def row(self, i):
        """(product, warehouse, location, lot, quantity)"""
        return self.key(i) + (self.qty_at(i),)

    def rows(self, start=0, stop=None):
        stop = len(self) if stop is None else min(stop, len(self))
        for i in range(max(0, start), stop):
            yield self.row(i)

    def indexes_for_product(self, product):
        found = []
        digits = product[len(self.prefix):]
        if product.startswith(self.prefix) and len(digits) == 6 and digits.isdigit():
            first = int(digits) * len(self.warehouses)
            found.extend(i for i in range(first, first + len(self.warehouses))
                         if i < self.n and self._base_key(i)[0] == product)
        found.extend(self._by_product.get(product, ()))
        return found

    def get(self, product, warehouse, lot="", location=None):
        i = self.index_of((product, warehouse, self.location if location is None else location, lot))
        return 0.0 if i is None else self.qty_at(i)

    # -- changes -------------------------------------------------------------------
    def set(self, key, qty):
        key = tuple(key)
        i = self.index_of(key)
        if i is None:
            i = len(self)
            self._extra_index[key] = i
            self._extra_keys.append(key)
            self._extra_qty.append(float(qty))
            self._by_product.setdefault(key[0], []).append(i)
        elif i < self.n:
            self._override[i] = float(qty)
        else:
            self._extra_qty[i - self.n] = float(qty)

    def add(self, key, delta):
        i = self.index_of(tuple(key))
        current = 0.0 if i is None else self.qty_at(i)
        self.set(key, round(current + float(delta), 6))

    def snapshot(self):
        """{key: qty} of every row — for small stores in tests."""
        return {self.key(i): self.qty_at(i) for i in range(len(self))}
