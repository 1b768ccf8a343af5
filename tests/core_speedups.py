"""Test-process speed-ups of core code paths that are pure but uncached.

Why: ModuleTestCase's generic checks call `trytond.pool.isregisteredby`
for every model, which resolves each registered class name through
`trytond.tools.misc.import_module`: a scan of every installed entry point
(~0.25 ms) tens of thousands of times, three quarters of those checks'
time. The module a name imports never changes within a process, so its
answer is memoised here; behaviour is unchanged.
"""
import functools


def install():
    from trytond.tools import misc
    if not hasattr(misc.import_module, 'cache_info'):
        misc.import_module = functools.cache(misc.import_module)
