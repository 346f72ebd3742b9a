#!/usr/bin/env python3
"""Splits one synthetic multi-domain world (`recbench data synth` atomic files) by domain.

Writes OUT/<corpus-name>/<corpus-name>.{inter,item} holding the interactions of the corpus domains
and OUT/<domain>/<domain>.{inter,item} for each target domain, so that a CPRec experiment can
pre-train on some domains of one world (same users, topics and title words) and be evaluated on
others. Rows keep their order; nothing is resampled.

usage: split_domains.py WORLD_DIR OUT_DIR --corpus books,movies --targets games [--name corpus]
"""
import argparse
import os


def read(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline()
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    return header, rows


def write(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(header)
        for r in rows:
            f.write("\t".join(r) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("world")
    ap.add_argument("out")
    ap.add_argument("--corpus", required=True, help="comma-separated corpus domains")
    ap.add_argument("--targets", required=True, help="comma-separated target domains")
    ap.add_argument("--name", default="corpus", help="folder and file name of the corpus")
    a = ap.parse_args()
    item_header, items = read(os.path.join(a.world, "synthetic.item"))
    inter_header, inters = read(os.path.join(a.world, "synthetic.inter"))
    domain_col = item_header.rstrip("\n").split("\t").index("domain:token")
    domain_of = {r[0]: r[domain_col] for r in items}
    corpus = set(a.corpus.split(","))
    targets = a.targets.split(",")
    overlap = corpus.intersection(targets)
    if overlap:
        raise SystemExit(f"split_domains.py: {sorted(overlap)} both corpus and target domains")
    known = set(domain_of.values())
    for d in corpus.union(targets):
        if d not in known:
            raise SystemExit(f"split_domains.py: no domain '{d}' (known: {sorted(known)})")
    for name, keep in [(a.name, corpus)] + [(t, {t}) for t in targets]:
        write(os.path.join(a.out, name, name + ".item"), item_header,
              [r for r in items if r[domain_col] in keep])
        write(os.path.join(a.out, name, name + ".inter"), inter_header,
              [r for r in inters if domain_of[r[1]] in keep])


if __name__ == "__main__":
    main()
