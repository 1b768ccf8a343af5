# This file is part of factory_stock_ext.  The per-scan questions asked in
# SQL, one indexed query each: a handheld scan must cost a few round trips,
# not a read of the whole document through the ORM (bench_scan_api.py);
# their text is built once per process (sql_statements.py).
# Access is still checked: model access and record rules (rule_query).
import datetime as dt
from collections import namedtuple

from sql import Cast, For, Literal, Null, Union, With
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce

from trytond.cache import freeze
from trytond.pool import Pool
from trytond.transaction import Transaction

from . import sql_statements

COUNTED = ('accepted', 'approved')


def _cursor():
    return Transaction().connection.cursor()


def _one(query):
    cursor = _cursor()
    cursor.execute(*query)
    return cursor.fetchone()


# The query of a rule's domain may read translations: the language is part
# of its shape
Rules = namedtuple('Rules', 'model domain language')


def rule_query(record):
    """Check model access (raises) and return the record rules the user has
    on the record's model (Rules), None when no rule applies; lock_document
    puts the query of the ids they allow in its own query"""
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    Rule = pool.get('ir.rule')
    name = record.__class__.__name__
    ModelAccess.check(name, 'read')
    domain = Rule.domain_get(name, 'read')
    if domain:
        return Rules(name, freeze(domain), Transaction().language)


def lock_document(document, client_key=None, rule=None, session=None,
        user=False):
    """Row-lock the document if the user may read it (rule: rule_query);
    return a Locked row (its state, the line already sent with client_key
    in this scope, its company, the open session of `session` = (kinds by
    state, user, device) if asked, whether client_key was used in another
    scope) or None if there is no document.  The scope of a key is
    (document, user): the company is the document's.
    One round trip where the database has row locks (PostgreSQL).

    Not Model.lock(): it restarts the whole transaction the first time
    (costly for every scan).  Instead the scan updates its document's row of
    stock.scan.document_lock (our own table): under PostgreSQL REPEATABLE
    READ, an update of a row changed by a concurrent committed scan raises a
    serialization error, so the scan is retried (by the RPC/route machinery)
    on a fresh snapshot: coverage is always computed with every other
    session's committed scans.  The document itself is only read, FOR SHARE:
    it cannot change under the scan, and a scan that meets a document changed
    since its snapshot is retried the same way."""
    pool = Pool()
    Model = document.__class__
    if user is False:
        user = Transaction().user or None
    # Only the values the query uses (sql_statements)
    values = {'id': document.id, 'reference': str(document)}
    if client_key:
        values['key'] = client_key
        if user:
            values['user'] = user
    kinds = None
    if session:
        kinds, session_user, device = session
        if isinstance(kinds, str):
            values['kind'] = kinds
            kinds = None
        if session_user:
            values['session_user'] = session_user
        if device:
            values['device'] = device
    row_locks = Transaction().database.has_select_for()
    DocumentLock = pool.get('stock.scan.document_lock')

    def where(table, id):
        where = table.id == id
        if rule is not None:
            Rule = pool.get('ir.rule')
            where &= table.id.in_(Rule.query_get(rule.model, 'read'))
        return where

    def build(id, reference=None, key=None, user=None, kind=None,
            session_user=None, device=None):
        table = Model.__table__()
        line = pool.get('stock.scan.line').__table__()
        if key is not None:
            match = line.client_key == key
            mine = (line.document == reference) & (
                (line.user == user) if user is not None
                else (line.user == Null))
            sent = line.select(line.id, where=match & mine, limit=1)
            # Another scope: the line itself is never read (nothing of it
            # leaks)
            other_user = (((line.user == Null) | (line.user != user))
                if user is not None else (line.user != Null))
            elsewhere = line.select(Literal(1), where=match & (
                    (line.document != reference) | other_user), limit=1)
        else:
            sent = elsewhere = Literal(None)
        columns = [table.state, sent, table.company,
            _open_session(reference, table.state,
                kind if kind is not None else kinds, session_user, device)
            if session else Literal(None), elsewhere]
        if not row_locks:
            return table.select(*columns, where=where(table, id))
        # The lock row's upsert in the same statement
        return table.select(*columns, where=where(table, id),
            with_=[With(query=DocumentLock.upsert(reference))],
            for_=For('SHARE', tables=[table]))

    if not row_locks:
        # SQLite: one writer at a time; the upsert takes the write lock
        sql_statements.execute('lock_document upsert', DocumentLock.upsert,
            reference=values['reference'])
        if not (client_key or session):
            del values['reference']  # every value must be used (execute)
    cursor = sql_statements.execute(('lock_document', Model.__name__, rule,
            tuple(sorted(values)), freeze(kinds), bool(session)),
        build, **values)
    row = cursor.fetchone()
    return Locked(*row) if row else None


Locked = namedtuple('Locked', 'state sent company session elsewhere')


def _open_session(reference, state, kinds, user, device):
    """Query of the id of the open session of this user and device on the
    document, for the kind given or else the one of the document state"""
    table = Pool().get('stock.scan.session').__table__()
    if isinstance(kinds, dict):
        kind = Case(*[(state.in_(sorted(states)), Literal(k))
                for k, states in kinds.items()])
    else:
        kind = kinds
    where = ((table.document == reference) & (table.kind == kind)
        & (table.state == 'open'))
    where &= (table.user == user) if user is not None else (
        table.user == Null)
    where &= (table.device == device) if device is not None else (
        table.device == Null)
    return table.select(table.id, where=where, order_by=[table.id.desc],
        limit=1)


def _lot_columns(lot):
    return [lot.id, lot.product, lot.number, lot.expiration_date,
        lot.qc_state]


def resolve_code(code):
    """Rows (lot id, product id, lot number, expiration, QC state, product
    name parts) for the scanned code in one query: the active lots of that
    number, else the product of the barcode, else of the product code; []
    when unknown"""
    cursor = sql_statements.execute('resolve_code', _resolve_query,
        code=code)
    rows = cursor.fetchall()
    return [_lot(r[1:6]) + (r[6:],) for r in rows if r[0] == rows[0][0]]


def _resolve_query(code):
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
    return query.join(product, condition=product.id == query.c1
        ).join(template, condition=template.id == product.template
        ).select(query.rank, query.c0, query.c1, query.c2, query.c3,
        query.c4, product.code, template.id, template.name,
        order_by=[query.rank, query.c0])


def _lot(row):
    "SQLite gives a date computed in a union as text"
    if isinstance(row[3], str):
        row = row[:3] + (dt.date.fromisoformat(row[3]),) + row[4:]
    return tuple(row)


def lot_row(product_id, number=None, lot_id=None):
    "The lot given with the scan: by number of the product, or by id"
    def build(**values):
        lot = Pool().get('stock.lot').__table__()
        if 'lot_id' in values:
            where = lot.id == values['lot_id']
        else:
            where = ((lot.number == values['number'])
                & (lot.product == values['product_id'])
                & (lot.active == Literal(True)))
        return lot.select(*_lot_columns(lot), where=where, limit=1)
    if lot_id is not None:
        cursor = sql_statements.execute('lot_row id', build, lot_id=lot_id)
    else:
        cursor = sql_statements.execute('lot_row number', build,
            number=number, product_id=product_id)
    return cursor.fetchone()


def location_row(location_id=None, code=None):
    """(id, left, right, name parts) of the scanned location, by id or
    active code"""
    def build(**values):
        location = Pool().get('stock.location').__table__()
        if 'location_id' in values:
            where = location.id == values['location_id']
        else:
            where = ((Coalesce(location.code, '') == values['code'])
                & (location.active == Literal(True)))
        return location.select(location.id, location.left, location.right,
            location.code, location.id, location.name,
            where=where, order_by=[location.id], limit=1)
    if location_id is not None:
        cursor = sql_statements.execute('location_row id', build,
            location_id=location_id)
    else:
        cursor = sql_statements.execute('location_row code', build,
            code=code)
    row = cursor.fetchone()
    return row[:3] + (row[3:],) if row else None


def moves(kind, document, product_id, side_name):
    """Uncancelled moves of the product on the document with what every
    session has counted for them, and the product's rec_name parts; dicts
    in id order"""
    issue = kind == 'issue'
    cursor = sql_statements.execute(('moves', issue, side_name),
        lambda **v: _moves_query(issue, side_name, **v),
        document=document.id if issue else str(document),
        product_id=product_id)
    names = ['id', 'lot', 'from_location', 'to_location', 'from_type',
        'quantity', 'side', 'side_left', 'side_right', 'covered']
    return [dict(zip(names, r)) for r in cursor]


def _moves_query(issue, side_name, document, product_id):
    pool = Pool()
    move = pool.get('stock.move').__table__()
    location = pool.get('stock.location').__table__()
    side = pool.get('stock.location').__table__()
    line = pool.get('stock.scan.line').__table__()
    if issue:
        where = move.production_input == document
    else:
        where = move.shipment == document
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
    return query


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
