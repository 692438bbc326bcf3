# virt's part of Documentation/netlink/specs/rt-link.yaml, inserted by
# tools-testing/harness/mkpatches.py (patch_rt_link_spec) in patch 0001.
# A "### SECTION" line starts the text of one section; lines before the
# first one (these) are not inserted. The sections, in file order:
#   definitions     the virt-mode enum, at the end of the definitions
#   attribute-sets  linkinfo-virt-attrs, before linkinfo-vlan-attrs
#   sub-messages    virt's linkinfo-data-msg format, before vlan's
### definitions
  -
    name: virt-mode
    type: enum
    enum-name: virt-mode
    name-prefix: virt-mode-
    entries:
      - name: shared
      - name: exclusive
  -
    name: virt-flags
    type: flags
    enum-name:
    name-prefix: virt-f-
    entries:
      -
        name: guard
        doc: Drop frames the child sends from addresses not its own.
      -
        name: priority
        doc: Stamp the priority attribute.
### attribute-sets
  -
    name: linkinfo-virt-attrs
    name-prefix: ifla-virt-
    attributes:
      -
        name: mode
        type: u32
        enum: virt-mode
      -
        name: mark
        type: u32
        doc: Stamped on the frames the child receives and transmits.
      -
        name: mask
        type: u32
        doc: The bits of the mark to stamp; 0 stops stamping.
      -
        name: priority
        type: u32
        doc: Stamped on the frames the child receives and transmits while
          the priority flag is set.
      -
        name: flags
        type: bitfield32
        enum: virt-flags
        doc: A change sets the selected flags to their values; a dump
          selects all of them.
      -
        name: allow
        type: nest
        nested-attributes: linkinfo-virt-allow-attrs
        doc: The prefixes the source guard lets the child's addresses
          through from; replaced as a whole, cleared by an empty nest.
  -
    name: linkinfo-virt-allow-attrs
    name-prefix: ifla-virt-allow-
    attributes:
      -
        name: prefix
        type: nest
        multi-attr: true
        nested-attributes: linkinfo-virt-prefix-attrs
  -
    name: linkinfo-virt-prefix-attrs
    name-prefix: ifla-virt-prefix-
    attributes:
      -
        name: addr4
        type: u32
        byte-order: big-endian
        display-hint: ipv4
        doc: An IPv4 prefix.
      -
        name: addr6
        type: binary
        display-hint: ipv6
        checks:
          exact-len: 16
        doc: An IPv6 prefix, not IPv4-mapped.
      -
        name: len
        type: u32
        checks:
          max: 128
        doc: The prefix's length; the whole address if absent.
### sub-messages
      -
        value: virt
        attribute-set: linkinfo-virt-attrs
