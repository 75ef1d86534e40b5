#!/usr/bin/env python3
"""Deterministic generator of a VSRX-like dataset for the benchmark command (benchmarks/run.sh).

Layout:  DIR/<fileset-id>/notes/<yyyy>/<note-id>/<name>.<ext>   plus DIR/manifest.json

Each file starts with a realistic magic header (JPEG FF D8 FF E0 'JFIF', '%PDF-1.7', TIFF 'II*\\0')
followed by seeded pseudo-random (incompressible) bytes. A share of files (--dup-rate) are
byte-identical copies of an earlier file, usually in another fileset (the same letter uploaded twice).
Same arguments + same seed => same bytes, same paths, same manifest.

Examples:
  gen_dataset.py DIR --preset tiny
  gen_dataset.py DIR --filesets 40 --files 2000 --size-mix "jpeg:70:20K:200K,pdf:25:200K:2M,tiff:5:2M:20M"
"""
import argparse, hashlib, json, math, os, random, sys, time

PRESETS = {
    #        filesets, files, size scale (applied to every range of the mix)
    "tiny":   (10,    200,   0.5),
    "small":  (40,    2000,  0.5),
    "medium": (200,   10000, 0.5),    # ~3 GB with the default mix
}
DEFAULT_MIX = "jpeg:70:20K:200K,pdf:25:200K:2M,tiff:5:2M:20M"
KINDS = {
    "jpeg": ("jpg", "image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", b"\xff\xd9"),
    "pdf":  ("pdf", "application/pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"\n%%EOF\n"),
    "tiff": ("tif", "image/tiff", b"II*\x00\x08\x00\x00\x00", b""),
    "png":  ("png", "image/png", b"\x89PNG\r\n\x1a\n", b""),
    "bin":  ("bin", "application/octet-stream", b"", b""),
}
NAMES = {"jpeg": ["scan", "photo", "wound", "xray", "img"], "pdf": ["letter", "referral", "report", "discharge", "lab"],
         "tiff": ["fax", "scan-hires", "ct-slice"], "png": ["chart", "screenshot"], "bin": ["blob"]}
UNITS = {"": 1, "B": 1, "K": 1024, "KIB": 1024, "M": 1024**2, "MIB": 1024**2, "G": 1024**3, "GIB": 1024**3}


def parse_size(s):
    s = s.strip().upper()
    i = len(s)
    while i and not s[i - 1].isdigit():
        i -= 1
    return int(float(s[:i]) * UNITS[s[i:]])


def parse_mix(text):
    mix = []
    for part in text.split(","):
        kind, pct, lo, hi = part.split(":")
        if kind not in KINDS:
            sys.exit(f"unknown kind {kind}; known: {', '.join(KINDS)}")
        mix.append((kind, float(pct), parse_size(lo), parse_size(hi)))
    total = sum(m[1] for m in mix)
    return [(k, p / total, lo, hi) for k, p, lo, hi in mix]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--preset", choices=sorted(PRESETS))
    ap.add_argument("--filesets", type=int)
    ap.add_argument("--files", type=int, help="total number of files")
    ap.add_argument("--size-mix", default=DEFAULT_MIX,
                    help="kind:percent:min:max,... sizes log-uniform in [min,max] (default %(default)s)")
    ap.add_argument("--size-scale", type=float, help="multiply every size range (presets set it)")
    ap.add_argument("--dup-rate", type=float, default=0.05, help="fraction of files that copy another file")
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--force", action="store_true", help="regenerate even if a matching manifest exists")
    a = ap.parse_args()

    filesets, files, scale = PRESETS.get(a.preset, (10, 200, 1.0))
    filesets = a.filesets or filesets
    files = a.files or files
    scale = a.size_scale if a.size_scale is not None else scale
    mix = parse_mix(a.size_mix)
    params = dict(preset=a.preset, filesets=filesets, files=files, size_mix=a.size_mix, size_scale=scale,
                  dup_rate=a.dup_rate, seed=a.seed)

    out = os.path.abspath(a.dir)
    mpath = os.path.join(out, "manifest.json")
    if not a.force and os.path.exists(mpath):
        with open(mpath) as f:
            old = json.load(f)
        if old.get("params") == params:
            print(f"dataset already present ({old['totals']['files']} files, {old['totals']['bytes']} bytes)",
                  file=sys.stderr)
            return
        sys.exit(f"{mpath} exists with other parameters; use --force or another DIR")
    os.makedirs(out, exist_ok=True)

    rng = random.Random(a.seed)
    # Spread files over filesets unevenly (some patients have many files), at least one each.
    weights = [rng.paretovariate(1.5) for _ in range(filesets)]
    counts = [1] * filesets
    for _ in range(files - filesets):
        counts[rng.choices(range(filesets), weights)[0]] += 1
    cum = [m[1] for m in mix]
    for i in range(1, len(cum)):
        cum[i] += cum[i - 1]

    entries, originals, t0, total = [], [], time.time(), 0
    idx = 0
    for fs_i, n in enumerate(counts):
        fs_id = f"fs-{fs_i + 1:06d}"
        patient = f"P{rng.randrange(10**7, 10**8)}"
        for j in range(n):
            idx += 1
            file_id = f"f-{idx:08d}"
            note = f"n{rng.randrange(10**5, 10**6)}"
            year = 2015 + rng.randrange(11)
            dup_of = None
            if originals and rng.random() < a.dup_rate:
                src = originals[rng.randrange(len(originals))]
                kind, size, fseed, dup_of = src["kind"], src["size"], src["content_seed"], src["file_id"]
            else:
                r = rng.random()
                k = next(i for i, c in enumerate(cum) if r <= c + 1e-12)
                kind, _, lo, hi = mix[k]
                lo, hi = max(64, int(lo * scale)), max(64, int(hi * scale))
                size = int(math.exp(rng.uniform(math.log(lo), math.log(hi))))
                fseed = rng.getrandbits(64)
            ext, mime, head, tail = KINDS[kind]
            name = f"{rng.choice(NAMES[kind])}-{j + 1:04d}.{ext}"
            rel = f"notes/{year}/{note}/{name}"
            data = make_content(fseed, size, head, tail)
            path = os.path.join(out, fs_id, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            e = dict(file_id=file_id, fileset_id=fs_id, patient_id=patient, path=rel, size=size,
                     sha256=hashlib.sha256(data).hexdigest(), md5=hashlib.md5(data).hexdigest(), mime=mime)
            if dup_of:
                e["duplicate_of"] = dup_of
            else:
                originals.append(dict(kind=kind, size=size, content_seed=fseed, file_id=file_id))
            entries.append(e)
            total += size
        if fs_i % 20 == 19:
            print(f"  {fs_i + 1}/{filesets} filesets, {total / 1e6:.0f} MB", file=sys.stderr)

    by_mime = {}
    for e in entries:
        m = by_mime.setdefault(e["mime"], {"files": 0, "bytes": 0})
        m["files"] += 1; m["bytes"] += e["size"]
    manifest = dict(params=params, totals=dict(files=len(entries), bytes=total, filesets=filesets,
                                               duplicates=sum(1 for e in entries if "duplicate_of" in e),
                                               by_mime=by_mime),
                    files=entries)
    with open(mpath + ".tmp", "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(mpath + ".tmp", mpath)
    print(f"wrote {len(entries)} files, {total / 1e6:.1f} MB, {manifest['totals']['duplicates']} duplicates "
          f"in {time.time() - t0:.1f} s -> {out}", file=sys.stderr)


def make_content(seed, size, head, tail):
    body = size - len(head) - len(tail)
    if body < 0:
        return (head + tail)[:size]
    return head + random.Random(seed).randbytes(body) + tail


if __name__ == "__main__":
    main()
