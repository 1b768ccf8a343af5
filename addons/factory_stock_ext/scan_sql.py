# This file is part of factory_stock_ext.  The per-scan questions asked in
# SQL, one indexed query each: a handheld scan must cost a few round trips,
# not a read of the whole document through the ORM (bench_scan_api.py).
# Access is still checked: model access and record rules (rule_query).
import datetime as dt
from collections import namedtuple

from sql import Cast, Literal, Null, Union
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce

from trytond.pool import Pool
from trytond.transaction import Transaction

COUNTED = ('accepted', 'approved')


def _cursor():
    return Transaction().connection.cursor()


def _one(query):
    cursor = _cursor()
    cursor.execute(*query)
    return cursor.fetchone()


def rule_query(record):
    """Check model access (raises) and return the query of the ids the user
    may read under the record rules, None when no rule applies; the ORM
    builds it without a round trip, the caller puts it in its own query"""
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    Rule = pool.get('ir.rule')
    Model = record.__class__
    ModelAccess.check(Model.__name__, 'read')
    if Rule.domain_get(Model.__name__, 'read'):
        return Model.search([('id', '=', record.id)], order=[], query=True)


def lock_document(document, client_key=None, rule=None, session=None,
        user=False):
    """Row-lock the document if the user may read it; return a Locked row
    (its state, the line already sent with client_key in this scope, its
    company, the open session of `session` = (kinds by state, user,
    device) if asked, whether client_key was used in another scope) or
    None if there is no document.  The scope of a key is (document, user):
    the company is the document's.
    One round trip where the database has UPDATE … RETURNING.

    A no-op UPDATE rather than Model.lock(): lock() restarts the whole
    transaction the first time (costly for every scan), while under
    PostgreSQL REPEATABLE READ an UPDATE of a row changed by a concurrent
    committed scan raises a serialization error, so the scan is retried
    (by the RPC/route machinery) on a fresh snapshot: coverage is always
    computed with every other session's committed scans."""
    table = document.__class__.__table__()
    line = Pool().get('stock.scan.line').__table__()
    if user is False:
        user = Transaction().user or None
    where = table.id == document.id
    if rule is not None:
        where &= table.id.in_(rule)
    if client_key:
        key = line.client_key == client_key
        mine = (line.document == str(document)) & (
            (line.user == user) if user else (line.user == Null))
        sent = line.select(line.id, where=key & mine, limit=1)
        # Another scope: the line itself is never read (nothing of it leaks)
        other_user = ((line.user == Null) | (line.user != user)) if user \
            else (line.user != Null)
        elsewhere = line.select(Literal(1), where=key & (
                (line.document != str(document)) | other_user), limit=1)
    else:
        sent = elsewhere = Literal(None)
    columns = [table.state, sent, table.company,
        _open_session(document, table.state, *session) if session
        else Literal(None), elsewhere]
    database = Transaction().database
    update = table.update([table.write_date], [table.write_date],
        where=where)
    if database.has_returning():
        update.returning = columns
        row = _one(update)
    else:
        _cursor().execute(*update)
        row = _one(table.select(*columns, where=where))
    return Locked(*row) if row else None


Locked = namedtuple('Locked', 'state sent company session elsewhere')


def _open_session(document, state, kinds, user, device):
    """Query of the id of the open session of this user and device on the
    document, for the kind given or else the one of the document state"""
    table = Pool().get('stock.scan.session').__table__()
    if isinstance(kinds, str):
        kind = Literal(kinds)
    else:
        kind = Case(*[(state.in_(list(states)), Literal(k))
                for k, states in kinds.items()])
    where = ((table.document == str(document)) & (table.kind == kind)
        & (table.state == 'open'))
    where &= (table.user == user) if user else (table.user == Null)
    where &= (table.device == device) if device else (table.device == Null)
    return table.select(table.id, where=where, order_by=[table.id.desc],
        limit=1)


def session_row(session_id, rule=None):
    "(document, kind, state, device) of a session, None if unknown"
    table = Pool().get('stock.scan.session').__table__()
    where = table.id == session_id
    if rule is not None:
        where &= table.id.in_(rule)
    return _one(table.select(table.document, table.kind, table.state,
            table.device, where=where))


def _lot_columns(lot):
    return [lot.id, lot.product, lot.number, lot.expiration_date,
        lot.qc_state]


def resolve_code(code):
    """Rows (lot id, product id, lot number, expiration, QC state, product
    name parts) for the scanned code in one query: the active lots of that
    number, else the product of the barcode, else of the product code; []
    when unknown"""
    pool = Pool()
    lot = pool.get('stock.lot').__table__()
    identifier = pool.get('product.identifier').__table__()
    product = pool.get('product.product').__table__()
    # Typed NULLs: PostgreSQL must match the column types of the union
    nothing = [Cast(Literal(None), t) for t in ['VARCHAR', 'DATE', 'VARCHAR']]
    no_lot = Cast(Literal(None), 'INTEGER')
    query = Union(
        lot.select(Literal(0).as_('rank'), *[c.as_('c%s' % i)
                for i, c in enumerate(_lot_columns(lot))],
            where=(lot.number == code) & (lot.active == Literal(True))),
        identifier.select(Literal(1), no_lot, identifier.product, *nothing,
            where=identifier.code == code),
        product.select(Literal(2), no_lot, product.id, *nothing,
            where=(Coalesce(product.code, '') == code)
            & (product.active == Literal(True))),
        all_=True)
    # With the parts of the product's rec_name, for the scan message
    product = pool.get('product.product').__table__()
    template = pool.get('product.template').__table__()
    cursor = _cursor()
    cursor.execute(*query.join(product, condition=product.id == query.c1
            ).join(template, condition=template.id == product.template
            ).select(query.rank, query.c0, query.c1, query.c2, query.c3,
            query.c4, product.code, template.id, template.name,
            order_by=[query.rank, query.c0]))
    rows = cursor.fetchall()
    return [_lot(r[1:6]) + (r[6:],) for r in rows if r[0] == rows[0][0]]


def _lot(row):
    "SQLite gives a date computed in a union as text"
    if isinstance(row[3], str):
        row = row[:3] + (dt.date.fromisoformat(row[3]),) + row[4:]
    return tuple(row)


def lot_row(product_id, number=None, lot_id=None):
    "The lot given with the scan: by number of the product, or by id"
    lot = Pool().get('stock.lot').__table__()
    if lot_id is not None:
        where = lot.id == lot_id
    else:
        where = ((lot.number == number) & (lot.product == product_id)
            & (lot.active == Literal(True)))
    return _one(lot.select(*_lot_columns(lot), where=where, limit=1))


def location_row(location_id=None, code=None):
    """(id, left, right, name parts) of the scanned location, by id or
    active code"""
    location = Pool().get('stock.location').__table__()
    if location_id is not None:
        where = location.id == location_id
    else:
        where = ((Coalesce(location.code, '') == code)
            & (location.active == Literal(True)))
    row = _one(location.select(location.id, location.left, location.right,
            location.code, location.id, location.name,
            where=where, order_by=[location.id], limit=1))
    return row[:3] + (row[3:],) if row else None


def moves(kind, document, product_id, side_name):
    """Uncancelled moves of the product on the document with what every
    session has counted for them, and the product's rec_name parts; dicts
    in id order"""
    pool = Pool()
    move = pool.get('stock.move').__table__()
    location = pool.get('stock.location').__table__()
    side = pool.get('stock.location').__table__()
    line = pool.get('stock.scan.line').__table__()
    if kind == 'issue':
        where = move.production_input == document.id
    else:
        where = move.shipment == str(document)
    covered = line.select(Coalesce(Sum(line.quantity), 0),
        where=(line.move == move.id) & line.result.in_(COUNTED))
    query = move.join(location, condition=location.id == move.from_location
        ).join(side, condition=side.id == getattr(move, side_name)
        ).select(move.id, move.lot, move.from_location, move.to_location,
            location.type, move.quantity, side.id, side.left, side.right,
            covered,
            where=where & (move.product == product_id)
            & (move.state != 'cancelled'),
            order_by=[move.id])
    cursor = _cursor()
    cursor.execute(*query)
    names = ['id', 'lot', 'from_location', 'to_location', 'from_type',
        'quantity', 'side', 'side_left', 'side_right', 'covered']
    return [dict(zip(names, r)) for r in cursor]


def _translated(model_field, record_id, value):
    """The field value in the user's language as ModelSQL.read gives it,
    from the translation cache (cleared when translations change)"""
    Translation = Pool().get('ir.translation')
    translations = Translation.get_ids(model_field, 'model',
        Transaction().language, [record_id])
    return translations.get(record_id) or value


def rec_name(model_field, parts):
    "[code] name, the name translated, from (code, id, name)"
    code, id_, name = parts
    name = _translated(model_field, id_, name)
    return '[%s] %s' % (code, name) if code else name


def location_name(location_id):
    return rec_name('stock.location,name', location_row(location_id)[3])


def unit(product_id):
    "(digits, name) of the unit of the product"
    pool = Pool()
    product = pool.get('product.product').__table__()
    template = pool.get('product.template').__table__()
    uom = pool.get('product.uom').__table__()
    return _one(product.join(template,
            condition=template.id == product.template
            ).join(uom, condition=uom.id == template.default_uom
            ).select(uom.digits, uom.id, uom.name,
            where=product.id == product_id))
