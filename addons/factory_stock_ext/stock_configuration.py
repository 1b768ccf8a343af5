# ABC thresholds live on the stock configuration (one rule for every addon).
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import PoolMeta

from .exceptions import ABCConfigurationError


class Configuration(metaclass=PoolMeta):
    __name__ = 'stock.configuration'
    abc_a_share = fields.Float(
        "ABC Class A Share", digits=(1, 4), required=True,
        help="Share of the consumption value covered by class A products.")
    abc_b_share = fields.Float(
        "ABC Class B Share", digits=(1, 4), required=True,
        help="Share of the consumption value covered by class B products; "
        "the rest is class C.")

    @classmethod
    def default_abc_a_share(cls):
        return 0.80

    @classmethod
    def default_abc_b_share(cls):
        return 0.15

    def get_abc_shares(self):
        "Return (A share, B share), the defaults when not yet configured"
        a_share = self.abc_a_share
        b_share = self.abc_b_share
        if a_share is None:
            a_share = self.default_abc_a_share()
        if b_share is None:
            b_share = self.default_abc_b_share()
        return a_share, b_share

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        if field_names is None or {'abc_a_share', 'abc_b_share'} & field_names:
            for config in configurations:
                a_share, b_share = config.get_abc_shares()
                if not (0 < a_share and 0 <= b_share
                        and a_share + b_share <= 1):
                    raise ABCConfigurationError(gettext(
                            'factory_stock_ext.msg_abc_shares_invalid',
                            a_share=a_share, b_share=b_share))
