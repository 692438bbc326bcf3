// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for virt's address table, for what a received frame keeps on
 * its way into a child's namespace and for how the parent's egress hook
 * recognises a child's frame, included by virt.c when
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

static struct kunit_case virt_addr_test_cases[] = {
	KUNIT_CASE(virt_test_add_del),
	KUNIT_CASE(virt_test_add_twice),
	KUNIT_CASE(virt_test_collision),
	KUNIT_CASE(virt_test_v4_mapped),
	KUNIT_CASE(virt_test_many),
	KUNIT_CASE(virt_test_flush),
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
