// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for virt's address table and for how the parent's egress hook
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

#ifdef CONFIG_NETFILTER_EGRESS
/*
 * Frames and ports are only compared by address here, never dereferenced.
 * The list's lock wants BH disabled, as in virt_start_xmit() and the hook;
 * inside those sections only KUNIT_EXPECT_*(): an assertion would leave the
 * test with BH disabled and an entry of its stack on the list.
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

	local_bh_disable();
	virt_tx_begin(&a, &ctx->port[0], &ctx->skb[0]);
	virt_tx_begin(&b, &ctx->port[0], &ctx->skb[1]);
	KUNIT_EXPECT_TRUE(test, virt_tx_is_child(&ctx->port[0], &ctx->skb[1]));
	virt_tx_end(&b);
	KUNIT_EXPECT_TRUE(test, virt_tx_is_child(&ctx->port[0], &ctx->skb[0]));
	virt_tx_end(&a);
	local_bh_enable();
}

static void virt_tx_test_out_of_order(struct kunit *test)
{
	struct virt_tx_test_ctx *ctx = test->priv;
	struct virt_tx a, b;

	local_bh_disable();
	virt_tx_begin(&a, &ctx->port[0], &ctx->skb[0]);
	virt_tx_begin(&b, &ctx->port[0], &ctx->skb[1]);
	KUNIT_EXPECT_TRUE(test, virt_tx_is_child(&ctx->port[0], &ctx->skb[0]));
	virt_tx_end(&a);
	KUNIT_EXPECT_TRUE(test, virt_tx_is_child(&ctx->port[0], &ctx->skb[1]));
	virt_tx_end(&b);
	KUNIT_EXPECT_FALSE(test, virt_tx_is_child(&ctx->port[0], &ctx->skb[0]));
	KUNIT_EXPECT_FALSE(test, virt_tx_is_child(&ctx->port[0], &ctx->skb[1]));
	local_bh_enable();
}

/* A frame passes as the child's once, at its own port's hook only. */
static void virt_tx_test_once_per_port(struct kunit *test)
{
	struct virt_tx_test_ctx *ctx = test->priv;
	struct virt_tx a;

	local_bh_disable();
	virt_tx_begin(&a, &ctx->port[0], &ctx->skb[0]);
	KUNIT_EXPECT_FALSE(test, virt_tx_is_child(&ctx->port[1], &ctx->skb[0]));
	KUNIT_EXPECT_FALSE(test, virt_tx_is_child(&ctx->port[0], &ctx->skb[1]));
	KUNIT_EXPECT_TRUE(test, virt_tx_is_child(&ctx->port[0], &ctx->skb[0]));
	KUNIT_EXPECT_FALSE(test, virt_tx_is_child(&ctx->port[0], &ctx->skb[0]));
	virt_tx_end(&a);
	local_bh_enable();
}

/*
 * A frame an earlier egress rule dropped never reaches virt's hook: its entry
 * stays until its dev_queue_xmit() returns. Another task's frame that got
 * the same address meanwhile is not taken for it.
 */
static void virt_tx_test_other_task(struct kunit *test)
{
	struct virt_tx_test_ctx *ctx = test->priv;
	struct virt_tx a;

	local_bh_disable();
	virt_tx_begin(&a, &ctx->port[0], &ctx->skb[0]);
	/* What another task's entry looks like from here. */
	a.task = (const struct task_struct *)ctx;
	KUNIT_EXPECT_FALSE(test, virt_tx_is_child(&ctx->port[0], &ctx->skb[0]));
	virt_tx_end(&a);
	/* And a finished transmission leaves nothing behind. */
	KUNIT_EXPECT_FALSE(test, virt_tx_is_child(&ctx->port[0], &ctx->skb[0]));
	local_bh_enable();
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
