// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for virt's address table, for what a received frame keeps on
 * its way into a child's namespace, for how the parent's egress hook
 * recognises a child's frame, for the source guard and for how settings
 * combine, included by virt.c when
 * CONFIG_NET_VIRT_KUNIT_TEST is set: they need its static functions.
 */

#include <kunit/test.h>

/* A port with only what the address table uses, and two owners. */
struct virt_test_ctx {
	struct virt_port	port;
	struct virt_dev		a;
	struct virt_dev		b;
};

static int virt_test_init(struct kunit *test)
{
	struct virt_test_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	spin_lock_init(&ctx->port.addr_lock);
	INIT_LIST_HEAD(&ctx->port.children);
	ctx->a.port = &ctx->port;
	ctx->b.port = &ctx->port;
	test->priv = ctx;
	return 0;
}

static void virt_test_exit(struct kunit *test)
{
	struct virt_test_ctx *ctx = test->priv;

	/* Called after a failed init too. */
	if (!ctx)
		return;
	/* The entries go with kfree_rcu(); they do not point at the port. */
	virt_addr_flush(&ctx->a);
	virt_addr_flush(&ctx->b);
}

static struct in6_addr virt_test_v4(u32 host)
{
	struct in6_addr ip;

	/* 198.18.0.0/15, the benchmarking range */
	ipv6_addr_set_v4mapped(htonl(0xc6120000 | (host & 0x1ffff)), &ip);
	return ip;
}

static struct in6_addr virt_test_v6(u32 host)
{
	struct in6_addr ip = {};

	/* 2001:db8::/32, the documentation prefix */
	ip.s6_addr32[0] = htonl(0x20010db8);
	ip.s6_addr32[3] = htonl(host);
	return ip;
}

/* The owner of @ip, looked up as the receive path does. */
static struct virt_dev *virt_test_owner(struct virt_test_ctx *ctx,
					const struct in6_addr *ip)
{
	const struct virt_addr *addr;
	struct virt_dev *owner;

	rcu_read_lock();
	addr = virt_addr_find(&ctx->port, ip);
	owner = addr ? addr->vdev : NULL;
	rcu_read_unlock();
	return owner;
}

static void virt_test_add_del(struct kunit *test)
{
	struct virt_test_ctx *ctx = test->priv;
	struct in6_addr ip = virt_test_v4(1);

	KUNIT_EXPECT_PTR_EQ(test, virt_test_owner(ctx, &ip), NULL);
	KUNIT_EXPECT_EQ(test, virt_addr_add(&ctx->a, &ip, GFP_KERNEL), 0);
	KUNIT_EXPECT_PTR_EQ(test, virt_test_owner(ctx, &ip), &ctx->a);
	virt_addr_del(&ctx->a, &ip);
	KUNIT_EXPECT_PTR_EQ(test, virt_test_owner(ctx, &ip), NULL);
}

/* Adding an address its owner has is a no-op; one delete removes it. */
static void virt_test_add_twice(struct kunit *test)
{
	struct virt_test_ctx *ctx = test->priv;
	struct in6_addr ip = virt_test_v6(1);

	KUNIT_EXPECT_EQ(test, virt_addr_add(&ctx->a, &ip, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, virt_addr_add(&ctx->a, &ip, GFP_KERNEL), 0);
	virt_addr_del(&ctx->a, &ip);
	KUNIT_EXPECT_PTR_EQ(test, virt_test_owner(ctx, &ip), NULL);
}

/* A second owner is refused, and cannot delete the first one's entry. */
static void virt_test_collision(struct kunit *test)
{
	struct virt_test_ctx *ctx = test->priv;
	struct in6_addr ip = virt_test_v4(2);

	KUNIT_EXPECT_EQ(test, virt_addr_add(&ctx->a, &ip, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, virt_addr_add(&ctx->b, &ip, GFP_KERNEL),
			-EADDRINUSE);
	virt_addr_del(&ctx->b, &ip);
	KUNIT_EXPECT_PTR_EQ(test, virt_test_owner(ctx, &ip), &ctx->a);
}

/*
 * IPv4 addresses are kept IPv4-mapped: the same bits as an IPv4 address
 * are one key, an IPv6 address with the same low 32 bits another.
 */
static void virt_test_v4_mapped(struct kunit *test)
{
	struct virt_test_ctx *ctx = test->priv;
	struct in6_addr v4 = virt_test_v4(3), v6 = virt_test_v6(0xc6120003);

	KUNIT_EXPECT_EQ(test, virt_addr_add(&ctx->a, &v4, GFP_KERNEL), 0);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_v4mapped(&v4));
	KUNIT_EXPECT_PTR_EQ(test, virt_test_owner(ctx, &v6), NULL);
	KUNIT_EXPECT_EQ(test, virt_addr_add(&ctx->b, &v6, GFP_KERNEL), 0);
	KUNIT_EXPECT_PTR_EQ(test, virt_test_owner(ctx, &v4), &ctx->a);
	KUNIT_EXPECT_PTR_EQ(test, virt_test_owner(ctx, &v6), &ctx->b);
}

/* More addresses than buckets: every one stays findable, in both families. */
static void virt_test_many(struct kunit *test)
{
	struct virt_test_ctx *ctx = test->priv;
	struct in6_addr ip;
	unsigned int i, n = 4 << VIRT_HASH_BITS;

	for (i = 0; i < n; i++) {
		ip = virt_test_v4(i);
		KUNIT_ASSERT_EQ(test, virt_addr_add(&ctx->a, &ip, GFP_KERNEL), 0);
		ip = virt_test_v6(i);
		KUNIT_ASSERT_EQ(test, virt_addr_add(&ctx->b, &ip, GFP_KERNEL), 0);
	}
	for (i = 0; i < n; i++) {
		ip = virt_test_v4(i);
		KUNIT_EXPECT_PTR_EQ(test, virt_test_owner(ctx, &ip), &ctx->a);
		ip = virt_test_v6(i);
		KUNIT_EXPECT_PTR_EQ(test, virt_test_owner(ctx, &ip), &ctx->b);
	}
}

/* Flushing one owner leaves the other's addresses alone. */
static void virt_test_flush(struct kunit *test)
{
	struct virt_test_ctx *ctx = test->priv;
	struct in6_addr ip;
	unsigned int i;

	for (i = 0; i < 300; i++) {
		ip = virt_test_v4(i);
		KUNIT_ASSERT_EQ(test,
				virt_addr_add(i % 3 ? &ctx->a : &ctx->b, &ip,
					      GFP_KERNEL), 0);
	}
	virt_addr_flush(&ctx->a);
	for (i = 0; i < 300; i++) {
		ip = virt_test_v4(i);
		KUNIT_EXPECT_PTR_EQ(test, virt_test_owner(ctx, &ip),
				    i % 3 ? NULL : &ctx->b);
	}
}

/*
 * With the guard on, an allow list keeps an owner from adding an address
 * outside it, a sibling's say; applied to addresses it has, it forgets
 * those outside and keeps the rest. With the guard off it does nothing.
 */
static void virt_test_allow(struct kunit *test)
{
	struct virt_test_ctx *ctx = test->priv;
	struct in6_addr in = virt_test_v4(1), out = virt_test_v4(2);
	struct in6_addr v6 = virt_test_v6(1);
	struct virt_cfg *cfg;

	cfg = kunit_kzalloc(test, struct_size(cfg, prefixes, 1), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cfg);
	cfg->n_prefixes = 1;
	cfg->prefixes[0].ip = in;
	cfg->prefixes[0].len = 128;
	RCU_INIT_POINTER(ctx->a.cfg, cfg);
	KUNIT_EXPECT_EQ(test, virt_addr_add(&ctx->a, &out, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, virt_addr_add(&ctx->a, &in, GFP_KERNEL), 0);
	virt_addr_unsteer(&ctx->a, cfg);
	KUNIT_EXPECT_PTR_EQ(test, virt_test_owner(ctx, &out), &ctx->a);

	cfg->flags = VIRT_F_GUARD;
	virt_addr_unsteer(&ctx->a, cfg);
	KUNIT_EXPECT_PTR_EQ(test, virt_test_owner(ctx, &in), &ctx->a);
	KUNIT_EXPECT_PTR_EQ(test, virt_test_owner(ctx, &out), NULL);
	KUNIT_EXPECT_EQ(test, virt_addr_add(&ctx->a, &out, GFP_KERNEL),
			-EACCES);
	/* The list has no IPv6 prefix, so it allows no IPv6 address. */
	KUNIT_EXPECT_EQ(test, virt_addr_add(&ctx->a, &v6, GFP_KERNEL),
			-EACCES);
	KUNIT_EXPECT_EQ(test, virt_addr_add(&ctx->b, &out, GFP_KERNEL), 0);
	KUNIT_EXPECT_PTR_EQ(test, virt_test_owner(ctx, &out), &ctx->b);
	RCU_INIT_POINTER(ctx->a.cfg, NULL);
}

static struct kunit_case virt_addr_test_cases[] = {
	KUNIT_CASE(virt_test_add_del),
	KUNIT_CASE(virt_test_add_twice),
	KUNIT_CASE(virt_test_collision),
	KUNIT_CASE(virt_test_v4_mapped),
	KUNIT_CASE(virt_test_many),
	KUNIT_CASE(virt_test_flush),
	KUNIT_CASE(virt_test_allow),
	{}
};

static struct kunit_suite virt_addr_test_suite = {
	.name		= "virt_addr_table",
	.init		= virt_test_init,
	.exit		= virt_test_exit,
	.test_cases	= virt_addr_test_cases,
};

kunit_test_suite(virt_addr_test_suite);

/*
 * What a received frame keeps and loses on its way to a child. The devices
 * are never registered, and the child's namespace is only an address:
 * virt_scrub_rx() compares namespaces and never follows them.
 */
struct virt_scrub_test_ctx {
	struct net_device	*parent;
	struct net_device	*child;
	struct sk_buff		*skb;
};

static int virt_scrub_test_init(struct kunit *test)
{
	struct virt_scrub_test_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	ctx->parent = kunit_kzalloc(test, sizeof(*ctx->parent), GFP_KERNEL);
	ctx->child = kunit_kzalloc(test, sizeof(*ctx->child), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->parent);
	KUNIT_ASSERT_NOT_NULL(test, ctx->child);
	dev_net_set(ctx->parent, &init_net);
	dev_net_set(ctx->child, &init_net);

	ctx->skb = alloc_skb(ETH_HLEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->skb);
	ctx->skb->dev = ctx->parent;
	ctx->skb->pkt_type = PACKET_BROADCAST;
	ctx->skb->tstamp = ktime_set(1000, 1);
	ctx->skb->mark = 0x2a;
	ctx->skb->priority = 6;
#ifdef CONFIG_NETWORK_SECMARK
	ctx->skb->secmark = 7;
#endif
	return 0;
}

static void virt_scrub_test_exit(struct kunit *test)
{
	struct virt_scrub_test_ctx *ctx = test->priv;

	/* Called after a failed init too. */
	if (!ctx || !ctx->skb)
		return;
	ctx->skb->dev = NULL;
	consume_skb(ctx->skb);
}

/* Into another namespace: the parent's mark goes, the timestamp stays. */
static void virt_scrub_test_other_netns(struct kunit *test)
{
	struct virt_scrub_test_ctx *ctx = test->priv;
	struct sk_buff *skb = ctx->skb;

	if (!IS_ENABLED(CONFIG_NET_NS))
		kunit_skip(test, "needs CONFIG_NET_NS");
	/* Compared by address only, never dereferenced. */
	dev_net_set(ctx->child, (struct net *)ctx);

	virt_scrub_rx(skb, ctx->child);
	KUNIT_EXPECT_EQ(test, ktime_to_ns(skb->tstamp),
			ktime_to_ns(ktime_set(1000, 1)));
	KUNIT_EXPECT_TRUE(test, skb->pkt_type == PACKET_BROADCAST);
	KUNIT_EXPECT_EQ(test, skb->priority, 6);
	KUNIT_EXPECT_EQ(test, skb->mark, 0);
#ifdef CONFIG_NETWORK_SECMARK
	KUNIT_EXPECT_EQ(test, skb->secmark, 0);
#endif
}

/* In the parent's namespace nothing changes. */
static void virt_scrub_test_same_netns(struct kunit *test)
{
	struct virt_scrub_test_ctx *ctx = test->priv;
	struct sk_buff *skb = ctx->skb;

	virt_scrub_rx(skb, ctx->child);
	KUNIT_EXPECT_EQ(test, ktime_to_ns(skb->tstamp),
			ktime_to_ns(ktime_set(1000, 1)));
	KUNIT_EXPECT_EQ(test, skb->mark, 0x2a);
#ifdef CONFIG_NETWORK_SECMARK
	KUNIT_EXPECT_EQ(test, skb->secmark, 7);
#endif
}

static struct kunit_case virt_scrub_test_cases[] = {
	KUNIT_CASE(virt_scrub_test_other_netns),
	KUNIT_CASE(virt_scrub_test_same_netns),
	{}
};

static struct kunit_suite virt_scrub_test_suite = {
	.name		= "virt_rx_scrub",
	.init		= virt_scrub_test_init,
	.exit		= virt_scrub_test_exit,
	.test_cases	= virt_scrub_test_cases,
};

kunit_test_suite(virt_scrub_test_suite);

#ifdef CONFIG_NETFILTER_EGRESS
/*
 * Frames and ports are only compared by address here, never dereferenced.
 * The list's lock wants BH disabled, as in virt_start_xmit() and the hook.
 * Inside those sections the tests only record what they see: a failed
 * expectation allocates its report with GFP_KERNEL.
 */
struct virt_tx_test_ctx {
	struct sk_buff		skb[2];
	struct virt_port	port[2];
};

static int virt_tx_test_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct virt_tx_test_ctx),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, test->priv);
	return 0;
}

/*
 * Under PREEMPT_RT a second transmission may start on this CPU while the
 * first is preempted before its parent's hook, and either may finish first:
 * each frame must still be recognised, as its own. (One per-CPU slot, as
 * virt had, forgets the first frame here.) These run in one task: they test
 * the bookkeeping, not a preempted kernel.
 */
static void virt_tx_test_interleaved(struct kunit *test)
{
	struct virt_tx_test_ctx *ctx = test->priv;
	struct virt_tx a, b;
	bool seen[2];

	local_bh_disable();
	virt_tx_begin(&a, &ctx->port[0], &ctx->skb[0]);
	virt_tx_begin(&b, &ctx->port[0], &ctx->skb[1]);
	seen[1] = virt_tx_is_child(&ctx->port[0], &ctx->skb[1]);
	virt_tx_end(&b);
	seen[0] = virt_tx_is_child(&ctx->port[0], &ctx->skb[0]);
	virt_tx_end(&a);
	local_bh_enable();
	KUNIT_EXPECT_TRUE(test, seen[1]);
	KUNIT_EXPECT_TRUE(test, seen[0]);
}

static void virt_tx_test_out_of_order(struct kunit *test)
{
	struct virt_tx_test_ctx *ctx = test->priv;
	struct virt_tx a, b;
	bool seen[2], again[2];

	local_bh_disable();
	virt_tx_begin(&a, &ctx->port[0], &ctx->skb[0]);
	virt_tx_begin(&b, &ctx->port[0], &ctx->skb[1]);
	seen[0] = virt_tx_is_child(&ctx->port[0], &ctx->skb[0]);
	virt_tx_end(&a);
	seen[1] = virt_tx_is_child(&ctx->port[0], &ctx->skb[1]);
	virt_tx_end(&b);
	again[0] = virt_tx_is_child(&ctx->port[0], &ctx->skb[0]);
	again[1] = virt_tx_is_child(&ctx->port[0], &ctx->skb[1]);
	local_bh_enable();
	KUNIT_EXPECT_TRUE(test, seen[0]);
	KUNIT_EXPECT_TRUE(test, seen[1]);
	KUNIT_EXPECT_FALSE(test, again[0]);
	KUNIT_EXPECT_FALSE(test, again[1]);
}

/* A frame passes as the child's once, at its own port's hook only. */
static void virt_tx_test_once_per_port(struct kunit *test)
{
	struct virt_tx_test_ctx *ctx = test->priv;
	bool other_port, other_skb, own, twice;
	struct virt_tx a;

	local_bh_disable();
	virt_tx_begin(&a, &ctx->port[0], &ctx->skb[0]);
	other_port = virt_tx_is_child(&ctx->port[1], &ctx->skb[0]);
	other_skb = virt_tx_is_child(&ctx->port[0], &ctx->skb[1]);
	own = virt_tx_is_child(&ctx->port[0], &ctx->skb[0]);
	twice = virt_tx_is_child(&ctx->port[0], &ctx->skb[0]);
	virt_tx_end(&a);
	local_bh_enable();
	KUNIT_EXPECT_FALSE(test, other_port);
	KUNIT_EXPECT_FALSE(test, other_skb);
	KUNIT_EXPECT_TRUE(test, own);
	KUNIT_EXPECT_FALSE(test, twice);
}

/*
 * A frame an earlier egress rule dropped never reaches virt's hook: its entry
 * stays until its dev_queue_xmit() returns. Another task's frame that got
 * the same address meanwhile is not taken for it.
 */
static void virt_tx_test_other_task(struct kunit *test)
{
	struct virt_tx_test_ctx *ctx = test->priv;
	bool other_task, after;
	struct virt_tx a;

	local_bh_disable();
	virt_tx_begin(&a, &ctx->port[0], &ctx->skb[0]);
	/* What another task's entry looks like from here. */
	a.task = (const struct task_struct *)ctx;
	other_task = virt_tx_is_child(&ctx->port[0], &ctx->skb[0]);
	virt_tx_end(&a);
	/* And a finished transmission leaves nothing behind. */
	after = virt_tx_is_child(&ctx->port[0], &ctx->skb[0]);
	local_bh_enable();
	KUNIT_EXPECT_FALSE(test, other_task);
	KUNIT_EXPECT_FALSE(test, after);
}

static struct kunit_case virt_tx_test_cases[] = {
	KUNIT_CASE(virt_tx_test_interleaved),
	KUNIT_CASE(virt_tx_test_out_of_order),
	KUNIT_CASE(virt_tx_test_once_per_port),
	KUNIT_CASE(virt_tx_test_other_task),
	{}
};

static struct kunit_suite virt_tx_test_suite = {
	.name		= "virt_egress_tx",
	.init		= virt_tx_test_init,
	.test_cases	= virt_tx_test_cases,
};

kunit_test_suite(virt_tx_test_suite);
#endif /* CONFIG_NETFILTER_EGRESS */

/*
 * The source guard, frame by frame: child a owns 192.0.2.1 and 2001:db8::1,
 * its sibling b owns 192.0.2.2 and 2001:db8::2.
 */
struct virt_guard_test_ctx {
	struct virt_test_ctx	t;
	struct net_device	*dev;
	struct virt_cfg		*cfg;
};

static const u8 virt_guard_test_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };
static const u8 virt_guard_test_other[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x02 };

static struct in6_addr virt_guard_test_ip(bool v6, u32 host)
{
	struct in6_addr ip = {};

	if (!v6) {
		ipv6_addr_set_v4mapped(htonl(0xc0000200 | host), &ip);
		return ip;
	}
	ip.s6_addr32[0] = htonl(0x20010db8);
	ip.s6_addr32[3] = htonl(host);
	return ip;
}

static int virt_guard_test_init(struct kunit *test)
{
	struct virt_guard_test_ctx *ctx;
	struct in6_addr ip;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	spin_lock_init(&ctx->t.port.addr_lock);
	INIT_LIST_HEAD(&ctx->t.port.children);
	ctx->t.a.port = &ctx->t.port;
	ctx->t.b.port = &ctx->t.port;
	test->priv = ctx;
	ctx->dev = alloc_etherdev(0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->dev);
	eth_hw_addr_set(ctx->dev, virt_guard_test_mac);
	ctx->t.a.dev = ctx->dev;
	ctx->t.b.dev = ctx->dev;

	ip = virt_guard_test_ip(false, 1);
	KUNIT_ASSERT_EQ(test, virt_addr_add(&ctx->t.a, &ip, GFP_KERNEL), 0);
	ip = virt_guard_test_ip(true, 1);
	KUNIT_ASSERT_EQ(test, virt_addr_add(&ctx->t.a, &ip, GFP_KERNEL), 0);
	ip = virt_guard_test_ip(false, 2);
	KUNIT_ASSERT_EQ(test, virt_addr_add(&ctx->t.b, &ip, GFP_KERNEL), 0);
	ip = virt_guard_test_ip(true, 2);
	KUNIT_ASSERT_EQ(test, virt_addr_add(&ctx->t.b, &ip, GFP_KERNEL), 0);
	return 0;
}

static void virt_guard_test_exit(struct kunit *test)
{
	struct virt_guard_test_ctx *ctx = test->priv;

	if (!ctx)
		return;
	virt_addr_flush(&ctx->t.a);
	virt_addr_flush(&ctx->t.b);
	free_netdev(ctx->dev);
}

/* A frame from child a: Ethernet header, then @len bytes of @l3. */
static struct sk_buff *virt_guard_test_skb(struct kunit *test, const u8 *src,
					   __be16 proto, const void *l3,
					   unsigned int len)
{
	struct sk_buff *skb = alloc_skb(ETH_HLEN + len, GFP_KERNEL);
	struct ethhdr *eth;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	eth = skb_put(skb, ETH_HLEN);
	eth_broadcast_addr(eth->h_dest);
	ether_addr_copy(eth->h_source, src);
	eth->h_proto = proto;
	skb_put_data(skb, l3, len);
	return skb;
}

/* What the guard says of a frame from child a. */
static unsigned int virt_guard_test_run(struct kunit *test, const u8 *src,
					__be16 proto, const void *l3,
					unsigned int len)
{
	struct virt_guard_test_ctx *ctx = test->priv;
	struct sk_buff *skb;
	unsigned int why;

	skb = virt_guard_test_skb(test, src, proto, l3, len);
	local_bh_disable();
	why = virt_guard(&ctx->t.a, ctx->cfg, skb);
	local_bh_enable();
	kfree_skb(skb);
	return why;
}

static unsigned int virt_guard_test_ipv4(struct kunit *test, u32 saddr,
					 u8 proto, u16 sport, u16 dport)
{
	struct {
		struct iphdr	ip;
		struct udphdr	udp;
	} __packed f = {};

	f.ip.version = 4;
	f.ip.ihl = 5;
	f.ip.protocol = proto;
	f.ip.saddr = htonl(saddr);
	f.ip.daddr = htonl(0xc0000263);
	f.udp.source = htons(sport);
	f.udp.dest = htons(dport);
	return virt_guard_test_run(test, virt_guard_test_mac, htons(ETH_P_IP),
				   &f, sizeof(f));
}

static void virt_guard_test_ipv4_source(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv4(test, 0xc0000201,
						   IPPROTO_UDP, 1, 2), 0);
	/* A sibling's, anyone else's */
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv4(test, 0xc0000202,
						   IPPROTO_UDP, 1, 2),
			VIRT_TX_GUARD_IP);
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv4(test, 0xc6336401,
						   IPPROTO_UDP, 1, 2),
			VIRT_TX_GUARD_IP);
	/* 0.0.0.0: a DHCP client's only */
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv4(test, 0, IPPROTO_UDP,
						   68, 67), 0);
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv4(test, 0, IPPROTO_UDP,
						   67, 68), VIRT_TX_GUARD_IP);
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv4(test, 0, IPPROTO_ICMP,
						   68, 67), VIRT_TX_GUARD_IP);
	/* A client, not a server, even from its own address */
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv4(test, 0xc0000201,
						   IPPROTO_UDP, 67, 68),
			VIRT_TX_GUARD_IP);
	/* IGMPv3 reports before there is an address */
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv4(test, 0, IPPROTO_IGMP,
						   0, 0), 0);
}

static unsigned int virt_guard_test_udp6(struct kunit *test, u16 sport)
{
	struct {
		struct ipv6hdr	ip6;
		struct udphdr	udp;
	} __packed f = {};

	f.ip6.version = 6;
	f.ip6.nexthdr = IPPROTO_UDP;
	f.ip6.payload_len = htons(sizeof(f.udp));
	f.ip6.saddr = virt_guard_test_ip(true, 1);
	f.ip6.daddr = virt_guard_test_ip(true, 0x99);
	f.udp.source = htons(sport);
	f.udp.dest = htons(547);
	return virt_guard_test_run(test, virt_guard_test_mac,
				   htons(ETH_P_IPV6), &f, sizeof(f));
}

static void virt_guard_test_dhcpv6(struct kunit *test)
{
	/* A DHCPv6 client, not a server or relay */
	KUNIT_EXPECT_EQ(test, virt_guard_test_udp6(test, 546), 0);
	KUNIT_EXPECT_EQ(test, virt_guard_test_udp6(test, 547),
			VIRT_TX_GUARD_IP);
}

static unsigned int virt_guard_test_arp(struct kunit *test, const u8 *sha,
					u16 op, u32 sip, u32 tip)
{
	struct virt_arp arp = {
		.hdr.ar_hrd	= htons(ARPHRD_ETHER),
		.hdr.ar_pro	= htons(ETH_P_IP),
		.hdr.ar_hln	= ETH_ALEN,
		.hdr.ar_pln	= 4,
		.hdr.ar_op	= htons(op),
		.sip		= htonl(sip),
		.tip		= htonl(tip),
	};

	ether_addr_copy(arp.sha, sha);
	return virt_guard_test_run(test, virt_guard_test_mac, htons(ETH_P_ARP),
				   &arp, sizeof(arp));
}

static void virt_guard_test_arp_sender(struct kunit *test)
{
	const u8 *mac = virt_guard_test_mac;

	KUNIT_EXPECT_EQ(test, virt_guard_test_arp(test, mac, ARPOP_REQUEST,
						  0xc0000201, 0xc0000263), 0);
	KUNIT_EXPECT_EQ(test, virt_guard_test_arp(test, mac, ARPOP_REPLY,
						  0xc0000201, 0xc0000263), 0);
	/* A probe, for any address */
	KUNIT_EXPECT_EQ(test, virt_guard_test_arp(test, mac, ARPOP_REQUEST,
						  0, 0xc0000202), 0);
	KUNIT_EXPECT_EQ(test, virt_guard_test_arp(test, mac, ARPOP_REPLY,
						  0, 0xc0000202),
			VIRT_TX_GUARD_ARP);
	/* As the sibling, or with another station's MAC address */
	KUNIT_EXPECT_EQ(test, virt_guard_test_arp(test, mac, ARPOP_REPLY,
						  0xc0000202, 0xc0000263),
			VIRT_TX_GUARD_ARP);
	KUNIT_EXPECT_EQ(test, virt_guard_test_arp(test, virt_guard_test_other,
						  ARPOP_REQUEST, 0xc0000201,
						  0xc0000263),
			VIRT_TX_GUARD_ARP);
}

static unsigned int virt_guard_test_ipv6(struct kunit *test, bool any_src,
					 u32 src, u8 type, u32 target)
{
	struct {
		struct ipv6hdr	ip6;
		struct nd_msg	nd;
	} __packed f = {};

	f.ip6.version = 6;
	f.ip6.nexthdr = IPPROTO_ICMPV6;
	f.ip6.payload_len = htons(sizeof(f.nd));
	if (!any_src)
		f.ip6.saddr = virt_guard_test_ip(true, src);
	f.ip6.daddr = virt_guard_test_ip(true, 0x99);
	f.nd.icmph.icmp6_type = type;
	f.nd.target = virt_guard_test_ip(true, target);
	return virt_guard_test_run(test, virt_guard_test_mac,
				   htons(ETH_P_IPV6), &f, sizeof(f));
}

static void virt_guard_test_ipv6_nd(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv6(test, false, 1,
						   ICMPV6_ECHO_REQUEST, 0), 0);
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv6(test, false, 2,
						   ICMPV6_ECHO_REQUEST, 0),
			VIRT_TX_GUARD_IP);
	/* From ::, only duplicate address detection and MLD */
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv6(test, true, 0,
						   ICMPV6_ECHO_REQUEST, 0),
			VIRT_TX_GUARD_IP);
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv6(test, true, 0,
						   ICMPV6_MLD2_REPORT, 0), 0);
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv6(test, true, 0,
						   NDISC_NEIGHBOUR_SOLICITATION,
						   1), 0);
	/* ... and only about its own addresses */
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv6(test, true, 0,
						   NDISC_NEIGHBOUR_SOLICITATION,
						   2), VIRT_TX_GUARD_ND);
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv6(test, false, 1,
						   NDISC_NEIGHBOUR_ADVERTISEMENT,
						   1), 0);
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv6(test, false, 1,
						   NDISC_NEIGHBOUR_ADVERTISEMENT,
						   2), VIRT_TX_GUARD_ND);
	/* A host, not a router, even from its own address */
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv6(test, false, 1,
						   NDISC_ROUTER_ADVERTISEMENT,
						   0), VIRT_TX_GUARD_ND);
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv6(test, false, 1,
						   NDISC_REDIRECT, 0),
			VIRT_TX_GUARD_ND);
}

static void virt_guard_test_other_frames(struct kunit *test)
{
	static const u8 payload[64];
	struct sk_buff *skb;
	unsigned int why;
	struct {
		struct iphdr	ip;
		struct udphdr	udp;
	} __packed f = {};

	KUNIT_EXPECT_EQ(test, virt_guard_test_run(test, virt_guard_test_mac,
						  htons(ETH_P_8021Q), payload,
						  sizeof(payload)),
			VIRT_TX_GUARD_PROTO);
	KUNIT_EXPECT_EQ(test, virt_guard_test_run(test, virt_guard_test_mac,
						  htons(ETH_P_PPP_DISC),
						  payload, sizeof(payload)),
			VIRT_TX_GUARD_PROTO);
	/* Even an otherwise good frame, from another MAC address */
	f.ip.version = 4;
	f.ip.ihl = 5;
	f.ip.saddr = htonl(0xc0000201);
	KUNIT_EXPECT_EQ(test, virt_guard_test_run(test, virt_guard_test_other,
						  htons(ETH_P_IP), &f,
						  sizeof(f)),
			VIRT_TX_GUARD_MAC);
	/* A priority tag outside the frame, as act_vlan pushes it */
	skb = virt_guard_test_skb(test, virt_guard_test_mac, htons(ETH_P_IP),
				  &f, sizeof(f));
	__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), 0);
	local_bh_disable();
	why = virt_guard(&((struct virt_guard_test_ctx *)test->priv)->t.a, NULL,
			 skb);
	local_bh_enable();
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, why, VIRT_TX_GUARD_PROTO);
	/* Too short to have a source */
	KUNIT_EXPECT_EQ(test, virt_guard_test_run(test, virt_guard_test_mac,
						  htons(ETH_P_IP), payload, 8),
			VIRT_TX_GUARD_IP);
}

/*
 * With prefixes set by the host, an address of the child's own outside
 * them is refused too, as the sender of IP and ARP and as an NA's target.
 */
static void virt_guard_test_prefixes(struct kunit *test)
{
	struct virt_guard_test_ctx *ctx = test->priv;
	const u8 *mac = virt_guard_test_mac;
	struct in6_addr ip;

	ctx->cfg = kunit_kzalloc(test, struct_size(ctx->cfg, prefixes, 2),
				 GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->cfg);
	ctx->cfg->flags = VIRT_F_GUARD;
	ctx->cfg->n_prefixes = 2;
	/* 198.51.100.0/24 and 2001:db8::/112 */
	ipv6_addr_set_v4mapped(htonl(0xc6336400), &ctx->cfg->prefixes[0].ip);
	ctx->cfg->prefixes[0].len = 96 + 24;
	ctx->cfg->prefixes[1].ip = virt_guard_test_ip(true, 0);
	ctx->cfg->prefixes[1].len = 112;
	/* Child a's own 192.0.2.1, outside them; then 198.51.100.1 */
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv4(test, 0xc0000201,
						   IPPROTO_UDP, 1, 2),
			VIRT_TX_GUARD_IP);
	KUNIT_EXPECT_EQ(test, virt_guard_test_arp(test, mac, ARPOP_REPLY,
						  0xc0000201, 0xc0000263),
			VIRT_TX_GUARD_ARP);
	ipv6_addr_set_v4mapped(htonl(0xc6336401), &ip);
	KUNIT_ASSERT_EQ(test, virt_addr_add(&ctx->t.a, &ip, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv4(test, 0xc6336401,
						   IPPROTO_UDP, 1, 2), 0);
	KUNIT_EXPECT_EQ(test, virt_guard_test_arp(test, mac, ARPOP_REPLY,
						  0xc6336401, 0xc6336463), 0);
	/* Inside a prefix, but not the child's: still refused */
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv4(test, 0xc6336402,
						   IPPROTO_UDP, 1, 2),
			VIRT_TX_GUARD_IP);
	/* 2001:db8::1 is inside 2001:db8::/112 */
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv6(test, false, 1,
						   NDISC_NEIGHBOUR_ADVERTISEMENT,
						   1), 0);
	ctx->cfg->prefixes[1].len = 128;
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv6(test, false, 1,
						   ICMPV6_ECHO_REQUEST, 0),
			VIRT_TX_GUARD_IP);
	/*
	 * A list allows no family it has no prefix of, and ::/0 is no IPv4
	 * prefix, though IPv4 is IPv4-mapped inside.
	 */
	ctx->cfg->n_prefixes = 1;
	ctx->cfg->prefixes[0].ip = in6addr_any;
	ctx->cfg->prefixes[0].len = 0;
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv4(test, 0xc0000201,
						   IPPROTO_UDP, 1, 2),
			VIRT_TX_GUARD_IP);
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv6(test, false, 1,
						   ICMPV6_ECHO_REQUEST, 0), 0);
	ipv6_addr_set_v4mapped(htonl(0xc0000200), &ctx->cfg->prefixes[0].ip);
	ctx->cfg->prefixes[0].len = 96 + 24;
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv6(test, false, 1,
						   ICMPV6_ECHO_REQUEST, 0),
			VIRT_TX_GUARD_IP);
	KUNIT_EXPECT_EQ(test, virt_guard_test_ipv4(test, 0xc0000201,
						   IPPROTO_UDP, 1, 2), 0);
	ctx->cfg = NULL;
}

/*
 * A neighbour advertisement about its own address, but naming another
 * station's MAC address, or an IPv4-mapped target.
 */
static void virt_guard_test_nd_lladdr(struct kunit *test)
{
	struct {
		struct ipv6hdr	ip6;
		struct nd_msg	nd;
		u8		opt[8];
	} __packed f = {};

	f.ip6.version = 6;
	f.ip6.nexthdr = IPPROTO_ICMPV6;
	f.ip6.payload_len = htons(sizeof(f.nd) + sizeof(f.opt));
	f.ip6.saddr = virt_guard_test_ip(true, 1);
	f.ip6.daddr = virt_guard_test_ip(true, 0x99);
	f.nd.icmph.icmp6_type = NDISC_NEIGHBOUR_ADVERTISEMENT;
	f.nd.target = virt_guard_test_ip(true, 1);
	f.opt[0] = ND_OPT_TARGET_LL_ADDR;
	f.opt[1] = 1;
	ether_addr_copy(&f.opt[2], virt_guard_test_mac);
	KUNIT_EXPECT_EQ(test, virt_guard_test_run(test, virt_guard_test_mac,
						  htons(ETH_P_IPV6), &f,
						  sizeof(f)), 0);
	ether_addr_copy(&f.opt[2], virt_guard_test_other);
	KUNIT_EXPECT_EQ(test, virt_guard_test_run(test, virt_guard_test_mac,
						  htons(ETH_P_IPV6), &f,
						  sizeof(f)), VIRT_TX_GUARD_ND);
	/* As a solicitation's source link-layer address, too */
	f.nd.icmph.icmp6_type = NDISC_NEIGHBOUR_SOLICITATION;
	f.opt[0] = ND_OPT_SOURCE_LL_ADDR;
	KUNIT_EXPECT_EQ(test, virt_guard_test_run(test, virt_guard_test_mac,
						  htons(ETH_P_IPV6), &f,
						  sizeof(f)), VIRT_TX_GUARD_ND);
	/* An option of length 0 is malformed */
	ether_addr_copy(&f.opt[2], virt_guard_test_mac);
	f.opt[1] = 0;
	KUNIT_EXPECT_EQ(test, virt_guard_test_run(test, virt_guard_test_mac,
						  htons(ETH_P_IPV6), &f,
						  sizeof(f)), VIRT_TX_GUARD_ND);
	/* 192.0.2.1, child a's, as an IPv4-mapped target */
	f.nd.icmph.icmp6_type = NDISC_NEIGHBOUR_ADVERTISEMENT;
	f.opt[1] = 1;
	ipv6_addr_set_v4mapped(htonl(0xc0000201), &f.nd.target);
	KUNIT_EXPECT_EQ(test, virt_guard_test_run(test, virt_guard_test_mac,
						  htons(ETH_P_IPV6), &f,
						  sizeof(f)), VIRT_TX_GUARD_ND);
}

static struct kunit_case virt_guard_test_cases[] = {
	KUNIT_CASE(virt_guard_test_ipv4_source),
	KUNIT_CASE(virt_guard_test_arp_sender),
	KUNIT_CASE(virt_guard_test_ipv6_nd),
	KUNIT_CASE(virt_guard_test_dhcpv6),
	KUNIT_CASE(virt_guard_test_other_frames),
	KUNIT_CASE(virt_guard_test_prefixes),
	KUNIT_CASE(virt_guard_test_nd_lladdr),
	{}
};

static struct kunit_suite virt_guard_test_suite = {
	.name		= "virt_guard",
	.init		= virt_guard_test_init,
	.exit		= virt_guard_test_exit,
	.test_cases	= virt_guard_test_cases,
};

kunit_test_suite(virt_guard_test_suite);
