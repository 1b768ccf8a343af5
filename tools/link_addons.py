"""Link addons/<name> into the venv's trytond/modules so edits are live.

Why: `pip install -e` does not work with the hatch path mapping Tryton addons
use (see ../shared/TRYTON-NOTES.md); a symlink gives the same result, and the
real wheel build is checked by tests/tooling/test_packaging.py.
"""
import pathlib

import trytond.modules

ROOT = pathlib.Path(__file__).resolve().parent.parent
target_dir = pathlib.Path(trytond.modules.__file__).parent
for addon in sorted((ROOT / 'addons').iterdir()):
    if not (addon / 'tryton.cfg').exists():
        continue
    link = target_dir / addon.name
    if link.is_symlink() or not link.exists():
        if link.is_symlink() and link.resolve() == addon:
            continue
        link.unlink(missing_ok=True)
        link.symlink_to(addon, target_is_directory=True)
    else:
        raise SystemExit(f'{link} exists and is not our symlink: '
            'uninstall the packaged addon first')

# The repo root on sys.path makes the plain packages (connectors, demo_factory)
# importable from any working directory, as an installed package would be.
site = target_dir.parent.parent
(site / 'factory_repo.pth').write_text(str(ROOT) + '\n')
