config NET_VIRT
	tristate "virt: IP-steered child interfaces sharing the parent's MAC"
	depends on INET
	help
	  This driver creates child interfaces that sit on an existing
	  Ethernet device (the parent). A child has its own name, addresses
	  and subnet but borrows the parent's MAC address, so the network
	  sees a single station. Frames the child sends go out through the
	  parent; frames the parent receives for one of the child's IP
	  addresses (and ARP for those addresses) are handed to that child,
	  while all other traffic still reaches the parent. Traffic between
	  the parent and children in other network namespaces (containers)
	  is delivered on the host; the parent's side of it needs
	  NETFILTER_EGRESS.

	  Children are created with the "ip" command from iproute2:

	  "ip link add link <parent> name <name> type virt"

	  See <file:Documentation/networking/virt.rst> for details.

	  To compile this driver as a module, choose M here: the module
	  will be called virt.

