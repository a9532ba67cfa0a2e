// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/exit_codes.h"
#include "stream/single_path.h"
#include "stream/stream_setup.h"
#include "stream/yara_scan.h"

/* The directory exists (made if missing, not its parents) and is
 * writable: a mistake is found before the first frame, not at the first
 * connection. */
static int check_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "--streams: cannot create %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--streams: %s is not a directory", dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, "--streams: %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int mpx_stream_setup_open(const struct mpx_stream_cli *cli,
			  struct mpx_stream_opts *out, char *err, size_t errlen)
{
	char why[512];

	memset(out, 0, sizeof(*out));
	if (!mpx_stream_cli_on(cli))
		return MPX_EXIT_OK;
	out->on = 1;
	out->depth = cli->depth;
	out->memcap = cli->memcap;
	if (cli->dir) {
		if (check_dir(cli->dir, err, errlen) < 0)
			return MPX_EXIT_OUTPUT;
		out->dir = cli->dir;
	}
	if (cli->yara) {
		out->yara = mpx_yara_rules_load(cli->yara, why, sizeof(why));
		if (!out->yara) {
			snprintf(err, errlen, "--yara: %s", why);
			return MPX_EXIT_YARA;
		}
	}
	if (cli->single_path) {
		out->sp =
		    mpx_single_path_open(cli->single_path, why, sizeof(why));
		if (!out->sp) {
			snprintf(err, errlen, "--single-path: %s", why);
			mpx_yara_rules_free(out->yara);
			out->yara = NULL;
			return MPX_EXIT_OUTPUT;
		}
	}
	return MPX_EXIT_OK;
}

int mpx_stream_setup_close(struct mpx_stream_opts *o, char *err, size_t errlen)
{
	char why[512];
	int r = 0;

	if (o->sp && mpx_single_path_close(o->sp, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "--single-path: %s", why);
		r = -1;
	}
	o->sp = NULL;
	mpx_yara_rules_free(o->yara);
	o->yara = NULL;
	return r;
}
