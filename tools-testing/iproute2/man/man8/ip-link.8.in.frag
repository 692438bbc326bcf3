.TP
VIRT Type Support
For a link of type
.I VIRT
the following additional arguments are supported:

.BI "ip link add link " DEVICE " name " NAME
.B type virt
.RB "[ " mode " { " shared " | " exclusive " } ]"
.RB "[ " mark
.IR MARK [/ MASK "] ]"
.RB "[ " priority
.IR PRIO " ]"
.RB "[ " guard " { " on " | " off " } ]"
.RB "[ " allow " { "
.IR PREFIX " | "
.BR none " } ]..."

.in +8
.sp
.B type virt
- a child interface of
.IR DEVICE ,
which must be an Ethernet device. The child uses the MAC address of
.I DEVICE
and transmits through it; of the frames arriving on
.IR DEVICE ,
it receives those meant for its own IPv4 and IPv6 addresses (and the ARP
and neighbour discovery about them) and a copy of broadcast and multicast.
A child may be moved to another network namespace.
All the options below can also be changed with
.BR "ip link set " NAME " type virt" .

.B mode shared
- the parent keeps its own traffic and may have any number of children.
This is the default.

.B mode exclusive
- the child receives every frame that arrives on
.I DEVICE
(except those for VLAN devices on
.IR DEVICE ),
and the parent's own stack receives none of them. Such a child must be its
parent's only child, and frames between the parent and the child go to the
wire.

.B mark
.IR MARK [/ MASK ]
- set the bits
.I MASK
of the packet mark to those of
.I MARK
on the frames the child receives and transmits (before the parent's qdisc),
so that netfilter, tc and routing rules can tell them apart.
Without
.IR MASK ,
all 32 bits are set. A
.I MASK
of 0 stops marking.

.BI priority " PRIO"
- set the priority of the frames the child receives and transmits to
.IR PRIO ,
a number or a tc class
.IR MAJ : MIN
(hexadecimal, as in
.BR tc (8)).
.B priority none
stops setting it.

.BR guard " { " on " | " off " }"
- with the guard on, the child transmits only frames with its own source
addresses: its MAC address, and IPv4 and IPv6 sources that are its own
(or unspecified, for DHCP, duplicate address detection and MLD); ARP and
neighbour advertisements must name its own addresses, and other protocols
and VLAN-tagged frames are dropped. The drops are counted in
.BR "ethtool -S " NAME .
The default is off.

.BR allow " { "
.IR PREFIX " | "
.BR none " }"
- with the guard on, steer to the child, and let it transmit from, only
addresses in one of the prefixes allowed: the kernel refuses others where
it can, and no longer steers to the child those it already has.
.I PREFIX
is an IPv4 or IPv6 address, optionally followed by a slash and a prefix
length (by default the whole address).
.B allow
may be given up to 16 times; the prefixes given replace those allowed
before, and
.B allow none
clears them, so that the child may again send from all of its addresses.
A list without prefixes of a family allows none of its addresses
.RB ( "allow ::/0"
allows all IPv6 addresses of the child's).
Changing them, like every setting of a child, needs
.B CAP_NET_ADMIN
over the network namespace of
.IR DEVICE ,
so a container in a user namespace of its own cannot change them.
.in -8

