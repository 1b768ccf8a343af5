# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.pyson import Eval

METHODS = [
    (None, ""),
    ('seed', "Max x max lead time - avg x avg lead time"),
    ('service', "Service level"),
    ('service_lt', "Service level with lead-time variance"),
    ('fixed', "Fixed minimum/maximum"),
    ]


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Safety Stock and Alert Configuration"
    __name__ = 'stock.safety.configuration'

    window_days = fields.Integer(
        "Statistics Window", required=True, domain=[('window_days', '>', 0)],
        help="Days of history used for demand and lead-time statistics.")
    default_method = fields.Selection(
        METHODS, "Default Method",
        help="Used for products whose product and categories have no "
        "method. Empty: only products with a method get order points.")
    service_level = fields.Float(
        "Service Level", required=True,
        domain=[('service_level', '>', 0), ('service_level', '<', 1)])
    critical_service_level = fields.Float(
        "Critical Service Level", required=True,
        domain=[
            ('critical_service_level', '>', 0),
            ('critical_service_level', '<', 1)],
        help="For critical materials: flagged or ABC class A.")
    critical_abc_a = fields.Boolean(
        "ABC Class A Is Critical")
    cover_days = fields.Integer(
        "Days of Cover above Reorder Point", required=True,
        help="Maximum = reorder point + average usage x these days "
        "(when no economic order quantity can be computed).")
    order_point_tolerance = fields.Float(
        "Order Point Tolerance", required=True,
        domain=[
            ('order_point_tolerance', '>=', 0),
            ('order_point_tolerance', '<', 1)],
        help="Share by which the reorder point or the maximum must move "
        "before the run rewrites the order point: steadier order points "
        "for the buyers and fewer writes each night. 0: any change.")
    order_cost = fields.Numeric(
        "Cost per Order", digits=(16, 4),
        help="With the holding rate, enables the economic order quantity.")
    holding_rate = fields.Float(
        "Yearly Holding Rate",
        help="Share of the unit cost spent per year to hold one unit.")
    default_lead_time = fields.Integer(
        "Default Lead Time", required=True,
        help="Days used when a product has no purchase history.")
    overstock_days = fields.Integer("Overstock Days of Cover", required=True)
    slow_days = fields.Integer(
        "Slow Stock Days", required=True,
        help="Stock with no outgoing move for these days is slow.")
    dead_days = fields.Integer(
        "Dead Stock Days", required=True,
        help="Stock with no outgoing move for these days is dead.",
        domain=[('dead_days', '>=', Eval('slow_days', 0))])
    expiry_days = fields.Integer(
        "Expiry Warning Days", required=True)
    qc_hold_days = fields.Integer("QC Hold Days", required=True)
    notify = fields.Boolean(
        "Notify Responsible Users",
        help="Send a notification to the assignee of new alerts.")
    notify_email = fields.Boolean(
        "E-mail Responsible Users",
        states={'invisible': ~Eval('notify')},
        help="Also e-mail the new alerts to assignees with an e-mail "
        "address.")
    last_run = fields.DateTime("Last Run", readonly=True,
        help="When the scheduled task last checked every parameter and "
        "alert; rows it did not change hold as of then.")
    usage_layout = fields.Text("Usage Layout", readonly=True,
        help="The warehouse of each location when the daily usage was "
        "last brought up to date; when a location with history changes "
        "warehouse, the next run rebuilds the usage.")
    usage_window_start = fields.Date("Usage Window Start", readonly=True,
        help="The first day of the statistics window the usage totals "
        "were last brought to; empty: the next run rebuilds them.")

    @classmethod
    def default_window_days(cls):
        return 365

    @classmethod
    def default_service_level(cls):
        return 0.95

    @classmethod
    def default_critical_service_level(cls):
        return 0.99

    @classmethod
    def default_critical_abc_a(cls):
        return True

    @classmethod
    def default_cover_days(cls):
        return 30

    @classmethod
    def default_order_point_tolerance(cls):
        return 0

    @classmethod
    def default_default_lead_time(cls):
        return 0

    @classmethod
    def default_overstock_days(cls):
        return 180

    @classmethod
    def default_slow_days(cls):
        return 90

    @classmethod
    def default_dead_days(cls):
        return 730

    @classmethod
    def default_expiry_days(cls):
        return 30

    @classmethod
    def default_qc_hold_days(cls):
        return 3

    @classmethod
    def default_notify(cls):
        return True

    @classmethod
    def default_notify_email(cls):
        return False
