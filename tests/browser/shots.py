"""The screens the every-screen walk saves as pictures for README and docs/
(tests/integration/browser.screenshot: var/screenshots, copied into docs/
with UPDATE_DOCS=1), so that the pictures are of the screens as they are.

(login, menu entry's XML id, when, file): 'open' once the entry has opened,
'form' on the first record's form, 'run' once the wizard it opens has run
its default button (a report opened with the wizard's defaults).
"""
SHOTS = [
    ('admin', 'stock_safety_alert.menu_alert_board', 'open',
        'sao_alert_board.png'),
    ('admin', 'stocktake_mobile.menu_task', 'form', 'sao_count_task.png'),
    ('admin', 'factory_stock_ext.menu_qc_lot_hold', 'open',
        'sao_qc_hold_lots.png'),
    ('admin', 'stock_ledger.menu_movement', 'run', 'sao_ledger.png'),
    ('admin', 'stock_ledger.menu_reconcile', 'form',
        'sao_reconciliation.png'),
    ('zhang', 'stock_safety_alert.menu_alert_board', 'open',
        'sao_alert_board_zh_CN.png'),
    ('zhang', 'stocktake_mobile.menu_task', 'form',
        'sao_count_task_zh_CN.png'),
    ('zhang', 'factory_stock_ext.menu_qc_lot_hold', 'open',
        'sao_qc_hold_lots_zh_CN.png'),
    ('zhang', 'stock_ledger.menu_movement', 'run', 'sao_ledger_zh_CN.png'),
    ]


def shots_of(login):
    "{XML id: (when, file)} of the login's shots"
    return {xml_id: (when, name) for who, xml_id, when, name in SHOTS
        if who == login}
