"""The vendor samples, as templates the fakes answer from.

A fake never writes a reply shape of its own: it loads the published reply
(``connectors/tests/vendor_samples/<system>/<name>``, each with its source in a
``.source`` sidecar) and fills in values.  ``fill`` only replaces values of keys
the sample has, so a fake cannot invent a key or drop one, and the clients'
parsers are tested against the very same files (tests/test_vendor_samples.py).
"""
import copy
import functools
import json
import os

DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "vendor_samples")


class SampleError(LookupError):
    pass


@functools.lru_cache(maxsize=None)
def _load(system, name):
    path = os.path.join(DIR, system, name)
    if not os.path.exists(path):
        raise SampleError("vendor sample %s/%s is missing (the fakes need connectors/tests/vendor_samples "
                          "of the source tree)" % (system, name))
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return json.loads(text) if name.endswith(".json") else text.strip()


def load(system, name):
    """A fresh deep copy of one sample (the cached original is never handed out)."""
    return copy.deepcopy(_load(system, name))


def names(system):
    return sorted(n for n in os.listdir(os.path.join(DIR, system)) if not n.endswith(".source"))


class Whole(dict):
    """A dict value that replaces the sample's value whole (an expanded navigation
    instead of the sample's ``__deferred`` link) instead of being filled into it."""


def fill(template, values):
    """``template`` with the values of ``values`` put on keys it already has.

    Nested dicts are filled recursively when ``values`` holds a dict for them;
    any other value replaces the sample's.  A key the sample lacks is an error:
    the fake would be answering a shape the vendor never published."""
    out = copy.deepcopy(template)
    for key, value in values.items():
        if key not in out:
            raise SampleError("key %r is not in the vendor sample (keys: %s)" % (key, ", ".join(out)))
        if isinstance(value, dict) and isinstance(out[key], dict) and not isinstance(value, Whole):
            out[key] = fill(out[key], value)
        else:
            out[key] = value
    return out


def sample_row(template_list):
    """The first element of a list in a sample: the shape of every element."""
    if not template_list:
        raise SampleError("the sample list is empty: no element shape to fill")
    return template_list[0]
