/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * The data-level options as the command line gives them (--streams,
 * --single-path, --yara, --stream-depth, --reassembly-memcap), and what
 * they open before the first frame: the stream directory checked (made if
 * missing), the single-path capture created, the YARA rules compiled once.
 */
#ifndef MPX_STREAM_SETUP_H
#define MPX_STREAM_SETUP_H

#include <stddef.h>
#include <linux/types.h>

#include "correlate/correlate.h"

/* Suricata's stream.reassembly.depth default, per direction. */
#define MPX_STREAM_DEPTH_DEFAULT (1ull << 20)
/* All reassembly buffers together (history and out-of-order bytes). */
#define MPX_REASSEMBLY_MEMCAP_DEFAULT (256ull << 20)

struct mpx_stream_cli {
	const char *dir;	 /* --streams DIR */
	const char *single_path; /* --single-path FILE */
	const char *yara;	 /* --yara RULES */
	__u64 depth;		 /* --stream-depth, 0: no limit */
	__u64 memcap;		 /* --reassembly-memcap */
};

/* Any of the options that need the data level. */
static inline int mpx_stream_cli_on(const struct mpx_stream_cli *c)
{
	return c->dir || c->single_path || c->yara;
}

/* Open what the options name into out. 0, or an exit code
 * (cli/exit_codes.h) with a one-line message in err. */
int mpx_stream_setup_open(const struct mpx_stream_cli *cli,
			  struct mpx_stream_opts *out, char *err,
			  size_t errlen);
/* Close and free; 0, or -1 with a message in err when the single-path
 * capture could not be written whole. */
int mpx_stream_setup_close(struct mpx_stream_opts *o, char *err, size_t errlen);

#endif /* MPX_STREAM_SETUP_H */
