// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iplink_virt.c	virt device support: IP-steered child interfaces that
 *			share their parent's MAC address
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/pkt_sched.h>

#include "utils.h"
#include "ip_common.h"

static const char * const virt_mode_strings[] = {
	[VIRT_MODE_SHARED]	= "shared",
	[VIRT_MODE_EXCLUSIVE]	= "exclusive",
};

static void explain(struct link_util *lu, FILE *f)
{
	fprintf(f,
		"Usage: ... %s [ mode MODE ] [ mark MARK[/MASK] ] [ priority PRIO ]\n"
		"\t\t[ guard { on | off } ]\n"
		"\n"
		"MODE: shared | exclusive\n"
		"PRIO: NUMBER | MAJ:MIN | none\n"
		"(the defaults are mode shared and guard off; the mark and the\n"
		" priority of the child's frames are left alone unless given)\n",
		lu->id);
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

static int virt_parse_opt(struct link_util *lu, int argc, char **argv,
			  struct nlmsghdr *n)
{
	bool seen_mode = false, seen_mark = false;
	bool seen_prio = false, seen_guard = false;

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
			addattr32(n, 1024, IFLA_VIRT_MODE, mode);
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
			addattr32(n, 1024, IFLA_VIRT_MARK, mark);
			if (slash) {
				if (get_u32(&mask, slash + 1, 0))
					invarg("invalid mask", slash + 1);
				addattr32(n, 1024, IFLA_VIRT_MASK, mask);
			}
		} else if (strcmp(*argv, "priority") == 0) {
			__u32 prio;

			NEXT_ARG();
			if (seen_prio)
				duparg("priority", *argv);
			seen_prio = true;
			if (strcmp(*argv, "none") == 0) {
				addattr(n, 1024, IFLA_VIRT_PRIORITY_CLEAR);
			} else {
				if (virt_get_prio(&prio, *argv))
					invarg("invalid priority", *argv);
				addattr32(n, 1024, IFLA_VIRT_PRIORITY, prio);
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
			addattr8(n, 1024, IFLA_VIRT_GUARD, guard);
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

	return 0;
}

static const char *virt_mode_str(__u32 mode)
{
	if (mode >= ARRAY_SIZE(virt_mode_strings) || !virt_mode_strings[mode])
		return "unknown";
	return virt_mode_strings[mode];
}

static void virt_print_opt(struct link_util *lu, FILE *f, struct rtattr *tb[])
{
	if (!tb)
		return;

	if (tb[IFLA_VIRT_MODE])
		print_string(PRINT_ANY, "mode", "mode %s ",
			     virt_mode_str(rta_getattr_u32(tb[IFLA_VIRT_MODE])));

	/* The kernel reports the mark only while it stamps one. */
	if (tb[IFLA_VIRT_MARK] && tb[IFLA_VIRT_MASK]) {
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

	if (tb[IFLA_VIRT_GUARD]) {
		bool guard = rta_getattr_u8(tb[IFLA_VIRT_GUARD]);

		print_bool(PRINT_JSON, "guard", NULL, guard);
		print_string(PRINT_FP, NULL, "guard %s ", guard ? "on" : "off");
	}
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
