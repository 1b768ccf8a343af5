from trytond.pool import PoolMeta
from trytond.transaction import Transaction


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('stocktake.program|generate_tasks', "Generate Count Tasks"))


# Counters see the tasks of their own zones: the rules need the user id
RULE_MODELS = {'stocktake.task', 'stocktake.task.line', 'stocktake.count'}


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def _get_context(cls, model_name):
        context = super()._get_context(model_name)
        if model_name in RULE_MODELS:
            context['user_id'] = Transaction().user
        return context

    @classmethod
    def _get_cache_key(cls, model_names):
        key = super()._get_cache_key(model_names)
        if model_names & RULE_MODELS:
            key = (*key, Transaction().user)
        return key
