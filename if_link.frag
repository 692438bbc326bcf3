/* virt section */
enum virt_mode {
	VIRT_MODE_SHARED,
	VIRT_MODE_EXCLUSIVE,
};

/* IFLA_VIRT_FLAGS */
#define VIRT_F_GUARD		(1U << 0)	/* the source guard */
#define VIRT_F_PRIORITY		(1U << 1)	/* stamp IFLA_VIRT_PRIORITY */

enum {
	IFLA_VIRT_UNSPEC,
	IFLA_VIRT_MODE,		/* u32, enum virt_mode */
	IFLA_VIRT_MARK,		/* u32, stamped on the child's frames */
	IFLA_VIRT_MASK,		/* u32, bits of skb->mark to stamp */
	IFLA_VIRT_PRIORITY,	/* u32, stamped if VIRT_F_PRIORITY is set */
	IFLA_VIRT_FLAGS,	/* struct nla_bitfield32 of VIRT_F_* */
	IFLA_VIRT_ALLOW,	/* nest of IFLA_VIRT_ALLOW_PREFIX */
	__IFLA_VIRT_MAX,
};

#define IFLA_VIRT_MAX	(__IFLA_VIRT_MAX - 1)

enum {
	IFLA_VIRT_ALLOW_UNSPEC,
	IFLA_VIRT_ALLOW_PREFIX,	/* nest of IFLA_VIRT_PREFIX_*, repeated */
	__IFLA_VIRT_ALLOW_MAX,
};

#define IFLA_VIRT_ALLOW_MAX	(__IFLA_VIRT_ALLOW_MAX - 1)

enum {
	IFLA_VIRT_PREFIX_UNSPEC,
	IFLA_VIRT_PREFIX_ADDR4,	/* be32, an IPv4 prefix */
	IFLA_VIRT_PREFIX_ADDR6,	/* struct in6_addr, an IPv6 prefix */
	IFLA_VIRT_PREFIX_LEN,	/* u32, its length; default: all of it */
	__IFLA_VIRT_PREFIX_MAX,
};

#define IFLA_VIRT_PREFIX_MAX	(__IFLA_VIRT_PREFIX_MAX - 1)
