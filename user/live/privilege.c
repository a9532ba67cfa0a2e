// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <stdio.h>
#include <string.h>

#include <cap-ng.h>

#include "live/privilege.h"

static int have(unsigned int cap)
{
	return capng_have_capability(CAPNG_EFFECTIVE, cap) != 0;
}

/* Appends a capability's name to the list of missing ones. */
static void add_missing(char *buf, size_t len, const char *name)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", n ? ", " : "", name);
}

int mpx_priv_require(enum mpx_priv_need need, char *err, size_t errlen)
{
	char missing[128] = "";

	if (capng_get_caps_process() != 0) {
		snprintf(err, errlen,
			 "cannot read this process's capabilities");
		return -1;
	}
	if (need == MPX_PRIV_LOAD && !have(CAP_BPF) && !have(CAP_SYS_ADMIN))
		add_missing(missing, sizeof(missing),
			    "CAP_BPF (or CAP_SYS_ADMIN)");
	if (need == MPX_PRIV_UNLOAD && !have(CAP_SYS_ADMIN))
		add_missing(missing, sizeof(missing), "CAP_SYS_ADMIN");
	if (!have(CAP_NET_ADMIN))
		add_missing(missing, sizeof(missing), "CAP_NET_ADMIN");
	if (!missing[0])
		return 0;
	snprintf(err, errlen, "%s needs %s (run it as root)",
		 need == MPX_PRIV_LOAD ? "load" : "unload", missing);
	return -1;
}

int mpx_priv_drop(int keep_net_admin, const char **kept, char *err,
		  size_t errlen)
{
	capng_clear(CAPNG_SELECT_BOTH);
	if (keep_net_admin &&
	    capng_update(CAPNG_ADD,
			 CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
			 CAP_NET_ADMIN) != 0) {
		snprintf(err, errlen, "cannot keep CAP_NET_ADMIN");
		return -1;
	}
	/* Caps and the bounding set: nothing dropped comes back through an
	 * exec either. */
	if (capng_apply(CAPNG_SELECT_BOTH) != 0) {
		snprintf(err, errlen, "cannot drop capabilities");
		return -1;
	}
	*kept = keep_net_admin ? "CAP_NET_ADMIN" : "none";
	return 0;
}
