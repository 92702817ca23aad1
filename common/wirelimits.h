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
/* Protocol 3 (pump): what one request may make the server store. */
#define MAX_PUMP_FILE         (64u << 20)          /* one FILE, on the wire and decompressed */
#define MAX_PUMP_TOTAL        (1024ull << 20)      /* all FILE bodies of one request, decompressed
						    * (and, separately, on the wire) */
#define MAX_PUMP_NAMES_BYTES  (64u << 20)          /* all NAME and LINK strings of one request */
#define MAX_PUMP_PATH         4095u                /* one NAME, LINK target or CDIR, in bytes */
#define MAX_PUMP_DEPTH        128u                 /* components of one NAME, target or CDIR */
#define MAX_PUMP_DIRS         65536u               /* directories one request makes the server create */
