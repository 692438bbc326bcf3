// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iplink_virt.c	virt device support: IP-steered child interfaces that
 *			share their parent's MAC address
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>

#include "utils.h"
#include "ip_common.h"

/* parse_opt adds to the request of iplink_parse(). */
#define VIRT_REQ_MAX		sizeof(struct iplink_req)
/* The kernel takes at most this many prefixes to allow. */
#define VIRT_ALLOW_MAX		16

static const char * const virt_mode_strings[] = {
	[VIRT_MODE_SHARED]	= "shared",
	[VIRT_MODE_EXCLUSIVE]	= "exclusive",
};

static void explain(struct link_util *lu, FILE *f)
{
	fprintf(f,
		"Usage: ... %s [ mode MODE ] [ mark MARK[/MASK] ] [ priority PRIO ]\n"
		"\t\t[ guard { on | off } ] [ allow { PREFIX | none } ]...\n"
		"\n"
		"MODE: shared | exclusive\n"
		"PRIO: NUMBER | MAJ:MIN | none\n"
		"PREFIX: ADDR[/LEN], IPv4 or IPv6; allow may repeat, up to %d times\n"
		"(the defaults are mode shared and guard off; the mark and the\n"
		" priority of the child's frames are left alone unless given;\n"
		" the prefixes given replace those allowed, and none clears them)\n",
		lu->id, VIRT_ALLOW_MAX);
}

/* A number, or a tc handle MAJ:MIN in hexadecimal as tc(8) writes it. */
static int virt_get_prio(__u32 *prio, const char *arg)
{
	unsigned long maj, min;
	char *end;

	if (!strchr(arg, ':'))
		return get_u32(prio, arg, 0);

	maj = strtoul(arg, &end, 16);
	if (*end != ':' || maj > 0xffff)
		return -1;
	arg = end + 1;
	min = strtoul(arg, &end, 16);
	if (*end || min > 0xffff)
		return -1;
	*prio = TC_H_MAKE(maj << 16, min);
	return 0;
}

/*
 * IFLA_VIRT_ALLOW: the whole list, which replaces the kernel's;
 * an empty one clears it. A prefix of the whole address goes without
 * IFLA_VIRT_PREFIX_LEN, the kernel's default, which keeps the message small.
 */
static int virt_add_prefixes(struct nlmsghdr *n, const inet_prefix *allow,
			     int n_allow)
{
	struct rtattr *list, *nest;
	int i;

	list = addattr_nest(n, VIRT_REQ_MAX,
			    IFLA_VIRT_ALLOW | NLA_F_NESTED);
	for (i = 0; i < n_allow; i++) {
		const inet_prefix *p = &allow[i];
		bool inet = p->family == AF_INET;

		nest = addattr_nest(n, VIRT_REQ_MAX,
				    IFLA_VIRT_ALLOW_PREFIX | NLA_F_NESTED);
		if (addattr_l(n, VIRT_REQ_MAX,
			      inet ? IFLA_VIRT_PREFIX_ADDR4 : IFLA_VIRT_PREFIX_ADDR6,
			      p->data, inet ? 4 : 16))
			return -1;
		if (p->bitlen != (inet ? 32 : 128) &&
		    addattr32(n, VIRT_REQ_MAX, IFLA_VIRT_PREFIX_LEN, p->bitlen))
			return -1;
		addattr_nest_end(n, nest);
	}
	addattr_nest_end(n, list);
	return 0;
}

static int virt_parse_opt(struct link_util *lu, int argc, char **argv,
			  struct nlmsghdr *n)
{
	bool seen_mode = false, seen_mark = false;
	bool seen_prio = false, seen_guard = false;
	struct nla_bitfield32 flags = {};
	inet_prefix allow[VIRT_ALLOW_MAX];
	bool allow_none = false;
	int n_allow = 0;

	while (argc > 0) {
		if (strcmp(*argv, "mode") == 0) {
			__u32 mode;

			NEXT_ARG();
			if (seen_mode)
				duparg("mode", *argv);
			seen_mode = true;
			if (strcmp(*argv, "shared") == 0)
				mode = VIRT_MODE_SHARED;
			else if (strcmp(*argv, "exclusive") == 0)
				mode = VIRT_MODE_EXCLUSIVE;
			else
				invarg("mode must be \"shared\" or \"exclusive\"",
				       *argv);
			addattr32(n, VIRT_REQ_MAX, IFLA_VIRT_MODE, mode);
		} else if (strcmp(*argv, "mark") == 0) {
			__u32 mark, mask;
			char *slash;

			NEXT_ARG();
			if (seen_mark)
				duparg("mark", *argv);
			seen_mark = true;
			/* Without a mask the kernel stamps all 32 bits. */
			slash = strchr(*argv, '/');
			if (slash)
				*slash = '\0';
			if (get_u32(&mark, *argv, 0))
				invarg("invalid mark", *argv);
			addattr32(n, VIRT_REQ_MAX, IFLA_VIRT_MARK, mark);
			if (slash) {
				if (get_u32(&mask, slash + 1, 0))
					invarg("invalid mask", slash + 1);
				addattr32(n, VIRT_REQ_MAX, IFLA_VIRT_MASK, mask);
			}
		} else if (strcmp(*argv, "priority") == 0) {
			__u32 prio;

			NEXT_ARG();
			if (seen_prio)
				duparg("priority", *argv);
			seen_prio = true;
			if (strcmp(*argv, "none") == 0) {
				/* Only the flag off; a PRIO turns it on. */
				flags.selector |= VIRT_F_PRIORITY;
			} else {
				if (virt_get_prio(&prio, *argv))
					invarg("invalid priority", *argv);
				addattr32(n, VIRT_REQ_MAX, IFLA_VIRT_PRIORITY,
					  prio);
			}
		} else if (strcmp(*argv, "guard") == 0) {
			bool guard;
			int err;

			NEXT_ARG();
			if (seen_guard)
				duparg("guard", *argv);
			seen_guard = true;
			guard = parse_on_off("guard", *argv, &err);
			if (err)
				return err;
			flags.selector |= VIRT_F_GUARD;
			if (guard)
				flags.value |= VIRT_F_GUARD;
		} else if (strcmp(*argv, "allow") == 0) {
			inet_prefix *p = &allow[n_allow];

			NEXT_ARG();
			if (strcmp(*argv, "none") == 0) {
				allow_none = true;
			} else {
				if (n_allow == VIRT_ALLOW_MAX) {
					fprintf(stderr,
						"Error: at most %d prefixes can be allowed.\n",
						VIRT_ALLOW_MAX);
					exit(-1);
				}
				get_prefix(p, *argv, AF_UNSPEC);
				if (p->family != AF_INET &&
				    p->family != AF_INET6)
					invarg("allow needs an IPv4 or IPv6 prefix",
					       *argv);
				n_allow++;
			}
			if (allow_none && n_allow)
				invarg("\"allow none\" cannot be given with prefixes",
				       *argv);
		} else {
			if (strcmp(*argv, "help") != 0)
				fprintf(stderr, "%s: unknown option \"%s\"?\n",
					lu->id, *argv);
			explain(lu, stderr);
			return -1;
		}
		argc--;
		argv++;
	}

	if (flags.selector)
		addattr_l(n, VIRT_REQ_MAX, IFLA_VIRT_FLAGS, &flags,
			  sizeof(flags));
	if ((allow_none || n_allow) &&
	    virt_add_prefixes(n, allow, n_allow)) {
		fprintf(stderr, "Error: the prefixes to allow do not fit in the request.\n");
		return -1;
	}

	return 0;
}

static const char *virt_mode_str(__u32 mode)
{
	if (mode >= ARRAY_SIZE(virt_mode_strings) || !virt_mode_strings[mode])
		return "unknown";
	return virt_mode_strings[mode];
}

/* One IFLA_VIRT_ALLOW_PREFIX as ADDR/LEN into buf; false if malformed. */
static bool virt_sprint_prefix(struct rtattr *nest, char *buf, size_t len)
{
	struct rtattr *tb[IFLA_VIRT_PREFIX_MAX + 1];
	char abuf[INET6_ADDRSTRLEN];
	struct rtattr *addr;
	int family, bits;

	parse_rtattr_nested(tb, IFLA_VIRT_PREFIX_MAX, nest);
	if (tb[IFLA_VIRT_PREFIX_ADDR4]) {
		addr = tb[IFLA_VIRT_PREFIX_ADDR4];
		family = AF_INET;
		bits = 32;
	} else if (tb[IFLA_VIRT_PREFIX_ADDR6]) {
		addr = tb[IFLA_VIRT_PREFIX_ADDR6];
		family = AF_INET6;
		bits = 128;
	} else {
		return false;
	}
	if (RTA_PAYLOAD(addr) != bits / 8)
		return false;
	if (tb[IFLA_VIRT_PREFIX_LEN])
		bits = rta_getattr_u32(tb[IFLA_VIRT_PREFIX_LEN]);

	snprintf(buf, len, "%s/%d",
		 rt_addr_n2a_r(family, RTA_PAYLOAD(addr), RTA_DATA(addr),
			       abuf, sizeof(abuf)), bits);
	return true;
}

static void virt_print_prefixes(struct rtattr *list)
{
	char b[INET6_ADDRSTRLEN + sizeof("/128")];
	struct rtattr *i;
	bool first = true;

	rtattr_for_each_nested(i, list) {
		if ((i->rta_type & NLA_TYPE_MASK) != IFLA_VIRT_ALLOW_PREFIX ||
		    !virt_sprint_prefix(i, b, sizeof(b)))
			continue;
		if (first) {
			open_json_array(PRINT_JSON, "allow");
			print_string(PRINT_FP, NULL, "%s", "allow ");
			first = false;
		}
		print_string(PRINT_ANY, NULL, "%s ", b);
	}
	if (!first)
		close_json_array(PRINT_JSON, NULL);
}

static void virt_print_opt(struct link_util *lu, FILE *f, struct rtattr *tb[])
{
	if (!tb)
		return;

	if (tb[IFLA_VIRT_MODE])
		print_string(PRINT_ANY, "mode", "mode %s ",
			     virt_mode_str(rta_getattr_u32(tb[IFLA_VIRT_MODE])));

	/* Mask 0: no mark is stamped. */
	if (tb[IFLA_VIRT_MARK] && tb[IFLA_VIRT_MASK] &&
	    rta_getattr_u32(tb[IFLA_VIRT_MASK])) {
		__u32 mark = rta_getattr_u32(tb[IFLA_VIRT_MARK]);
		__u32 mask = rta_getattr_u32(tb[IFLA_VIRT_MASK]);

		print_uint(PRINT_JSON, "mark", NULL, mark);
		print_uint(PRINT_JSON, "mask", NULL, mask);
		print_0xhex(PRINT_FP, NULL, "mark %#llx", mark);
		print_0xhex(PRINT_FP, NULL, "/%#llx ", mask);
	}

	if (tb[IFLA_VIRT_PRIORITY]) {
		__u32 prio = rta_getattr_u32(tb[IFLA_VIRT_PRIORITY]);

		print_uint(PRINT_JSON, "priority", NULL, prio);
		/* A priority with a major number is a tc class: MAJ:MIN. */
		if (TC_H_MAJ(prio)) {
			SPRINT_BUF(b);

			snprintf(b, sizeof(b), "%x:%x",
				 TC_H_MAJ(prio) >> 16, TC_H_MIN(prio));
			print_string(PRINT_FP, NULL, "priority %s ", b);
		} else {
			print_uint(PRINT_FP, NULL, "priority %u ", prio);
		}
	}

	if (tb[IFLA_VIRT_FLAGS] &&
	    RTA_PAYLOAD(tb[IFLA_VIRT_FLAGS]) >= sizeof(struct nla_bitfield32)) {
		struct nla_bitfield32 *flags = RTA_DATA(tb[IFLA_VIRT_FLAGS]);

		if (flags->selector & VIRT_F_GUARD) {
			bool guard = flags->value & VIRT_F_GUARD;

			print_bool(PRINT_JSON, "guard", NULL, guard);
			print_string(PRINT_FP, NULL, "guard %s ",
				     guard ? "on" : "off");
		}
	}

	if (tb[IFLA_VIRT_ALLOW])
		virt_print_prefixes(tb[IFLA_VIRT_ALLOW]);
}

static void virt_print_help(struct link_util *lu, int argc, char **argv,
			    FILE *f)
{
	explain(lu, f);
}

struct link_util virt_link_util = {
	.id		= "virt",
	.maxattr	= IFLA_VIRT_MAX,
	.parse_opt	= virt_parse_opt,
	.print_opt	= virt_print_opt,
	.print_help	= virt_print_help,
};
