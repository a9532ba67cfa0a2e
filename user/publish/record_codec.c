// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#include <string.h>

#include "publish/record_codec.h"

static void put_le(__u8 *p, __u64 v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (__u8)(v >> (8 * i));
}

static __u64 get_le(const __u8 *p, int n)
{
	__u64 v = 0;

	for (int i = 0; i < n; i++)
		v |= (__u64)p[i] << (8 * i);
	return v;
}

static int sensor_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
}

int mpx_sensor_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > MPX_SENSOR_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!sensor_char_ok(s[i]))
			return 0;
	return 1;
}

int mpx_codec_wanted(const struct mptcp_event *ev)
{
	switch (ev->kind) {
	case MPX_EV_MP_CAPABLE:
	case MPX_EV_MP_JOIN:
	case MPX_EV_DSS:
	case MPX_EV_ADD_ADDR:
	case MPX_EV_REMOVE_ADDR:
	case MPX_EV_MP_PRIO:
	case MPX_EV_MP_FAIL:
	case MPX_EV_MP_FASTCLOSE:
	case MPX_EV_MP_TCPRST:
	case MPX_EV_SUBFLOW_FIN:
	case MPX_EV_SUBFLOW_RST:
	case MPX_EV_FALLBACK:
		return 1;
	default:
		return 0;
	}
}

size_t mpx_codec_encode(const char *sensor, const struct mpx_origin *o,
			const struct mptcp_event *ev, int shadow, __u8 *out)
{
	size_t n = strlen(sensor);

	out[0] = MPX_CODEC_VERSION;
	out[1] = (__u8)(n | (shadow ? MPX_CODEC_SHADOW : 0));
	put_le(out + 2, sizeof(*ev), 2);
	put_le(out + 4, (__u64)o->ts_sec, 8);
	put_le(out + 12, (__u64)(__u32)o->ts_usec, 4);
	memcpy(out + MPX_CODEC_HEADER, sensor, n);
	memcpy(out + MPX_CODEC_HEADER + n, ev, sizeof(*ev));
	return MPX_CODEC_HEADER + n + sizeof(*ev);
}

int mpx_codec_decode(const __u8 *buf, size_t len, struct mpx_decoded *d)
{
	size_t n;
	__s64 sec;
	__u32 usec;

	if (len < MPX_CODEC_HEADER ||
	    (buf[0] != 1 && buf[0] != MPX_CODEC_VERSION))
		return -1;
	/* Version 1 had no shadow bit: a length past 64 is rejected below. */
	d->shadow = buf[0] > 1 && (buf[1] & MPX_CODEC_SHADOW);
	n = d->shadow ? buf[1] & ~MPX_CODEC_SHADOW : buf[1];
	if (n == 0 || n > MPX_SENSOR_MAX ||
	    get_le(buf + 2, 2) != sizeof(d->ev) ||
	    len != MPX_CODEC_HEADER + n + sizeof(d->ev))
		return -1;
	memcpy(d->sensor, buf + MPX_CODEC_HEADER, n);
	d->sensor[n] = '\0';
	if (!mpx_sensor_name_valid(d->sensor))
		return -1;
	memcpy(&d->ev, buf + MPX_CODEC_HEADER + n, sizeof(d->ev));
	if (d->ev.abi_version != MPX_ABI_VERSION || !mpx_codec_wanted(&d->ev))
		return -1;
	sec = (__s64)get_le(buf + 4, 8);
	usec = (__u32)get_le(buf + 12, 4);
	if (sec < 0 || sec > MPX_TS_SEC_MAX || usec > 999999)
		return -1;
	memset(&d->origin, 0, sizeof(d->origin));
	d->origin.ts_sec = sec;
	d->origin.ts_usec = (__s32)usec;
	return 0;
}
