/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The GNU triple distcc 3.4's configure would report for this machine, as
 * both programs print it in --version and the client uses for rewriting.
 */
#pragma once

/* e.g. "x86_64-pc-linux-gnu" ("-pc-" on x86, "-unknown-" elsewhere; musl
 * builds end in "linux-musl"). From uname(2); a static string. */
const char *host_triple(void);
