"""Record batches sized to the transaction's record cache.

trytond's browse() asserts each id is in the batch (a list scan per record),
so one browse or create of 100,000 lines is quadratic; slices of the record
cache size keep tasks of any size linear, as core's own _after_create does.
"""
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, record_cache_size


def browse(Model, ids):
    size = record_cache_size(Transaction())
    return [r for sub in grouped_slice(list(ids), size)
        for r in Model.browse(list(sub))]


def create(Model, vlist):
    size = record_cache_size(Transaction())
    return [r for sub in grouped_slice(vlist, size)
        for r in Model.create(list(sub))]
