/* Installed in the sao page by screen_walk.py: opens screens through sao's own
   API and records what a user would have seen go wrong, instead of showing it.
   Dialogs are recorded and answered at once so that one failing screen does
   not block the walk of the next ones. */
(function() {
    'use strict';
    if (window.__walk) {
        return;
    }
    const walk = window.__walk = {
        problems: [], wizards: [], reports: [], last: Date.now(),
        texts: new Set()};

    // every RPC of sao goes through jQuery.ajax: the page is idle when none
    // is running and none ended in the last moments (sao chains its calls
    // through asynchronous promise callbacks)
    jQuery(document).on('ajaxSend ajaxComplete', () => {
        walk.last = Date.now();
    });
    walk.idle = function(quiet) {
        return (jQuery.active === 0) && (Date.now() - walk.last > quiet) &&
            !Sao.common.processing.el.is(':visible');
    };

    // answer 'ko' (do not save) where sao asks: the walk never writes
    /* idle and showing what the step waits for; without it, idle for long
       enough to tell that nothing more will come */
    walk.ready = function(quiet, step) {
        if (!walk.idle(quiet)) {
            return false;
        }
        const tab = walk.tab();
        let shown;
        if (step == 'open') {
            shown = (Sao.Tab.tabs.length > walk.first_tab &&
                    (!tab.screen || tab.screen.current_view)) ||
                // a wizard takes a cancel only once it waits for the user
                walk.wizards.some((w) => w.screen && !w.__processing) ||
                walk.reports.length || walk.problems.length;
        } else if (step == 'tab') {
            shown = Sao.Tab.tabs.length > walk.first_tab &&
                tab.screen && tab.screen.current_view;
        } else if (step == 'form') {
            shown = tab.screen.current_view.view_type == 'form';
        } else {
            shown = true;
        }
        return Boolean(shown) || walk.idle(10 * quiet);
    };

    const record = (kind) => function() {
        const parts = Array.from(arguments).filter(
            (a) => typeof a == 'string' || a instanceof Array);
        walk.problems.push(kind + ': ' + parts.map(String).join(' | ')
            .slice(0, 500));
        return jQuery.when('ko');
    };
    for (const name of ['error', 'warning', 'message', 'userwarning',
            'sur', 'sur_3b', 'ask']) {
        if (Sao.common[name]) {
            Sao.common[name].run = record(name + ' dialog');
        }
    }
    window.alert = record('alert');
    window.addEventListener('error', (event) => {
        walk.problems.push('uncaught: ' + event.message);
    });
    window.addEventListener('unhandledrejection', (event) => {
        walk.problems.push('unhandled rejection: ' + event.reason);
    });

    // reports are rendered by the server; the walk keeps their name only
    Sao.common.download_file = function(data, name) {
        walk.reports.push(name);
    };
    for (const cls of [Sao.Wizard.Dialog, Sao.Wizard.Form]) {
        const run = cls.prototype.run;
        cls.prototype.run = function(attributes) {
            walk.wizards.push(this);
            return run.call(this, attributes);
        };
    }

    walk.open_menu = function(id) {
        walk.problems = [];
        walk.wizards = [];
        walk.reports = [];
        walk.texts = new Set();
        walk.first_tab = Sao.Tab.tabs.length;
        // as sao's menu does: without ids, or the tab is named after the
        // action with the menu path as a suffix in brackets
        Sao.Action.exec_keyword('tree_open', {
            'model': 'ir.ui.menu', 'id': id}, null, false);
    };

    walk.tab = function() {
        return Sao.Tab.tabs[Sao.Tab.tabs.length - 1];
    };

    // what the menu entry opened, for the Python side to go on with
    walk.state = function() {
        const tab = Sao.Tab.tabs.length > walk.first_tab ? walk.tab() : null;
        const screen = tab && tab.screen;
        const state = {
            'tab': Boolean(tab),
            'wizards': walk.wizards.map((w) => w.action),
            'wizard_shown': walk.wizards.some((w) => w.screen),
            'reports': walk.reports,
            'problems': walk.problems,
        };
        if (tab && !screen) {
            state.view = 'board';
        } else if (screen && screen.current_view) {
            state.view = screen.current_view.view_type;
            state.modes = screen.view_to_load.concat(
                screen.views.map((v) => v.view_type));
            state.records = screen.group.length;
            if (state.view == 'form') {
                // as sao does before it closes a form: a widget that shows
                // the value otherwise than it is stored changes the record
                screen.current_view.set_value();
            }
            state.modified = screen.modified();
            state.pages = tab.content.find('.nav-tabs > li > a:visible')
                .length;
        }
        return state;
    };

    walk.next_view = function() {
        walk.tab().screen.switch_view();
    };
    walk.first_form = function() {
        const screen = walk.tab().screen;
        screen.current_record = screen.group[0];
        screen.switch_view('form');
    };
    // every page of the form's notebooks, shown in turn (their texts are
    // drawn at once, their lists load in the background)
    walk.show_pages = function() {
        const pages = walk.tab().content.find('.nav-tabs > li > a:visible');
        for (const page of pages.toArray()) {
            page.click();
            walk.collect_texts();
        }
        return pages.length;
    };

    // the visible text nodes, for the check of untranslated strings
    walk.collect_texts = function() {
        const roots = [document.getElementById('tabcontent'),
            document.getElementById('tablist')].concat(
            Array.from(document.querySelectorAll('.modal')));
        for (const root of roots) {
            if (!root) {
                continue;
            }
            const walker = document.createTreeWalker(root,
                NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const text = node.nodeValue.trim().replace(/[:：]$/, '');
                const el = node.parentElement;
                if (text && el && el.offsetParent !== null) {
                    walk.texts.add(text);
                }
            }
            // placeholders are read; titles (help tooltips) only on hover
            for (const el of root.querySelectorAll('input[placeholder]')) {
                if (el.offsetParent !== null) {
                    walk.texts.add(el.getAttribute('placeholder').trim());
                }
            }
        }
        return Array.from(walk.texts);
    };

    // charts drawn at once: the pictures of the docs show them drawn
    bb.defaults({'transition': {'duration': 0}});
    // every chart of the tab drawn (billboard draws once its data is read)
    walk.charts_drawn = function() {
        return Array.from(document.querySelectorAll('#tabcontent .graph'))
            .filter((g) => g.offsetParent !== null)
            .every((g) => g.querySelector('svg .bb-chart'));
    };

    // the top of the screen for a picture: a board's search field takes
    // the focus and scrolls the board to it
    walk.to_top = function() {
        if (document.activeElement) {
            document.activeElement.blur();
        }
        const root = document.getElementById('tabcontent');
        const all = [...root.querySelectorAll('*')];
        for (let el = root; el; el = el.parentElement) {
            all.push(el);
        }
        for (const el of all) {
            if (el.scrollTop) {
                el.scrollTop = 0;
            }
        }
    };

    // the default button of the wizard shown (for a picture of its report)
    walk.run_wizard = function() {
        const wizard = walk.wizards.find((w) => w.screen);
        const button = Object.values(wizard.states).find(
            (s) => s.attributes.default);
        wizard.response(button.attributes);
    };

    // back to an empty client: wizards cancelled, tabs closed unsaved
    walk.close_all = function() {
        walk.cancel_wizards();
        for (const tab of Array.from(Sao.Tab.tabs)) {
            if (tab.screen) {
                tab.screen.group.forEach((r) => r.cancel());
            }
            tab.close();
        }
    };
    // a wizard still processing ignores a cancel: asked again until it ends
    walk.cancel_wizards = function() {
        for (const wizard of walk.wizards) {
            if ((wizard.state !== wizard.end_state) && !wizard.__processing &&
                    (wizard.end_state in wizard.states)) {
                wizard.response(wizard.states[wizard.end_state].attributes);
            }
        }
    };
    /* Wait in the page, not from Python: a WebDriver poll every few
       milliseconds costs a round trip through chromedriver each time, and
       that CPU was most of the walk's. Calls done(true) once
       walk[name](...args) holds, done(false) after timeout ms, and
       done({error}) if it throws. */
    walk.until = function(name, args, timeout, done) {
        const start = Date.now();
        const tick = function() {
            let result;
            try {
                result = walk[name].apply(walk, args);
            } catch (e) {
                done({'error': String(e)});
                return;
            }
            if (result) {
                done(true);
            } else if (Date.now() - start > timeout) {
                done(false);
            } else {
                setTimeout(tick, 10);
            }
        };
        tick();
    };
    walk.closed = function() {
        walk.cancel_wizards();
        return Sao.Tab.tabs.length === 0 &&
            jQuery('.wizard-dialog:visible').length === 0;
    };
}());
