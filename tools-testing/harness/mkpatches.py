#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate the virt patch series from this repository's files.

The repository holds the new files as they are meant to land and a few
fragments (Kconfig entry, MAINTAINERS entry). This script lays them over the
handful of base-tree files they touch, commits one patch at a time in a
scratch git repository with a fixed identity and fixed dates, and writes
`git format-patch` output. Same inputs, same git: same bytes.

Usage: mkpatches.py BASE_GIT_TREE BASE_REV OUT_DIR

The base files are read from BASE_REV of the base tree's repository, so the
work tree may hold anything (the series applied, say).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERIES = os.path.join(TOP, "tools-testing", "harness", "series")
DATE = "Wed, 25 Nov 2026 12:00:00 +0000"

# Base-tree files the series edits (copied into the scratch repository).
BASE_FILES = [
    "drivers/net/Kconfig",
    "drivers/net/Makefile",
    "tools/testing/selftests/Makefile",
    "Documentation/networking/index.rst",
    "MAINTAINERS",
]


def die(msg):
    sys.stderr.write("mkpatches: %s\n" % msg)
    sys.exit(1)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def insert_before(text, anchor_re, block, what):
    m = re.search(anchor_re, text, re.M)
    if not m:
        die("cannot find where to insert %s" % what)
    return text[:m.start()] + block + text[m.start():]


def insert_after(text, anchor_re, block, what):
    m = re.search(anchor_re, text, re.M)
    if not m:
        die("cannot find where to insert %s" % what)
    return text[:m.end()] + block + text[m.end():]


def copy_tree(src, dst):
    """Copy the files under src into dst, sorted, skipping editor junk."""
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files):
            if name.endswith("~") or name.startswith("."):
                continue
            s = os.path.join(root, name)
            d = os.path.join(dst, os.path.relpath(s, src))
            os.makedirs(os.path.dirname(d), exist_ok=True)
            shutil.copyfile(s, d)
            shutil.copymode(s, d)


def patch_driver(w):
    copy_tree(os.path.join(TOP, "drivers-net-virt"), os.path.join(w, "drivers/net"))
    p = os.path.join(w, "drivers/net/Kconfig")
    write(p, insert_before(read(p), r"^config VXLAN\n",
                           read(os.path.join(TOP, "Kconfig.frag")), "Kconfig entry"))
    p = os.path.join(w, "drivers/net/Makefile")
    write(p, insert_after(read(p), r"^obj-\$\(CONFIG_NETKIT\) \+= netkit\.o\n",
                          "obj-$(CONFIG_NET_VIRT) += virt.o\n", "Makefile line"))


def patch_selftests(w):
    copy_tree(os.path.join(TOP, "tools-testing", "selftests"),
              os.path.join(w, "tools/testing/selftests"))
    p = os.path.join(w, "tools/testing/selftests/Makefile")
    write(p, insert_after(read(p), r"^TARGETS \+= drivers/net/team\n",
                          "TARGETS += drivers/net/virt\n", "selftests target"))


def patch_docs(w):
    copy_tree(os.path.join(TOP, "Documentation"), os.path.join(w, "Documentation"))
    p = os.path.join(w, "Documentation/networking/index.rst")
    write(p, insert_before(read(p), r"^   vrf\n", "   virt\n", "docs index entry"))


def patch_maintainers(w):
    p = os.path.join(w, "MAINTAINERS")
    text = read(p)
    frag = read(os.path.join(TOP, "MAINTAINERS.frag"))
    title = frag.splitlines()[0]
    # Entries are blank-line separated, sorted by their title line.
    start = text.index("\nMaintainers List\n")
    for m in re.finditer(r"^\n([A-Z0-9][^\n]*)\n", text[start:], re.M):
        if m.group(1) > title and m.group(1) != "THE REST":
            m_start = start + m.start()
            text = text[:m_start + 1] + frag + "\n" + text[m_start + 1:]
            break
    else:
        die("cannot place the MAINTAINERS entry")
    write(p, text)


PATCHES = [
    ("0001", patch_driver),
    ("0002", patch_selftests),
    ("0003", patch_docs),
    ("0004", patch_maintainers),
]


def main():
    if len(sys.argv) != 4:
        die("usage: mkpatches.py BASE_GIT_TREE BASE_REV OUT_DIR")
    base, rev, out = sys.argv[1], sys.argv[2], sys.argv[3]
    author = os.environ.get("VIRT_AUTHOR") or read(os.path.join(SERIES, "author")).strip()
    m = re.fullmatch(r"(.+?)\s*<([^>]+)>", author)
    if not m:
        die("author must look like 'Name <email>': %r" % author)
    name, email = m.group(1), m.group(2)

    env = dict(os.environ)
    for k in list(env):
        if k.startswith("GIT_"):
            del env[k]
    env.update({
        "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email,
        "GIT_AUTHOR_DATE": DATE, "GIT_COMMITTER_DATE": DATE,
        "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent",
        "TZ": "UTC", "LC_ALL": "C",
    })

    def git(*args, cwd):
        subprocess.run(["git", "-c", "core.autocrlf=false", "-c", "diff.noprefix=false",
                        "-c", "format.signature=", "-c", "core.abbrev=12", *args],
                       cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)

    with tempfile.TemporaryDirectory(prefix="virt-series.") as w:
        git("init", "-q", "-b", "series", cwd=w)
        for f in BASE_FILES:
            blob = subprocess.run(["git", "-C", base, "show", "%s:%s" % (rev, f)],
                                  stdout=subprocess.PIPE, check=False)
            if blob.returncode:
                die("%s:%s is not in %s" % (rev, f, base))
            d = os.path.join(w, f)
            os.makedirs(os.path.dirname(d), exist_ok=True)
            with open(d, "wb") as fh:
                fh.write(blob.stdout)
        git("add", "-A", cwd=w)
        git("commit", "-q", "-m", "base", cwd=w)
        for num, fn in PATCHES:
            fn(w)
            msg = read(os.path.join(SERIES, num + ".msg")).rstrip("\n")
            msg += "\n\nSigned-off-by: %s <%s>\n" % (name, email)
            git("add", "-A", cwd=w)
            subprocess.run(["git", "commit", "-q", "-F", "-"], input=msg.encode(),
                           cwd=w, env=env, check=True, stdout=subprocess.DEVNULL)
        git("config", "branch.series.description",
            read(os.path.join(SERIES, "cover-letter")).rstrip("\n"), cwd=w)
        tmp_out = os.path.join(w, ".out")
        git("format-patch", "-q", "--zero-commit", "--no-signature", "--cover-letter",
            "--cover-from-description=subject", "--no-numbered-files",
            "--subject-prefix=PATCH net-next", "--minimal", "-o", tmp_out,
            "HEAD~%d" % len(PATCHES), cwd=w)
        os.makedirs(out, exist_ok=True)
        for f in os.listdir(out):
            if f.endswith(".patch"):
                os.unlink(os.path.join(out, f))
        for f in sorted(os.listdir(tmp_out)):
            shutil.copyfile(os.path.join(tmp_out, f), os.path.join(out, f))


if __name__ == "__main__":
    main()
