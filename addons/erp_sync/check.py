# This file is part of the factory addons.
"""Test Connection: configuration checks before first use, listed in words.

The connector's ``check`` makes read-only calls (login, one row of every form or
service used), checks the idempotency key length and says what each movement
kind would post (``connectors.checks``); this adds the code mappings of the
synced warehouses and locations.  Every finding is an ``ir.message`` (English
and zh_CN) named after its status and code.
"""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelView
from trytond.pool import Pool

from .exceptions import EndpointError

MARKS = {'ok': '✔', 'missing': '✘', 'warning': '⚠', 'info': 'ℹ'}
# (status, code) of connectors.checks.Finding with an ir.message
MESSAGES = {
    ('ok', 'login'), ('missing', 'login'), ('ok', 'service'),
    ('missing', 'service'), ('info', 'service_write'), ('ok', 'key_length'),
    ('missing', 'key_length'), ('missing', 'unsupported_kind'),
    ('warning', 'unconfirmed'), ('info', 'would_post'),
    ('missing', 'mapping_warehouse'), ('missing', 'mapping_location'),
    }
# Systems whose location codes are storage locations of at most this length
LOCATION_CODE_LIMITS = {'sap': 4}


class CheckMixin:
    __slots__ = ()

    @classmethod
    @ModelView.button
    def check_connection(cls, endpoints):
        for endpoint in endpoints:
            findings = endpoint.run_checks()
            lines = [endpoint.finding_line(f) for f in findings]
            problems = sum(f.status == 'missing' for f in findings)
            lines.append(gettext('erp_sync.msg_check_summary',
                    endpoint=endpoint.rec_name, problems=problems))
            endpoint.status = endpoint.redact('\n'.join(lines))
            endpoint.checked_at = dt.datetime.now()
            endpoint.attention = bool(problems)
        cls.save(endpoints)

    def run_checks(self):
        "connectors.checks.Finding list; never raises for the remote's sake"
        from connectors.checks import MISSING, Finding
        from connectors.errors import ConnectorError
        from connectors.model import KINDS

        from .endpoint import MOVE_ID_DIGITS
        findings = []
        warehouse, location = self._sample_codes()
        try:
            with self.get_client() as client:
                findings.extend(client.check(
                        kinds=list(self.kinds or KINDS),
                        key=(self.key_prefix or '') + '9' * MOVE_ID_DIGITS,
                        warehouse=warehouse, location=location))
        except (EndpointError, ConnectorError) as exc:
            message = getattr(exc, 'message', None) or str(exc)
            findings.append(Finding(MISSING, 'login', message,
                    {'user': self.username or '', 'error': message}))
        findings.extend(self._mapping_findings())
        return findings

    def finding_line(self, finding):
        params = {k: v for k, v in finding.params.items() if k != 'body'}
        params.setdefault('endpoint', self.rec_name)
        if (finding.status, finding.code) in MESSAGES:
            text = gettext('erp_sync.msg_check_%s_%s' % (
                    finding.status, finding.code), **params)
        else:
            text = finding.text
        return '%s %s' % (MARKS.get(finding.status, '-'), text)

    # -- the code mappings -------------------------------------------------------
    def _warehouses(self):
        Location = Pool().get('stock.location')
        return list(self.warehouses) or Location.search(
            [('type', '=', 'warehouse')])

    def _sample_codes(self):
        Mapping = Pool().get('erp.sync.mapping')
        warehouses = self._warehouses()[:1]
        if not warehouses:
            return '', ''
        warehouse, = warehouses
        locations = [l for l in [warehouse.storage_location] if l]
        codes = Mapping.location_codes(self, warehouses + locations)
        return (codes[warehouse.id],
            codes[locations[0].id] if locations else '')

    def _mapping_findings(self):
        "A warehouse (and, for SAP, its locations) needs a code the ERP knows"
        from connectors.checks import MISSING, Finding
        pool = Pool()
        Mapping = pool.get('erp.sync.mapping')
        findings = []
        warehouses = self._warehouses()
        mapped = {m.location.id: m.remote_code for m in Mapping.search([
                    ('endpoint', '=', self.id),
                    ('type', '=', 'location'),
                    ])} if self.id else {}
        limit = LOCATION_CODE_LIMITS.get(self.system)
        for warehouse in warehouses:
            if warehouse.id not in mapped and not warehouse.code:
                findings.append(Finding(MISSING, 'mapping_warehouse',
                        "warehouse %s has no code for the ERP"
                        % warehouse.rec_name,
                        {'warehouse': warehouse.rec_name}))
            if not limit:
                continue
            for location in filter(None, [warehouse.input_location,
                        warehouse.storage_location,
                        warehouse.output_location]):
                # Our own location codes (IN, STO…) are not SAP storage
                # locations: each one must be mapped.
                code = mapped.get(location.id, '')
                if not code or len(code) > limit:
                    findings.append(Finding(MISSING, 'mapping_location',
                            "location %s needs a storage location code"
                            % location.rec_name,
                            {'location': location.rec_name,
                                'warehouse': warehouse.rec_name,
                                'limit': limit}))
        return findings
