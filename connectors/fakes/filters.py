"""Tiny filter parsers for the fakes: Kingdee FilterString and OData $filter.

Only conjunctions of ``field <op> literal`` are supported — what our clients
and typical integrations send.  Anything else is refused with FilterError so a
client sending something fancier finds out in tests rather than in production.
"""
import operator
import re

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|"
                    r"(?P<op><>|!=|>=|<=|=|>|<)|(?P<word>[A-Za-z_][\w.]*))")
_OPS = {"=": operator.eq, "<>": operator.ne, "!=": operator.ne, ">": operator.gt, "<": operator.lt,
        ">=": operator.ge, "<=": operator.le,
        "eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "lt": operator.lt,
        "ge": operator.ge, "le": operator.le}


class FilterError(ValueError):
    pass


def _tokens(text):
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise FilterError("cannot parse filter near %r" % text[pos:pos + 20])
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "str":
            value = value[1:-1].replace("''", "'")
        elif kind == "num":
            value = float(value)
        out.append((kind, value))
    return out


def parse(text, odata=False):
    """Return [(field, op_name, literal)]; empty list for an empty filter."""
    if not text or not text.strip():
        return []
    toks = _tokens(text)
    conds, i = [], 0
    while True:
        if i + 3 > len(toks):
            raise FilterError("incomplete condition in filter %r" % text)
        (k1, field), (k2, op), (k3, lit) = toks[i:i + 3]
        if odata and k3 == "word" and i + 3 < len(toks) and toks[i + 3][0] == "str":
            # typed literal: datetime'2024-05-15T00:00:00' -> compare as string
            lit, i = toks[i + 3][1], i + 1
            k3 = "str"
        op_ok = (k2 == "word" and op.lower() in ("eq", "ne", "gt", "lt", "ge", "le")) if odata else k2 == "op"
        if k1 != "word" or not op_ok or k3 not in ("str", "num"):
            raise FilterError("unsupported condition %r in filter %r" % (" ".join(str(t[1]) for t in toks[i:i + 3]), text))
        conds.append((field, op.lower(), lit))
        i += 3
        if i == len(toks):
            return conds
        if toks[i][0] != "word" or toks[i][1].lower() != "and":
            raise FilterError("only 'and' may join conditions in filter %r" % text)
        i += 1


def matcher(conds, getters):
    """Build row -> bool; ``getters`` maps a lower-cased field name to row -> value."""
    checks = []
    for field, op, lit in conds:
        get = getters.get(field.lower())
        if get is None:
            raise FilterError("field %s cannot be filtered on" % field)
        checks.append((get, _OPS[op], lit))

    def match(row):
        for get, fn, lit in checks:
            value = get(row)
            if isinstance(lit, float):
                try:
                    value = float(value)
                except (TypeError, ValueError):
                    return False
            elif value is not None:
                value = str(value)
            if value is None or not fn(value, lit):
                return False
        return True
    return match


def equality(conds, field):
    """The literal of a ``field = literal`` condition, used for index look-ups."""
    for f, op, lit in conds:
        if f.lower() == field.lower() and op in ("=", "eq"):
            return lit
    return None
