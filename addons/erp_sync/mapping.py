# This file is part of the factory addons.
"Code mappings between our products/locations and the ERP's numbers"
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval

from .exceptions import MappingError


class Mapping(ModelSQL, ModelView):
    __string__ = "ERP Code Mapping"
    __name__ = 'erp.sync.mapping'

    endpoint = fields.Many2One(
        'erp.sync.endpoint', "Endpoint", required=True, ondelete='CASCADE')
    type = fields.Selection([
            ('product', "Product"),
            ('location', "Location"),
            ], "Type", required=True)
    product = fields.Many2One(
        'product.product', "Product", ondelete='CASCADE',
        states={
            'invisible': Eval('type') != 'product',
            'required': Eval('type') == 'product',
            })
    location = fields.Many2One(
        'stock.location', "Location", ondelete='CASCADE',
        domain=[('type', 'in', ['warehouse', 'storage'])],
        states={
            'invisible': Eval('type') != 'location',
            'required': Eval('type') == 'location',
            },
        help="A warehouse maps to the ERP's warehouse (stock) code, "
        "a storage location to its stock location code.")
    remote_code = fields.Char(
        "Remote Code", required=True,
        help="Material number or warehouse/stock code in the ERP.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('endpoint', 'ASC'))
        cls._order.insert(1, ('type', 'ASC'))

    @staticmethod
    def default_type():
        return 'product'

    def get_rec_name(self, name):
        target = self.product if self.type == 'product' else self.location
        return '%s → %s' % (
            target.rec_name if target else '', self.remote_code)

    @classmethod
    def validate(cls, mappings):
        super().validate(mappings)
        for mapping in mappings:
            target = getattr(mapping, mapping.type)
            if not target:
                raise MappingError(gettext('erp_sync.msg_mapping_target'))
            duplicates = cls.search([
                    ('endpoint', '=', mapping.endpoint.id),
                    ('type', '=', mapping.type),
                    (mapping.type, '=', target.id),
                    ('id', '!=', mapping.id),
                    ], limit=1)
            if duplicates:
                raise MappingError(gettext(
                        'erp_sync.msg_mapping_unique',
                        endpoint=mapping.endpoint.rec_name,
                        record=target.rec_name))

    @classmethod
    def product_codes(cls, endpoint, products):
        "{product id: remote code}, falling back to our product code"
        return cls._remote_codes(endpoint, 'product',
            {p.id: p.code or '' for p in products})

    @classmethod
    def location_codes(cls, endpoint, locations):
        "{location id: remote code}, falling back to our location code"
        return cls._remote_codes(endpoint, 'location',
            {l.id: l.code or l.name for l in locations})

    @classmethod
    def _remote_codes(cls, endpoint, type_, codes):
        "Overlay the mapped remote codes on the {id: own code} fallbacks"
        for sub in _chunks(sorted(codes)):
            for mapping in cls.search([
                        ('endpoint', '=', endpoint.id),
                        ('type', '=', type_),
                        (type_, 'in', sub),
                        ]):
                codes[getattr(mapping, type_).id] = mapping.remote_code
        return codes

    @classmethod
    def products_by_code(cls, endpoint, codes):
        "{remote code: product id} for the pull side (mapping, then code)"
        return cls._local_ids(endpoint, 'product', codes, [])

    @classmethod
    def warehouses_by_code(cls, endpoint, codes):
        "{remote code: warehouse id} for the pull side (mapping, then code)"
        return cls._local_ids(endpoint, 'location', codes,
            [('type', '=', 'warehouse')])

    @classmethod
    def _local_ids(cls, endpoint, type_, codes, domain):
        """{remote code: record id}: the mapping wins, then a record of
        ours with that code (restricted by domain)"""
        Target = Pool().get(cls._fields[type_].model_name)
        codes = set(codes)
        result = {}
        for sub in _chunks(sorted(codes)):
            for mapping in cls.search([
                        ('endpoint', '=', endpoint.id),
                        ('type', '=', type_),
                        ('remote_code', 'in', sub),
                        ] + [(type_ + '.' + d[0],) + tuple(d[1:])
                        for d in domain]):
                result[mapping.remote_code] = getattr(mapping, type_).id
        for sub in _chunks(sorted(codes - set(result))):
            for record in Target.search(domain + [('code', 'in', sub)]):
                result.setdefault(record.code, record.id)
        return result


def _chunks(values, size=1000):
    for i in range(0, len(values), size):
        yield values[i:i + size]
