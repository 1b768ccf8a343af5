"""Test-process speed-ups of core code paths that are pure but uncached.

Why: ModuleTestCase's generic checks call `trytond.pool.isregisteredby`
for every model, which resolves each registered class name through
`trytond.tools.misc.import_module`: a scan of every installed entry point
(~0.25 ms) tens of thousands of times, three quarters of those checks'
time. The module a name imports never changes within a process, so its
answer is memoised here; behaviour is unchanged.

The names of the models (`ir.model.get_names`, read whenever a reference
field such as a move's origin is validated) and the triggers of a model are
the same in every company, but core keys their caches on the whole context,
company included. Each test makes its company and on PostgreSQL gets a new
id (sequences are not rolled back), so every test rebuilt them (~0.4 s for
the names; a QC test class took 22-26 s, 18.5 s without it). The company
keys are ignored by those two caches here; what they hold is unchanged.
"""
import functools


def install():
    from trytond.tools import misc
    if not hasattr(misc.import_module, 'cache_info'):
        misc.import_module = functools.cache(misc.import_module)
    from trytond.ir.model import Model
    from trytond.ir.trigger import Trigger
    company_keys = {'company', 'companies', 'employee', 'employees'}
    for cache in [Model._get_names_cache, Trigger._get_triggers_cache]:
        cache.context_ignored_keys |= company_keys
