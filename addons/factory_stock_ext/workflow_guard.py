# This file is part of factory_stock_ext.  Workflow fields change only
# through their workflow, whatever the client.
#
# `readonly` and `states` are client-side: a JSON-RPC call writes any field
# the role's model access allows.  Models call check() from their
# check_modification, where trytond passes `external` true for a client's
# call (check access on) and false for the workflow's own writes (buttons,
# wizards, cron and our routes run without check access).
from trytond.i18n import gettext
from trytond.model import Model

from .exceptions import WorkflowFieldError


def check(cls, mode, records, values=None, external=False, fields=(),
        deletable_states=None):
    """Refuse a client's create, write or delete that sets `fields`.

    write: none of `fields` may be given; create: each must keep its
    default; delete: only a record whose `fields` all hold their default
    (nothing decided yet) or whose state is in `deletable_states`."""
    if not external or not fields:
        return
    fields = sorted(fields)
    if mode == 'write':
        touched = [f for f in fields if f in (values or {})]
        if touched:
            raise _error('msg_workflow_field', cls, touched[0], records)
        return
    if mode == 'delete' and deletable_states:
        records = [r for r in records if r.state not in deletable_states]
    decided = first_decided(cls, records, fields)
    if decided:
        record, name = decided
        raise _error('msg_workflow_field' if mode == 'create'
            else 'msg_workflow_delete', cls, name, [record])


def first_decided(cls, records, fields):
    "(record, field) of the first of `fields` not at its default, or None"
    fields = sorted(fields)
    defaults = cls.default_get(fields, with_rec_name=False)
    for record in records:
        for name in fields:
            if (_normal(cls, name, getattr(record, name, None))
                    != _normal(cls, name, defaults.get(name))):
                return record, name


def four_eyes(decider, author, error):
    "Raise `error` when the one who decides is the one who did the work"
    decider = getattr(decider, 'id', decider)
    author = getattr(author, 'id', author)
    # The root user (cron, internal calls) decides for no one in particular
    if decider and author and decider == author:
        raise error


def _normal(cls, name, value):
    "A value comparable with a default: ids for records, False for None"
    field = cls._fields[name]
    if isinstance(value, Model):
        return value.id
    if isinstance(value, (list, tuple)):
        return sorted(getattr(v, 'id', v) for v in value)
    if field._type == 'boolean':
        return bool(value)
    if field._type in {'one2many', 'many2many'} and value is None:
        return []
    return value


def refuse(cls, name, records):
    "The error for a client that sets the workflow field `name`"
    return _error('msg_workflow_field', cls, name, records)


def _error(msg_id, cls, name, records):
    string = cls.fields_get([name])[name]['string']
    # A record not saved yet (a client's create) has no name to give
    record = records[0].rec_name if records and (
        records[0].id or -1) >= 0 else ''
    return WorkflowFieldError(gettext('factory_stock_ext.' + msg_id,
            field=string, model=cls.__names__()['model'], record=record))
