/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every size a peer can announce, capped in one place. A value over its cap
 * is a protocol error before anything is allocated for it.
 */
#pragma once

#define MAX_ARGC              65536u               /* ARGC */
#define MAX_ARG_LEN           (1u << 20)           /* one ARGV / CDIR / NAME / LINK string */
#define MAX_ARGV_BYTES        (16u << 20)          /* all ARGV strings of one request together */
#define MAX_NFIL              65536u               /* NFIL (pump) */
#define MAX_BULK_WIRE         (256u << 20)         /* DOTI/DOTO/SERR/SOUT/DOTD/FILE on the wire */
#define MAX_BULK_PLAIN        (256u << 20)         /* one decompressed payload */
#define MAX_PUMP_TOTAL        (2048ull << 20)      /* all FILE bodies of one pump request */
