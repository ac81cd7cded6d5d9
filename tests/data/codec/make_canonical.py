#!/usr/bin/env python3
"""Writes tests/data/codec/real-canonical/: for every valid file of tests/data/real, its findings as
NDJSON in the canonical form the codec's writer must produce (compact, members in input order,
numbers as written except doubles in their shortest round-trip form). This is the independent route
for test_codec: plain Python json, no libasff. Run from the repository root:
    python3 tests/data/codec/make_canonical.py
"""
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
REAL = os.path.join(ROOT, 'real')
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'real-canonical')


class Num(str):
    """A JSON number kept as its text."""


class Obj(list):
    """A JSON object as its (key, value) pairs, in order."""


def shortest(x):
    for prec in (15, 16, 17):
        s = '%.*g' % (prec, x)
        if float(s) == x:
            return s
    return s


def num(text):
    # Integers stay verbatim (exact, beyond int64 too); other numbers are doubles in the model.
    if any(c in text for c in '.eE'):
        return Num(shortest(float(text)))
    return Num(text)


def dump(v):
    if isinstance(v, Num):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if v is None:
        return 'null'
    if v is True:
        return 'true'
    if v is False:
        return 'false'
    if isinstance(v, Obj):
        return '{' + ','.join(json.dumps(k, ensure_ascii=False) + ':' + dump(x) for k, x in v) + '}'
    if isinstance(v, list):
        return '[' + ','.join(dump(x) for x in v) + ']'
    raise TypeError(type(v))


def load_all(text):
    dec = json.JSONDecoder(object_pairs_hook=Obj, parse_float=num, parse_int=num)
    values, i = [], 0
    while True:
        while i < len(text) and text[i] in ' \t\r\n':
            i += 1
        if i >= len(text):
            return values
        v, i = dec.raw_decode(text, i)
        values.append(v)


def get(pairs, key):
    for k, v in pairs:
        if k == key:
            return v
    return None


def findings(v):
    if not isinstance(v, Obj):
        return v
    keys = [k for k, _ in v]
    if 'Findings' in keys and isinstance(get(v, 'Findings'), list):
        return get(v, 'Findings')
    if 'detail' in keys:
        return get(get(v, 'detail'), 'findings') or []
    return [v]


def main():
    os.makedirs(OUT, exist_ok=True)
    for d in sorted(os.listdir(REAL)):
        if not os.path.isdir(os.path.join(REAL, d)):
            continue
        for f in sorted(os.listdir(os.path.join(REAL, d))):
            if 'MALFORMED' in f:
                continue
            text = open(os.path.join(REAL, d, f), encoding='utf-8').read()
            out = ''.join(dump(x) + '\n' for v in load_all(text) for x in findings(v))
            with open(os.path.join(OUT, d + '__' + f + '.ndjson'), 'w', encoding='utf-8') as fh:
                fh.write(out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
