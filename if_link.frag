/* virt section */
enum virt_mode {
	VIRT_MODE_SHARED,
	VIRT_MODE_EXCLUSIVE,
};

enum {
	IFLA_VIRT_UNSPEC,
	IFLA_VIRT_MODE,			/* u32, enum virt_mode */
	IFLA_VIRT_MARK,			/* u32, stamped on the child's frames */
	IFLA_VIRT_MASK,			/* u32, bits of skb->mark to stamp */
	IFLA_VIRT_PRIORITY,		/* u32, stamped on the child's frames */
	IFLA_VIRT_PRIORITY_CLEAR,	/* flag, stop stamping a priority */
	IFLA_VIRT_GUARD,		/* u8, source address guard on/off */
	__IFLA_VIRT_MAX,
};

#define IFLA_VIRT_MAX	(__IFLA_VIRT_MAX - 1)

