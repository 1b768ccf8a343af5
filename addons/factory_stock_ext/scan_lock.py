# This file is part of factory_stock_ext.  The row a scan updates for its
# document: under PostgreSQL's REPEATABLE READ, a scan that would compute
# coverage without another session's just-committed scan of the same
# document fails to serialize and is retried on a fresh snapshot.  Our own
# table, so that core's document rows are only read (and row-locked).
from sql import Conflict, Literal

from trytond.model import ModelSQL, Unique, fields


class ScanDocumentLock(ModelSQL):
    __name__ = 'stock.scan.document_lock'
    __string__ = "Scan Document Lock"

    document = fields.Char("Document", required=True, strip=False)
    locks = fields.Integer("Locks", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('document_unique', Unique(t, t.document),
                'factory_stock_ext.msg_scan_document_lock_unique'),
            ]

    @classmethod
    def upsert(cls, reference):
        "The query that creates or updates the lock row of `reference`"
        table = cls.__table__()
        return table.insert([table.document, table.locks],
            [[reference, Literal(1)]],
            on_conflict=Conflict(table, indexed_columns=[table.document],
                columns=[table.locks], values=[table.locks + 1]))
