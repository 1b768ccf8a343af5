# This file is part of factory_stock_ext.  After SQL writes of our own
# tables (set-based runs), the records read earlier in the transaction
# must not keep their old values.
from trytond.transaction import Transaction


def invalidate(*model_names):
    """Raw SQL writes of our own tables bypass the ORM: drop the
    transaction's record caches of those models, as core does after its own
    SQL updates (account.move's draft lines: counter and per-model cache)"""
    transaction = Transaction()
    transaction.counter += 1
    for cache in transaction.cache.values():
        for name in model_names:
            cache.pop(name, None)
