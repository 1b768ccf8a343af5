"""Camera scanning on the handheld page in a phone-sized headless Chromium
with a real (fake) camera: Chromium plays a video the test draws, a Code 128
label of a material, as the back camera. Linux Chromium has no
BarcodeDetector, so the page reads it with the barcode-detector ponyfill
and its ZXing WebAssembly reader, both served by the page's own server. The
code read is entered as a keyboard-wedge scan; the scan line is read back
from the database."""
import os
import shutil
import tempfile

import barcode
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from .document_steps import steps
from .page import PageTestCase
from .tools_documents import setup_documents

WIDTH, HEIGHT = 640, 480
CODE = 'P004'


def code128_video(path, code, frames=2):
    """A YUV4MPEG2 4:2:0 video of `code` as a Code 128 barcode (python-barcode
    encodes it, 4 pixels a module) black on white, as Chromium's fake
    camera reads it (--use-file-for-fake-video-capture)"""
    modules = barcode.get('code128', code).build()[0]
    module = 4
    left = (WIDTH - len(modules) * module) // 2
    assert left >= 10 * module, 'no quiet zone'
    row = bytearray([235]) * WIDTH
    for index, bit in enumerate(modules):
        if bit == '1':
            start = left + index * module
            row[start:start + module] = bytes([16]) * module
    white = bytes([235]) * WIDTH
    luma = b''.join(row if HEIGHT // 4 <= y < 3 * HEIGHT // 4 else white
        for y in range(HEIGHT))
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2 * 2)
    with open(path, 'wb') as fh:
        fh.write(b'YUV4MPEG2 W%d H%d F30:1 Ip A1:1 C420jpeg\n'
            % (WIDTH, HEIGHT))
        for _ in range(frames):
            fh.write(b'FRAME\n' + luma + chroma)


class CameraScanTestCase(PageTestCase):
    "A clerk scans a material label with the phone's camera"
    home, open_document, session_state = steps(
        'home', 'open_document', 'session_state')

    @classmethod
    def setUpDatabase(cls):
        super().setUpDatabase()
        setup_documents(cls.data)

    @classmethod
    def setUpClass(cls):
        # This class's Chromium only: the camera is the video, allowed
        # without asking
        folder = tempfile.mkdtemp(prefix='stocktake-camera-')
        cls.addClassCleanup(shutil.rmtree, folder, ignore_errors=True)
        video = os.path.join(folder, 'label.y4m')
        code128_video(video, CODE)
        cls.flags = ['--use-fake-device-for-media-stream',
            '--use-fake-ui-for-media-stream',
            f'--use-file-for-fake-video-capture={video}']
        super().setUpClass()

    def test_camera_scan_on_a_count(self):
        """Counting: B2 typed, P004 read into the product field, the counted
        quantity next; the count is stored"""
        d = self.driver
        self.home()
        self.open_flow('count')
        self.wait(EC.element_to_be_clickable(
                (By.CSS_SELECTOR, f'button[data-task="{self.task_id}"]'))
            ).click()
        self.wait(EC.visibility_of_element_located((By.ID, 'location')))
        d.find_element(By.ID, 'location').send_keys('B2\n')
        self.wait(EC.element_to_be_clickable((By.ID, 'camera'))).click()
        self.wait(lambda d: d.find_element(By.ID, 'code').get_attribute(
                'value') or d.find_element(By.ID, 'error').is_displayed())
        self.assertEqual(self.text_of('error'), '')
        self.assertEqual(d.find_element(By.ID, 'code').get_attribute(
                'value'), CODE)
        self.wait(lambda d: d.switch_to.active_element.get_attribute('id')
            == 'quantity')
        self.assertFalse(d.find_element(By.ID, 'video').is_displayed())
        d.switch_to.active_element.send_keys('8\n')
        self.wait(lambda d: self.counts())
        (location, product, quantity), = self.counts().values()
        self.assertEqual((location, product, quantity),
            (self.data['locations'][1], self.data['products'][3], 8))

    def test_camera_scan_on_a_document_offline(self):
        """Issue to production with the server down: B1 typed, P004 read by
        the camera (its reader from the service worker's copy), the
        quantity entered next; queued, then accepted and stored once the
        server is back"""
        d = self.driver
        reference = f"production,{self.data['production']}"
        self.open_document('issue', reference)
        self.wait(lambda d: d.execute_script(
                'return !!navigator.serviceWorker.controller'))
        # The page loaded again without a network: the shell from the cache
        self.network(False)
        self.addCleanup(lambda: self.server.running() or
            self.network(True))
        d.refresh()
        self.wait(EC.visibility_of_element_located((By.ID, 'doc-code')))
        # Linux Chromium has no native detector: the ponyfill reads
        self.assertFalse(d.execute_script(
                "return 'BarcodeDetector' in window"))
        d.find_element(By.ID, 'doc-location').send_keys('B1')
        self.wait(EC.element_to_be_clickable((By.ID, 'doc-camera'))).click()
        # Read, or the page says why not
        self.wait(lambda d: d.find_element(By.ID, 'doc-code').get_attribute(
                'value') or d.find_element(By.ID, 'error').is_displayed())
        self.assertEqual(self.text_of('error'), '')
        self.assertEqual(d.find_element(By.ID, 'doc-code').get_attribute(
                'value'), CODE)
        # Entered as a scanner enters it (Enter: the quantity next); the
        # camera is closed
        self.wait(lambda d: d.switch_to.active_element.get_attribute('id')
            == 'doc-quantity')
        self.assertFalse(d.find_element(By.ID, 'doc-video').is_displayed())
        self.assertEqual(d.execute_script(
                "return document.getElementById('doc-video').srcObject"),
            None)
        # The reader came from this server, not from a CDN
        resources = d.execute_script("return performance.getEntriesByType("
            "'resource').map(function (e) { return e.name; })")
        self.assertIn(self.base + 'static/zxing_reader.wasm', resources)
        self.assertEqual([r for r in resources
                if not r.startswith(f'http://127.0.0.1:{self.port}/')], [])
        d.switch_to.active_element.send_keys('4\n')
        self.wait(lambda d: self.text_of('doc-queue') == '1')
        self.network(True)
        self.wait(lambda d: self.text_of('doc-accepted') == '1')
        self.assertEqual(self.text_of('doc-refused'), '0')

        b1 = self.data['locations'][0]
        p4 = self.data['products'][3]
        self.assertEqual(self.query('SELECT result, code, product, '
                'location, quantity FROM stock_scan_line '
                'WHERE document = %s', reference),
            [('accepted', CODE, p4, b1, 4)])
