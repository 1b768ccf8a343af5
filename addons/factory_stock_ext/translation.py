# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"Overrides of core translations (locale/override/) that Tryton applies fully."
import os

import polib

from trytond.pool import Pool, PoolMeta


class Translation(metaclass=PoolMeta):
    __name__ = 'ir.translation'

    @classmethod
    def translation_import(cls, lang, module, po_path):
        result = super().translation_import(lang, module, po_path)
        cls._confirm_overrides(lang, [p for p in po_path
                if os.sep + 'override' + os.sep in p])
        return result

    @classmethod
    def _confirm_overrides(cls, lang, po_path):
        """Tryton changes a core translation from an override only when the
        value differs: one that core ships fuzzy (so unused: the screen is
        in English) with the right value stays fuzzy. Confirm those."""
        ModelData = Pool().get('ir.model.data')
        confirmed = []
        for path in po_path:
            for entry in polib.pofile(path):
                if entry.obsolete or 'fuzzy' in entry.flags:
                    continue
                translation, res_id = cls.from_poentry(entry)
                module, fs_id = res_id.split('.', 1)
                domain = [('lang', '=', lang), ('module', '=', module),
                    ('type', '=', translation.type),
                    ('name', '=', translation.name),
                    ('res_id', '=',
                        ModelData.get_id(module, fs_id) if fs_id else -1),
                    ('value', '=', entry.msgstr), ('fuzzy', '=', True)]
                if translation.type in {
                        'report', 'view', 'wizard_button', 'selection'}:
                    domain.append(('src', '=', entry.msgid))
                confirmed.extend(cls.search(domain))
        if confirmed:
            cls.write(confirmed, {'fuzzy': False})
