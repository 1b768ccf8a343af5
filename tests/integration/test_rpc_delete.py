"""Issue 17 acceptance, delete: as each factory role, over JSON-RPC, delete a
record of every model our addons add or extend that its workflow took past
its first state (found from the model's state field), and check that it is
refused; and that the model itself refuses it (each role granted every
model access), so that a later access grant opens no hole."""
import datetime as dt

from trytond.exceptions import UserError
from trytond.model import fields
from trytond.modules.company.tests import create_company, set_company
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)

from rpc_support import (ADDONS, Records, addon_models, every_model_access,
    rpc, savepoint, set_columns, users)

# The field that holds a model's workflow state, when not `state`
STATE_FIELD = {'stock.lot': 'qc_state'}
# States a workflow deletes from (core: draft and cancelled records)
DELETABLE = {'staging', 'request', 'draft', 'cancelled'}
# Deleting is the workflow itself there
EXCLUDED = {
    'res.user.application': "a user deletes their own keys: core's "
    "revocation (its record rules keep others' keys out of reach)",
    }
# Records past their workflow that have no state field: what makes them so
DECIDED = {
    'stock.ledger.reconcile': {'computed_at': dt.datetime(2020, 1, 1)},
    'stock.opening.import': {},  # an import is posted when it is stored
    }


def state_field(Model):
    name = STATE_FIELD.get(Model.__name__, 'state')
    field = Model._fields.get(name)
    if (isinstance(field, fields.Selection)
            and not isinstance(field, fields.Function)
            and isinstance(field.selection, list)):
        return name


class RPCDeleteTestCase(DBTestCase):
    module = ADDONS[0]
    extras = ADDONS[1:]

    def cases(self, records):
        "[(model, label, record)] of records past their first state"
        result, missing = [], []
        for name, Model in sorted(addon_models().items()):
            if 'delete' not in Model.__rpc__ or name in EXCLUDED:
                continue
            state = state_field(Model)
            if not state and name not in DECIDED:
                continue
            record = records.make(name)
            if record is None:
                missing.append(name)
                continue
            if not state:
                result.append((name, 'decided',
                        set_columns(record, **DECIDED[name])))
                continue
            first = Model.default_get([state], with_rec_name=False).get(
                state, Model._fields[state].selection[0][0])
            for key, _ in Model._fields[state].selection:
                if not key or key == first or key in DELETABLE:
                    continue
                result.append((name, key, (record, {state: key})))
        self.assertEqual(missing, [], "models with a workflow state and "
            "no record to try (add a maker to rpc_support.Records)")
        return result

    def try_delete(self, user, model, label, record):
        if isinstance(record, tuple):
            record, values = record
            record = set_columns(record, **values)
        with savepoint():
            try:
                rpc(user, model, 'delete', [record.id])
            except UserError:  # AccessError included
                return
            except Exception as exception:
                self.fail(f"{model} ({label}): {exception!r}, not refused")
            self.fail(f"{user.login} deleted {model} in {label}")

    @with_transaction()
    def test_delete_past_first_state_refused(self):
        company = create_company()
        with set_company(company):
            role_users = users(company)
            cases = self.cases(Records(company))
            # The ones this test must at least see (the search works)
            seen = {(m, s) for m, s, _ in cases}
            for case in [('stocktake.task', 'done'),
                    ('quality.inspection', 'passed'),
                    ('stock.scan.session', 'done'),
                    ('erp.sync.outbox', 'sent'),
                    ('stock.ledger.reconcile', 'decided'),
                    ('stock.opening.import', 'decided')]:
                self.assertIn(case, seen)
            for role, user in role_users.items():
                for model, label, record in cases:
                    with self.subTest(role=role, model=model, state=label):
                        self.try_delete(user, model, label, record)

    @with_transaction()
    def test_model_refuses_delete_past_first_state(self):
        "Granted every model access, each role still cannot delete them"
        company = create_company()
        with set_company(company):
            role_users = users(company)
            cases = self.cases(Records(company))
            with every_model_access():
                for role, user in role_users.items():
                    for model, label, record in cases:
                        with self.subTest(role=role, model=model,
                                state=label):
                            self.try_delete(user, model, label, record)


del DBTestCase
