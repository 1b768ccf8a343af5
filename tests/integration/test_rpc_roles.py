"""Issue 17 acceptance: as each factory role, over the JSON-RPC entry points
(trytond.rpc: the client's context with its '_' keys dropped, access checks
on), write and create every workflow or authorship field that our addons
define, on every model they add or extend (found in ir.model.field), and
check that each is refused; and that a task of another company is out of
reach.  Core fields of core models are core's to guard."""
import datetime as dt
import re

from trytond.exceptions import UserError
from trytond.model import ModelSQL, fields
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction, without_check_access

from rpc_support import ADDONS, rpc, users

# Workflow and authorship fields: states, who did it and when, what was
# counted, decided or answered
WORKFLOW = re.compile(r'^(state|result|round|added|recount_required'
    r'|within_tolerance|counter|.*_by|approved.*|counted.*|first_.*'
    r'|book_.*|variance_(quantity|value)|override.*|attempts|error_code|last_error'
    r'|remote_(id|number)|already_existed'
    r'|(completed|resolved|computed|confirmed|sent|posted|processed|used)_(at|date)'
    r'|qc_(state|hold_date|hold_reason|released_at|decision_reason'
    r'|accepted_quantity|rejected_quantity))$')
# ScanLine.create is the scan check itself: it keeps none of the client's
# values (tested by factory_stock_ext's test_scan)
CREATE_IS_WORKFLOW = {'stock.scan.line'}


class RPCRolesTestCase(DBTestCase):
    module = ADDONS[0]
    extras = ADDONS[1:]

    def workflow_fields(self):
        "{model: [field]} of the workflow fields our addons define"
        pool = Pool()
        Field = pool.get('ir.model.field')
        result = {}
        for field in Field.search([('module', 'in', ADDONS)]):
            model = field.model
            Model = pool.get(model)
            if (not WORKFLOW.match(field.name)
                    or not issubclass(Model, ModelSQL)
                    or Model._is_table_query()):
                continue
            definition = Model._fields[field.name]
            if (isinstance(definition, fields.Function)
                    and not definition.setter):
                continue
            result.setdefault(model, []).append(field.name)
        return result

    def users(self, company):
        return users(company)

    def rpc(self, user, model, method, *args):
        "Call model.method(*args) as a JSON-RPC client of `user` would"
        return rpc(user, model, method, *args)

    def value(self, Model, name):
        "A value other than the field's default"
        pool = Pool()
        field = Model._fields[name]
        default = Model.default_get([name], with_rec_name=False).get(name)
        if field._type == 'many2one':
            Target = pool.get(field.model_name)
            with without_check_access():
                targets = Target.search([], limit=1, order=[('id', 'DESC')])
            return targets[0].id if targets else None
        if field._type == 'selection':
            selection = Model.fields_get([name])[name]['selection']
            keys = [k for k, _ in selection if k and k != default] if (
                isinstance(selection, list)) else []
            return keys[0] if keys else None
        if field._type == 'boolean':
            return not default
        if field._type in {'float', 'integer', 'numeric'}:
            return 1 if field._type != 'numeric' else '1'
        if field._type in {'date'}:
            return dt.date(2020, 1, 1)
        if field._type in {'datetime', 'timestamp'}:
            return dt.datetime(2020, 1, 1)
        if field._type in {'one2many', 'many2many', 'reference'}:
            return None  # not needed by the fields this test sets
        return 'x'

    @with_transaction()
    def test_workflow_fields_refused_to_every_role(self):
        pool = Pool()
        company = create_company()
        with set_company(company):
            users = self.users(company)
            found = self.workflow_fields()
            # The ones this test must at least see (the search works)
            for model, name in [('stocktake.task', 'approved_by'),
                    ('stocktake.task.line', 'counted_by'),
                    ('stock.lot', 'qc_state'),
                    ('stock.scan.line', 'approved_by')]:
                self.assertIn(name, found.get(model, []))
            cursor = Transaction().connection.cursor()
            for role, user in users.items():
                for model, names in sorted(found.items()):
                    Model = pool.get(model)
                    if 'write' not in Model.__rpc__:
                        continue  # no client reaches it (ModelSQL only)
                    for name in names:
                        with self.subTest(role=role, model=model,
                                field=name, method='write'):
                            with self.assertRaises(AccessError):
                                self.rpc(user, model, 'write', [],
                                    {name: None})
                        if model in CREATE_IS_WORKFLOW:
                            continue
                        value = self.value(Model, name)
                        if value is None:
                            continue  # nothing to set it to here
                        values = dict(self.required(Model), **{name: value})
                        with self.subTest(role=role, model=model,
                                field=name, method='create'):
                            # A refused create may leave the transaction
                            # in error on PostgreSQL: undo to a savepoint
                            cursor.execute('SAVEPOINT rpc_role')
                            try:
                                self.rpc(user, model, 'create', [values])
                            except AccessError:
                                pass
                            except Exception:
                                cursor.execute(
                                    'ROLLBACK TO SAVEPOINT rpc_role')
                                # Refused on other grounds (what a real
                                # record needs): the guard must still
                                self.assert_guarded(Model, values)
                            else:
                                self.fail(f"{role} created {model} with "
                                    f"{name}={value!r}")
                            finally:
                                cursor.execute(
                                    'ROLLBACK TO SAVEPOINT rpc_role')

    def required(self, Model):
        "Values for the required fields, so that a create gets to its checks"
        values = {}
        # Defaults first: a required workflow field keeps its first value
        defaults = Model.default_get(
            list(Model._fields), with_rec_name=False)
        for name, field in Model._fields.items():
            if (field.required and not isinstance(field, fields.Function)
                    and name not in {'id', 'create_uid', 'create_date'}):
                value = defaults.get(name)
                if value is None:
                    value = self.value(Model, name)
                if value is not None:
                    values[name] = value
        return values

    def assert_guarded(self, Model, values):
        "check_modification refuses a client's record with these values"
        record = Model(**values)
        with self.assertRaises(AccessError):
            with without_check_access():
                Model.check_modification('create', [record], external=True)

    @with_transaction()
    def test_other_company_task_out_of_reach(self):
        pool = Pool()
        Task = pool.get('stocktake.task')
        Location = pool.get('stock.location')
        company, other = create_company(), create_company('Other')
        warehouse, = Location.search([('code', '=', 'WH')])
        with set_company(other):
            task, = Task.create([{'company': other.id,
                        'warehouse': warehouse.id}])
        with set_company(company):
            users = self.users(company)
        for role, user in users.items():
            with self.subTest(role=role):
                with self.assertRaises(AccessError):
                    self.rpc(user, 'stocktake.task', 'write', [task.id],
                        {'due_date': dt.date(2020, 1, 1)})
                with self.assertRaises((AccessError, UserError)):
                    self.rpc(user, 'stocktake.task', 'delete', [task.id])
                with self.assertRaises((AccessError, UserError)):
                    self.rpc(user, 'stocktake.task', 'create', [{
                                'company': other.id,
                                'warehouse': warehouse.id}])
        self.assertEqual(Task(task.id).due_date, None)


del DBTestCase
