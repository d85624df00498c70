#!/usr/bin/env python3
"""The licences of everything compiled into Hoist's binaries, from Cargo's own
metadata (each crate's `license` field and the licence files it ships).

    scripts/licenses.py OUT_DIR

writes OUT_DIR/licenses.json ([{name, version, license, repository}], what the
app's About shows) and OUT_DIR/THIRD-PARTY-LICENSES (every crate's licence
texts). Only normal dependencies of hoist-app and hoist-cli for the host
platform count: build tools and test crates are not shipped.
"""
import json
import os
import subprocess
import sys

ROOTS = ("hoist-app", "hoist-cli")


def main(out_dir):
    host = next(
        line.split(": ", 1)[1]
        for line in subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("host: ")
    )
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked", "--offline", "--filter-platform", host],
            capture_output=True, text=True, check=True,
        ).stdout
    )
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    todo = [pid for pid, p in packages.items() if p["name"] in ROOTS and p["source"] is None]
    seen = set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        for dep in nodes[pid]["deps"]:
            # Shipped code only: kind None is a normal dependency.
            if any(k["kind"] is None for k in dep["dep_kinds"]):
                todo.append(dep["pkg"])
    shipped = sorted((packages[pid] for pid in seen), key=lambda p: (p["name"], p["version"]))
    listing = [
        {
            "name": p["name"],
            "version": p["version"],
            "license": p["license"] or ("see " + p["license_file"] if p["license_file"] else "unknown"),
            "repository": p["repository"],
        }
        for p in shipped
    ]
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "licenses.json"), "w") as f:
        json.dump(listing, f, indent=1)
    with open(os.path.join(out_dir, "THIRD-PARTY-LICENSES"), "w") as f:
        for p in shipped:
            f.write(f"{'=' * 72}\n{p['name']} {p['version']}: {p['license'] or 'see below'}\n{'=' * 72}\n")
            crate_dir = os.path.dirname(p["manifest_path"])
            texts = sorted(
                n for n in os.listdir(crate_dir)
                if n.upper().startswith(("LICENSE", "LICENCE", "COPYING", "NOTICE")) and os.path.isfile(os.path.join(crate_dir, n))
            )
            for name in texts:
                with open(os.path.join(crate_dir, name), errors="replace") as t:
                    f.write(f"--- {name}\n{t.read()}\n")
            if not texts:
                f.write("(the crate ships no licence file; its licence is named above)\n")
    unknown = [p["name"] for p in listing if p["license"] == "unknown"]
    print(f"{len(listing)} crates; licences unknown: {unknown or 'none'}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/licenses")
