# Zones: groups of bin locations with a named responsible user.
# Other addons (counting, put-away, alerts) only use the two set-based
# resolvers below, so the inheritance rule lives in one place.
from sql import Literal, Null
from sql.aggregate import Max

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .exceptions import ZoneValidationError


class Zone(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'stock.location.zone'
    __string__ = "Zone"
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True, ondelete='CASCADE',
        domain=[('type', '=', 'warehouse')])
    responsible = fields.Many2One(
        'res.user', "Responsible", ondelete='RESTRICT',
        help="The user answerable for the bins of the zone.")
    deputies = fields.Many2Many(
        'stock.location.zone-res.user', 'zone', 'user', "Deputies",
        help="Users who stand in for the responsible.")
    locations = fields.One2Many(
        'stock.location', 'zone', "Locations",
        domain=[('type', 'in', ['storage', 'view'])],
        help="The locations whose bins belong to the zone "
        "unless a nearer location sets another zone.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('warehouse_code_unique', Unique(t, t.warehouse, t.code),
                'factory_stock_ext.msg_zone_code_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))

    def get_rec_name(self, name):
        return f'[{self.code}] {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if operator.startswith('!') or operator.startswith(
            'not ') else 'OR'
        return [bool_op,
            ('code', operator, operand, *extra),
            ('name', operator, operand, *extra),
            ]

    @classmethod
    def zones_for_locations(cls, location_ids):
        "Return {location_id: zone_id | None} from the nearest zoned ancestor"
        pool = Pool()
        Location = pool.get('stock.location')
        location = Location.__table__()
        ancestor = Location.__table__()
        nearest = Location.__table__()
        zone = cls.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        in_ = fields.SQL_OPERATORS['in']
        location_ids = list({int(i) for i in location_ids})
        result = dict.fromkeys(location_ids)
        # Nested set: the nearest zoned ancestor (or self) has the max left
        # among the active zoned ancestors; two set-based steps per chunk.
        for sub_ids in grouped_slice(
                location_ids, backend.MAX_QUERY_PARAMS):
            best = (location
                .join(ancestor, condition=(
                        (ancestor.left <= location.left)
                        & (ancestor.right >= location.right)
                        & (ancestor.zone != Null)))
                .join(zone, condition=(zone.id == ancestor.zone)
                    & (zone.active == Literal(True)))
                .select(location.id.as_('location'),
                    Max(ancestor.left).as_('left'),
                    where=in_(location.id, list(sub_ids)),
                    group_by=[location.id]))
            cursor.execute(*best.join(nearest,
                    condition=nearest.left == best.left).select(
                    best.location, nearest.zone))
            result.update(cursor)
        return result

    @classmethod
    def responsibles_for_locations(cls, location_ids):
        "Return {location_id: user_id | None} of the resolved zone"
        zones = cls.zones_for_locations(location_ids)
        zone_ids = {z for z in zones.values() if z}
        responsibles = {}
        if zone_ids:
            table = cls.__table__()
            transaction = Transaction()
            cursor = transaction.connection.cursor()
            for sub_ids in grouped_slice(
                    zone_ids, backend.MAX_QUERY_PARAMS):
                cursor.execute(*table.select(table.id, table.responsible,
                        where=fields.SQL_OPERATORS['in'](
                            table.id, list(sub_ids))))
                responsibles.update(cursor)
        return {l: responsibles.get(z) for l, z in zones.items()}

    @classmethod
    def validate_fields(cls, zones, field_names):
        super().validate_fields(zones, field_names)
        if field_names is None or {'warehouse', 'locations'} & field_names:
            cls.check_locations(zones)

    @classmethod
    def check_locations(cls, zones):
        for zone in zones:
            for location in zone.locations:
                if location.warehouse != zone.warehouse:
                    raise ZoneValidationError(gettext(
                            'factory_stock_ext.msg_zone_location_warehouse',
                            location=location.rec_name,
                            zone=zone.rec_name,
                            warehouse=zone.warehouse.rec_name))


class ZoneDeputy(ModelSQL):
    __name__ = 'stock.location.zone-res.user'
    __string__ = "Zone Deputy"
    zone = fields.Many2One(
        'stock.location.zone', "Zone", required=True, ondelete='CASCADE')
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')


class Location(metaclass=PoolMeta):
    __name__ = 'stock.location'
    zone = fields.Many2One(
        'stock.location.zone', "Zone", ondelete='RESTRICT',
        states={
            'invisible': ~Eval('type').in_(['storage', 'view']),
            },
        help="Bins below inherit this zone unless they set their own.")

    @classmethod
    def validate_fields(cls, locations, field_names):
        super().validate_fields(locations, field_names)
        if field_names is None or {'zone', 'parent'} & field_names:
            Zone = Pool().get('stock.location.zone')
            zones = {l.zone for l in locations if l.zone}
            if 'parent' in (field_names or ()):
                # Moving a subtree may take zoned bins out of their warehouse
                zones |= {l.zone for l in cls.search([
                            ('parent', 'child_of', [l.id for l in locations]),
                            ('zone', '!=', None),
                            ])}
            Zone.check_locations(list(zones))
