#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate the virt patch series from this repository's files.

The repository holds the new files as they are meant to land and a few
fragments (Kconfig entry, MAINTAINERS entry). This script lays them over the
handful of base-tree files they touch, commits one patch at a time in a
scratch git repository with a fixed identity and fixed dates, and writes
`git format-patch` output. Same inputs, same git: same bytes.

Usage: mkpatches.py [--iproute2] BASE_GIT_TREE BASE_REV OUT_DIR

The base files are read from BASE_REV of the base tree's repository, so the
work tree may hold anything (the series applied, say).

With --iproute2 the base tree is iproute2 and the series is the ip(8) side
(tools-testing/iproute2/): the same uapi fragment, then the link type.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERIES = os.path.join(TOP, "tools-testing", "harness", "series")
IPR = os.path.join(TOP, "tools-testing", "iproute2")
DATE = "Wed, 25 Nov 2026 12:00:00 +0000"

# Base-tree files the series edits (copied into the scratch repository).
BASE_FILES = [
    "drivers/net/Kconfig",
    "drivers/net/Makefile",
    "include/uapi/linux/if_link.h",
    "Documentation/netlink/specs/rt-link.yaml",
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
    patch_uapi(w)
    patch_rt_link_spec(os.path.join(w, "Documentation/netlink/specs/rt-link.yaml"))


def patch_uapi(w):
    """The kernel's uapi header and iproute2's copy of it get the same block."""
    p = os.path.join(w, "include/uapi/linux/if_link.h")
    write(p, insert_before(read(p), r"^/\* VXLAN section \*/\n",
                           read(os.path.join(TOP, "if_link.frag")), "uapi section"))


def patch_rt_link_spec(p):
    """Lay the sections of rt-link.frag into the YNL spec rt-link.yaml."""
    frag = read(os.path.join(TOP, "rt-link.frag"))
    parts = re.split(r"^### (\S+)\n", frag, flags=re.M)
    sections = dict(zip(parts[1::2], parts[2::2]))
    if sorted(sections) != ["attribute-sets", "definitions", "sub-messages"]:
        die("rt-link.frag: unexpected sections %s" % sorted(sections))
    text = read(p)
    # The last definition ends where the attribute sets begin.
    text = insert_before(text, r"^\nattribute-sets:\n", sections["definitions"],
                         "rt-link.yaml definitions")
    text = insert_before(text, r"^  -\n    name: linkinfo-vlan-attrs\n",
                         sections["attribute-sets"], "rt-link.yaml attribute set")
    text = insert_before(text, r"^      -\n        value: vlan\n",
                         sections["sub-messages"], "rt-link.yaml sub-message format")
    write(p, text)


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


# iproute2 files the ip(8) series edits.
IPR_BASE_FILES = [
    "include/uapi/linux/if_link.h",
    "ip/Makefile",
    "ip/iplink.c",
    "man/man8/ip-link.8.in",
]


def ipr_patch_ip(w):
    copy_tree(os.path.join(IPR, "ip"), os.path.join(w, "ip"))
    p = os.path.join(w, "ip/Makefile")
    write(p, insert_after(read(p), r"\biplink_virt_wifi\.o", " iplink_virt.o",
                          "Makefile object"))
    p = os.path.join(w, "ip/iplink.c")
    write(p, insert_before(read(p), r"\bvirt_wifi \}", "virt | ", "help TYPE list"))
    p = os.path.join(w, "man/man8/ip-link.8.in")
    text = read(p)
    text = insert_before(text, r'^\.BR virt_wifi " \|"\n', '.BR virt " |"\n',
                         "man page TYPE list")
    text = insert_before(text, r"^\.BR virt_wifi\n",
                         ".BR virt\n- IP-steered child interface sharing its parent's"
                         " MAC address\n.sp\n", "man page link type")
    text = insert_before(text, r"^\.TP\nHigh-availability Seamless Redundancy",
                         read(os.path.join(IPR, "man/man8/ip-link.8.in.frag")),
                         "man page section")
    write(p, text)


IPR_PATCHES = [
    ("0001", patch_uapi),
    ("0002", ipr_patch_ip),
]


def main():
    args = sys.argv[1:]
    if args[:1] == ["--iproute2"]:
        base_files, patches = IPR_BASE_FILES, IPR_PATCHES
        series, prefix = os.path.join(IPR, "series"), "PATCH iproute2-next"
        args = args[1:]
    else:
        base_files, patches = BASE_FILES, PATCHES
        series, prefix = SERIES, "PATCH net-next"
    if len(args) != 3:
        die("usage: mkpatches.py [--iproute2] BASE_GIT_TREE BASE_REV OUT_DIR")
    base, rev, out = args
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
        for f in base_files:
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
        for num, fn in patches:
            fn(w)
            msg = read(os.path.join(series, num + ".msg")).rstrip("\n")
            msg += "\n\nSigned-off-by: %s <%s>\n" % (name, email)
            git("add", "-A", cwd=w)
            subprocess.run(["git", "commit", "-q", "-F", "-"], input=msg.encode(),
                           cwd=w, env=env, check=True, stdout=subprocess.DEVNULL)
        git("config", "branch.series.description",
            read(os.path.join(series, "cover-letter")).rstrip("\n"), cwd=w)
        tmp_out = os.path.join(w, ".out")
        git("format-patch", "-q", "--zero-commit", "--no-signature", "--cover-letter",
            "--cover-from-description=subject", "--no-numbered-files",
            "--subject-prefix=" + prefix, "--minimal", "-o", tmp_out,
            "HEAD~%d" % len(patches), cwd=w)
        os.makedirs(out, exist_ok=True)
        for f in os.listdir(out):
            if f.endswith(".patch"):
                os.unlink(os.path.join(out, f))
        for f in sorted(os.listdir(tmp_out)):
            shutil.copyfile(os.path.join(tmp_out, f), os.path.join(out, f))


if __name__ == "__main__":
    main()
