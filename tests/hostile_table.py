"""The hostile-input table (tests/data/hostile/cases.tsv, made by gen_hostile.py beside it): one
loader for the Python tests that run it (hostile_cli.py, hostile_commands.py)."""
import collections

Case = collections.namedtuple("Case", "name status count skip_status skip_count skipped spec data")


def decode(spec):
    """The input bytes of a case: space-separated HEX or HEX*N segments ("-": empty)."""
    if spec == "-":
        return b""
    out = bytearray()
    for seg in spec.split(" "):
        hexpart, _, rep = seg.partition("*")
        out += bytes.fromhex(hexpart) * (int(rep) if rep else 1)
    return bytes(out)


def load(path):
    """Every case of the table, in order: status, findings and skipped items as the table states
    them (without and with skip_invalid), and the input bytes."""
    cases = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, st, cnt, sst, scnt, sskip, spec = line.rstrip("\n").split("\t")
            cases.append(Case(name, st, int(cnt), sst, int(scnt), int(sskip), spec, decode(spec)))
    return cases
