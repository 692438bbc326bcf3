// SPDX-License-Identifier: GPL-2.0-only
/*
 * virt: child interfaces stacked on an Ethernet device.
 *
 * A child borrows its parent's MAC address and transmits through the parent.
 * The parent's rx_handler looks up the destination IP address of each frame
 * (the target address for ARP and for IPv6 neighbour discovery) in a
 * per-parent table fed by the address notifiers and hands the frame to the
 * child owning that address. Other broadcast and multicast frames reach the
 * parent and a copy reaches every child that is up; all other unicast
 * continues up the parent's own stack untouched.
 *
 * Since parent and children share one MAC address, what one of them sends to
 * that address, or broadcasts, is delivered to the others here rather than
 * left to the wire, which never returns a frame to its sender. The parent's
 * own transmissions bypass virt, so they are taken from its netfilter egress
 * hook, held only while a child lives in another network namespace.
 *
 * All control-path state lives in one struct virt_port per parent, reached
 * from the parent's rx_handler_data; the receive path only reads it under RCU.
 *
 * A child may instead be its parent's exclusive child, which receives every
 * frame the parent does. Per child, a mark and a priority can colour what it
 * receives and transmits, and a guard can restrict what it transmits to its
 * own addresses.
 */

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/hash.h>
#include <linux/icmpv6.h>
#include <linux/idr.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/local_lock.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/notifier.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/netdev_lock.h>
#include <net/rtnetlink.h>

#define VIRT_DRV_NAME		"virt"
#define VIRT_HASH_BITS		8

/* Offloads a child may inherit from its parent. */
#define VIRT_FEATURES							\
	(NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_HIGHDMA |		\
	 NETIF_F_FRAGLIST | NETIF_F_GSO | NETIF_F_ALL_TSO |		\
	 NETIF_F_GSO_ROBUST | NETIF_F_GRO | NETIF_F_RXCSUM)

/*
 * Offloads a child always claims: whatever the parent cannot do is done in
 * software by the parent's own dev_queue_xmit(), so segmenting or
 * checksumming any earlier would only cost more.
 */
#define VIRT_ALWAYS_ON							\
	(NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_GSO_ROBUST |		\
	 NETIF_F_GSO_SOFTWARE | NETIF_F_GSO_ENCAP_ALL)

/* Deferred work of a child, see virt_dev_work() */
#define VIRT_WORK_MTU		BIT(0)

/* dev_id values 1..0xfffd; 0xfffe is what EUI-64 uses without a dev_id. */
#define VIRT_DEV_ID_MAX		0xfffd

/* The flags IFLA_VIRT_FLAGS knows */
#define VIRT_F_ALL		(VIRT_F_GUARD | VIRT_F_PRIORITY)

/* Guard prefixes of a child: a container's few addresses, not a table */
#define VIRT_ALLOW_LIMIT	16

/* A child's counters in &virt_stats.cnt, named in virt_dev_stat_names */
enum {
	VIRT_RX_UNICAST,
	VIRT_RX_MULTICAST,
	VIRT_RX_BROADCAST,
	VIRT_RX_LOCAL,
	VIRT_RX_DROPPED_DOWN,
	VIRT_RX_DROPPED_NOMEM,
	VIRT_TX_LOCAL,
	VIRT_TX_LOCAL_COPIES,
	VIRT_TX_GUARD_MAC,
	VIRT_TX_GUARD_IP,
	VIRT_TX_GUARD_ARP,
	VIRT_TX_GUARD_ND,
	VIRT_TX_GUARD_PROTO,
	VIRT_DEV_NSTATS
};

/* A port's counters in &virt_stats.cnt, named in virt_port_stat_names */
enum {
	VIRT_PORT_RX_FRAMES,
	VIRT_PORT_RX_STEERED,
	VIRT_PORT_RX_COPIED,
	VIRT_PORT_TX_STEERED,
	VIRT_PORT_TX_COPIED,
	VIRT_PORT_NSTATS
};

#define VIRT_STATS_MAX	16
static_assert(VIRT_DEV_NSTATS <= VIRT_STATS_MAX);
static_assert(VIRT_PORT_NSTATS <= VIRT_STATS_MAX);

/**
 * struct virt_stats - one CPU's counters of a child or of a port
 * @cnt: the counters, indexed by VIRT_RX_* and VIRT_TX_* for a child and
 *	by VIRT_PORT_* for a port
 * @syncp: for 64-bit counters on 32-bit machines
 */
struct virt_stats {
	u64_stats_t		cnt[VIRT_STATS_MAX];
	struct u64_stats_sync	syncp;
};

/**
 * struct virt_prefix - a prefix the source guard lets through
 * @ip: the prefix; an IPv4 one as an IPv4-mapped IPv6 address
 * @len: its length in bits, of @ip's 128
 */
struct virt_prefix {
	struct in6_addr		ip;
	u8			len;
};

/**
 * struct virt_cfg - how a child colours and guards its frames
 * @mark: stamped into the bits of skb->mark that @mask selects
 * @mask: the bits of skb->mark to stamp; 0 leaves skb->mark alone
 * @priority: stamped into skb->priority if @flags has %VIRT_F_PRIORITY
 * @flags: %VIRT_F_GUARD and %VIRT_F_PRIORITY
 * @rcu: for freeing after the last reader
 * @n_prefixes: the number of @prefixes
 * @prefixes: with the guard on and any of these, a child may send from an
 *	address of its own only if it is in one of them
 *
 * Replaced as a whole, never changed in place, so that a reader sees one
 * consistent setting. A child with none of them has none.
 */
struct virt_cfg {
	u32			mark;
	u32			mask;
	u32			priority;
	u32			flags;
	struct rcu_head		rcu;
	unsigned int		n_prefixes;
	struct virt_prefix	prefixes[] __counted_by(n_prefixes);
};

/**
 * struct virt_port - state of one parent device
 * @lower: the parent
 * @children: the &struct virt_dev stacked on @lower; changed under RTNL
 * @addr_lock: serialises changes to @addrs
 * @addrs: &struct virt_addr by IP address; read under RCU on receive
 * @count: children between ndo_init and ndo_uninit; the last one frees the
 *	port. A child leaves @children earlier, when it is queued for deletion.
 * @dev_ids: the children's dev_id values, which make their EUI-64 interface
 *	identifiers (and so their IPv6 link-local addresses) differ from the
 *	parent's and from each other's although all share one MAC address
 * @stats: per-CPU &struct virt_stats, VIRT_PORT_* counters
 * @egress: hook on @lower's egress, for the parent's frames to children
 * @egress_on: @egress is registered, because some child lives in a
 *	namespace other than @lower's
 * @exclusive: the child that receives every frame @lower receives, if any;
 *	it is then @lower's only child. Changed under RTNL.
 *
 * Registered as @lower's rx_handler_data while at least one child exists.
 */
struct virt_port {
	struct net_device	*lower;
	struct list_head	children;
	spinlock_t		addr_lock;	/* serialises @addrs writers */
	struct hlist_head	addrs[1 << VIRT_HASH_BITS];
	unsigned int		count;
	struct ida		dev_ids;
	struct virt_stats __percpu *stats;
#ifdef CONFIG_NETFILTER_EGRESS
	struct nf_hook_ops	egress;
	bool			egress_on;
#endif
	struct virt_dev __rcu	*exclusive;
};

/**
 * struct virt_dev - private data of a child device
 * @dev: the child
 * @lower: the parent, which the transmit path hands frames to
 * @port: @lower's port
 * @list: entry in &virt_port.children
 * @listed: @list is on &virt_port.children; cleared when the child is
 *	queued for deletion, so that its parent's deletion does not queue
 *	it a second time
 * @lower_tracker: tracks the reference held on @lower
 * @stats: per-CPU &struct virt_stats, VIRT_RX_* and VIRT_TX_* counters
 * @cfg: colours and guard, or %NULL for none; replaced under RTNL
 * @mode: &enum virt_mode, as set; @port's exclusive child is this one
 *	while it is exclusive and listed. Changed under RTNL.
 */
struct virt_dev {
	struct net_device	*dev;
	struct net_device	*lower;
	struct virt_port	*port;
	struct list_head	list;
	bool			listed;
	netdevice_tracker	lower_tracker;
	struct virt_stats __percpu *stats;
	struct virt_cfg __rcu	*cfg;
	u32			mode;
};

/**
 * struct virt_addr - an IP address owned by a child
 * @hnode: entry in &virt_port.addrs
 * @vdev: the owner
 * @ip: the address; IPv4 addresses are stored IPv4-mapped so that both
 *	families share one key type
 * @rcu: for freeing after the last reader
 */
struct virt_addr {
	struct hlist_node	hnode;
	struct virt_dev		*vdev;
	struct in6_addr		ip;
	struct rcu_head		rcu;
};

static const struct net_device_ops virt_netdev_ops;

/* Ports in all namespaces; changed and read under RTNL. */
static unsigned int virt_nports;

static bool netif_is_virt(const struct net_device *dev)
{
	return dev->netdev_ops == &virt_netdev_ops;
}

/* Bump counter @i of this CPU's &struct virt_stats. */
static void virt_count(struct virt_stats __percpu *stats, unsigned int i)
{
	struct virt_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->cnt[i]);
	u64_stats_update_end(&s->syncp);
}

/* Add the first @n counters of every CPU's &struct virt_stats to @data. */
static void virt_stats_sum(struct virt_stats __percpu *stats, u64 *data,
			   unsigned int n)
{
	u64 v[VIRT_STATS_MAX];
	unsigned int start, i;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct virt_stats *s = per_cpu_ptr(stats, cpu);

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < n; i++)
				v[i] = u64_stats_read(&s->cnt[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < n; i++)
			data[i] += v[i];
	}
}

static struct hlist_head *virt_addr_bucket(struct virt_port *port,
					   const struct in6_addr *ip)
{
	return &port->addrs[hash_32(ipv6_addr_hash(ip), VIRT_HASH_BITS)];
}

/* Caller holds rcu_read_lock(), RTNL or @port->addr_lock. */
static struct virt_addr *virt_addr_find(struct virt_port *port,
					const struct in6_addr *ip)
{
	struct virt_addr *addr;

	hlist_for_each_entry_rcu(addr, virt_addr_bucket(port, ip), hnode,
				 lockdep_rtnl_is_held() ||
				 lockdep_is_held(&port->addr_lock))
		if (ipv6_addr_equal(&addr->ip, ip))
			return addr;
	return NULL;
}

/* ARP for IPv4 over Ethernet, the only kind a child can own */
struct virt_arp {
	struct arphdr	hdr;
	u8		sha[ETH_ALEN];
	__be32		sip;
	u8		tha[ETH_ALEN];
	__be32		tip;
} __packed;

/*
 * A frame of a VLAN is no child's: children are VLAN challenged. VLAN 0
 * only carries a priority (802.1p), so such a frame counts as untagged.
 * On receive the core has moved any tag to @skb->vlan_tci before the
 * rx_handler runs; on transmit a tag may still be in the header.
 */
static bool virt_vlan_tagged(const struct sk_buff *skb, __be16 proto)
{
	if (skb_vlan_tag_present(skb) && skb_vlan_tag_get_id(skb))
		return true;
	return eth_type_vlan(proto);
}

/* Who, besides the parent, gets a frame that no child owns. */
enum virt_flood {
	VIRT_FLOOD_NONE,	/* nobody: the parent alone */
	VIRT_FLOOD_OTHER_NS,	/* children outside the parent's namespace */
	VIRT_FLOOD_ALL,		/* every child */
};

/**
 * virt_owner - which child owns the destination of a frame
 * @port: the port the frame was seen on
 * @skb: the frame; not changed
 * @proto: its Ethernet protocol
 * @off: where its network header starts, from @skb->data
 * @group: the frame is sent to a broadcast or multicast MAC address
 * @flood: set, when no child owns the frame, to who else gets it
 *
 * The destination is the IPv4 or IPv6 destination address, the target of
 * an ARP request or reply, or the target of a neighbour solicitation:
 * solicitations about a child's address (DAD among them) are that child's.
 * IPv4 sent to a broadcast or multicast MAC address is nobody's alone.
 * Announcements are everybody's: gratuitous ARP, ARP replies to a probe
 * (their target is 0.0.0.0, so the prober cannot be told apart) and
 * multicast neighbour advertisements.
 *
 * Announcements in ARP go to children outside the parent's namespace only:
 * a child in the parent's namespace would answer for the parent's
 * addresses. Other ARP that no child owns is the parent's alone.
 *
 * Caller holds rcu_read_lock().
 *
 * Return: the owner, or %NULL if no child owns the destination.
 */
static struct virt_dev *virt_owner(struct virt_port *port,
				   const struct sk_buff *skb, __be16 proto,
				   int off, bool group, enum virt_flood *flood)
{
	union {
		struct iphdr	ip4;
		struct virt_arp	arp;
		struct ipv6hdr	ip6;
		struct nd_msg	nd;
	} buf;
	const struct virt_addr *addr;
	const struct ipv6hdr *ip6h;
	const struct virt_arp *arp;
	const struct iphdr *iph;
	const struct nd_msg *nd;
	struct in6_addr ip;

	*flood = VIRT_FLOOD_NONE;
	if (virt_vlan_tagged(skb, proto))
		return NULL;
	/* ARP is flooded only when it announces, see below. */
	if (group && proto != htons(ETH_P_ARP))
		*flood = VIRT_FLOOD_ALL;

	switch (proto) {
	case htons(ETH_P_IP):
		/* Broadcast and multicast are everyone's, whatever their IP. */
		if (group)
			return NULL;
		iph = skb_header_pointer(skb, off, sizeof(*iph), &buf.ip4);
		if (unlikely(!iph))
			return NULL;
		ipv6_addr_set_v4mapped(iph->daddr, &ip);
		break;
	case htons(ETH_P_ARP):
		arp = skb_header_pointer(skb, off, sizeof(*arp), &buf.arp);
		if (unlikely(!arp) ||
		    arp->hdr.ar_hrd != htons(ARPHRD_ETHER) ||
		    arp->hdr.ar_pro != htons(ETH_P_IP) ||
		    arp->hdr.ar_hln != ETH_ALEN ||
		    arp->hdr.ar_pln != sizeof(__be32))
			return NULL;
		if (arp->sip == arp->tip || !arp->tip) {
			*flood = VIRT_FLOOD_OTHER_NS;
			return NULL;
		}
		ipv6_addr_set_v4mapped(arp->tip, &ip);
		break;
	case htons(ETH_P_IPV6):
		ip6h = skb_header_pointer(skb, off, sizeof(*ip6h), &buf.ip6);
		if (unlikely(!ip6h))
			return NULL;
		if (!ipv6_addr_is_multicast(&ip6h->daddr)) {
			ip = ip6h->daddr;
			break;
		}
		/* Neighbour discovery never carries extension headers. */
		if (ip6h->nexthdr != IPPROTO_ICMPV6)
			return NULL;
		nd = skb_header_pointer(skb, off + sizeof(*ip6h), sizeof(*nd),
					&buf.nd);
		if (!nd || nd->icmph.icmp6_type != NDISC_NEIGHBOUR_SOLICITATION)
			return NULL;
		ip = nd->target;
		break;
	default:
		return NULL;
	}

	/* IPv4-mapped keys are IPv4's; in an IPv6 header they name nobody. */
	if (proto == htons(ETH_P_IPV6) && ipv6_addr_v4mapped(&ip))
		return NULL;

	addr = virt_addr_find(port, &ip);
	return addr ? addr->vdev : NULL;
}

/*
 * A frame a child sends into the parent's namespace must not carry the
 * child namespace's state (mark, priority, conntrack, dst, extensions),
 * which the parent's qdisc and filters would act on; pkt_type is kept for
 * the receiver.
 */
static void virt_scrub_tx(struct sk_buff *skb, const struct net_device *from,
			  const struct net_device *to)
{
	u8 pkt_type = skb->pkt_type;

	if (net_eq(dev_net(from), dev_net(to)))
		return;
	skb_scrub_packet(skb, true);
	skb->priority = 0;
	skb->pkt_type = pkt_type;
}

/*
 * A received frame entering a child in another namespace loses what the
 * parent's namespace attached to it before the rx_handler ran (a mark or
 * security mark from its ingress filters, a conntrack entry, a route).
 * The rest stays as it is (its timestamp, the driver's skb extensions), as
 * with ipvlan and macvlan.
 */
static void virt_scrub_rx(struct sk_buff *skb, const struct net_device *to)
{
	if (net_eq(dev_net(skb->dev), dev_net(to)))
		return;
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	nf_reset_trace(skb);
	skb->mark = 0;
	skb_init_secmark(skb);
}

/* Caller holds rcu_read_lock() or has BH disabled. */
static const struct virt_cfg *virt_cfg(const struct virt_dev *vdev)
{
	return rcu_dereference_check(vdev->cfg, rcu_read_lock_bh_held());
}

/*
 * Stamp a child's colours, @cfg, on a frame it receives or transmits: after
 * any scrub for a change of namespace, so that they reach the receiver.
 */
static void virt_colour_cfg(struct sk_buff *skb, const struct virt_cfg *cfg)
{
	if (!cfg)
		return;
	if (cfg->mask)
		skb->mark = (skb->mark & ~cfg->mask) | cfg->mark;
	if (cfg->flags & VIRT_F_PRIORITY)
		skb->priority = cfg->priority;
}

/* Caller holds RTNL. */
static bool virt_guarded(const struct virt_dev *vdev)
{
	const struct virt_cfg *cfg = rtnl_dereference(vdev->cfg);

	return cfg && (cfg->flags & VIRT_F_GUARD);
}

static void virt_colour(struct sk_buff *skb, const struct virt_dev *vdev)
{
	virt_colour_cfg(skb, virt_cfg(vdev));
}

/* The receive counter for a frame of this type. */
static unsigned int virt_rx_kind(unsigned char pkt_type)
{
	switch (pkt_type) {
	case PACKET_BROADCAST:
		return VIRT_RX_BROADCAST;
	case PACKET_MULTICAST:
		return VIRT_RX_MULTICAST;
	default:
		return VIRT_RX_UNICAST;
	}
}

/*
 * A copy of a frame the parent received for each child @flood names.
 * Return: how many children took one.
 */
static unsigned int virt_multicast(struct virt_port *port, struct sk_buff *skb,
				   enum virt_flood flood)
{
	struct net *net = dev_net(port->lower);
	unsigned int copies = 0;
	struct virt_dev *vdev;
	struct sk_buff *nskb;
	unsigned int len;

	list_for_each_entry_rcu(vdev, &port->children, list) {
		if (!netif_running(vdev->dev) ||
		    (flood == VIRT_FLOOD_OTHER_NS &&
		     net_eq(dev_net(vdev->dev), net)))
			continue;

		nskb = skb_clone(skb, GFP_ATOMIC);
		if (unlikely(!nskb)) {
			dev_core_stats_rx_dropped_inc(vdev->dev);
			virt_count(vdev->stats, VIRT_RX_DROPPED_NOMEM);
			continue;
		}
		virt_scrub_rx(nskb, vdev->dev);
		virt_colour(nskb, vdev);
		nskb->dev = vdev->dev;
		len = nskb->len + ETH_HLEN;
		/* A drop there is counted in the child's rx_dropped. */
		if (netif_rx(nskb) != NET_RX_SUCCESS)
			continue;
		virt_count(vdev->stats, virt_rx_kind(skb->pkt_type));
		dev_sw_netstats_rx_add(vdev->dev, len);
		copies++;
	}
	return copies;
}

static rx_handler_result_t virt_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	enum virt_flood flood;
	struct virt_port *port;
	struct virt_dev *vdev;
	struct net_device *dev;

	/* The parent's own multicast, looped back, is the parent's. */
	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;

	port = rcu_dereference(skb->dev->rx_handler_data);
	/*
	 * An exclusive child takes everything, frames for other stations
	 * included (the parent is promiscuous), for its taps to see. Each
	 * frame reads the mode once: switching it never delivers one twice.
	 */
	vdev = rcu_dereference(port->exclusive);
	if (vdev) {
		/*
		 * Except a frame behind a priority tag for one of the parent's
		 * VLAN devices: the core looks that tag up only after this.
		 */
		if (unlikely(skb_vlan_tag_present(skb) &&
			     !skb_vlan_tag_get_id(skb) &&
			     eth_type_vlan(skb->protocol)))
			return RX_HANDLER_PASS;
		virt_count(port->stats, VIRT_PORT_RX_FRAMES);
		goto steer;
	}
	/* A frame for another station is nobody's here. */
	if (unlikely(skb->pkt_type == PACKET_OTHERHOST))
		return RX_HANDLER_PASS;

	virt_count(port->stats, VIRT_PORT_RX_FRAMES);
	vdev = virt_owner(port, skb, skb->protocol, 0,
			  skb->pkt_type == PACKET_BROADCAST ||
			  skb->pkt_type == PACKET_MULTICAST, &flood);
	if (!vdev) {
		/*
		 * A frame from the port's own address is a child's, and
		 * virt_local_xmit() already gave the others theirs.
		 */
		if (flood != VIRT_FLOOD_NONE &&
		    !ether_addr_equal(eth_hdr(skb)->h_source,
				      skb->dev->dev_addr) &&
		    virt_multicast(port, skb, flood))
			virt_count(port->stats, VIRT_PORT_RX_COPIED);
		return RX_HANDLER_PASS;
	}

steer:
	virt_count(port->stats, VIRT_PORT_RX_STEERED);

	dev = vdev->dev;
	/*
	 * The address is the child's even while it is down: passing the frame
	 * to the parent instead would answer for an address it does not own.
	 */
	if (unlikely(!netif_running(dev))) {
		dev_core_stats_rx_dropped_inc(dev);
		virt_count(vdev->stats, VIRT_RX_DROPPED_DOWN);
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_READY);
		return RX_HANDLER_CONSUMED;
	}

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (unlikely(!skb)) {
		dev_core_stats_rx_dropped_inc(dev);
		virt_count(vdev->stats, VIRT_RX_DROPPED_NOMEM);
		return RX_HANDLER_CONSUMED;
	}
	virt_count(vdev->stats, virt_rx_kind(skb->pkt_type));

	virt_scrub_rx(skb, dev);
	virt_colour(skb, vdev);
	skb->dev = dev;
	dev_sw_netstats_rx_add(dev, skb->len + ETH_HLEN);
	*pskb = skb;
	return RX_HANDLER_ANOTHER;
}

/* Count a frame (@copy: a copy of one) that @from delivered locally. */
static void virt_count_local(struct virt_port *port, struct net_device *from,
			     bool copy)
{
	struct virt_dev *vdev;

	if (from == port->lower) {
		virt_count(port->stats,
			   copy ? VIRT_PORT_TX_COPIED : VIRT_PORT_TX_STEERED);
		return;
	}
	vdev = netdev_priv(from);
	virt_count(vdev->stats, copy ? VIRT_TX_LOCAL_COPIES : VIRT_TX_LOCAL);
}

/*
 * Hand @skb, which @from (@skb->dev) transmitted, to @to as if it came off
 * the wire, coloured by the receiving child, or for the parent by the
 * sending one.
 * @skb->data is at the MAC header; @skb is not shared.
 *
 * Return: true if @to took it; a drop is counted in @to's rx_dropped.
 */
static bool virt_forward(struct sk_buff *skb, struct net_device *from,
			 struct net_device *to)
{
	const struct ethhdr *eth = (const struct ethhdr *)skb->data;
	unsigned int len = skb->len;
	struct virt_dev *vdev;
	unsigned int kind;

	if (is_broadcast_ether_addr(eth->h_dest))
		kind = VIRT_RX_BROADCAST;
	else if (is_multicast_ether_addr(eth->h_dest))
		kind = VIRT_RX_MULTICAST;
	else
		kind = VIRT_RX_UNICAST;

	/*
	 * Frees @skb on failure, counting it in @to's rx_dropped. Its scrub
	 * keeps the priority, which a frame from the wire would not have.
	 */
	if (__dev_forward_skb(to, skb))
		return false;
	if (!net_eq(dev_net(from), dev_net(to)))
		skb->priority = 0;
	/*
	 * What a child sends to its parent is what it would have sent to the
	 * parent's qdisc; what a sibling receives carries only its own
	 * colours, like a frame from the wire.
	 */
	if (netif_is_virt(to))
		virt_colour(skb, netdev_priv(to));
	else if (netif_is_virt(from))
		virt_colour(skb, netdev_priv(from));
	if (netif_rx(skb) != NET_RX_SUCCESS)
		return false;
	if (!netif_is_virt(to))
		return true;

	vdev = netdev_priv(to);
	virt_count(vdev->stats, kind);
	virt_count(vdev->stats, VIRT_RX_LOCAL);
	dev_sw_netstats_rx_add(to, len);
	return true;
}

/* A copy of @skb, sent by @from, for @to if it lives in another namespace. */
static void virt_local_copy(struct virt_port *port, struct sk_buff *skb,
			    struct net_device *from, struct net_device *to)
{
	struct sk_buff *nskb;

	if (net_eq(dev_net(to), dev_net(from)) || !netif_running(to))
		return;

	nskb = skb_clone(skb, GFP_ATOMIC);
	if (unlikely(!nskb)) {
		dev_core_stats_rx_dropped_inc(to);
		if (netif_is_virt(to))
			virt_count(((struct virt_dev *)netdev_priv(to))->stats,
				   VIRT_RX_DROPPED_NOMEM);
		return;
	}
	if (virt_forward(nskb, from, to))
		virt_count_local(port, from, true);
}

/*
 * Copies of a frame that @from sends to a group address, or that nobody
 * owns, for whoever would have received it from the wire (see
 * virt_owner()): @owner, or else the parent (if @parent) and the children
 * @flood names.
 */
static void virt_local_copies(struct virt_port *port, struct sk_buff *skb,
			      struct net_device *from, struct virt_dev *owner,
			      enum virt_flood flood, bool parent)
{
	struct net *net = dev_net(port->lower);
	struct virt_dev *vdev;

	if (owner) {
		virt_local_copy(port, skb, from, owner->dev);
		return;
	}

	if (parent)
		virt_local_copy(port, skb, from, port->lower);
	if (flood == VIRT_FLOOD_NONE)
		return;
	list_for_each_entry_rcu(vdev, &port->children, list) {
		if (flood == VIRT_FLOOD_OTHER_NS &&
		    net_eq(dev_net(vdev->dev), net))
			continue;
		virt_local_copy(port, skb, from, vdev->dev);
	}
}

/* What virt_local_xmit() did with a frame. */
enum virt_local {
	VIRT_LOCAL_NONE,	/* not local: the caller transmits it */
	VIRT_LOCAL_DELIVERED,	/* consumed: the receiver took it */
	VIRT_LOCAL_DROPPED,	/* consumed: dropped, counted at the receiver */
};

/**
 * virt_local_xmit - deliver a frame the parent or a child sends to the others
 * @port: the port
 * @skb: the frame, with @skb->data at its MAC header
 * @from: the sender, @port's parent or one of its children
 *
 * Parent and children share one MAC address: a frame one of them sends to
 * that address is for another of them, and a broadcast is for all of them.
 * A switch never sends a frame back out of the port it came in on, so these
 * are delivered here. Unicast goes to the owner of its destination, or else
 * to the parent (and an ARP reply to a probe to the children too, see
 * virt_owner()). Broadcast and multicast still go to the wire, and a copy
 * goes to every device that would have received it from the wire but lives
 * in a namespace other than @from's: within one namespace, the IP stack
 * already delivers locally.
 *
 * Caller holds rcu_read_lock().
 *
 * Return: whether @skb was taken for local delivery, and with what outcome.
 */
static enum virt_local virt_local_xmit(struct virt_port *port,
				       struct sk_buff *skb,
				       struct net_device *from)
{
	const struct ethhdr *eth;
	enum virt_flood flood;
	struct virt_dev *owner;
	struct net_device *to;
	bool group;

	/*
	 * An exclusive child and the parent exchange nothing: each one's
	 * frames go to the wire. On transmit the MAC header is in the linear
	 * part.
	 */
	if (rcu_access_pointer(port->exclusive) ||
	    unlikely(skb_headlen(skb) < ETH_HLEN))
		return VIRT_LOCAL_NONE;
	eth = (const struct ethhdr *)skb->data;
	if (virt_vlan_tagged(skb, eth->h_proto))
		return VIRT_LOCAL_NONE;

	group = is_multicast_ether_addr(eth->h_dest);
	if (!group && !ether_addr_equal(eth->h_dest, port->lower->dev_addr))
		return VIRT_LOCAL_NONE;

	owner = virt_owner(port, skb, eth->h_proto, ETH_HLEN, group, &flood);
	if (group) {
		virt_local_copies(port, skb, from, owner, flood, true);
		return VIRT_LOCAL_NONE;
	}
	/* The original goes to the parent below. */
	if (!owner && flood != VIRT_FLOOD_NONE)
		virt_local_copies(port, skb, from, NULL, flood, false);

	to = owner ? owner->dev : port->lower;
	if (to == from) {
		if (owner || flood == VIRT_FLOOD_NONE)
			return VIRT_LOCAL_NONE;
		/* The parent's reply to a probe: the copies were all. */
		consume_skb(skb);
		return VIRT_LOCAL_DELIVERED;
	}

	if (owner && unlikely(!netif_running(to))) {
		dev_core_stats_rx_dropped_inc(to);
		virt_count(owner->stats, VIRT_RX_DROPPED_DOWN);
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_READY);
		return VIRT_LOCAL_DROPPED;
	}
	/*
	 * dev_forward_skb() rewrites the skb; whoever shares it (pktgen,
	 * a tap) keeps its own copy.
	 */
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (unlikely(!skb)) {
		dev_core_stats_rx_dropped_inc(to);
		if (owner)
			virt_count(owner->stats, VIRT_RX_DROPPED_NOMEM);
		return VIRT_LOCAL_DROPPED;
	}
	if (!virt_forward(skb, from, to))
		return VIRT_LOCAL_DROPPED;
	virt_count_local(port, from, false);
	return VIRT_LOCAL_DELIVERED;
}

#ifdef CONFIG_NETFILTER_EGRESS
/**
 * struct virt_tx - a child's frame on its way through its parent's egress hook
 * @node: in this CPU's virt_tx_pcpu list
 * @skb: the frame, until the hook has seen it
 * @port: the port the hook must belong to
 * @task: the task transmitting it
 *
 * A child's frames pass their parent's egress hook after virt_local_xmit()
 * already delivered them; the hook must not deliver them again as if the
 * parent sent them. virt_start_xmit() lists the frame it hands to the parent
 * for the duration of that dev_queue_xmit(), in which the hook runs, in this
 * task. ndo_start_xmit() runs with BH disabled, which keeps the task on this
 * CPU (on PREEMPT_RT, migrate_disable()). The list, not a single per-CPU
 * slot: with PREEMPT_RT another task may transmit on this CPU while this one
 * is preempted in between, and may finish first. The task: a frame an
 * earlier egress rule freed must not be taken for another task's frame that
 * got its address. (struct netdev_xmit, per task on PREEMPT_RT, would be the
 * place for this, but it is the core's.)
 */
struct virt_tx {
	struct hlist_node node;
	const struct sk_buff *skb;
	const struct virt_port *port;
	const struct task_struct *task;
};

struct virt_tx_pcpu {
	struct hlist_head head;
	local_lock_t bh_lock;
};

static DEFINE_PER_CPU(struct virt_tx_pcpu, virt_tx_pcpu) = {
	.bh_lock = INIT_LOCAL_LOCK(bh_lock),
};

static void virt_tx_begin(struct virt_tx *tx, const struct virt_port *port,
			  const struct sk_buff *skb)
{
	tx->skb = skb;
	tx->port = port;
	tx->task = current;
	local_lock_nested_bh(&virt_tx_pcpu.bh_lock);
	hlist_add_head(&tx->node, this_cpu_ptr(&virt_tx_pcpu.head));
	local_unlock_nested_bh(&virt_tx_pcpu.bh_lock);
}

static void virt_tx_end(struct virt_tx *tx)
{
	local_lock_nested_bh(&virt_tx_pcpu.bh_lock);
	hlist_del(&tx->node);
	local_unlock_nested_bh(&virt_tx_pcpu.bh_lock);
}

/* Whether @skb is a child's frame passing @port's egress hook (once only). */
static bool virt_tx_is_child(const struct virt_port *port,
			     const struct sk_buff *skb)
{
	struct virt_tx *tx;
	bool found = false;

	local_lock_nested_bh(&virt_tx_pcpu.bh_lock);
	hlist_for_each_entry(tx, this_cpu_ptr(&virt_tx_pcpu.head), node) {
		if (tx->skb == skb && tx->port == port && tx->task == current) {
			tx->skb = NULL;
			found = true;
			break;
		}
	}
	local_unlock_nested_bh(&virt_tx_pcpu.bh_lock);
	return found;
}

static unsigned int virt_egress(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	unsigned int verdict = NF_ACCEPT;
	struct virt_port *port = priv;

	/*
	 * Usually called from __dev_queue_xmit() with BH disabled, but
	 * AF_PACKET's qdisc bypass (nf_hook_direct_egress()) holds only RCU.
	 */
	local_bh_disable();
	if (!virt_tx_is_child(port, skb) &&
	    virt_local_xmit(port, skb, port->lower) != VIRT_LOCAL_NONE)
		verdict = NF_STOLEN;
	local_bh_enable();
	return verdict;
}

static void virt_egress_off(struct virt_port *port)
{
	if (!port->egress_on)
		return;
	nf_unregister_net_hook(dev_net(port->lower), &port->egress);
	port->egress_on = false;
}

/*
 * The parent's frames to a child can only be for a child in another
 * namespace: within one, the IP stack delivers them itself. So the egress
 * hook, and its cost on every frame the parent sends, exists only while
 * such a child does.
 */
static void virt_egress_update(struct virt_port *port)
{
	struct net *net = dev_net(port->lower);
	const struct virt_dev *vdev;
	bool need = false;
	int err;

	ASSERT_RTNL();
	/* An exclusive child takes nothing the parent sends. */
	if (!rcu_access_pointer(port->exclusive)) {
		list_for_each_entry(vdev, &port->children, list) {
			if (!net_eq(dev_net(vdev->dev), net)) {
				need = true;
				break;
			}
		}
	}
	if (!need) {
		virt_egress_off(port);
		return;
	}
	if (port->egress_on)
		return;

	port->egress = (struct nf_hook_ops) {
		.hook		= virt_egress,
		.priv		= port,
		.dev		= port->lower,
		.pf		= NFPROTO_NETDEV,
		.hooknum	= NF_NETDEV_EGRESS,
		/* After the administrator's own egress filters. */
		.priority	= INT_MAX,
	};
	err = nf_register_net_hook(net, &port->egress);
	if (err) {
		netdev_warn(port->lower,
			    "virt: frames to children in other namespaces will leave by the wire: %d\n",
			    err);
		return;
	}
	port->egress_on = true;
}
#else
struct virt_tx {
};

static void virt_tx_begin(struct virt_tx *tx, const struct virt_port *port,
			  const struct sk_buff *skb)
{
}

static void virt_tx_end(struct virt_tx *tx)
{
}

static void virt_egress_off(struct virt_port *port)
{
}

static void virt_egress_update(struct virt_port *port)
{
}
#endif /* CONFIG_NETFILTER_EGRESS */

/* Whether a child set up as @cfg may hold only some addresses. */
static bool virt_cfg_limits(const struct virt_cfg *cfg)
{
	return cfg && (cfg->flags & VIRT_F_GUARD) && cfg->n_prefixes;
}

/*
 * Whether a child set up as @cfg may hold @ip: with the guard on and an
 * allow list set, only inside one of its prefixes. A container can
 * configure any address it likes; only the list keeps it from taking a
 * neighbour's that none of the host's children has (its router's, say) or
 * a sibling's while the sibling is down. A list without IPv6 prefixes
 * allows no IPv6 address.
 */
static bool virt_cfg_allows(const struct virt_cfg *cfg,
			    const struct in6_addr *ip)
{
	bool v4 = ipv6_addr_v4mapped(ip);
	const struct virt_prefix *prefix;
	unsigned int i;

	if (!virt_cfg_limits(cfg))
		return true;
	for (i = 0; i < cfg->n_prefixes; i++) {
		prefix = &cfg->prefixes[i];
		/* An IPv6 prefix never covers IPv4-mapped addresses. */
		if (ipv6_addr_v4mapped(&prefix->ip) == v4 &&
		    ipv6_prefix_equal(ip, &prefix->ip, prefix->len))
			return true;
	}
	return false;
}

/*
 * Whether @vdev, guarded as @cfg says, may use @ip: one of its addresses,
 * and inside its allow list. The table holds only addresses the list
 * allows, but a frame may be checked while a new list is being applied.
 * Caller has BH disabled.
 */
static bool virt_guard_owns(const struct virt_dev *vdev,
			    const struct virt_cfg *cfg,
			    const struct in6_addr *ip)
{
	const struct virt_addr *addr = virt_addr_find(vdev->port, ip);

	return addr && addr->vdev == vdev && virt_cfg_allows(cfg, ip);
}

static bool virt_guard_owns4(const struct virt_dev *vdev,
			     const struct virt_cfg *cfg, __be32 ip)
{
	struct in6_addr ip6;

	ipv6_addr_set_v4mapped(ip, &ip6);
	return virt_guard_owns(vdev, cfg, &ip6);
}

/*
 * IPv4 from 0.0.0.0 is a DHCP client's (UDP from port 68 to 67) or an
 * IGMP report's. A guarded child is a DHCP client, not a server: nothing
 * from UDP port 67.
 */
static unsigned int virt_guard_ipv4(const struct virt_dev *vdev,
				    const struct virt_cfg *cfg,
				    const struct sk_buff *skb)
{
	struct udphdr _udph;
	const struct udphdr *udph;
	const struct iphdr *iph;
	struct iphdr _iph;

	iph = skb_header_pointer(skb, ETH_HLEN, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5)
		return VIRT_TX_GUARD_IP;
	if (iph->saddr && !virt_guard_owns4(vdev, cfg, iph->saddr))
		return VIRT_TX_GUARD_IP;
	/* IGMPv3 reports go from 0.0.0.0 before there is an address. */
	if (!iph->saddr && iph->protocol == IPPROTO_IGMP)
		return 0;
	if (iph->protocol != IPPROTO_UDP || (iph->frag_off & htons(IP_OFFSET)))
		return iph->saddr ? 0 : VIRT_TX_GUARD_IP;
	udph = skb_header_pointer(skb, ETH_HLEN + iph->ihl * 4, sizeof(_udph),
				  &_udph);
	if (!udph)
		return VIRT_TX_GUARD_IP;
	if (udph->source == htons(67))
		return VIRT_TX_GUARD_IP;
	if (!iph->saddr &&
	    (udph->source != htons(68) || udph->dest != htons(67)))
		return VIRT_TX_GUARD_IP;
	return 0;
}

static unsigned int virt_guard_arp(const struct virt_dev *vdev,
				   const struct virt_cfg *cfg,
				   const struct sk_buff *skb)
{
	const struct virt_arp *arp;
	struct virt_arp _arp;

	arp = skb_header_pointer(skb, ETH_HLEN, sizeof(_arp), &_arp);
	if (!arp || arp->hdr.ar_hrd != htons(ARPHRD_ETHER) ||
	    arp->hdr.ar_pro != htons(ETH_P_IP) ||
	    arp->hdr.ar_hln != ETH_ALEN || arp->hdr.ar_pln != sizeof(__be32) ||
	    !ether_addr_equal(arp->sha, vdev->dev->dev_addr))
		return VIRT_TX_GUARD_ARP;
	/*
	 * 0.0.0.0: a probe (RFC 5227), for any address: a DHCP client probes
	 * the address it was offered before it configures it.
	 */
	if (!arp->sip && arp->hdr.ar_op == htons(ARPOP_REQUEST))
		return 0;
	return virt_guard_owns4(vdev, cfg, arp->sip) ? 0 : VIRT_TX_GUARD_ARP;
}

/*
 * Neighbour discovery that names a link-layer address, in the options from
 * @off on (RFC 4861 4.6.1), must name the child's own: otherwise a child
 * could point its neighbours' caches at another station. Options must be
 * well formed, as receivers want them.
 */
static bool virt_guard_nd_lladdr(const struct virt_dev *vdev,
				 const struct sk_buff *skb,
				 const struct ipv6hdr *ip6h, unsigned int off)
{
	unsigned int end = ETH_HLEN + sizeof(*ip6h) + ntohs(ip6h->payload_len);
	u8 _opt[2 + ETH_ALEN];
	const u8 *opt;

	end = min(end, skb->len);
	while (off < end) {
		opt = skb_header_pointer(skb, off, sizeof(_opt), _opt);
		if (!opt || !opt[1] || off + opt[1] * 8 > end)
			return false;
		if ((opt[0] == ND_OPT_SOURCE_LL_ADDR ||
		     opt[0] == ND_OPT_TARGET_LL_ADDR) &&
		    !ether_addr_equal(opt + 2, vdev->dev->dev_addr))
			return false;
		off += opt[1] * 8;
	}
	return true;
}

/*
 * IPv6 from :: is duplicate address detection's or an MLD report's, which
 * RFC 3810 allows before a link-local address is ready. Neighbour
 * advertisements, and solicitations for duplicate address detection, must
 * be about one of the child's addresses: its tentative ones are in the table
 * already. Otherwise a child could take a neighbour's address, or make it
 * fail detection.
 */
static unsigned int virt_guard_ipv6(const struct virt_dev *vdev,
				    const struct virt_cfg *cfg,
				    const struct sk_buff *skb)
{
	const struct udphdr *udph;
	const struct ipv6hdr *ip6h;
	const struct nd_msg *nd;
	struct ipv6hdr _ip6h;
	struct udphdr _udph;
	struct nd_msg _nd;
	u8 nexthdr, type;
	__be16 frag_off;
	int off;

	ip6h = skb_header_pointer(skb, ETH_HLEN, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		return VIRT_TX_GUARD_IP;
	nexthdr = ip6h->nexthdr;
	off = ipv6_skip_exthdr(skb, ETH_HLEN + sizeof(*ip6h), &nexthdr,
			       &frag_off);
	if (off < 0)
		return VIRT_TX_GUARD_IP;
	type = 0;
	if (nexthdr == IPPROTO_ICMPV6 && !(frag_off & htons(IP6_OFFSET))) {
		/* A first fragment must show what kind of message it is. */
		nd = skb_header_pointer(skb, off, sizeof(nd->icmph), &_nd);
		if (!nd)
			return VIRT_TX_GUARD_ND;
		type = nd->icmph.icmp6_type;
	}
	/*
	 * A guarded child is a host: no router advertisements or redirects.
	 * Neighbour discovery carries no extension headers, fragment headers
	 * least of all (RFC 6980), as virt_owner() assumes on receive.
	 */
	if (type == NDISC_ROUTER_ADVERTISEMENT || type == NDISC_REDIRECT ||
	    (off != ETH_HLEN + sizeof(*ip6h) &&
	     type >= NDISC_ROUTER_SOLICITATION && type <= NDISC_REDIRECT))
		return VIRT_TX_GUARD_ND;

	if (ipv6_addr_any(&ip6h->saddr)) {
		if (type != NDISC_NEIGHBOUR_SOLICITATION &&
		    type != ICMPV6_MGM_REPORT && type != ICMPV6_MGM_REDUCTION &&
		    type != ICMPV6_MLD2_REPORT)
			return VIRT_TX_GUARD_IP;
	} else if (ipv6_addr_v4mapped(&ip6h->saddr) ||
		   !virt_guard_owns(vdev, cfg, &ip6h->saddr)) {
		return VIRT_TX_GUARD_IP;
	}
	/* Nor a DHCPv6 server or relay: nothing from UDP port 547. */
	if (nexthdr == IPPROTO_UDP && !(frag_off & htons(IP6_OFFSET))) {
		udph = skb_header_pointer(skb, off, sizeof(_udph), &_udph);
		if (!udph || udph->source == htons(547))
			return VIRT_TX_GUARD_IP;
	}
	if (type == NDISC_NEIGHBOUR_ADVERTISEMENT ||
	    (type == NDISC_NEIGHBOUR_SOLICITATION &&
	     ipv6_addr_any(&ip6h->saddr))) {
		nd = skb_header_pointer(skb, off, sizeof(_nd), &_nd);
		if (!nd || ipv6_addr_v4mapped(&nd->target) ||
		    !virt_guard_owns(vdev, cfg, &nd->target))
			return VIRT_TX_GUARD_ND;
	}
	if (type == NDISC_ROUTER_SOLICITATION &&
	    !virt_guard_nd_lladdr(vdev, skb, ip6h, off + sizeof(struct rs_msg)))
		return VIRT_TX_GUARD_ND;
	if ((type == NDISC_NEIGHBOUR_SOLICITATION ||
	     type == NDISC_NEIGHBOUR_ADVERTISEMENT) &&
	    !virt_guard_nd_lladdr(vdev, skb, ip6h, off + sizeof(struct nd_msg)))
		return VIRT_TX_GUARD_ND;
	return 0;
}

/*
 * The source guard: which rule @skb, which @vdev transmits guarded as
 * @cfg says, breaks, as the counter that counts it, or 0 if it breaks
 * none. A child may send from its own MAC and IP addresses only, and only
 * IPv4, IPv6 and ARP, untagged.
 */
static unsigned int virt_guard(const struct virt_dev *vdev,
			       const struct virt_cfg *cfg,
			       const struct sk_buff *skb)
{
	const struct ethhdr *eth;
	struct ethhdr _eth;

	/*
	 * Not even a priority tag: the child would set its own 802.1p class
	 * on the wire. Segmentation follows skb->protocol and the network
	 * header, not the Ethernet header: they must agree with what was
	 * checked.
	 */
	eth = skb_header_pointer(skb, 0, sizeof(_eth), &_eth);
	if (!eth || skb_vlan_tag_present(skb) ||
	    (skb_is_gso(skb) && (skb->protocol != eth->h_proto ||
				 skb_network_offset(skb) != ETH_HLEN)))
		return VIRT_TX_GUARD_PROTO;
	if (!ether_addr_equal(eth->h_source, vdev->dev->dev_addr))
		return VIRT_TX_GUARD_MAC;
	switch (eth->h_proto) {
	case htons(ETH_P_IP):
		return virt_guard_ipv4(vdev, cfg, skb);
	case htons(ETH_P_ARP):
		return virt_guard_arp(vdev, cfg, skb);
	case htons(ETH_P_IPV6):
		return virt_guard_ipv6(vdev, cfg, skb);
	default:
		return VIRT_TX_GUARD_PROTO;
	}
}

static netdev_tx_t virt_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	const struct virt_dev *vdev = netdev_priv(dev);
	const struct virt_cfg *cfg = virt_cfg(vdev);
	unsigned int len = skb->len;
	unsigned int why;
	struct virt_tx tx;
	int ret;

	if (cfg && (cfg->flags & VIRT_F_GUARD)) {
		/* One sent before the guard was on, or found its way past. */
		if (unlikely(skb_is_gso(skb) ||
			     (skb->ip_summed == CHECKSUM_PARTIAL &&
			      skb_checksum_help(skb))))
			why = VIRT_TX_GUARD_PROTO;
		else
			why = virt_guard(vdev, cfg, skb);
		if (unlikely(why)) {
			virt_count(vdev->stats, why);
			dev_core_stats_tx_dropped_inc(dev);
			kfree_skb(skb);
			return NETDEV_TX_OK;
		}
	}

	switch (virt_local_xmit(vdev->port, skb, dev)) {
	case VIRT_LOCAL_NONE:
		break;
	case VIRT_LOCAL_DELIVERED:
		dev_sw_netstats_tx_add(dev, 1, len);
		return NETDEV_TX_OK;
	case VIRT_LOCAL_DROPPED:
		dev_core_stats_tx_dropped_inc(dev);
		return NETDEV_TX_OK;
	}

	virt_scrub_tx(skb, dev, vdev->lower);
	virt_colour_cfg(skb, cfg);
	skb->dev = vdev->lower;
	virt_tx_begin(&tx, vdev->port, skb);
	ret = dev_queue_xmit(skb);
	virt_tx_end(&tx);
	/* Negative errors and NET_XMIT_DROP are drops, not transmissions. */
	if (likely(ret == NET_XMIT_SUCCESS || ret == NET_XMIT_CN))
		dev_sw_netstats_tx_add(dev, 1, len);
	else
		dev_core_stats_tx_dropped_inc(dev);
	return NETDEV_TX_OK;
}

/*
 * Adding an address @vdev already owns and may hold is a no-op; one its
 * allow list excludes is refused, owned or not. The list is read
 * under the lock, which virt_addr_unsteer() takes after a new list is
 * published: an address the new list excludes is either refused here or
 * removed there.
 */
static int virt_addr_add(struct virt_dev *vdev, const struct in6_addr *ip,
			 gfp_t gfp)
{
	struct virt_port *port = vdev->port;
	struct virt_addr *addr, *new;
	int err = 0;

	/* Allocated up front: the lock is a spinlock. */
	new = kzalloc_obj(*new, gfp);
	if (!new)
		return -ENOMEM;
	new->vdev = vdev;
	new->ip = *ip;

	spin_lock_bh(&port->addr_lock);
	addr = virt_addr_find(port, ip);
	if (!virt_cfg_allows(virt_cfg(vdev), ip)) {
		err = -EACCES;
	} else if (!addr) {
		hlist_add_head_rcu(&new->hnode, virt_addr_bucket(port, ip));
		new = NULL;
	} else if (addr->vdev != vdev) {
		err = -EADDRINUSE;
	}
	spin_unlock_bh(&port->addr_lock);

	kfree(new);
	return err;
}

static void virt_addr_del(struct virt_dev *vdev, const struct in6_addr *ip)
{
	struct virt_port *port = vdev->port;
	struct virt_addr *addr;

	spin_lock_bh(&port->addr_lock);
	addr = virt_addr_find(port, ip);
	if (addr && addr->vdev == vdev) {
		hlist_del_rcu(&addr->hnode);
		kfree_rcu(addr, rcu);
	}
	spin_unlock_bh(&port->addr_lock);
}

/*
 * Forget what @vdev owns: @all of it, or what @cfg does not allow. The
 * addresses stay on the device; only what virt steers to it changes.
 */
static void virt_addr_forget(struct virt_dev *vdev, const struct virt_cfg *cfg,
			     bool all)
{
	struct virt_port *port = vdev->port;
	struct virt_addr *addr;
	struct hlist_node *n;
	unsigned int i;

	spin_lock_bh(&port->addr_lock);
	for (i = 0; i < ARRAY_SIZE(port->addrs); i++) {
		hlist_for_each_entry_safe(addr, n, &port->addrs[i], hnode) {
			if (addr->vdev != vdev ||
			    (!all && virt_cfg_allows(cfg, &addr->ip)))
				continue;
			hlist_del_rcu(&addr->hnode);
			kfree_rcu(addr, rcu);
		}
	}
	spin_unlock_bh(&port->addr_lock);
}

/* Forget whatever @vdev still owns; its address lists are gone by now. */
static void virt_addr_flush(struct virt_dev *vdev)
{
	virt_addr_forget(vdev, NULL, true);
}

/*
 * Forget what @cfg, @vdev's configuration from now on, does not allow.
 * Called after @cfg is published; see virt_addr_add().
 */
static void virt_addr_unsteer(struct virt_dev *vdev,
			      const struct virt_cfg *cfg)
{
	virt_addr_forget(vdev, cfg, false);
}

#define VIRT_WHY_INUSE	"Address in use by another child of this parent"
#define VIRT_WHY_LOCAL	"Address is local to the parent's namespace"
#define VIRT_WHY_ALLOW	"Address is outside the child's allow list"

/* Log what became of @ip on @dev, and why. */
static void virt_addr_warn(struct net_device *dev, const struct in6_addr *ip,
			   const char *what, const char *why)
{
	/* Each RA may add a SLAAC address again; a container may retry. */
	if (!net_ratelimit())
		return;
	if (ipv6_addr_v4mapped(ip))
		netdev_warn(dev, "%pI4 %s: %s\n", &ip->s6_addr32[3], what, why);
	else
		netdev_warn(dev, "%pI6c %s: %s\n", ip, what, why);
}

/* Log why @ip, which @dev has, is not steered to it. */
static void virt_addr_unsteered(struct net_device *dev,
				const struct in6_addr *ip, int err,
				const char *why)
{
	if (!why)
		why = err == -EADDRINUSE ? VIRT_WHY_INUSE :
		      err == -EACCES ? VIRT_WHY_ALLOW : "Out of memory";
	virt_addr_warn(dev, ip, "not steered to this device", why);
}

/*
 * IPv4 allows one local address several times on a device, with different
 * prefix lengths; it stays the child's until the last of them goes. The
 * address being deleted is already off the list when NETDEV_DOWN is sent.
 */
static bool virt_in_dev_has(const struct in_device *in_dev, __be32 local)
{
	const struct in_ifaddr *ifa;

	in_dev_for_each_ifa_rtnl(ifa, in_dev)
		if (ifa->ifa_local == local)
			return true;
	return false;
}

/*
 * Whether @ip can name one receiver: a group or broadcast address owned by a
 * child would take the parent's and its siblings' IGMP, VRRP or DHCP.
 */
static bool virt_addr_unicast(const struct in6_addr *ip)
{
	__be32 a = ip->s6_addr32[3];

	/* 0.0.0.0/8 is "this network", never a destination. */
	if (ipv6_addr_v4mapped(ip))
		return !ipv4_is_multicast(a) && !ipv4_is_lbcast(a) &&
		       !ipv4_is_zeronet(a & htonl(IN_CLASSA_NET));
	return !ipv6_addr_is_multicast(ip) && !ipv6_addr_any(ip);
}

/*
 * The checks of virt_addr_check() for an IPv4 address that is already on
 * @dev, which the lookup of the namespace's local addresses may find; the
 * allow list is virt_addr_add()'s.
 */
static const char *virt_addr_check_local(struct net_device *dev,
					 const struct in6_addr *ip)
{
	struct virt_dev *vdev = netdev_priv(dev);
	const struct virt_addr *addr;
	struct net_device *holder;
	const char *why = NULL;

	if (!virt_addr_unicast(ip))
		return "Address is not a unicast address";
	rcu_read_lock();
	addr = virt_addr_find(vdev->port, ip);
	holder = __ip_dev_find(dev_net(vdev->lower), ip->s6_addr32[3], false);
	if (addr && addr->vdev != vdev)
		why = VIRT_WHY_INUSE;
	else if (holder && holder != dev)
		why = VIRT_WHY_LOCAL;
	rcu_read_unlock();
	return why;
}

/*
 * Steer @local, an IPv4 address on @vdev's device, to it. @check: the
 * validator has not seen @local. (It sees a point-to-point address's peer,
 * and an address the allow list excluded may since have become another's.)
 * Caller holds RTNL.
 */
static void virt_addr_steer4(struct virt_dev *vdev, __be32 local, bool check)
{
	const char *why = NULL;
	struct in6_addr ip;
	int err = 0;

	ipv6_addr_set_v4mapped(local, &ip);
	if (check)
		why = virt_addr_check_local(vdev->dev, &ip);
	if (!why)
		err = virt_addr_add(vdev, &ip, GFP_KERNEL);
	if (why || err)
		virt_addr_unsteered(vdev->dev, &ip, err, why);
}

/*
 * Is @ip an address of @net that a frame arriving on @lower is delivered to?
 * Linux takes a frame for any local address of the receiving namespace; an
 * IPv6 link-local address is only the receiving device's own.
 * Caller holds rcu_read_lock().
 */
static bool virt_addr_is_local(struct net *net, const struct in6_addr *ip,
			       struct net_device *lower)
{
	if (ipv6_addr_v4mapped(ip))
		return !!__ip_dev_find(net, ip->s6_addr32[3], false);
#if IS_ENABLED(CONFIG_IPV6)
	/*
	 * Any device of @lower's L3 domain, only @lower for a link-local
	 * address; tentative addresses count too.
	 */
	return ipv6_chk_addr_and_flags(net, ip, lower, false, 0, 0);
#else
	return false;
#endif
}

/*
 * Steer @ip, an IPv6 address on @vdev's device, to it, unless the parent's
 * namespace receives for it: then it stays with the namespace. If the
 * parent holds it, the child's DAD probe reaches the parent, whose answer
 * fails the address; otherwise only the log line tells. Process or
 * softirq context, maybe under the device's inet6_dev lock.
 */
static void virt_addr_steer6(struct virt_dev *vdev, const struct in6_addr *ip)
{
	struct net_device *dev = vdev->dev;
	bool local;
	int err;

	rcu_read_lock();
	local = !net_eq(dev_net(dev), dev_net(vdev->lower)) &&
		virt_addr_is_local(dev_net(vdev->lower), ip, vdev->lower);
	rcu_read_unlock();
	err = local ? -EADDRINUSE : virt_addr_add(vdev, ip, GFP_ATOMIC);
	if (err)
		virt_addr_unsteered(dev, ip, err, local ? VIRT_WHY_LOCAL : NULL);
}

/*
 * After @vdev's allow list changed: steer to it again the addresses on its
 * device that the list allows once more. Those it does not allow stay
 * unsteered without a word; the host just excluded them. Caller holds RTNL.
 */
static void virt_addr_resteer(struct virt_dev *vdev)
{
	const struct virt_cfg *cfg = rtnl_dereference(vdev->cfg);
	struct net_device *dev = vdev->dev;
	const struct in_ifaddr *ifa;
	struct in_device *in_dev;
	struct in6_addr ip;
#if IS_ENABLED(CONFIG_IPV6)
	const struct inet6_ifaddr *ifp;
	struct inet6_dev *idev;
#endif

	in_dev = __in_dev_get_rtnl(dev);
	if (in_dev) {
		in_dev_for_each_ifa_rtnl(ifa, in_dev) {
			ipv6_addr_set_v4mapped(ifa->ifa_local, &ip);
			if (virt_cfg_allows(cfg, &ip))
				virt_addr_steer4(vdev, ifa->ifa_local, true);
		}
	}
#if IS_ENABLED(CONFIG_IPV6)
	idev = __in6_dev_get(dev);
	if (!idev)
		return;
	read_lock_bh(&idev->lock);
	list_for_each_entry(ifp, &idev->addr_list, if_list)
		if (virt_cfg_allows(cfg, &ifp->addr))
			virt_addr_steer6(vdev, &ifp->addr);
	read_unlock_bh(&idev->lock);
#endif
}

static bool netif_is_virt_port(const struct net_device *dev)
{
	return rcu_access_pointer(dev->rx_handler) == virt_handle_frame;
}

static struct virt_port *virt_port_get_rtnl(const struct net_device *lower)
{
	return rtnl_dereference(lower->rx_handler_data);
}

static struct virt_port *virt_port_create(struct net_device *lower,
					  struct netlink_ext_ack *extack)
{
	struct virt_port *port;
	int err;

	port = kzalloc_obj(*port);
	if (!port)
		return ERR_PTR(-ENOMEM);

	port->stats = netdev_alloc_pcpu_stats(struct virt_stats);
	if (!port->stats) {
		kfree(port);
		return ERR_PTR(-ENOMEM);
	}
	port->lower = lower;
	INIT_LIST_HEAD(&port->children);
	spin_lock_init(&port->addr_lock);
	ida_init(&port->dev_ids);
	/* A parent with a dev_id of its own (s390 OSA) keeps it. */
	if (lower->dev_id &&
	    ida_alloc_range(&port->dev_ids, lower->dev_id, lower->dev_id,
			    GFP_KERNEL) < 0) {
		free_percpu(port->stats);
		kfree(port);
		return ERR_PTR(-ENOMEM);
	}

	err = netdev_rx_handler_register(lower, virt_handle_frame, port);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "Cannot attach to the parent's receive path");
		ida_destroy(&port->dev_ids);
		free_percpu(port->stats);
		kfree(port);
		return ERR_PTR(err);
	}
	virt_nports++;
	return port;
}

static void virt_port_destroy(struct virt_port *port)
{
	virt_egress_off(port);
	/* Waits for every reader of the port that the rx_handler started. */
	netdev_rx_handler_unregister(port->lower);
	ida_destroy(&port->dev_ids);
	free_percpu(port->stats);
	kfree(port);
	virt_nports--;
}

static int virt_open(struct net_device *dev)
{
	const struct virt_dev *vdev = netdev_priv(dev);
	int err;

	if (dev->flags & IFF_ALLMULTI) {
		err = dev_set_allmulti(vdev->lower, 1);
		if (err)
			return err;
	}
	/* Carrier comes on here, so that the operstate is computed: UP. */
	netif_stacked_transfer_operstate(vdev->lower, dev);
	return 0;
}

static int virt_stop(struct net_device *dev)
{
	const struct virt_dev *vdev = netdev_priv(dev);

	netif_carrier_off(dev);
	dev_uc_unsync(vdev->lower, dev);
	dev_mc_unsync(vdev->lower, dev);
	if (dev->flags & IFF_ALLMULTI)
		dev_set_allmulti(vdev->lower, -1);
	return 0;
}

static void virt_change_rx_flags(struct net_device *dev, int change)
{
	const struct virt_dev *vdev = netdev_priv(dev);

	if ((dev->flags & IFF_UP) && (change & IFF_ALLMULTI))
		dev_set_allmulti(vdev->lower,
				 dev->flags & IFF_ALLMULTI ? 1 : -1);
}

/* Let the parent's filter admit what the child listens to. */
static void virt_set_rx_mode(struct net_device *dev)
{
	const struct virt_dev *vdev = netdev_priv(dev);

	dev_uc_sync(vdev->lower, dev);
	dev_mc_sync(vdev->lower, dev);
}

static netdev_features_t virt_fix_features(struct net_device *dev,
					   netdev_features_t features)
{
	const struct virt_dev *vdev = netdev_priv(dev);

	features |= NETIF_F_ALL_FOR_ALL;
	features = netdev_increment_features(vdev->lower->features, features,
					     features);
	features |= VIRT_ALWAYS_ON;
	features &= VIRT_FEATURES | VIRT_ALWAYS_ON;
	/*
	 * The guard checks a frame as it will be on the wire: no checksum
	 * still to be written where the sender said, no segments still to be
	 * cut from headers the sender chose. The core does both first.
	 */
	if (virt_guarded(vdev))
		features &= ~(NETIF_F_GSO_MASK | NETIF_F_CSUM_MASK | NETIF_F_SG);
	/* A VLAN on a child would receive nothing: see virt_owner(). */
	return features | NETIF_F_VLAN_CHALLENGED;
}

static int virt_get_iflink(const struct net_device *dev)
{
	const struct virt_dev *vdev = netdev_priv(dev);

	return READ_ONCE(vdev->lower->ifindex);
}

static int virt_dev_init(struct net_device *dev)
{
	struct virt_dev *vdev = netdev_priv(dev);
	struct net_device *lower = vdev->lower;
	int id;

	dev->features = (lower->features & VIRT_FEATURES) | VIRT_ALWAYS_ON |
			NETIF_F_VLAN_CHALLENGED;
	dev->hw_features = VIRT_FEATURES | VIRT_ALWAYS_ON;
	dev->vlan_features = (lower->vlan_features & VIRT_FEATURES) |
			     VIRT_ALWAYS_ON;
	dev->hw_enc_features |= dev->features & ~NETIF_F_VLAN_CHALLENGED;
	netif_inherit_tso_max(dev, lower);
	dev->hard_header_len = lower->hard_header_len;
	dev->needed_headroom = lower->needed_headroom;
	dev->needed_tailroom = lower->needed_tailroom;
	netdev_lockdep_set_classes(dev);

	/* Freed by virt_dev_free(), after the core's last grace period. */
	vdev->stats = netdev_alloc_pcpu_stats(struct virt_stats);
	if (!vdev->stats)
		return -ENOMEM;

	/* virt_newlink() checked that one is free. */
	id = ida_alloc_range(&vdev->port->dev_ids, 1, VIRT_DEV_ID_MAX,
			     GFP_KERNEL);
	if (id < 0) {
		free_percpu(vdev->stats);
		vdev->stats = NULL;
		return id;
	}
	dev->dev_id = id;

	netdev_hold(lower, &vdev->lower_tracker, GFP_KERNEL);
	vdev->port->count++;
	list_add_tail_rcu(&vdev->list, &vdev->port->children);
	vdev->listed = true;
	return 0;
}

/*
 * Take @vdev off its port's list, and from being its exclusive child;
 * readers may still see it until a grace period.
 */
static void virt_dev_unlist(struct virt_dev *vdev)
{
	/* @mode stays, for the notification of the child's deletion. */
	if (rcu_access_pointer(vdev->port->exclusive) == vdev)
		RCU_INIT_POINTER(vdev->port->exclusive, NULL);
	if (vdev->listed) {
		list_del_rcu(&vdev->list);
		vdev->listed = false;
	}
}

/*
 * Readers find a child through the address table and the port's list. When
 * a child is unregistered, the core waits for them once per batch after
 * ndo_uninit, before the device's destructor runs: what they touch is freed
 * there, not here, so that deleting many children costs one grace period,
 * not one each.
 */
static void virt_dev_uninit(struct net_device *dev)
{
	struct virt_dev *vdev = netdev_priv(dev);
	struct virt_port *port = vdev->port;

	virt_addr_flush(vdev);
	virt_dev_unlist(vdev);
	/*
	 * register_netdevice() failed after ndo_init: free_netdev() follows
	 * at once, with no grace period of the core's to wait for readers.
	 */
	if (dev->reg_state != NETREG_UNREGISTERING)
		synchronize_net();
	ida_free(&port->dev_ids, dev->dev_id);
	if (--port->count == 0)
		virt_port_destroy(port);
	else
		virt_egress_update(port);
	netdev_put(vdev->lower, &vdev->lower_tracker);
}

static void virt_dev_free(struct net_device *dev)
{
	struct virt_dev *vdev = netdev_priv(dev);

	/* After the core's last grace period: no reader is left. */
	kfree(rcu_dereference_protected(vdev->cfg, true));
	free_percpu(vdev->stats);
}

/* Deferred from the parent's events; the core's work holds RTNL. */
static void virt_dev_work(struct net_device *dev, unsigned long events)
{
	const struct virt_dev *vdev = netdev_priv(dev);

	if ((events & VIRT_WORK_MTU) && dev->mtu > vdev->lower->mtu)
		netif_set_mtu(dev, vdev->lower->mtu);
}

static const struct net_device_ops virt_netdev_ops = {
	.ndo_init		= virt_dev_init,
	.ndo_uninit		= virt_dev_uninit,
	.ndo_open		= virt_open,
	.ndo_stop		= virt_stop,
	.ndo_start_xmit		= virt_start_xmit,
	.ndo_change_rx_flags	= virt_change_rx_flags,
	.ndo_set_rx_mode	= virt_set_rx_mode,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_fix_features	= virt_fix_features,
	.ndo_get_iflink		= virt_get_iflink,
	.ndo_work		= virt_dev_work,
};

static void virt_ethtool_get_drvinfo(struct net_device *dev,
				     struct ethtool_drvinfo *info)
{
	strscpy(info->driver, VIRT_DRV_NAME, sizeof(info->driver));
}

static int virt_ethtool_get_link_ksettings(struct net_device *dev,
					   struct ethtool_link_ksettings *cmd)
{
	const struct virt_dev *vdev = netdev_priv(dev);

	return __ethtool_get_link_ksettings(vdev->lower, cmd);
}

static const char virt_dev_stat_names[][ETH_GSTRING_LEN] = {
	[VIRT_RX_UNICAST]	= "rx_unicast",
	[VIRT_RX_MULTICAST]	= "rx_multicast",
	[VIRT_RX_BROADCAST]	= "rx_broadcast",
	[VIRT_RX_LOCAL]		= "rx_local",
	[VIRT_RX_DROPPED_DOWN]	= "rx_dropped_down",
	[VIRT_RX_DROPPED_NOMEM]	= "rx_dropped_nomem",
	[VIRT_TX_LOCAL]		= "tx_local",
	[VIRT_TX_LOCAL_COPIES]	= "tx_local_copies",
	[VIRT_TX_GUARD_MAC]	= "tx_guard_mac",
	[VIRT_TX_GUARD_IP]	= "tx_guard_ip",
	[VIRT_TX_GUARD_ARP]	= "tx_guard_arp",
	[VIRT_TX_GUARD_ND]	= "tx_guard_nd",
	[VIRT_TX_GUARD_PROTO]	= "tx_guard_proto",
};

static_assert(ARRAY_SIZE(virt_dev_stat_names) == VIRT_DEV_NSTATS);

static const char virt_port_stat_names[][ETH_GSTRING_LEN] = {
	[VIRT_PORT_RX_FRAMES]	= "port_rx_frames",
	[VIRT_PORT_RX_STEERED]	= "port_rx_steered",
	[VIRT_PORT_RX_COPIED]	= "port_rx_copied",
	[VIRT_PORT_TX_STEERED]	= "port_tx_steered",
	[VIRT_PORT_TX_COPIED]	= "port_tx_copied",
};

static_assert(ARRAY_SIZE(virt_port_stat_names) == VIRT_PORT_NSTATS);

static int virt_ethtool_get_sset_count(struct net_device *dev, int sset)
{
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return VIRT_DEV_NSTATS + VIRT_PORT_NSTATS;
}

static void virt_ethtool_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	unsigned int i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < VIRT_DEV_NSTATS; i++)
		ethtool_puts(&buf, virt_dev_stat_names[i]);
	for (i = 0; i < VIRT_PORT_NSTATS; i++)
		ethtool_puts(&buf, virt_port_stat_names[i]);
}

/*
 * The port's counters describe the parent's traffic: a container holding a
 * child reads them as zero. The set of counters is the same everywhere, so
 * that names and values fetched by separate calls always agree.
 */
static void virt_ethtool_get_stats(struct net_device *dev,
				   struct ethtool_stats *stats, u64 *data)
{
	const struct virt_dev *vdev = netdev_priv(dev);

	memset(data, 0, (VIRT_DEV_NSTATS + VIRT_PORT_NSTATS) * sizeof(*data));
	virt_stats_sum(vdev->stats, data, VIRT_DEV_NSTATS);
	if (net_eq(dev_net(dev), dev_net(vdev->lower)))
		virt_stats_sum(vdev->port->stats, data + VIRT_DEV_NSTATS,
			       VIRT_PORT_NSTATS);
}

static const struct ethtool_ops virt_ethtool_ops = {
	.get_drvinfo		= virt_ethtool_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= virt_ethtool_get_link_ksettings,
	.get_sset_count		= virt_ethtool_get_sset_count,
	.get_strings		= virt_ethtool_get_strings,
	.get_ethtool_stats	= virt_ethtool_get_stats,
};

static void virt_setup(struct net_device *dev)
{
	ether_setup(dev);

	dev->max_mtu = ETH_MAX_MTU;
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
	dev->priv_flags &= ~(IFF_XMIT_DST_RELEASE | IFF_TX_SKB_SHARING);
	dev->priv_flags |= IFF_UNICAST_FLT | IFF_NO_QUEUE;
	/*
	 * Nothing may stack on a child: not a VLAN (VLAN challenged), nor
	 * anything with a receive handler of its own (bridge, macvlan,
	 * bond), since a child hands its frames on to its own stack. Nor
	 * netpoll, whose transmit runs with interrupts off.
	 */
	dev->priv_flags |= IFF_NO_RX_HANDLER | IFF_DISABLE_NETPOLL;
	dev->lltx = true;
	dev->needs_free_netdev = true;
	dev->priv_destructor = virt_dev_free;
	dev->netdev_ops = &virt_netdev_ops;
	dev->ethtool_ops = &virt_ethtool_ops;
	/* No carrier until opened; see virt_open(). */
	netif_carrier_off(dev);
}

/* Children follow their parent; the notifier below keeps them in step. */
static void virt_follow_lower(struct net_device *dev,
			      const struct net_device *lower)
{
	WRITE_ONCE(dev->max_mtu, lower->mtu);
	eth_hw_addr_set(dev, lower->dev_addr);
	memcpy(dev->broadcast, lower->broadcast, ETH_ALEN);
}

static int virt_check_lower(struct net_device *lower,
			    const struct nlattr *attr,
			    struct netlink_ext_ack *extack)
{
	if (netif_is_virt(lower)) {
		NL_SET_ERR_MSG_MOD(extack, "Parent is itself a virt device");
		goto bad;
	}
	if (lower->type != ARPHRD_ETHER || lower->addr_len != ETH_ALEN ||
	    (lower->flags & IFF_LOOPBACK)) {
		NL_SET_ERR_MSG_MOD(extack, "Parent is not an Ethernet device");
		goto bad;
	}
	if (netdev_is_rx_handler_busy(lower) &&
	    !netif_is_virt_port(lower)) {
		NL_SET_ERR_MSG_MOD(extack, "Parent already has a receive handler");
		NL_SET_BAD_ATTR(extack, attr);
		return -EBUSY;
	}
	if (lower->priv_flags & IFF_NO_RX_HANDLER) {
		NL_SET_ERR_MSG_MOD(extack, "Parent does not accept a receive handler");
		goto bad;
	}
	return 0;
bad:
	NL_SET_BAD_ATTR(extack, attr);
	return -EINVAL;
}

static const struct nla_policy virt_prefix_policy[IFLA_VIRT_PREFIX_MAX + 1] = {
	[IFLA_VIRT_PREFIX_ADDR4]	= { .type = NLA_BE32 },
	[IFLA_VIRT_PREFIX_ADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[IFLA_VIRT_PREFIX_LEN]	= NLA_POLICY_MAX(NLA_U32, 128),
};

static const struct nla_policy virt_allow_policy[IFLA_VIRT_ALLOW_MAX + 1] = {
	[IFLA_VIRT_ALLOW_PREFIX] = NLA_POLICY_NESTED(virt_prefix_policy),
};

static const struct nla_policy virt_policy[IFLA_VIRT_MAX + 1] = {
	[IFLA_VIRT_UNSPEC]	= { .strict_start_type = IFLA_VIRT_MODE },
	[IFLA_VIRT_MODE]	= NLA_POLICY_MAX(NLA_U32, VIRT_MODE_EXCLUSIVE),
	[IFLA_VIRT_MARK]	= { .type = NLA_U32 },
	[IFLA_VIRT_MASK]	= { .type = NLA_U32 },
	[IFLA_VIRT_PRIORITY]	= { .type = NLA_U32 },
	[IFLA_VIRT_FLAGS]	= NLA_POLICY_BITFIELD32(VIRT_F_ALL),
	[IFLA_VIRT_ALLOW]	= NLA_POLICY_NESTED(virt_allow_policy),
};

static int virt_validate(struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	struct nla_bitfield32 flags;

	if (tb[IFLA_ADDRESS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
				    "virt: a child always uses its parent's MAC address");
		return -EINVAL;
	}
	if (!data)
		return 0;
	if (data[IFLA_VIRT_MASK] && !data[IFLA_VIRT_MARK]) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_VIRT_MASK],
				    "virt: a mask needs a mark");
		return -EINVAL;
	}
	if (data[IFLA_VIRT_MARK] && data[IFLA_VIRT_MASK] &&
	    nla_get_u32(data[IFLA_VIRT_MARK]) &
	    ~nla_get_u32(data[IFLA_VIRT_MASK])) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_VIRT_MARK],
				    "virt: the mark has bits outside its mask");
		return -EINVAL;
	}
	if (data[IFLA_VIRT_PRIORITY] && data[IFLA_VIRT_FLAGS]) {
		flags = nla_get_bitfield32(data[IFLA_VIRT_FLAGS]);
		if (flags.selector & ~flags.value & VIRT_F_PRIORITY) {
			NL_SET_ERR_MSG_ATTR(extack, data[IFLA_VIRT_FLAGS],
					    "virt: a priority, and flags that turn it off");
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Parse the prefixes in @nest, a validated IFLA_VIRT_ALLOW, into
 * @cfg, which has room for all of them.
 */
static int virt_prefixes_parse(struct virt_cfg *cfg, const struct nlattr *nest,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IFLA_VIRT_PREFIX_MAX + 1], *addr4, *addr6;
	struct virt_prefix *prefix;
	const struct nlattr *attr;
	struct in6_addr masked;
	unsigned int i = 0;
	int rem, err;
	u32 len, max;

	nla_for_each_nested_type(attr, IFLA_VIRT_ALLOW_PREFIX, nest, rem) {
		err = nla_parse_nested(tb, IFLA_VIRT_PREFIX_MAX, attr,
				       virt_prefix_policy, extack);
		if (err)
			return err;
		addr4 = tb[IFLA_VIRT_PREFIX_ADDR4];
		addr6 = tb[IFLA_VIRT_PREFIX_ADDR6];
		if (!addr4 == !addr6) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "virt: a guard prefix needs one IPv4 or one IPv6 address");
			return -EINVAL;
		}
		prefix = &cfg->prefixes[i++];
		if (addr4) {
			ipv6_addr_set_v4mapped(nla_get_in_addr(addr4),
					       &prefix->ip);
			max = 32;
		} else {
			prefix->ip = nla_get_in6_addr(addr6);
			max = 128;
			if (ipv6_addr_v4mapped(&prefix->ip)) {
				NL_SET_ERR_MSG_ATTR(extack, addr6,
						    "virt: an IPv4 prefix goes in IFLA_VIRT_PREFIX_ADDR4");
				return -EINVAL;
			}
		}
		len = nla_get_u32_default(tb[IFLA_VIRT_PREFIX_LEN], max);
		if (len > max) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_VIRT_PREFIX_LEN],
					    "virt: the prefix is longer than its address");
			return -EINVAL;
		}
		/* IPv4-mapped, an IPv4 prefix has 96 bits more. */
		prefix->len = len + 128 - max;
		ipv6_addr_prefix(&masked, &prefix->ip, prefix->len);
		if (!ipv6_addr_equal(&masked, &prefix->ip)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "virt: the prefix has bits set beyond its length");
			return -EINVAL;
		}
	}
	return 0;
}

/* How many prefixes @nest, a validated IFLA_VIRT_ALLOW, holds. */
static int virt_prefixes_count(const struct nlattr *nest,
			       struct netlink_ext_ack *extack)
{
	const struct nlattr *attr;
	int rem, n = 0;

	nla_for_each_nested_type(attr, IFLA_VIRT_ALLOW_PREFIX, nest, rem) {
		if (++n > VIRT_ALLOW_LIMIT) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, attr,
						"virt: more than %u guard prefixes",
						VIRT_ALLOW_LIMIT);
			return -EINVAL;
		}
	}
	return n;
}

/*
 * The colours and guard @data asks for on top of @old: a new &struct
 * virt_cfg, %NULL if it asks for none of them, or an ERR_PTR().
 */
static struct virt_cfg *virt_cfg_new(const struct virt_cfg *old,
				     struct nlattr *data[],
				     struct netlink_ext_ack *extack)
{
	const struct nlattr *prefixes = NULL;
	struct nla_bitfield32 flags;
	struct virt_cfg *cfg;
	int n, err;

	n = old ? old->n_prefixes : 0;
	if (data && data[IFLA_VIRT_ALLOW]) {
		prefixes = data[IFLA_VIRT_ALLOW];
		n = virt_prefixes_count(prefixes, extack);
		if (n < 0)
			return ERR_PTR(n);
	}
	cfg = kzalloc_flex(*cfg, prefixes, n);
	if (!cfg)
		return ERR_PTR(-ENOMEM);
	cfg->n_prefixes = n;
	if (old) {
		cfg->mark = old->mark;
		cfg->mask = old->mask;
		cfg->priority = old->priority;
		cfg->flags = old->flags;
		if (!prefixes)
			memcpy(cfg->prefixes, old->prefixes,
			       flex_array_size(cfg, prefixes, n));
	}
	if (prefixes) {
		err = virt_prefixes_parse(cfg, prefixes, extack);
		if (err) {
			kfree(cfg);
			return ERR_PTR(err);
		}
	}
	if (data && data[IFLA_VIRT_MARK]) {
		cfg->mark = nla_get_u32(data[IFLA_VIRT_MARK]);
		cfg->mask = nla_get_u32_default(data[IFLA_VIRT_MASK], ~0U);
		/* Mask 0: no mark. */
		cfg->mark &= cfg->mask;
	}
	if (data && data[IFLA_VIRT_FLAGS]) {
		flags = nla_get_bitfield32(data[IFLA_VIRT_FLAGS]);
		cfg->flags = (cfg->flags & ~flags.selector) | flags.value;
	}
	if (data && data[IFLA_VIRT_PRIORITY]) {
		cfg->priority = nla_get_u32(data[IFLA_VIRT_PRIORITY]);
		cfg->flags |= VIRT_F_PRIORITY;
	}
	if (!(cfg->flags & VIRT_F_PRIORITY))
		cfg->priority = 0;

	if (!cfg->mask && !cfg->flags && !cfg->n_prefixes) {
		kfree(cfg);
		return NULL;
	}
	return cfg;
}

/* Whether @data makes the child exclusive (1), shared (0) or neither (-1). */
static int virt_mode_req(struct nlattr *data[])
{
	if (!data || !data[IFLA_VIRT_MODE])
		return -1;
	return nla_get_u32(data[IFLA_VIRT_MODE]) == VIRT_MODE_EXCLUSIVE;
}

/*
 * Whether @vdev may be a child of @port (@others children besides it) in
 * the mode @data asks for: an exclusive child is its parent's only child.
 */
static int virt_mode_check(struct virt_port *port, struct virt_dev *vdev,
			   unsigned int others, struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	struct virt_dev *excl = rtnl_dereference(port->exclusive);

	if (excl && excl != vdev) {
		NL_SET_ERR_MSG_MOD(extack, "the parent has an exclusive child");
		return -EBUSY;
	}
	if (virt_mode_req(data) == 1 && others) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_VIRT_MODE],
				    "virt: an exclusive child must be its parent's only child");
		return -EBUSY;
	}
	return 0;
}

/* Make @vdev exclusive or shared as @data asks; cannot fail. */
static void virt_mode_set(struct virt_dev *vdev, struct nlattr *data[])
{
	struct virt_port *port = vdev->port;

	switch (virt_mode_req(data)) {
	case 1:
		rcu_assign_pointer(port->exclusive, vdev);
		WRITE_ONCE(vdev->mode, VIRT_MODE_EXCLUSIVE);
		break;
	case 0:
		RCU_INIT_POINTER(port->exclusive, NULL);
		WRITE_ONCE(vdev->mode, VIRT_MODE_SHARED);
		break;
	default:
		return;
	}
	virt_egress_update(port);
}

static int virt_newlink(struct net_device *dev,
			struct rtnl_newlink_params *params,
			struct netlink_ext_ack *extack)
{
	struct virt_dev *vdev = netdev_priv(dev);
	struct nlattr **data = params->data;
	struct nlattr **tb = params->tb;
	struct net_device *lower;
	struct virt_port *port;
	struct virt_cfg *cfg;
	int err;

	if (!tb[IFLA_LINK]) {
		NL_SET_ERR_MSG_MOD(extack, "A parent device is required (link DEV)");
		return -EINVAL;
	}

	lower = __dev_get_by_index(rtnl_newlink_link_net(params),
				   nla_get_u32(tb[IFLA_LINK]));
	if (!lower) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "virt: parent device not found");
		return -ENODEV;
	}

	err = virt_check_lower(lower, tb[IFLA_LINK], extack);
	if (err)
		return err;

	if (!tb[IFLA_MTU]) {
		dev->mtu = lower->mtu;
	} else if (dev->mtu > lower->mtu) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_MTU],
				    "virt: MTU is larger than the parent's");
		return -EINVAL;
	}

	if (netif_is_virt_port(lower)) {
		port = virt_port_get_rtnl(lower);
		if (port->count >= VIRT_DEV_ID_MAX -
				   (lower->dev_id && lower->dev_id <= VIRT_DEV_ID_MAX)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
					    "virt: no dev_id left on the parent for another child");
			return -ENOSPC;
		}
		err = virt_mode_check(port, NULL, port->count, data, extack);
		if (err)
			return err;
	}

	cfg = virt_cfg_new(NULL, data, extack);
	if (IS_ERR(cfg))
		return PTR_ERR(cfg);

	if (!netif_is_virt_port(lower)) {
		port = virt_port_create(lower, extack);
		if (IS_ERR(port)) {
			kfree(cfg);
			return PTR_ERR(port);
		}
	}

	vdev->dev = dev;
	vdev->lower = lower;
	vdev->port = port;
	virt_follow_lower(dev, lower);
	dev->addr_assign_type = NET_ADDR_STOLEN;

	err = register_netdevice(dev);
	if (err)
		goto err_port;

	err = netdev_upper_dev_link(lower, dev, extack);
	if (err) {
		/* ndo_uninit undoes the rest, the port included. */
		unregister_netdevice(dev);
		kfree(cfg);
		return err;
	}
	/* Before the child can be up: rtnl_configure_link() follows. */
	rcu_assign_pointer(vdev->cfg, cfg);
	virt_mode_set(vdev, data);
	if (virt_guarded(vdev))
		netdev_update_features(dev);
	/*
	 * Children have no LRO and frames they receive may be forwarded. With
	 * LRO off now, no later feature change of the parent, which may hold
	 * its instance lock, has to turn it off from a child's update.
	 */
	dev_disable_lro(lower);

	return 0;

err_port:
	kfree(cfg);
	/*
	 * If register_netdevice() failed after ndo_init, ndo_uninit already
	 * let go of the port; otherwise a port this call created is unused.
	 */
	if (netif_is_virt_port(lower)) {
		port = virt_port_get_rtnl(lower);
		if (!port->count)
			virt_port_destroy(port);
	}
	return err;
}

/*
 * Queue a child for deletion from @net's point of view: the namespace whose
 * RTNL the caller holds, which for a parent's event may not be the child's.
 * The child leaves its port's list here, not in ndo_uninit, so that when
 * parent and children are unregistered in one batch (a group delete, a
 * dying namespace) the parent's NETDEV_UNREGISTER does not queue them again.
 */
static void virt_kill(struct net *net, struct net_device *dev,
		      struct list_head *head)
{
	struct virt_dev *vdev = netdev_priv(dev);

	virt_dev_unlist(vdev);
	netdev_upper_dev_unlink(vdev->lower, dev);
	unregister_netdevice_queue_net(net, dev, head);
}

static void virt_dellink(struct net_device *dev, struct list_head *head)
{
	struct virt_dev *vdev = netdev_priv(dev);

	/* Already queued, by its parent's deletion. */
	if (!vdev->listed)
		return;
	virt_kill(dev_net(dev), dev, head);
}

/* Whether @old and @cfg allow a child different addresses. */
static bool virt_cfg_allow_changed(const struct virt_cfg *old,
				   const struct virt_cfg *cfg)
{
	unsigned int i;

	if (virt_cfg_limits(old) != virt_cfg_limits(cfg))
		return true;
	if (!virt_cfg_limits(cfg))
		return false;
	if (old->n_prefixes != cfg->n_prefixes)
		return true;
	for (i = 0; i < cfg->n_prefixes; i++)
		if (old->prefixes[i].len != cfg->prefixes[i].len ||
		    !ipv6_addr_equal(&old->prefixes[i].ip, &cfg->prefixes[i].ip))
			return true;
	return false;
}

/*
 * Everything but the parent can change on a live child. A child in a
 * container still takes its settings from its parent's namespace: its guard
 * and colours are the host's policy, as ipvlan's mode is. A new allow list
 * applies to the addresses the child has: those it excludes are no longer
 * steered to it, those it allows again are.
 */
static int virt_changelink(struct net_device *dev, struct nlattr *tb[],
			   struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	struct virt_dev *vdev = netdev_priv(dev);
	struct virt_cfg *old, *cfg;
	int err;

	if (tb[IFLA_LINK] &&
	    nla_get_u32(tb[IFLA_LINK]) != READ_ONCE(vdev->lower->ifindex)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "virt: the parent cannot be changed");
		return -EINVAL;
	}
	if (!memchr_inv(data, 0, (IFLA_VIRT_MAX + 1) * sizeof(*data)))
		return 0;
	if (!ns_capable(dev_net(vdev->lower)->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "changing a child needs CAP_NET_ADMIN in its parent's namespace");
		return -EPERM;
	}

	err = virt_mode_check(vdev->port, vdev, vdev->port->count - 1, data,
			      extack);
	if (err)
		return err;
	old = rtnl_dereference(vdev->cfg);
	cfg = virt_cfg_new(old, data, extack);
	if (IS_ERR(cfg))
		return PTR_ERR(cfg);

	rcu_assign_pointer(vdev->cfg, cfg);
	if (virt_cfg_allow_changed(old, cfg)) {
		virt_addr_unsteer(vdev, cfg);
		virt_addr_resteer(vdev);
	}
	if (old)
		kfree_rcu(old, rcu);
	virt_mode_set(vdev, data);
	netdev_update_features(dev);
	return 0;
}

static size_t virt_get_size(const struct net_device *dev)
{
	/* Each of the guard's prefixes */
	size_t prefix = nla_total_size(0) +
			nla_total_size(sizeof(struct in6_addr)) +
			nla_total_size(sizeof(u32));

	return nla_total_size(sizeof(u32)) +	/* IFLA_VIRT_MODE */
	       nla_total_size(sizeof(u32)) +	/* IFLA_VIRT_MARK */
	       nla_total_size(sizeof(u32)) +	/* IFLA_VIRT_MASK */
	       nla_total_size(sizeof(u32)) +	/* IFLA_VIRT_PRIORITY */
	       nla_total_size(sizeof(struct nla_bitfield32)) + /* FLAGS */
	       nla_total_size(0) +		/* IFLA_VIRT_ALLOW */
	       VIRT_ALLOW_LIMIT * prefix;
}

static int virt_fill_prefixes(struct sk_buff *skb, const struct virt_cfg *cfg)
{
	const struct virt_prefix *prefix;
	struct nlattr *nest, *one;
	unsigned int i;
	int err;

	nest = nla_nest_start(skb, IFLA_VIRT_ALLOW);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; cfg && i < cfg->n_prefixes; i++) {
		prefix = &cfg->prefixes[i];
		one = nla_nest_start(skb, IFLA_VIRT_ALLOW_PREFIX);
		if (!one)
			goto cancel;
		if (ipv6_addr_v4mapped(&prefix->ip))
			err = nla_put_in_addr(skb, IFLA_VIRT_PREFIX_ADDR4,
					      prefix->ip.s6_addr32[3]) ||
			      nla_put_u32(skb, IFLA_VIRT_PREFIX_LEN,
					  prefix->len - 96);
		else
			err = nla_put_in6_addr(skb, IFLA_VIRT_PREFIX_ADDR6,
					       &prefix->ip) ||
			      nla_put_u32(skb, IFLA_VIRT_PREFIX_LEN,
					  prefix->len);
		if (err)
			goto cancel;
		nla_nest_end(skb, one);
	}
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/*
 * Every setting, so that a dump replayed as a change makes any child what
 * this one is: mark and mask 0 for no mark, an empty list for no prefixes;
 * the priority only with its flag, which the flags carry.
 * Called under RTNL; the read side of @cfg serves as well.
 */
static int virt_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	const struct virt_dev *vdev = netdev_priv(dev);
	const struct virt_cfg *cfg;
	int err = -EMSGSIZE;

	rcu_read_lock();
	cfg = rcu_dereference(vdev->cfg);
	if (nla_put_u32(skb, IFLA_VIRT_MODE, READ_ONCE(vdev->mode)) ||
	    nla_put_bitfield32(skb, IFLA_VIRT_FLAGS, cfg ? cfg->flags : 0,
			       VIRT_F_ALL) ||
	    nla_put_u32(skb, IFLA_VIRT_MARK, cfg ? cfg->mark : 0) ||
	    nla_put_u32(skb, IFLA_VIRT_MASK, cfg ? cfg->mask : 0))
		goto out;
	if (cfg && (cfg->flags & VIRT_F_PRIORITY) &&
	    nla_put_u32(skb, IFLA_VIRT_PRIORITY, cfg->priority))
		goto out;
	if (virt_fill_prefixes(skb, cfg))
		goto out;
	err = 0;
out:
	rcu_read_unlock();
	return err;
}

static struct net *virt_get_link_net(const struct net_device *dev)
{
	const struct virt_dev *vdev = netdev_priv(dev);

	return dev_net(vdev->lower);
}

static struct rtnl_link_ops virt_link_ops __read_mostly = {
	.kind		= VIRT_DRV_NAME,
	.priv_size	= sizeof(struct virt_dev),
	.maxtype	= IFLA_VIRT_MAX,
	.policy		= virt_policy,
	.setup		= virt_setup,
	.validate	= virt_validate,
	.newlink	= virt_newlink,
	.changelink	= virt_changelink,
	.dellink	= virt_dellink,
	.get_size	= virt_get_size,
	.fill_info	= virt_fill_info,
	.get_link_net	= virt_get_link_net,
};

static int virt_device_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct netlink_ext_ack *extack = netdev_notifier_info_to_extack(ptr);
	struct net_device *lower = netdev_notifier_info_to_dev(ptr);
	struct netdev_notifier_pre_changeaddr_info *prechaddr = ptr;
	struct virt_dev *vdev, *next;
	struct virt_port *port;
	LIST_HEAD(list_kill);
	int err;

	/* A child new in its namespace, by creation or by moving there. */
	if (netif_is_virt(lower)) {
		if (event == NETDEV_REGISTER) {
			vdev = netdev_priv(lower);
			virt_egress_update(vdev->port);
		}
		return NOTIFY_DONE;
	}

	if (!netif_is_virt_port(lower))
		return NOTIFY_DONE;
	port = virt_port_get_rtnl(lower);

	switch (event) {
	case NETDEV_REGISTER:
		/* The parent is now in another namespace. */
		virt_egress_update(port);
		break;
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
		/* A child that is down has no carrier; virt_open() syncs it. */
		list_for_each_entry(vdev, &port->children, list)
			if (netif_running(vdev->dev))
				netif_stacked_transfer_operstate(lower,
								 vdev->dev);
		break;
	case NETDEV_CHANGEMTU:
		/*
		 * The MTU itself changes in virt_dev_work(), from the core's
		 * deferred work, as vlan does: a parent's event should not
		 * change devices in other namespaces under it.
		 */
		list_for_each_entry(vdev, &port->children, list) {
			WRITE_ONCE(vdev->dev->max_mtu, lower->mtu);
			if (READ_ONCE(vdev->dev->mtu) > lower->mtu)
				netdev_work_sched(vdev->dev, VIRT_WORK_MTU);
		}
		break;
	case NETDEV_PRE_CHANGEADDR:
		/* Children take the new address too: they may refuse it. */
		list_for_each_entry(vdev, &port->children, list) {
			err = netif_pre_changeaddr_notify(vdev->dev,
							  prechaddr->dev_addr,
							  extack);
			if (err)
				return notifier_from_errno(err);
		}
		break;
	case NETDEV_NOTIFY_PEERS:
	case NETDEV_BONDING_FAILOVER:
	case NETDEV_RESEND_IGMP:
		/* Re-announce the children's addresses and groups too. */
		list_for_each_entry(vdev, &port->children, list)
			call_netdevice_notifiers(event, vdev->dev);
		break;
	case NETDEV_CHANGEADDR:
		list_for_each_entry(vdev, &port->children, list) {
			virt_follow_lower(vdev->dev, lower);
			call_netdevice_notifiers(NETDEV_CHANGEADDR, vdev->dev);
		}
		break;
	case NETDEV_FEAT_CHANGE:
		list_for_each_entry(vdev, &port->children, list) {
			netif_inherit_tso_max(vdev->dev, lower);
			vdev->dev->needed_headroom = lower->needed_headroom;
			vdev->dev->needed_tailroom = lower->needed_tailroom;
			netdev_update_features(vdev->dev);
		}
		break;
	case NETDEV_UNREGISTER:
		/*
		 * A parent merely changing namespace keeps its children; its
		 * hook, registered in the old one, is renewed on NETDEV_REGISTER.
		 */
		virt_egress_off(port);
		if (lower->reg_state != NETREG_UNREGISTERING)
			break;
		list_for_each_entry_safe(vdev, next, &port->children, list)
			virt_kill(dev_net(lower), vdev->dev, &list_kill);
		unregister_netdevice_many(&list_kill);
		break;
	case NETDEV_PRE_TYPE_CHANGE:
		/* Children assume an Ethernet parent. */
		return notifier_from_errno(-EBUSY);
	}
	return NOTIFY_DONE;
}

static struct notifier_block virt_device_nb = {
	.notifier_call = virt_device_event,
};

static int virt_inetaddr_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	const struct in_ifaddr *ifa = ptr;
	struct net_device *dev = ifa->ifa_dev->dev;
	struct virt_dev *vdev;
	struct in6_addr ip;

	if (!netif_is_virt(dev))
		return NOTIFY_DONE;

	vdev = netdev_priv(dev);
	switch (event) {
	case NETDEV_UP:
		/*
		 * The validator below already refused addresses in use, but
		 * it saw ifa_address, which for a point-to-point address is
		 * the peer's: the local one is checked here. The address is
		 * already on @dev, which must not count as the namespace's.
		 */
		virt_addr_steer4(vdev, ifa->ifa_local,
				 ifa->ifa_local != ifa->ifa_address);
		break;
	case NETDEV_DOWN:
		if (!virt_in_dev_has(ifa->ifa_dev, ifa->ifa_local)) {
			ipv6_addr_set_v4mapped(ifa->ifa_local, &ip);
			virt_addr_del(vdev, &ip);
		}
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block virt_inetaddr_nb = {
	.notifier_call = virt_inetaddr_event,
};

/*
 * A child's address must be its own alone: not another child's of the same
 * parent, and not one the parent's namespace receives for (the parent's own
 * among them), or a container could take the host's traffic. With the guard
 * on, it must be inside the allow list too. For a point-to-point IPv4
 * address @ip is the peer's, which the list must then cover as well; the
 * child's own is checked as it comes up.
 */
static int virt_addr_check(struct net_device *dev, const struct in6_addr *ip,
			   const char **why)
{
	struct virt_dev *vdev = netdev_priv(dev);
	const struct virt_addr *addr;
	int err = 0;

	if (!virt_addr_unicast(ip)) {
		*why = "Address is not a unicast address";
		return -EADDRINUSE;
	}
	rcu_read_lock();
	addr = virt_addr_find(vdev->port, ip);
	if (!virt_cfg_allows(virt_cfg(vdev), ip)) {
		*why = VIRT_WHY_ALLOW;
		err = -EACCES;
	} else if (addr && addr->vdev != vdev) {
		*why = VIRT_WHY_INUSE;
		err = -EADDRINUSE;
	} else if (!addr &&
		   virt_addr_is_local(dev_net(vdev->lower), ip, vdev->lower)) {
		*why = VIRT_WHY_LOCAL;
		err = -EADDRINUSE;
	}
	rcu_read_unlock();
	return err;
}

static int virt_addr_validate(struct net_device *dev, const struct in6_addr *ip,
			      struct netlink_ext_ack *extack)
{
	const char *why;
	int err;

	err = virt_addr_check(dev, ip, &why);
	if (!err)
		return NOTIFY_OK;
	/* The kernel's own (a link-local address, say) come without one. */
	if (extack)
		NL_SET_ERR_MSG_FMT_MOD(extack, "%s", why);
	else
		virt_addr_warn(dev, ip, "refused", why);
	return notifier_from_errno(err);
}

/*
 * The other way round: an address for a device that is not a child must not
 * be one a child owns on a parent in the same namespace. An IPv6 link-local
 * address is checked on the parent itself only.
 */
static int virt_host_addr_validate(struct net_device *dev,
				   const struct in6_addr *ip,
				   struct netlink_ext_ack *extack)
{
	const struct virt_addr *addr = NULL;
	struct net_device *lower;

	ASSERT_RTNL();
	if (!virt_nports)
		return NOTIFY_DONE;

	rcu_read_lock();
	if (!ipv6_addr_v4mapped(ip) &&
	    (ipv6_addr_type(ip) & IPV6_ADDR_LINKLOCAL)) {
		lower = dev;
		if (netif_is_virt_port(lower))
			addr = virt_addr_find(rcu_dereference(lower->rx_handler_data),
					      ip);
	} else {
		for_each_netdev_rcu(dev_net(dev), lower) {
			if (!netif_is_virt_port(lower))
				continue;
			addr = virt_addr_find(rcu_dereference(lower->rx_handler_data),
					      ip);
			if (addr)
				break;
		}
	}
	if (addr)
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "Address in use by %s, a virt child of %s",
				       addr->vdev->dev->name, lower->name);
	rcu_read_unlock();
	return addr ? notifier_from_errno(-EADDRINUSE) : NOTIFY_OK;
}

static int virt_inetaddr_validator_event(struct notifier_block *nb,
					 unsigned long event, void *ptr)
{
	const struct in_validator_info *ivi = ptr;
	struct net_device *dev = ivi->ivi_dev->dev;
	struct in6_addr ip;

	if (event != NETDEV_UP)
		return NOTIFY_DONE;

	ipv6_addr_set_v4mapped(ivi->ivi_addr, &ip);
	if (!netif_is_virt(dev))
		return virt_host_addr_validate(dev, &ip, ivi->extack);
	return virt_addr_validate(dev, &ip, ivi->extack);
}

static struct notifier_block virt_inetaddr_validator_nb = {
	.notifier_call = virt_inetaddr_validator_event,
};

/* IPv6 address events may come in atomic context, without RTNL. */
static int virt_inet6addr_event(struct notifier_block *nb, unsigned long event,
				void *ptr)
{
	const struct inet6_ifaddr *ifa = ptr;
	struct net_device *dev = ifa->idev->dev;
	struct virt_dev *vdev;

	if (!netif_is_virt(dev))
		return NOTIFY_DONE;

	vdev = netdev_priv(dev);
	switch (event) {
	case NETDEV_UP:
		/*
		 * SLAAC, the first temporary address and DAD retries come
		 * without the validator, and a token can make one the host's.
		 */
		virt_addr_steer6(vdev, &ifa->addr);
		break;
	case NETDEV_DOWN:
		virt_addr_del(vdev, &ifa->addr);
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block virt_inet6addr_nb = {
	.notifier_call = virt_inet6addr_event,
};

static int virt_inet6addr_validator_event(struct notifier_block *nb,
					  unsigned long event, void *ptr)
{
	const struct in6_validator_info *i6vi = ptr;
	struct net_device *dev = i6vi->i6vi_dev->dev;

	if (event != NETDEV_UP)
		return NOTIFY_DONE;
	if (!netif_is_virt(dev))
		return virt_host_addr_validate(dev, &i6vi->i6vi_addr,
					       i6vi->extack);
	return virt_addr_validate(dev, &i6vi->i6vi_addr, i6vi->extack);
}

static struct notifier_block virt_inet6addr_validator_nb = {
	.notifier_call = virt_inet6addr_validator_event,
};

static int __init virt_init_module(void)
{
	int err;

	register_inetaddr_validator_notifier(&virt_inetaddr_validator_nb);
	register_inetaddr_notifier(&virt_inetaddr_nb);
	register_inet6addr_validator_notifier(&virt_inet6addr_validator_nb);
	register_inet6addr_notifier(&virt_inet6addr_nb);

	err = register_netdevice_notifier(&virt_device_nb);
	if (err)
		goto err_inetaddr;

	err = rtnl_link_register(&virt_link_ops);
	if (err)
		goto err_device;

	return 0;

err_device:
	unregister_netdevice_notifier(&virt_device_nb);
err_inetaddr:
	unregister_inet6addr_notifier(&virt_inet6addr_nb);
	unregister_inet6addr_validator_notifier(&virt_inet6addr_validator_nb);
	unregister_inetaddr_notifier(&virt_inetaddr_nb);
	unregister_inetaddr_validator_notifier(&virt_inetaddr_validator_nb);
	return err;
}

static void __exit virt_cleanup_module(void)
{
	/* Deletes every child; the last one of a parent frees its port. */
	rtnl_link_unregister(&virt_link_ops);
	unregister_netdevice_notifier(&virt_device_nb);
	unregister_inet6addr_notifier(&virt_inet6addr_nb);
	unregister_inet6addr_validator_notifier(&virt_inet6addr_validator_nb);
	unregister_inetaddr_notifier(&virt_inetaddr_nb);
	unregister_inetaddr_validator_notifier(&virt_inetaddr_validator_nb);
}

module_init(virt_init_module);
module_exit(virt_cleanup_module);

MODULE_DESCRIPTION("Child interfaces stacked on an Ethernet device, steered by IP address");
MODULE_LICENSE("GPL");
MODULE_ALIAS_RTNL_LINK(VIRT_DRV_NAME);
/* netif_pre_changeaddr_notify(), as ipvlan and vlan use it */
MODULE_IMPORT_NS("NETDEV_INTERNAL");

#if IS_ENABLED(CONFIG_NET_VIRT_KUNIT_TEST)
#include "virt_test.c"
#endif
