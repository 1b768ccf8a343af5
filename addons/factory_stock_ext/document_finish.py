# This file is part of factory_stock_ext.  Finishing a scanned document from
# a handheld: the transitions its kind of scanning leads to, each through
# the document's own button (its access rights and groups, and its checks:
# completed scan sessions, QC hold, stock to reserve).  Nothing else is
# written here; a refusal rolls the whole call back.
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.pool import Pool

from .exceptions_scan import ScanError


def _internal_send(shipment):
    "An internal shipment through a transit location is packed then shipped"
    return 'pack' if shipment.transit_location else 'do'


# kind: {document state: its button}, followed until no step is left; the
# states where the kind ends are those without a step
STEPS = {
    'receipt': {'draft': 'receive'},
    'putaway': {'received': 'do'},
    'issue': {'draft': 'wait', 'waiting': 'assign_try', 'assigned': 'run'},
    'transfer_out': {'draft': 'wait', 'waiting': 'assign_try',
        'assigned': _internal_send, 'packed': 'ship'},
    'transfer_in': {'shipped': 'do'},
    'delivery': {'draft': 'wait', 'waiting': 'assign_try',
        'assigned': 'pick', 'picked': 'pack', 'packed': 'do'},
    # Finished goods received (Production.receive_output)
    'finished': {'running': 'do'},
    }


def _state_name(document):
    "The document's state as the user reads it (translated)"
    selection = dict(document.__class__.fields_get(['state'])['state'][
            'selection'])
    return selection.get(document.state, document.state)


def finish(document, kind):
    """Take the document through the transitions of the kind, as the user
    (access rights checked by each button); return it in its new state"""
    Model = Pool().get(document.__name__)
    steps = STEPS[kind]
    tried = set()
    document = Model(document.id)
    while document.state in steps and document.state not in tried:
        tried.add(document.state)
        button = steps[document.state]
        if callable(button):
            button = button(document)
        try:
            getattr(Model, button)([document])
        except AccessError:
            raise ScanError('finish_access', gettext(
                    'factory_stock_ext.msg_scan_finish_access',
                    document=document.rec_name,
                    state=_state_name(document)))
        document = Model(document.id)
    if document.state in steps:
        # A step that changed nothing: stock that could not be reserved
        raise ScanError('finish_stuck', gettext(
                'factory_stock_ext.msg_scan_finish_stuck',
                document=document.rec_name, state=_state_name(document)))
    return document
