/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/* Stable text for the record's enums and fields, shared by every writer. */
#ifndef MPX_EVENT_NAMES_H
#define MPX_EVENT_NAMES_H

#include <stddef.h>
#include <linux/types.h>

#include "mptcp_event.h"

/* "mp_capable", "mp_dss", ... the raw event names of the JSON schema. */
const char *mpx_kind_name(__u8 kind);
/* "bad_length", ... for mp_error; "none" for 0. */
const char *mpx_err_name(__u8 err);
const char *mpx_hook_name(__u8 hook);
const char *mpx_join_stage_name(__u8 stage);

/* TCP flags as letters in the order FSRPAUEC ("SA" for SYN+ACK). */
void mpx_tcp_flags_text(__u8 flags, char out[9]);
/* MP_TCPRST flags as letters from UVWT. */
void mpx_rst_flags_text(__u8 flags, char out[5]);
/* An address of the record as text; IPv4 for family 4 (mapped form). */
void mpx_addr_text(__u8 family, const __u8 addr[MPX_ADDR_LEN], char *out,
		   size_t outlen);

/* The address an ADD_ADDR advertises (IPv4 in its first 4 bytes). */
void mpx_add_addr_text(const struct mpx_ev_add_addr *a, char *out,
		       size_t outlen);

#endif /* MPX_EVENT_NAMES_H */
