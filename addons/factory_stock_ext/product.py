# Material codes: a product category carries a code prefix and its own
# ir.sequence; variants created in it get `<prefix>-<number>` as code.
# On PostgreSQL a non-strict ir.sequence is a database sequence (nextval),
# so concurrent creations never draw the same number, and core's exclusion
# constraint on product.code stays the last line of defence.
import re

from trytond.i18n import gettext
from trytond.model import Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Id

from .exceptions import MaterialCodeError

PREFIX_RE = re.compile(r'^[A-Za-z0-9_-]+$')
CODE_PADDING = 4


class Category(metaclass=PoolMeta):
    __name__ = 'product.category'
    material_code_prefix = fields.Char(
        "Material Code Prefix", strip=True,
        help="Codes of the products created in this category (or its "
        "sub-categories) are this prefix, a dash and a sequence number.")
    material_code_sequence = fields.Many2One(
        'ir.sequence', "Material Code Sequence", readonly=True,
        ondelete='RESTRICT',
        domain=[('sequence_type', '=',
                Id('factory_stock_ext', 'sequence_type_material_code'))])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('material_code_prefix_unique',
                Unique(t, t.material_code_prefix),
                'factory_stock_ext.msg_material_code_prefix_unique'),
            ]

    @classmethod
    def validate_fields(cls, categories, field_names):
        super().validate_fields(categories, field_names)
        if field_names is None or 'material_code_prefix' in field_names:
            for category in categories:
                prefix = category.material_code_prefix
                if prefix and not PREFIX_RE.match(prefix):
                    raise MaterialCodeError(gettext(
                            'factory_stock_ext'
                            '.msg_material_code_prefix_invalid',
                            prefix=prefix, category=category.rec_name))

    @classmethod
    def on_modification(cls, mode, categories, field_names=None):
        super().on_modification(mode, categories, field_names=field_names)
        if mode == 'create' or (
                mode == 'write' and 'material_code_prefix' in field_names):
            cls._sync_material_code_sequences(categories)

    @classmethod
    def _sync_material_code_sequences(cls, categories):
        "Give each prefixed category a sequence that prints its prefix"
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        ModelData = pool.get('ir.model.data')
        sequence_type = ModelData.get_id(
            'factory_stock_ext', 'sequence_type_material_code')
        to_create, to_link, to_write = [], [], []
        for category in categories:
            prefix = category.material_code_prefix
            if not prefix:
                continue
            sequence = category.material_code_sequence
            if not sequence:
                to_create.append({
                        'name': prefix,
                        'sequence_type': sequence_type,
                        'prefix': prefix + '-',
                        'padding': CODE_PADDING,
                        })
                to_link.append(category)
            elif sequence.prefix != prefix + '-':
                to_write.extend(([sequence], {
                            'name': prefix, 'prefix': prefix + '-'}))
        if to_write:
            Sequence.write(*to_write)
        if to_create:
            sequences = Sequence.create(to_create)
            for category, sequence in zip(to_link, sequences):
                category.material_code_sequence = sequence
            cls.save(to_link)

    def get_material_code_sequence(self):
        "The sequence of this category or of its nearest ancestor"
        category = self
        while category:
            if category.material_code_sequence:
                return category.material_code_sequence
            category = category.parent

    @classmethod
    def copy(cls, categories, default=None):
        default = default.copy() if default else {}
        default.setdefault('material_code_prefix', None)
        default.setdefault('material_code_sequence', None)
        return super().copy(categories, default=default)


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'

    def get_material_code_sequence(self):
        for category in self.categories:
            sequence = category.get_material_code_sequence()
            if sequence:
                return sequence


class Product(metaclass=PoolMeta):
    __name__ = 'product.product'

    @classmethod
    def preprocess_values(cls, mode, values):
        Template = Pool().get('product.template')
        if (mode == 'create' and not values.get('suffix_code')
                and values.get('template') is not None):
            template = Template(values['template'])
            if sequence := template.get_material_code_sequence():
                values = values.copy()
                values['suffix_code'] = sequence.get()
        return super().preprocess_values(mode, values)
