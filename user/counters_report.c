// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <inttypes.h>

#include "counters_report.h"

#define NAME_ENTRY(id, name, help) [MPX_CTR_##id] = name,
#define HELP_ENTRY(id, name, help) [MPX_CTR_##id] = help,
static const char *const names[MPX_CTR_MAX] = {MPX_COUNTER_LIST(NAME_ENTRY)};
static const char *const helps[MPX_CTR_MAX] = {MPX_COUNTER_LIST(HELP_ENTRY)};
#undef NAME_ENTRY
#undef HELP_ENTRY

const char *mpx_counter_name(unsigned int id)
{
	return id < MPX_CTR_MAX ? names[id] : "unknown";
}

const char *mpx_counter_help(unsigned int id)
{
	return id < MPX_CTR_MAX ? helps[id] : "";
}

void mpx_counters_report(FILE *f, const __u64 *ctr)
{
	fputs("{\"counters\":{", f);
	for (unsigned int id = 0; id < MPX_CTR_MAX; id++)
		fprintf(f, "%s\"%s\":%" PRIu64, id ? "," : "", names[id],
			(uint64_t)ctr[id]);
	fputs("}}\n", f);
}
