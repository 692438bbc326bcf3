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
        doc: Stamped on the frames the child receives and transmits.
      -
        name: priority-clear
        type: flag
        doc: Stop stamping a priority.
      -
        name: guard
        type: u8
        doc: Source address guard on (1) or off (0).
### sub-messages
      -
        value: virt
        attribute-set: linkinfo-virt-attrs
