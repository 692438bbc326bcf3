config NET_VIRT
	tristate "virt: IP-steered child interfaces sharing the parent's MAC"
	depends on INET
	depends on IPV6 || !IPV6
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


config NET_VIRT_KUNIT_TEST
	bool "KUnit tests for virt" if !KUNIT_ALL_TESTS
	depends on NET_VIRT && KUNIT
	depends on KUNIT=y || NET_VIRT=m
	default KUNIT_ALL_TESTS
	help
	  KUnit tests of virt's address table (adding, deleting, collisions
	  between children, IPv4-mapped keys, flushing), of what a received
	  frame keeps when it enters another namespace and of how the
	  parent's egress hook recognises a child's frame. They are built
	  into the virt module and run when it loads.

	  If unsure, say N.
