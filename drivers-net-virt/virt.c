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
 * All control-path state lives in one struct virt_port per parent, reached
 * from the parent's rx_handler_data; the receive path only reads it under RCU.
 */

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/hash.h>
#include <linux/icmpv6.h>
#include <linux/idr.h>
#include <linux/if_arp.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/notifier.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/unaligned.h>
#include <net/addrconf.h>
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

/**
 * struct virt_port_stats - what the parent's rx_handler did with its frames
 * @frames: frames the handler saw
 * @steered: frames handed to the child owning their address
 * @copied: broadcast and multicast frames copied to the children
 * @syncp: for 64-bit counters on 32-bit machines
 */
struct virt_port_stats {
	u64_stats_t		frames;
	u64_stats_t		steered;
	u64_stats_t		copied;
	struct u64_stats_sync	syncp;
};

/**
 * struct virt_rx_stats - how frames reached, or failed to reach, a child
 * @unicast: frames steered to the child by its address
 * @multicast: multicast copies delivered to the child
 * @broadcast: broadcast copies delivered to the child
 * @dropped_down: frames for the child's address while it was down
 * @dropped_nomem: copies or unshares that failed for lack of memory
 * @syncp: for 64-bit counters on 32-bit machines
 */
struct virt_rx_stats {
	u64_stats_t		unicast;
	u64_stats_t		multicast;
	u64_stats_t		broadcast;
	u64_stats_t		dropped_down;
	u64_stats_t		dropped_nomem;
	struct u64_stats_sync	syncp;
};

/**
 * struct virt_port - state of one parent device
 * @lower: the parent
 * @children: the &struct virt_dev stacked on @lower; changed under RTNL
 * @addr_lock: serialises changes to @addrs
 * @addrs: &struct virt_addr by IP address; read under RCU on receive
 * @dev_ids: the children's dev_id values, which make their EUI-64 interface
 *	identifiers (and so their IPv6 link-local addresses) differ from the
 *	parent's and from each other's although all share one MAC address
 * @stats: per-CPU &struct virt_port_stats
 *
 * Registered as @lower's rx_handler_data while at least one child exists.
 */
struct virt_port {
	struct net_device	*lower;
	struct list_head	children;
	spinlock_t		addr_lock;	/* serialises @addrs writers */
	struct hlist_head	addrs[1 << VIRT_HASH_BITS];
	struct ida		dev_ids;
	struct virt_port_stats __percpu *stats;
};

/**
 * struct virt_dev - private data of a child device
 * @dev: the child
 * @lower: the parent, which the transmit path hands frames to
 * @port: @lower's port
 * @list: entry in &virt_port.children
 * @lower_tracker: tracks the reference held on @lower
 * @rx_stats: per-CPU &struct virt_rx_stats, for ethtool -S
 */
struct virt_dev {
	struct net_device	*dev;
	struct net_device	*lower;
	struct virt_port	*port;
	struct list_head	list;
	netdevice_tracker	lower_tracker;
	struct virt_rx_stats __percpu *rx_stats;
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

static bool netif_is_virt(const struct net_device *dev)
{
	return dev->netdev_ops == &virt_netdev_ops;
}

/* Bump one counter of this CPU's copy of a per-CPU stats struct. */
static void virt_count(struct u64_stats_sync *syncp, u64_stats_t *counter)
{
	u64_stats_update_begin(syncp);
	u64_stats_inc(counter);
	u64_stats_update_end(syncp);
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

/* The target of a neighbour solicitation or advertisement, if it is one. */
static bool virt_ndisc_target(struct sk_buff *skb, struct in6_addr *target)
{
	const struct icmp6hdr *icmp6h;
	const struct ipv6hdr *ip6h;

	/* Neighbour discovery never carries extension headers. */
	if (ipv6_hdr(skb)->nexthdr != IPPROTO_ICMPV6 ||
	    !pskb_may_pull(skb, sizeof(*ip6h) + sizeof(struct nd_msg)))
		return false;

	ip6h = ipv6_hdr(skb);
	icmp6h = (const struct icmp6hdr *)(ip6h + 1);
	if (icmp6h->icmp6_type != NDISC_NEIGHBOUR_SOLICITATION &&
	    icmp6h->icmp6_type != NDISC_NEIGHBOUR_ADVERTISEMENT)
		return false;

	*target = ((const struct nd_msg *)icmp6h)->target;
	return true;
}

/* Which child owns the destination of this frame, if any? */
static struct virt_dev *virt_rx_owner(struct virt_port *port,
				      struct sk_buff *skb)
{
	const struct virt_addr *addr;
	const struct ipv6hdr *ip6h;
	const struct arphdr *arp;
	struct in6_addr ip;
	const u8 *tip;

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		if (unlikely(!pskb_may_pull(skb, sizeof(struct iphdr))))
			return NULL;
		ipv6_addr_set_v4mapped(ip_hdr(skb)->daddr, &ip);
		break;
	case htons(ETH_P_ARP):
		/* Requests and replies alike: the target is the owner. */
		if (unlikely(!pskb_may_pull(skb, arp_hdr_len(skb->dev))))
			return NULL;
		arp = arp_hdr(skb);
		if (arp->ar_hrd != htons(ARPHRD_ETHER) ||
		    arp->ar_pro != htons(ETH_P_IP) ||
		    arp->ar_hln != ETH_ALEN || arp->ar_pln != sizeof(__be32))
			return NULL;
		/* sha, sip, tha, then tip */
		tip = (const u8 *)(arp + 1) + 2 * ETH_ALEN + sizeof(__be32);
		ipv6_addr_set_v4mapped(get_unaligned((const __be32 *)tip), &ip);
		break;
	case htons(ETH_P_IPV6):
		if (unlikely(!pskb_may_pull(skb, sizeof(*ip6h))))
			return NULL;
		ip6h = ipv6_hdr(skb);
		if (!ipv6_addr_is_multicast(&ip6h->daddr)) {
			ip = ip6h->daddr;
			break;
		}
		/*
		 * Multicast neighbour discovery about a child's address (DAD
		 * and address resolution solicitations, advertisements that
		 * would reveal a duplicate) belongs to that child alone.
		 */
		if (!virt_ndisc_target(skb, &ip))
			return NULL;
		break;
	default:
		return NULL;
	}

	/* IPv4-mapped keys are IPv4's; on the wire they name nobody. */
	if (skb->protocol == htons(ETH_P_IPV6) && ipv6_addr_v4mapped(&ip))
		return NULL;

	addr = virt_addr_find(port, &ip);
	return addr ? addr->vdev : NULL;
}

/*
 * A frame changing namespace must not carry the other namespace's state
 * (mark, conntrack, dst, timestamps); pkt_type is kept for the receiver.
 */
static void virt_scrub(struct sk_buff *skb, const struct net_device *from,
		       const struct net_device *to)
{
	u8 pkt_type = skb->pkt_type;

	if (net_eq(dev_net(from), dev_net(to)))
		return;
	skb_scrub_packet(skb, true);
	skb->pkt_type = pkt_type;
}

/* A copy of a broadcast or multicast frame for every child that is up. */
static void virt_multicast(struct virt_port *port, struct sk_buff *skb)
{
	struct virt_rx_stats *rs;
	struct virt_dev *vdev;
	struct sk_buff *nskb;

	list_for_each_entry_rcu(vdev, &port->children, list) {
		if (!netif_running(vdev->dev))
			continue;

		rs = this_cpu_ptr(vdev->rx_stats);
		nskb = skb_clone(skb, GFP_ATOMIC);
		if (unlikely(!nskb)) {
			dev_core_stats_rx_dropped_inc(vdev->dev);
			virt_count(&rs->syncp, &rs->dropped_nomem);
			continue;
		}
		virt_count(&rs->syncp, skb->pkt_type == PACKET_BROADCAST ?
				       &rs->broadcast : &rs->multicast);
		virt_scrub(nskb, port->lower, vdev->dev);
		nskb->dev = vdev->dev;
		dev_sw_netstats_rx_add(vdev->dev, nskb->len + ETH_HLEN);
		netif_rx(nskb);
	}
}

static rx_handler_result_t virt_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct virt_port_stats *ps;
	struct virt_rx_stats *rs;
	struct virt_port *port;
	struct virt_dev *vdev;
	struct net_device *dev;

	/* The parent's own multicast, looped back: it is the parent's. */
	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;

	port = rcu_dereference(skb->dev->rx_handler_data);
	ps = this_cpu_ptr(port->stats);
	virt_count(&ps->syncp, &ps->frames);
	vdev = virt_rx_owner(port, skb);
	if (!vdev) {
		/*
		 * ARP not about a child is the parent's alone: a child in the
		 * parent's namespace would answer for the parent's addresses.
		 */
		if ((skb->pkt_type == PACKET_BROADCAST ||
		     skb->pkt_type == PACKET_MULTICAST) &&
		    skb->protocol != htons(ETH_P_ARP)) {
			virt_count(&ps->syncp, &ps->copied);
			virt_multicast(port, skb);
		}
		return RX_HANDLER_PASS;
	}

	virt_count(&ps->syncp, &ps->steered);
	rs = this_cpu_ptr(vdev->rx_stats);

	dev = vdev->dev;
	/*
	 * The address is the child's even while it is down: passing the frame
	 * to the parent instead would answer for an address it does not own.
	 */
	if (unlikely(!netif_running(dev))) {
		dev_core_stats_rx_dropped_inc(dev);
		virt_count(&rs->syncp, &rs->dropped_down);
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_READY);
		return RX_HANDLER_CONSUMED;
	}

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (unlikely(!skb)) {
		dev_core_stats_rx_dropped_inc(dev);
		virt_count(&rs->syncp, &rs->dropped_nomem);
		return RX_HANDLER_CONSUMED;
	}
	virt_count(&rs->syncp, &rs->unicast);

	virt_scrub(skb, port->lower, dev);
	skb->dev = dev;
	dev_sw_netstats_rx_add(dev, skb->len + ETH_HLEN);
	*pskb = skb;
	return RX_HANDLER_ANOTHER;
}

static netdev_tx_t virt_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	const struct virt_dev *vdev = netdev_priv(dev);
	unsigned int len = skb->len;

	virt_scrub(skb, dev, vdev->lower);
	skb->dev = vdev->lower;
	if (likely(dev_xmit_complete(dev_queue_xmit(skb))))
		dev_sw_netstats_tx_add(dev, 1, len);
	else
		dev_core_stats_tx_dropped_inc(dev);
	return NETDEV_TX_OK;
}

/* Adding an address @vdev already owns is a no-op. */
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
	if (!addr) {
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

/* Forget whatever @vdev still owns; its address lists are gone by now. */
static void virt_addr_flush(struct virt_dev *vdev)
{
	struct virt_port *port = vdev->port;
	struct virt_addr *addr;
	struct hlist_node *n;
	unsigned int i;

	spin_lock_bh(&port->addr_lock);
	for (i = 0; i < ARRAY_SIZE(port->addrs); i++) {
		hlist_for_each_entry_safe(addr, n, &port->addrs[i], hnode) {
			if (addr->vdev != vdev)
				continue;
			hlist_del_rcu(&addr->hnode);
			kfree_rcu(addr, rcu);
		}
	}
	spin_unlock_bh(&port->addr_lock);
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

	port->stats = netdev_alloc_pcpu_stats(struct virt_port_stats);
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
	return port;
}

static void virt_port_destroy(struct virt_port *port)
{
	/* Waits for every reader of the port that the rx_handler started. */
	netdev_rx_handler_unregister(port->lower);
	ida_destroy(&port->dev_ids);
	free_percpu(port->stats);
	kfree(port);
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
	return features;
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

	dev->features = (lower->features & VIRT_FEATURES) | VIRT_ALWAYS_ON;
	dev->hw_features = VIRT_FEATURES | VIRT_ALWAYS_ON;
	dev->vlan_features = (lower->vlan_features & VIRT_FEATURES) |
			     VIRT_ALWAYS_ON;
	dev->hw_enc_features |= dev->features;
	netif_inherit_tso_max(dev, lower);
	dev->hard_header_len = lower->hard_header_len;
	dev->needed_headroom = lower->needed_headroom;
	dev->needed_tailroom = lower->needed_tailroom;
	netdev_lockdep_set_classes(dev);

	vdev->rx_stats = netdev_alloc_pcpu_stats(struct virt_rx_stats);
	if (!vdev->rx_stats)
		return -ENOMEM;

	/* 0xfffe is what EUI-64 puts in an identifier without dev_id. */
	id = ida_alloc_range(&vdev->port->dev_ids, 1, 0xfffd, GFP_KERNEL);
	if (id < 0)
		goto err_stats;
	dev->dev_id = id;

	netdev_hold(lower, &vdev->lower_tracker, GFP_KERNEL);
	list_add_tail_rcu(&vdev->list, &vdev->port->children);
	return 0;

err_stats:
	free_percpu(vdev->rx_stats);
	return id;
}

static void virt_dev_uninit(struct net_device *dev)
{
	struct virt_dev *vdev = netdev_priv(dev);
	struct virt_port *port = vdev->port;

	virt_addr_flush(vdev);
	list_del_rcu(&vdev->list);
	/*
	 * The receive path finds children through the address table and the
	 * list; after this no reader holds @vdev, so what it touches can go.
	 */
	synchronize_net();
	free_percpu(vdev->rx_stats);
	ida_free(&port->dev_ids, dev->dev_id);
	if (list_empty(&port->children))
		virt_port_destroy(port);
	netdev_put(vdev->lower, &vdev->lower_tracker);
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

static const char virt_rx_stats_names[][ETH_GSTRING_LEN] = {
	"rx_unicast",
	"rx_multicast",
	"rx_broadcast",
	"rx_dropped_down",
	"rx_dropped_nomem",
};

static const char virt_port_stats_names[][ETH_GSTRING_LEN] = {
	"port_rx_frames",
	"port_rx_steered",
	"port_rx_copied",
};

/*
 * The port's counters describe the parent's traffic: they are shown only
 * in the parent's own namespace, never to a container holding a child.
 */
static bool virt_ethtool_show_port(const struct net_device *dev)
{
	const struct virt_dev *vdev = netdev_priv(dev);

	return net_eq(dev_net(dev), dev_net(vdev->lower));
}

static int virt_ethtool_get_sset_count(struct net_device *dev, int sset)
{
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return ARRAY_SIZE(virt_rx_stats_names) +
	       (virt_ethtool_show_port(dev) ? ARRAY_SIZE(virt_port_stats_names) : 0);
}

static void virt_ethtool_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	unsigned int i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < ARRAY_SIZE(virt_rx_stats_names); i++)
		ethtool_puts(&buf, virt_rx_stats_names[i]);
	if (!virt_ethtool_show_port(dev))
		return;
	for (i = 0; i < ARRAY_SIZE(virt_port_stats_names); i++)
		ethtool_puts(&buf, virt_port_stats_names[i]);
}

static void virt_ethtool_get_stats(struct net_device *dev,
				   struct ethtool_stats *stats, u64 *data)
{
	const struct virt_dev *vdev = netdev_priv(dev);
	unsigned int start;
	int cpu;

	memset(data, 0, virt_ethtool_get_sset_count(dev, ETH_SS_STATS) *
			sizeof(*data));
	for_each_possible_cpu(cpu) {
		const struct virt_rx_stats *s = per_cpu_ptr(vdev->rx_stats, cpu);
		u64 v[ARRAY_SIZE(virt_rx_stats_names)];

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			v[0] = u64_stats_read(&s->unicast);
			v[1] = u64_stats_read(&s->multicast);
			v[2] = u64_stats_read(&s->broadcast);
			v[3] = u64_stats_read(&s->dropped_down);
			v[4] = u64_stats_read(&s->dropped_nomem);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		data[0] += v[0];
		data[1] += v[1];
		data[2] += v[2];
		data[3] += v[3];
		data[4] += v[4];
	}

	if (!virt_ethtool_show_port(dev))
		return;
	data += ARRAY_SIZE(virt_rx_stats_names);
	for_each_possible_cpu(cpu) {
		const struct virt_port_stats *s = per_cpu_ptr(vdev->port->stats,
							      cpu);
		u64 v[ARRAY_SIZE(virt_port_stats_names)];

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			v[0] = u64_stats_read(&s->frames);
			v[1] = u64_stats_read(&s->steered);
			v[2] = u64_stats_read(&s->copied);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		data[0] += v[0];
		data[1] += v[1];
		data[2] += v[2];
	}
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
	dev->lltx = true;
	dev->needs_free_netdev = true;
	dev->netdev_ops = &virt_netdev_ops;
	dev->ethtool_ops = &virt_ethtool_ops;
	/* No carrier until opened; see virt_open(). */
	netif_carrier_off(dev);
}

/* Children follow their parent; the notifier below keeps them in step. */
static void virt_follow_lower(struct net_device *dev,
			      const struct net_device *lower)
{
	dev->max_mtu = lower->mtu;
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

static int virt_validate(struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
				    "virt: a child always uses its parent's MAC address");
		return -EINVAL;
	}
	return 0;
}

static int virt_newlink(struct net_device *dev,
			struct rtnl_newlink_params *params,
			struct netlink_ext_ack *extack)
{
	struct virt_dev *vdev = netdev_priv(dev);
	struct nlattr **tb = params->tb;
	struct net_device *lower;
	struct virt_port *port;
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
	} else {
		port = virt_port_create(lower, extack);
		if (IS_ERR(port))
			return PTR_ERR(port);
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
		return err;
	}

	return 0;

err_port:
	/*
	 * If register_netdevice() failed after ndo_init, ndo_uninit already
	 * let go of the port; otherwise a port this call created is unused.
	 */
	if (netif_is_virt_port(lower)) {
		port = virt_port_get_rtnl(lower);
		if (list_empty(&port->children))
			virt_port_destroy(port);
	}
	return err;
}

static void virt_dellink(struct net_device *dev, struct list_head *head)
{
	struct virt_dev *vdev = netdev_priv(dev);

	netdev_upper_dev_unlink(vdev->lower, dev);
	unregister_netdevice_queue(dev, head);
}

static struct net *virt_get_link_net(const struct net_device *dev)
{
	const struct virt_dev *vdev = netdev_priv(dev);

	return dev_net(vdev->lower);
}

static struct rtnl_link_ops virt_link_ops __read_mostly = {
	.kind		= VIRT_DRV_NAME,
	.priv_size	= sizeof(struct virt_dev),
	.setup		= virt_setup,
	.validate	= virt_validate,
	.newlink	= virt_newlink,
	.dellink	= virt_dellink,
	.get_link_net	= virt_get_link_net,
};

static int virt_device_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *lower = netdev_notifier_info_to_dev(ptr);
	struct virt_dev *vdev, *next;
	struct virt_port *port;
	LIST_HEAD(list_kill);

	if (!netif_is_virt_port(lower))
		return NOTIFY_DONE;
	port = virt_port_get_rtnl(lower);

	switch (event) {
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
		list_for_each_entry(vdev, &port->children, list) {
			vdev->dev->max_mtu = lower->mtu;
			if (vdev->dev->mtu > lower->mtu)
				dev_set_mtu(vdev->dev, lower->mtu);
		}
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
		/* A parent merely changing namespace keeps its children. */
		if (lower->reg_state != NETREG_UNREGISTERING)
			break;
		list_for_each_entry_safe(vdev, next, &port->children, list)
			virt_dellink(vdev->dev, &list_kill);
		unregister_netdevice_many(&list_kill);
		break;
	case NETDEV_PRE_TYPE_CHANGE:
		/* Children assume an Ethernet parent. */
		return NOTIFY_BAD;
	}
	return NOTIFY_DONE;
}

static struct notifier_block virt_device_nb = {
	.notifier_call = virt_device_event,
};

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

static int virt_inetaddr_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	const struct in_ifaddr *ifa = ptr;
	struct net_device *dev = ifa->ifa_dev->dev;
	struct virt_dev *vdev;
	struct in6_addr ip;
	int err;

	if (!netif_is_virt(dev))
		return NOTIFY_DONE;

	vdev = netdev_priv(dev);
	ipv6_addr_set_v4mapped(ifa->ifa_local, &ip);
	switch (event) {
	case NETDEV_UP:
		/* The validator below already refused addresses in use. */
		err = virt_addr_add(vdev, &ip, GFP_KERNEL);
		if (err)
			netdev_warn(dev, "%pI4 not steered to this device: %d\n",
				    &ifa->ifa_local, err);
		break;
	case NETDEV_DOWN:
		if (!virt_in_dev_has(ifa->ifa_dev, ifa->ifa_local))
			virt_addr_del(vdev, &ip);
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block virt_inetaddr_nb = {
	.notifier_call = virt_inetaddr_event,
};

/* Refuse an address that another child of the same parent owns. */
static int virt_addr_validate(struct net_device *dev, const struct in6_addr *ip,
			      struct netlink_ext_ack *extack)
{
	struct virt_dev *vdev = netdev_priv(dev);
	const struct virt_addr *addr;
	bool taken;

	rcu_read_lock();
	addr = virt_addr_find(vdev->port, ip);
	taken = addr && addr->vdev != vdev;
	rcu_read_unlock();
	if (!taken)
		return NOTIFY_OK;

	NL_SET_ERR_MSG_MOD(extack, "Address in use by another child of this parent");
	return notifier_from_errno(-EADDRINUSE);
}

static int virt_inetaddr_validator_event(struct notifier_block *nb,
					 unsigned long event, void *ptr)
{
	const struct in_validator_info *ivi = ptr;
	struct net_device *dev = ivi->ivi_dev->dev;
	struct in6_addr ip;

	if (event != NETDEV_UP || !netif_is_virt(dev))
		return NOTIFY_DONE;

	ipv6_addr_set_v4mapped(ivi->ivi_addr, &ip);
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
	int err;

	if (!netif_is_virt(dev))
		return NOTIFY_DONE;

	vdev = netdev_priv(dev);
	switch (event) {
	case NETDEV_UP:
		err = virt_addr_add(vdev, &ifa->addr, GFP_ATOMIC);
		if (err)
			netdev_warn(dev, "%pI6c not steered to this device: %d\n",
				    &ifa->addr, err);
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

	if (event != NETDEV_UP || !netif_is_virt(dev))
		return NOTIFY_DONE;

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
