"Headless Debian Chromium driven by selenium, with the flags this machine needs."
import os
import pathlib
import shutil
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = pathlib.Path(__file__).resolve().parents[2]
FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--window-size=1400,900']


def chromium(lang='en-US'):
    options = webdriver.ChromeOptions()
    for flag in FLAGS + [f'--lang={lang}',
            f'--user-data-dir={tempfile.mkdtemp(prefix="chromium-")}']:
        options.add_argument(flag)
    options.add_experimental_option('prefs', {'intl.accept_languages': lang})
    # the browser console, read by the tests (driver.get_log('browser'))
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    options.binary_location = shutil.which('chromium') or '/usr/bin/chromium'
    service = Service(shutil.which('chromedriver') or '/usr/bin/chromedriver')
    return webdriver.Chrome(service=service, options=options)


def screenshot(driver, name):
    """Always kept under var/screenshots; copied to docs/ when UPDATE_DOCS=1
    so that a test run does not dirty the committed pictures"""
    out = ROOT / 'var' / 'screenshots'
    out.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(out / name))
    if os.environ.get('UPDATE_DOCS') == '1':
        shutil.copyfile(out / name, ROOT / 'docs' / name)
    return out / name
