"Each addon builds as a wheel that Tryton can discover and load."
import configparser
import pathlib
import subprocess
import sys
import tempfile
import unittest
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
ADDONS = sorted(p.parent for p in (ROOT / 'addons').glob('*/tryton.cfg'))


class PackagingTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.out = tempfile.TemporaryDirectory()
        cls.wheels = {}
        for addon in ADDONS:
            subprocess.run([sys.executable, '-m', 'pip', 'wheel', '-q',
                    '--no-deps', '--no-build-isolation', '-w', cls.out.name,
                    str(addon)], check=True)
        for wheel in pathlib.Path(cls.out.name).glob('*.whl'):
            cls.wheels[wheel.name.split('-')[0]] = wheel

    @classmethod
    def tearDownClass(cls):
        cls.out.cleanup()

    def test_connectors_wheel(self):
        "connectors/ is a plain package with its WSDL and without its tests"
        subprocess.run([sys.executable, '-m', 'pip', 'wheel', '-q',
                '--no-deps', '--no-build-isolation', '-w', self.out.name,
                str(ROOT / 'connectors')], check=True)
        wheel, = pathlib.Path(self.out.name).glob('factory_connectors-*.whl')
        with zipfile.ZipFile(wheel) as archive:
            names = set(archive.namelist())
        self.assertIn('connectors/kingdee.py', names)
        self.assertIn('connectors/wsdl/bapi_goodsmvt_create.wsdl', names)
        self.assertFalse([n for n in names if n.startswith(
                    'connectors/tests/')])

    def test_addons_found(self):
        self.assertEqual(
            sorted(a.name for a in ADDONS),
            ['erp_sync', 'factory_stock_ext', 'stock_ledger',
                'stock_safety_alert', 'stocktake_mobile'])

    def test_wheels(self):
        for addon in ADDONS:
            with self.subTest(addon=addon.name):
                dist = addon.name.replace('_', '-')
                wheel = next(w for n, w in self.wheels.items()
                    if n.replace('_', '-').endswith(dist))
                with zipfile.ZipFile(wheel) as archive:
                    names = set(archive.namelist())
                    entry = next(n for n in names
                        if n.endswith('entry_points.txt'))
                    entry_points = archive.read(entry).decode()
                base = f'trytond/modules/{addon.name}/'
                self.assertIn('[trytond.modules]', entry_points)
                self.assertIn(
                    f'{addon.name} = trytond.modules.{addon.name}',
                    entry_points)
                cfg = configparser.ConfigParser()
                cfg.read(addon / 'tryton.cfg')
                expected = ['tryton.cfg', '__init__.py', 'locale/zh_CN.po']
                expected += cfg.get('tryton', 'xml', fallback='').split()
                for name in expected:
                    self.assertIn(base + name, names)
                for view in (addon / 'view').glob('*.xml'):
                    self.assertIn(base + 'view/' + view.name, names)
