"""Issue 17 acceptance, companies: as each factory role of company A, over
JSON-RPC, search, read, write and delete a record of company B of every
company-scoped model our addons add or extend (a stored `company` field),
and check that it is out of reach; also with every model access granted,
so that it is the record rules that keep it out (core's "User in
companies" rule: [('company', 'in', Eval('companies', []))])."""
from trytond.exceptions import UserError
from trytond.model import fields
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_company, set_company
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)

from rpc_support import (ADDONS, Records, addon_models, every_model_access,
    rpc, savepoint, users)

EXCLUDED = {
    'res.user': "its company is the user's current choice, not an owner",
    }


def company_models():
    "Names of the models our addons add or extend with a stored company"
    result = []
    for name, Model in sorted(addon_models().items()):
        field = Model._fields.get('company')
        if (name in EXCLUDED or not isinstance(field, fields.Many2One)
                or isinstance(field, fields.Function)
                or field.model_name != 'company.company'):
            continue
        result.append(name)
    return result


def targets(Model, name):
    "The models a Many2One or Reference field points to"
    field = Model._fields[name]
    if isinstance(field, fields.Many2One):
        return [field.model_name]
    if isinstance(field, fields.Reference):
        selection = field.selection
        if isinstance(selection, str):  # a method of the model
            selection = getattr(Model, selection)()
        return [k for k, _ in selection if k]
    return []


def parent_models():
    """{name: parent field} of the models our addons add or extend without
    a company whose records belong to a record of a company-scoped model
    (a required Many2One to it: lines, counts, results of a record; or a
    required Reference to such models only: a scanned document)"""
    models = addon_models()
    scoped = set(company_models())
    result = {}
    changed = True
    while changed:
        changed = False
        for name, Model in sorted(models.items()):
            if name in scoped or name in EXCLUDED:
                continue
            for fname, field in sorted(Model._fields.items()):
                if (field.required and not isinstance(field, fields.Function)
                        and targets(Model, fname) and all(
                            t in scoped for t in targets(Model, fname))):
                    result[name] = fname
                    scoped.add(name)
                    changed = True
                    break
    return result


class RPCCompanyTestCase(DBTestCase):
    module = ADDONS[0]
    extras = ADDONS[1:]

    def records(self, other):
        "{model: record of company `other`}"
        records = Records(other)
        result, missing = {}, []
        for name in company_models() + sorted(parent_models()):
            record = records.make(name)
            if record is None:
                missing.append(name)
            else:
                result[name] = record
        self.assertEqual(missing, [], "company models with no record to "
            "try (add a maker to rpc_support.Records)")
        for name in ['stocktake.task', 'erp.sync.outbox', 'stock.alert',
                'stock.opening.import', 'quality.inspection',
                'stocktake.count', 'stock.scan.session', 'stock.scan.line']:
            self.assertIn(name, result)
        return result

    def out_of_reach(self, user, model, record):
        with self.subTest(method='search'), savepoint():
            try:
                found = rpc(user, model, 'search',
                    [('id', '=', record.id)], 0, None, None)
            except AccessError:  # no read access to the model at all
                found = []
            self.assertEqual(found, [])
        for method, args in [('read', ([record.id], ['id'])),
                ('write', ([record.id], {})),
                ('delete', ([record.id],))]:
            with self.subTest(method=method), savepoint():
                try:
                    rpc(user, model, method, *args)
                except AccessError:
                    continue
                except UserError as exception:
                    # a model's own check may answer first (delete):
                    # still refused, but not by the company rule
                    if method != 'delete':
                        raise
                    self.assertTrue(exception.message)
                    continue
                self.fail(f"{user.login} did {method} on {model} of "
                    "another company")

    def run_roles(self, access):
        company, other = create_company(), create_company('Other')
        with set_company(other):
            records = self.records(other)
        with set_company(company):
            role_users = users(company)
        with access():
            for role, user in role_users.items():
                for model, record in records.items():
                    with self.subTest(role=role, model=model):
                        self.out_of_reach(user, model, record)

    @with_transaction()
    def test_other_company_out_of_reach(self):
        self.run_roles(lambda: savepoint())

    @with_transaction()
    def test_other_company_out_of_reach_by_rules(self):
        "Granted every model access, the record rules keep it out"
        self.run_roles(every_model_access)


del DBTestCase
