/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one scanner of a client's compiler argv: deny-by-default policy and
 * the job's facts in a single pass. One ordered rule table for named
 * options (first match wins), reviewed shapes for the big families (-W,
 * -f, -m, -O, -g), and the compilers' own list of options that take the
 * next word (jobscan-options.inc, generated) so that no word is read
 * differently here and in gcc or clang. Pure: no I/O, no logging, no
 * globals written. docs/argument-policy.md explains each class; keep the
 * two in step.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "jobscan.h"
#include "macro.h"
#include "srcext.h"
#include "strv.h"

/* Reasons: static strings that go to the log and to the client on SERR. */
#define R_EXEC     R_EXEC_WORDS
/* distcc 3.4's words for these two, which scripts grep for */
#define R_PLUGIN   "-fplugin= is insecure and not supported: it " R_EXEC_WORDS
#define R_SPECS    "-specs= is insecure and not supported: it " R_EXEC_WORDS
#define R_EXEC_WORDS "would make the compiler run or load another program or code"
#define R_RESPFILE "response files (@file) read arbitrary server files"
#define R_READ     "would read a file on the server outside the job"
#define R_WRITE    "would write files outside the job directory"
#define R_DUMP     "compiler dumps are not returned and can fill the server's disk"
#define R_MODULES  "modules read and write caches outside the job"
#define R_LOCAL    "needs the client's profile data or CPU; compile locally"
#define R_DWO      "split DWARF: protocols 1 and 2 cannot return the .dwo file; compile locally"
#define R_BYPASS   "passes options past the driver, beyond this policy's review"
#define R_NOTCOMP  "not a compile (-c or -S) job"
#define R_UNKNOWN  "option not in distccd's reviewed list"
#define R_NEXTWORD "option takes the next argument and is not in distccd's reviewed list"
#define R_VALUE    "option value not in distccd's reviewed list"
#define R_MISSING  "option is missing its argument"
#define R_DASHVAL  "option argument looks like an option"
#define R_INPUTS   "a job needs exactly one input file"
#define R_NOTSRC   "the input is not a C, C++, Objective-C or assembler source (name, -x)"
#define R_OUTPUTS  "more than one output (-o)"
#define R_STDIO    "standard input/output are not supported"

/* What an argument tells about the job, besides the verdict. */
enum fact {
	F_NONE,
	F_COMPILE, F_ASM, F_OUTPUT, F_LANG,
	F_MD, F_MMD, F_MG, F_MP, F_MF, F_MTQ, F_WP,
	/* names a path the compiler reads: enum jobscan_path_kind + F_PATH */
	F_PATH,
};
#define F_PATH_OF(k) (F_PATH + (k))

/* The compilers' options that take the following word(s). */
static const struct next_word_option {
	const char *name;
	unsigned char clang, gcc;   /* words each driver takes after it */
	bool prefix;                /* clang: any argument starting with name */
} next_word_options[] = {
#include "jobscan-options.inc"
}, next_word_prefixes[] = {
#define NEXT_WORD_PREFIXES
#include "jobscan-options.inc"
#undef NEXT_WORD_PREFIXES
};

enum act { ACT_ALLOW, ACT_DROP, ACT_REPLACE, ACT_REFUSE };

enum match {
	M_EXACT,          /* the whole argument */
	M_JOINED,         /* a prefix; the rest is the value */
	M_SEP,            /* the whole argument; the value is the next one */
	M_JOINED_OR_SEP,  /* -Dx or -D x */
};

struct ctx {
	unsigned protover;
	unsigned n_inputs, n_outputs;
	bool compile;
	const char *lang;         /* set by chk_lang: a static copy of the value */
	const char *wp_file;      /* set by chk_wp: the .d file (caller's argv) */
	const char *reason;       /* set by a check that refuses */
	const char *replacement;  /* set by a check that replaces */
};

typedef enum act (*check_fn)(struct ctx *c, const char *val);

struct rule {
	const char *name;
	enum match match;
	enum act act;         /* used when check is NULL */
	check_fn check;
	const char *reason;   /* for ACT_REFUSE without a check */
	bool dash_value;      /* separate value may start with '-' (checked by @check) */
	enum fact fact;
};

static enum act refuse(struct ctx *c, const char *why)
{
	c->reason = why;
	return ACT_REFUSE;
}

static bool str_in(const char *s, const char *const list[])
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* A value with no path, no spaces, no shell or response-file syntax. */
static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,:+=-", *s))
			return false;
	return true;
}

static bool is_name(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-", s[i]))
			return false;
	return true;
}

static bool has_dotdot(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '/' || s[2] == 0))
			return true;
	return false;
}

static enum act chk_any(struct ctx *c, const char *v)
{
	(void)c, (void)v;
	return ACT_ALLOW;
}

static enum act chk_token(struct ctx *c, const char *v)
{
	return is_token(v) ? ACT_ALLOW : refuse(c, R_VALUE);
}

static enum act chk_compile(struct ctx *c, const char *v)
{
	(void)v;
	c->compile = true;
	return ACT_ALLOW;
}

static enum act chk_output(struct ctx *c, const char *v)
{
	if (++c->n_outputs > 1)
		return refuse(c, R_OUTPUTS);
	if (!*v || strcmp(v, "-") == 0)
		return refuse(c, R_STDIO);
	return ACT_ALLOW;    /* the session replaces it with the job's output */
}

static enum act chk_lang(struct ctx *c, const char *v)
{
	static const char *const langs[] = {
		"c", "c++", "objective-c", "objective-c++", "cpp-output", "c++-cpp-output",
		"objective-c-cpp-output", "objective-c++-cpp-output", "objc-cpp-output",
		"objc++-cpp-output", "assembler", "assembler-with-cpp", "none", NULL,
	};
	for (size_t i = 0; langs[i]; i++)
		if (strcmp(v, langs[i]) == 0) {
			c->lang = langs[i];
			return ACT_ALLOW;
		}
	return refuse(c, R_VALUE);
}

/* -include/-imacros: v1/v2 input is preprocessed, so the only thing they can
 * do is read a server file into the compile. Pump (v3) ships the headers
 * into the job root; ".." must not climb out of it. */
static enum act chk_include(struct ctx *c, const char *v)
{
	if (c->protover < 3 || has_dotdot(v))
		return refuse(c, R_READ);
	return ACT_ALLOW;
}

/* --sysroot/-isysroot only locate headers and libraries: inert on
 * preprocessed input without linking, so dropped; in pump mode a path
 * under the job root like -I (".." refused, as for -include). */
static enum act chk_sysroot(struct ctx *c, const char *v)
{
	if (c->protover < 3)
		return ACT_DROP;
	/* pump: the server moves it under the job root, where the client's
	 * files (and its links to the server's own system dirs) are */
	return has_dotdot(v) ? refuse(c, R_READ) : ACT_ALLOW;
}

static enum act chk_stdlib(struct ctx *c, const char *v)
{
	static const char *const ok[] = { "libc++", "libstdc++", "platform", NULL };
	return str_in(v, ok) ? ACT_ALLOW : refuse(c, R_VALUE);
}

/* -Wp,-MD,<file> / -Wp,-MMD,<file> (kbuild) become -MD / -MMD: the .d file
 * then goes next to the job's output. Any other -Wp, reaches cc1 unchecked. */
static enum act chk_wp(struct ctx *c, const char *v)
{
	if (str_has_prefix(v, "-MD,") && v[4] && !strchr(v + 4, ',')) {
		c->replacement = "-MD";
		c->wp_file = v + 4;
		return ACT_REPLACE;
	}
	if (str_has_prefix(v, "-MMD,") && v[5] && !strchr(v + 5, ',')) {
		c->replacement = "-MMD";
		c->wp_file = v + 5;
		return ACT_REPLACE;
	}
	return refuse(c, R_BYPASS);
}

/* One assembler option: reviewed ones only. Listings (-a), dependency
 * output (--MD), -o, -I, @file and everything else are refused. */
static bool asm_word_ok(const char *w)
{
	static const char *const exact[] = {
		"--noexecstack", "--execstack", "--64", "--32", "--x32", "-g", "--gen-debug",
		"--fatal-warnings", "-W", "--no-warn", "--warn", "-EL", "-EB", "-mthumb", "-marm",
		"--compress-debug-sections", "--nocompress-debug-sections", "--divide",
		"-gdwarf-2", "-gdwarf-3", "-gdwarf-4", "-gdwarf-5", "--gdwarf-2", "--gdwarf-3",
		"--gdwarf-4", "--gdwarf-5", "--gdwarf-sections", "-mrelax", "-mno-relax", NULL,
	};
	if (str_in(w, exact))
		return true;
	if (str_has_prefix(w, "--compress-debug-sections="))
		return is_token(w + 26);
	/* target knobs (-mx86-used-note=no, -march=armv7-a, -mfpu=neon, ...) */
	return w[0] == '-' && w[1] == 'm' && is_token(w + 2) && !strchr(w, '/');
}

static enum act chk_wa(struct ctx *c, const char *v)
{
	char w[256];
	const char *p = v;

	for (;;) {
		size_t n = strcspn(p, ",");
		if (n == 0 || n >= sizeof(w))
			return refuse(c, R_BYPASS);
		memcpy(w, p, n);
		w[n] = 0;
		if (!asm_word_ok(w))
			return refuse(c, R_BYPASS);
		if (!p[n])
			return ACT_ALLOW;
		p += n + 1;
	}
}

static enum act chk_xasm(struct ctx *c, const char *v)
{
	return asm_word_ok(v) ? ACT_ALLOW : refuse(c, R_BYPASS);
}

static bool warning_ok(const char *w)
{
	/* -W[no-]name[=value]: diagnostics only, no files. */
	size_t n = strcspn(w, "=");
	if (!is_name(w, n))
		return false;
	return !w[n] || is_token(w + n + 1);
}

/* -Xclang passes one argument to clang -cc1, where -load, -plugin,
 * -add-plugin, -fmodule-file= and friends live: a short reviewed list. */
static enum act chk_xclang(struct ctx *c, const char *v)
{
	static const char *const ok[] = {
		"-fno-pch-timestamp", "-disable-O0-optnone", "-disable-llvm-passes",
		"-disable-llvm-optzns", "-fcolor-diagnostics", "-mconstructor-aliases",
		"-mno-constructor-aliases", "-fno-validate-pch", NULL,
	};
	if (str_in(v, ok))
		return ACT_ALLOW;
	if (v[0] == '-' && v[1] == 'W' && warning_ok(v + 2))
		return ACT_ALLOW;
	return refuse(c, R_BYPASS);
}

/* -mllvm: LLVM's internal options include file writers (-info-output-file,
 * remark outputs, ...). Reviewed names only, token values. */
static enum act chk_mllvm(struct ctx *c, const char *v)
{
	static const char *const names[] = {
		"inline-threshold", "x86-asm-syntax", "align-all-functions", "align-all-blocks",
		"align-all-nofallthru-blocks", "unroll-threshold", "enable-ml-inliner",
		"vectorize-loops", "vectorize-slp", "regalloc", "hot-cold-split",
		"import-instr-limit", "x86-branches-within-32B-boundaries", "polly", NULL,
	};
	char name[64];
	size_t n;

	if (v[0] != '-')
		return refuse(c, R_BYPASS);
	v += 1 + (v[1] == '-');
	n = strcspn(v, "=");
	if (n == 0 || n >= sizeof(name))
		return refuse(c, R_BYPASS);
	memcpy(name, v, n);
	name[n] = 0;
	if (!str_in(name, names) || (v[n] && !is_token(v + n + 1)))
		return refuse(c, R_BYPASS);
	return ACT_ALLOW;
}

static enum act chk_warning(struct ctx *c, const char *v)
{
	return warning_ok(v) ? ACT_ALLOW : refuse(c, R_UNKNOWN);
}

static enum act chk_opt(struct ctx *c, const char *v)
{
	static const char *const ok[] = { "", "s", "z", "g", "fast", NULL };
	if (str_in(v, ok))
		return ACT_ALLOW;
	for (const char *p = v; *p; p++)
		if (*p < '0' || *p > '9')
			return refuse(c, R_UNKNOWN);
	return strlen(v) <= 3 ? ACT_ALLOW : refuse(c, R_UNKNOWN);
}

static enum act chk_debug(struct ctx *c, const char *v)
{
	static const char *const ok[] = {
		"", "0", "1", "2", "3", "gdb", "gdb0", "gdb1", "gdb2", "gdb3", "dwarf", "dwarf-2",
		"dwarf-3", "dwarf-4", "dwarf-5", "dwarf32", "dwarf64", "z",
		"z=none", "z=zlib", "z=zlib-gnu", "z=zstd", "btf", "ctf", "ctf0", "ctf1", "ctf2",
		"codeview", "line-tables-only", "line-directives-only", "full", "used",
		"embed-source", "modules", NULL,
	};
	/* the -g[no-]<knob> family */
	static const char *const knobs[] = {
		"column-info", "record-gcc-switches", "strict-dwarf", "inline-line-tables",
		"pubnames", "gnu-pubnames", "as-loc-support", "as-locview-support",
		"variable-location-views", "statement-frontiers", "internal-reset-location-views",
		"inline-points", "describe-dies", "record-command-line", "split-dwarf",
		"simple-template-names", "template-alias", "omit-unreferenced-methods",
		"embed-source", "codeview", "column-info", "inline-line-tables", "dwarf", NULL,
	};
	if (str_in(v, ok))
		return ACT_ALLOW;
	/* the .dwo would stay in the job dir: the object alone is a broken build */
	if (strcmp(v, "split-dwarf") == 0 || str_has_prefix(v, "split-dwarf="))
		return refuse(c, R_DWO);
	if (str_has_prefix(v, "no-"))
		v += 3;
	return str_in(v, knobs) ? ACT_ALLOW : refuse(c, R_UNKNOWN);
}

static enum act chk_dump_letters(struct ctx *c, const char *v)
{
	static const char *const ok[] = { "D", "I", "N", "U", NULL };
	return str_in(v, ok) ? ACT_ALLOW : refuse(c, R_DUMP);
}

/* -m<target option>[=value]: code generation knobs; values are tokens.
 * "native" asks for the server's CPU, which is not the client's. */
static enum act chk_target(struct ctx *c, const char *v)
{
	size_t n = strcspn(v, "=");
	if (n == 0 || !is_name(v, n) || (v[n] && !is_token(v + n + 1)))
		return refuse(c, R_UNKNOWN);
	if (v[n] && strcmp(v + n + 1, "native") == 0)
		return refuse(c, R_LOCAL);
	return ACT_ALLOW;
}

/* -f families that are refused whatever their form. */
static const char *f_denied(const char *name, bool valued)
{
	static const char *const exec_[] = { "plugin", "pass-plugin", NULL };
	static const char *const write_[] = {
		"crash-diagnostics-dir", "optimization-record-file", "proc-stat-report", "deps-",
		"ltrans", "wpa", "go-c-header", NULL,
	};
	static const char *const read_[] = {
		"resolution", "self-test", "thinlto-index", "embed-offload-object",
		"rewrite-map-file", "xray-always-instrument", "xray-never-instrument",
		"xray-attr-list", "apinotes", NULL,
	};
	static const char *const local_[] = { "test-coverage", "repo", NULL };

	for (size_t i = 0; exec_[i]; i++)
		if (str_has_prefix(name, exec_[i]))
			return R_EXEC;
	if (str_has_prefix(name, "dump"))
		return R_DUMP;
	/* checks only, or gcc's spellings of --help/--target-help/--version */
	if (str_in(name, (const char *const[]){ "syntax-only", "help", "target-help", "version",
						  NULL }))
		return R_NOTCOMP;
	/* compiles twice and leaves the comparison dumps; =OPTS with any options */
	if (str_has_prefix(name, "compare-debug"))
		return valued ? R_EXEC : R_DUMP;
	if (strstr(name, "module"))
		return R_MODULES;
	for (size_t i = 0; write_[i]; i++)
		if (str_has_prefix(name, write_[i]))
			return R_WRITE;
	for (size_t i = 0; read_[i]; i++)
		if (str_has_prefix(name, read_[i]))
			return R_READ;
	if (strstr(name, "sanitize") && strstr(name, "list"))
		return R_READ;
	if (strcmp(name, "profile-update") && strcmp(name, "profile-reproducible") &&
	    strstr(name, "profile"))
		return R_LOCAL;
	if (str_in(name, local_))
		return R_LOCAL;
	if (valued && str_has_prefix(name, "opt-info"))
		return R_WRITE;   /* -fopt-info-<kind>=<file> */
	return NULL;
}

enum fval { FV_TOKEN, FV_STRING, FV_DIAGFMT, FV_BBSECT };

static const struct fvalued {
	const char *name;
	enum fval kind;
} f_valued[] = {
	{ "abi-version", FV_TOKEN }, { "align-functions", FV_TOKEN },
	{ "align-jumps", FV_TOKEN }, { "align-labels", FV_TOKEN },
	{ "align-loops", FV_TOKEN }, { "basic-block-sections", FV_BBSECT },
	{ "bracket-depth", FV_TOKEN }, { "callgraph-info", FV_TOKEN },
	{ "cf-protection", FV_TOKEN }, { "clang-abi-compat", FV_TOKEN },
	{ "constexpr-backtrace-limit", FV_TOKEN }, { "constexpr-depth", FV_TOKEN },
	{ "constexpr-loop-limit", FV_TOKEN }, { "constexpr-ops-limit", FV_TOKEN },
	{ "constexpr-steps", FV_TOKEN }, { "constant-string-class", FV_TOKEN },
	{ "coverage-compilation-dir", FV_STRING }, { "coverage-prefix-map", FV_STRING },
	{ "debug-compilation-dir", FV_STRING }, { "debug-default-version", FV_TOKEN },
	{ "debug-prefix-map", FV_STRING }, { "denormal-fp-math", FV_TOKEN },
	{ "diagnostics-color", FV_TOKEN }, { "diagnostics-column-origin", FV_TOKEN },
	{ "diagnostics-column-unit", FV_TOKEN }, { "diagnostics-escape-format", FV_TOKEN },
	{ "diagnostics-format", FV_DIAGFMT }, { "diagnostics-hotness-threshold", FV_TOKEN },
	{ "diagnostics-minimum-margin-width", FV_TOKEN },
	{ "diagnostics-path-format", FV_TOKEN }, { "diagnostics-show-location", FV_TOKEN },
	{ "diagnostics-urls", FV_TOKEN }, { "embed-bitcode", FV_TOKEN },
	{ "error-limit", FV_TOKEN }, { "excess-precision", FV_TOKEN },
	{ "exec-charset", FV_TOKEN }, { "file-prefix-map", FV_STRING },
	{ "fp-contract", FV_TOKEN }, { "fp-eval-method", FV_TOKEN },
	{ "fp-exception-behavior", FV_TOKEN }, { "fp-model", FV_TOKEN },
	{ "gnuc-version", FV_TOKEN }, { "inline-limit", FV_TOKEN },
	{ "input-charset", FV_TOKEN },
	{ "instrument-functions-exclude-file-list", FV_STRING },
	{ "instrument-functions-exclude-function-list", FV_STRING },
	{ "ira-algorithm", FV_TOKEN }, { "ira-region", FV_TOKEN },
	{ "live-patching", FV_TOKEN }, { "lto", FV_TOKEN },
	{ "lto-compression-level", FV_TOKEN }, { "lto-partition", FV_TOKEN },
	{ "macro-backtrace-limit", FV_TOKEN }, { "macro-prefix-map", FV_STRING },
	{ "max-errors", FV_TOKEN }, { "message-length", FV_TOKEN },
	{ "ms-compatibility-version", FV_TOKEN }, { "msc-version", FV_TOKEN },
	{ "no-sanitize", FV_TOKEN }, { "no-sanitize-recover", FV_TOKEN },
	{ "no-sanitize-trap", FV_TOKEN }, { "objc-abi-version", FV_TOKEN },
	{ "objc-runtime", FV_TOKEN }, { "pack-struct", FV_TOKEN },
	{ "patchable-function-entry", FV_TOKEN }, { "permitted-flt-eval-methods", FV_TOKEN },
	{ "profile-prefix-map", FV_STRING }, { "profile-reproducible", FV_TOKEN },
	{ "profile-update", FV_TOKEN }, { "random-seed", FV_TOKEN },
	{ "reorder-blocks-algorithm", FV_TOKEN }, { "sanitize", FV_TOKEN },
	{ "sanitize-address-field-padding", FV_TOKEN },
	{ "sanitize-address-use-after-return", FV_TOKEN }, { "sanitize-coverage", FV_TOKEN },
	{ "sanitize-memory-track-origins", FV_TOKEN }, { "sanitize-recover", FV_TOKEN },
	{ "sanitize-trap", FV_TOKEN }, { "save-optimization-record", FV_TOKEN },
	{ "sched-stalled-insns", FV_TOKEN }, { "sched-stalled-insns-dep", FV_TOKEN },
	{ "simd-cost-model", FV_TOKEN }, { "spell-checking-limit", FV_TOKEN },
	{ "sso-struct", FV_TOKEN }, { "stack-check", FV_TOKEN },
	{ "stack-limit-register", FV_TOKEN }, { "stack-limit-symbol", FV_TOKEN },
	{ "stack-reuse", FV_TOKEN }, { "strict-flex-arrays", FV_TOKEN },
	{ "strict-overflow", FV_TOKEN }, { "tabstop", FV_TOKEN },
	{ "template-backtrace-limit", FV_TOKEN }, { "template-depth", FV_TOKEN },
	{ "time-trace-granularity", FV_TOKEN }, { "tls-model", FV_TOKEN },
	{ "track-macro-expansion", FV_TOKEN }, { "trivial-auto-var-init", FV_TOKEN },
	{ "trivial-auto-var-init-stop-after", FV_TOKEN }, { "vect-cost-model", FV_TOKEN },
	{ "visibility", FV_TOKEN }, { "wide-exec-charset", FV_TOKEN },
	{ "xray-instruction-threshold", FV_TOKEN }, { "xray-instrumentation-bundle", FV_TOKEN },
	{ "xray-modes", FV_TOKEN }, { "zero-call-used-regs", FV_TOKEN },
};

static enum act chk_fvalue(struct ctx *c, const struct fvalued *f, const char *v)
{
	static const char *const diagfmt[] = { "text", "json", "json-stderr", "sarif-stderr", NULL };
	static const char *const bbsect[] = { "all", "labels", "none", NULL };

	switch (f->kind) {
	case FV_STRING:
		return ACT_ALLOW;     /* rewrites strings in the output, opens nothing */
	case FV_DIAGFMT:
		return str_in(v, diagfmt) ? ACT_ALLOW : refuse(c, R_WRITE);
	case FV_BBSECT:
		return str_in(v, bbsect) ? ACT_ALLOW : refuse(c, R_READ);
	case FV_TOKEN:
	default:
		return is_token(v) ? ACT_ALLOW : refuse(c, R_VALUE);
	}
}

/* -f<name>, -fno-<name>, -f<name>=<value>. */
static enum act chk_f(struct ctx *c, const char *v)
{
	size_t n = strcspn(v, "=");
	const char *why;
	char name[64];

	if (n == 0 || n >= sizeof(name) || !is_name(v, n))
		return refuse(c, R_UNKNOWN);
	memcpy(name, v, n);
	name[n] = 0;
	if (!v[n] && str_has_prefix(name, "no-"))
		return ACT_ALLOW;     /* switching a feature off */
	why = f_denied(name, v[n] != 0);
	if (why)
		return refuse(c, why);
	if (!v[n])
		return ACT_ALLOW;
	for (size_t i = 0; i < ELEMENTSOF(f_valued); i++)
		if (strcmp(name, f_valued[i].name) == 0)
			return chk_fvalue(c, &f_valued[i], v + n + 1);
	return refuse(c, R_UNKNOWN);
}

static const struct rule rules[] = {
	/* code execution and loading */
	{ "-wrapper", M_EXACT, ACT_REFUSE, NULL, R_EXEC, false, F_NONE },
	{ "-B", M_JOINED, ACT_REFUSE, NULL, R_EXEC, false, F_NONE },
	{ "-specs", M_JOINED, ACT_REFUSE, NULL, R_SPECS, false, F_NONE },
	{ "-fplugin", M_JOINED, ACT_REFUSE, NULL, R_PLUGIN, false, F_NONE },
	{ "-fpass-plugin", M_JOINED, ACT_REFUSE, NULL, R_EXEC, false, F_NONE },
	{ "-iplugindir", M_JOINED, ACT_REFUSE, NULL, R_EXEC, false, F_NONE },
	{ "-gcc-toolchain", M_JOINED, ACT_REFUSE, NULL, R_EXEC, false, F_NONE },
	{ "-ccc-", M_JOINED, ACT_REFUSE, NULL, R_EXEC, false, F_NONE },
	{ "-Xclang", M_SEP, ACT_ALLOW, chk_xclang, NULL, true, F_NONE },
	{ "-mllvm", M_SEP, ACT_ALLOW, chk_mllvm, NULL, true, F_NONE },
	{ "-mllvm", M_JOINED, ACT_REFUSE, NULL, R_BYPASS, false, F_NONE },
	{ "-Xassembler", M_SEP, ACT_ALLOW, chk_xasm, NULL, true, F_NONE },
	{ "-Wa,", M_JOINED, ACT_ALLOW, chk_wa, NULL, false, F_NONE },
	{ "-Xpreprocessor", M_SEP, ACT_REFUSE, NULL, R_BYPASS, true, F_NONE },
	{ "-Wp,", M_JOINED, ACT_ALLOW, chk_wp, NULL, false, F_WP },
	/* linker-only: inert in a compile, dropped (values may be paths) */
	{ "-Xlinker", M_SEP, ACT_DROP, NULL, NULL, true, F_NONE },
	{ "-Wl,", M_JOINED, ACT_DROP, NULL, NULL, false, F_NONE },
	{ "-fuse-ld=", M_JOINED, ACT_DROP, NULL, NULL, false, F_NONE },
	{ "-rtlib=", M_JOINED, ACT_DROP, NULL, NULL, false, F_NONE },
	{ "-unwindlib=", M_JOINED, ACT_DROP, NULL, NULL, false, F_NONE },
	/* writers */
	{ "-save-temps", M_JOINED, ACT_REFUSE, NULL, R_WRITE, false, F_NONE },
	{ "-aux-info", M_JOINED, ACT_REFUSE, NULL, R_WRITE, false, F_NONE },
	{ "-MJ", M_JOINED, ACT_REFUSE, NULL, R_WRITE, false, F_NONE },
	{ "-objcmt", M_JOINED, ACT_REFUSE, NULL, R_UNKNOWN, false, F_NONE },
	{ "-object", M_JOINED, ACT_REFUSE, NULL, R_UNKNOWN, false, F_NONE },
	/* the job's shape */
	{ "-c", M_EXACT, ACT_ALLOW, chk_compile, NULL, false, F_COMPILE },
	{ "-S", M_EXACT, ACT_ALLOW, chk_compile, NULL, false, F_ASM },
	{ "-E", M_EXACT, ACT_REFUSE, NULL, R_NOTCOMP, false, F_NONE },
	{ "-M", M_EXACT, ACT_REFUSE, NULL, R_NOTCOMP, false, F_NONE },
	{ "-MM", M_EXACT, ACT_REFUSE, NULL, R_NOTCOMP, false, F_NONE },
	{ "-o", M_JOINED_OR_SEP, ACT_ALLOW, chk_output, NULL, false, F_OUTPUT },
	{ "-x", M_JOINED_OR_SEP, ACT_ALLOW, chk_lang, NULL, false, F_LANG },
	/* dependency output: the .d goes next to the job's output */
	{ "-MD", M_EXACT, ACT_ALLOW, NULL, NULL, false, F_MD },
	{ "-MMD", M_EXACT, ACT_ALLOW, NULL, NULL, false, F_MMD },
	{ "-MG", M_EXACT, ACT_ALLOW, NULL, NULL, false, F_MG },
	{ "-MP", M_EXACT, ACT_ALLOW, NULL, NULL, false, F_MP },
	{ "-MF", M_JOINED_OR_SEP, ACT_DROP, NULL, NULL, false, F_MF },
	{ "-MT", M_JOINED_OR_SEP, ACT_ALLOW, chk_any, NULL, false, F_MTQ },
	{ "-MQ", M_JOINED_OR_SEP, ACT_ALLOW, chk_any, NULL, false, F_MTQ },
	/* preprocessor: macros are strings, directories are only searched */
	{ "-D", M_JOINED_OR_SEP, ACT_ALLOW, chk_any, NULL, false, F_NONE },
	{ "-U", M_JOINED_OR_SEP, ACT_ALLOW, chk_any, NULL, false, F_NONE },
	{ "-I", M_JOINED_OR_SEP, ACT_ALLOW, chk_any, NULL, false,
	  F_PATH_OF(JOBSCAN_PATH_INCLUDE_DIR) },
	{ "-iquote", M_JOINED_OR_SEP, ACT_ALLOW, chk_any, NULL, false,
	  F_PATH_OF(JOBSCAN_PATH_QUOTE_DIR) },
	{ "-isystem", M_JOINED_OR_SEP, ACT_ALLOW, chk_any, NULL, false,
	  F_PATH_OF(JOBSCAN_PATH_SYSTEM_DIR) },
	{ "-idirafter", M_JOINED_OR_SEP, ACT_ALLOW, chk_any, NULL, false,
	  F_PATH_OF(JOBSCAN_PATH_AFTER_DIR) },
	{ "-iprefix", M_JOINED_OR_SEP, ACT_ALLOW, chk_any, NULL, false,
	  F_PATH_OF(JOBSCAN_PATH_PREFIX) },
	{ "-iwithprefixbefore", M_JOINED_OR_SEP, ACT_ALLOW, chk_any, NULL, false,
	  F_PATH_OF(JOBSCAN_PATH_WITH_PREFIX) },
	{ "-iwithprefix", M_JOINED_OR_SEP, ACT_ALLOW, chk_any, NULL, false,
	  F_PATH_OF(JOBSCAN_PATH_WITH_PREFIX) },
	{ "-imultilib", M_SEP, ACT_ALLOW, chk_any, NULL, false, F_NONE },
	{ "-imultiarch", M_SEP, ACT_ALLOW, chk_any, NULL, false, F_NONE },
	{ "-include", M_JOINED_OR_SEP, ACT_ALLOW, chk_include, NULL, false,
	  F_PATH_OF(JOBSCAN_PATH_INCLUDE_FILE) },
	{ "-imacros", M_JOINED_OR_SEP, ACT_ALLOW, chk_include, NULL, false,
	  F_PATH_OF(JOBSCAN_PATH_MACROS_FILE) },
	{ "-isysroot", M_JOINED_OR_SEP, ACT_ALLOW, chk_sysroot, NULL, false,
	  F_PATH_OF(JOBSCAN_PATH_SYSROOT) },
	{ "--sysroot=", M_JOINED, ACT_ALLOW, chk_sysroot, NULL, false,
	  F_PATH_OF(JOBSCAN_PATH_SYSROOT) },
	{ "--sysroot", M_SEP, ACT_ALLOW, chk_sysroot, NULL, false,
	  F_PATH_OF(JOBSCAN_PATH_SYSROOT) },
	{ "-undef", M_EXACT, ACT_ALLOW, NULL, NULL, false, F_NONE },
	{ "-unwindlib", M_JOINED, ACT_REFUSE, NULL, R_UNKNOWN, false, F_NONE },
	/* more linker-only options */
	{ "-L", M_JOINED_OR_SEP, ACT_DROP, NULL, NULL, false, F_NONE },
	{ "-l", M_JOINED_OR_SEP, ACT_DROP, NULL, NULL, false, F_NONE },
	{ "-T", M_JOINED_OR_SEP, ACT_DROP, NULL, NULL, false, F_NONE },
	{ "-u", M_JOINED_OR_SEP, ACT_DROP, NULL, NULL, false, F_NONE },
	{ "-z", M_JOINED_OR_SEP, ACT_DROP, NULL, NULL, false, F_NONE },
	/* values */
	{ "-std=", M_JOINED, ACT_ALLOW, chk_token, NULL, false, F_NONE },
	{ "-stdlib=", M_JOINED, ACT_ALLOW, chk_stdlib, NULL, false, F_NONE },
	{ "-target", M_SEP, ACT_ALLOW, chk_token, NULL, false, F_NONE },
	{ "--target=", M_JOINED, ACT_ALLOW, chk_token, NULL, false, F_NONE },
	{ "--param", M_SEP, ACT_ALLOW, chk_token, NULL, false, F_NONE },
	{ "--param=", M_JOINED, ACT_ALLOW, chk_token, NULL, false, F_NONE },
	{ "--coverage", M_EXACT, ACT_REFUSE, NULL, R_LOCAL, false, F_NONE },
	{ "-coverage", M_EXACT, ACT_REFUSE, NULL, R_LOCAL, false, F_NONE },
	{ "--", M_JOINED, ACT_REFUSE, NULL, R_UNKNOWN, false, F_NONE },
	/* clang actions spelled like target options (-module-file-info dumps a
	 * module file instead of compiling) */
	{ "-module", M_JOINED, ACT_REFUSE, NULL, R_MODULES, false, F_NONE },
	/* families */
	{ "-W", M_JOINED, ACT_ALLOW, chk_warning, NULL, false, F_NONE },
	{ "-f", M_JOINED, ACT_ALLOW, chk_f, NULL, false, F_NONE },
	{ "-m", M_JOINED, ACT_ALLOW, chk_target, NULL, false, F_NONE },
	{ "-O", M_JOINED, ACT_ALLOW, chk_opt, NULL, false, F_NONE },
	{ "-g", M_JOINED, ACT_ALLOW, chk_debug, NULL, false, F_NONE },
	{ "-d", M_JOINED, ACT_ALLOW, chk_dump_letters, NULL, false, F_NONE },
};

/* Flags with no value, harmless in a compile (several only matter when
 * linking, which a -c/-S job never does). */
static const char *const plain_flags[] = {
	"-pipe", "-pthread", "-p", "-pg", "-pedantic", "-pedantic-errors", "-ansi", "-w", "-v",
	"-H", "-C", "-CC", "-P", "-nostdinc", "-nostdinc++", "-nostdlibinc", "-nobuiltininc",
	"-traditional", "-traditional-cpp", "-trigraphs", "-no-canonical-prefixes",
	"-no-integrated-as", "-integrated-as", "-Qunused-arguments", "-Qn", "-Qy", "-static",
	"-shared", "-shared-libgcc", "-static-libgcc", "-static-libstdc++", "-static-pie",
	"-pie", "-no-pie", "-rdynamic", "-s", "-nostdlib", "-nodefaultlibs", "-nostartfiles",
	"-nolibc", "-time",
	/* clang < 16 wants it beside -ftrivial-auto-var-init=zero (Linux's Kbuild) */
	"-enable-trivial-auto-var-init-zero-knowing-it-will-be-removed-from-clang", NULL,
};

static const struct rule *find_rule(const char *a, bool *ret_sep, const char **ret_val)
{
	for (size_t i = 0; i < ELEMENTSOF(rules); i++) {
		const struct rule *r = &rules[i];
		size_t n = strlen(r->name);
		bool exact = strcmp(a, r->name) == 0;

		if (exact && r->match != M_JOINED) {
			*ret_sep = r->match == M_SEP || r->match == M_JOINED_OR_SEP;
			*ret_val = a + n;
			return r;
		}
		if ((r->match == M_JOINED || r->match == M_JOINED_OR_SEP) &&
		    strncmp(a, r->name, n) == 0) {
			*ret_sep = false;
			*ret_val = a + n;
			return r;
		}
	}
	return NULL;
}

struct run {
	struct ctx c;
	const char *const *argv;   /* the caller's */
	char **out;                /* the argv to run */
	unsigned n_out;
	unsigned n_rewritten;
	const char *reason;
	unsigned bad;
	/* facts, indices into out */
	struct jobscan js;
	size_t paths_cap;
	const char *cur_lang;      /* -x in effect, NULL: by extension */
	unsigned input_src;        /* the input's index in the caller's argv */
};

/* Appends a copy of @s to the argv to run; *ret_index is its index. */
static int keep(struct run *r, const char *s, unsigned *ret_index)
{
	int err = strv_push(&r->out, s);

	if (err < 0)
		return err;
	if (ret_index)
		*ret_index = r->n_out;
	r->n_out++;
	return 0;
}

static bool fail(struct run *r, unsigned i, const char *why)
{
	r->reason = why;
	r->bad = i;
	return false;
}

static int add_path(struct run *r, enum jobscan_path_kind kind, unsigned index, unsigned offset)
{
	struct jobscan_path *p;

	if (r->js.n_paths == r->paths_cap) {
		size_t cap = r->paths_cap ? 2 * r->paths_cap : 8;

		p = reallocarray(r->js.paths, cap, sizeof(*p));
		if (!p)
			return -ENOMEM;
		r->js.paths = p;
		r->paths_cap = cap;
	}
	r->js.paths[r->js.n_paths++] = (struct jobscan_path){
		.kind = kind, .index = index, .offset = offset, .joined = offset > 0,
	};
	return 0;
}

static int cmp_option(const void *key, const void *elem)
{
	return strcmp(key, ((const struct next_word_option *)elem)->name);
}

static const struct next_word_option *next_word_option(const char *arg)
{
	const struct next_word_option *o;

	if (!arg || arg[0] != '-')
		return NULL;
	o = bsearch(arg, next_word_options, ELEMENTSOF(next_word_options),
		    sizeof(next_word_options[0]), cmp_option);
	if (o)
		return o;
	for (size_t i = 0; i < ELEMENTSOF(next_word_prefixes); i++)
		if (str_has_prefix(arg, next_word_prefixes[i].name))
			return &next_word_prefixes[i];
	return NULL;
}

static unsigned known_words(unsigned char n)
{
	return n == NW_UNKNOWN ? 0 : n;
}

unsigned jobscan_words_consumed(const char *arg)
{
	const struct next_word_option *o = next_word_option(arg);
	unsigned c, g;

	if (!o)
		return 0;
	c = o->prefix && strcmp(arg, o->name) ? o->clang : known_words(o->clang);
	g = o->prefix && strcmp(arg, o->name) ? 0 : known_words(o->gcc);
	return c > g ? c : g;
}

/* Does one driver read @arg alone while the other takes the next word? */
static bool drivers_disagree(const char *arg)
{
	const struct next_word_option *o = next_word_option(arg);

	return o && (o->clang == 0 || o->gcc == 0) && !(o->prefix && strcmp(arg, o->name));
}

/* Records what an allowed, kept option tells about the job. @idx is the
 * option's index in the argv to run; a separate value follows it. */
static int note_fact(struct run *r, const struct rule *rule, bool sep, const char *a,
		     const char *val, unsigned idx)
{
	struct jobscan *js = &r->js;

	switch (rule->fact) {
	case F_NONE:
	case F_COMPILE:
		return 0;
	case F_ASM:
		js->asm_only = true;
		return 0;
	case F_OUTPUT:
		js->output = idx;
		js->output_joined = !sep;
		return 0;
	case F_LANG:
		r->cur_lang = strcmp(r->c.lang, "none") == 0 ? NULL : r->c.lang;
		return 0;
	case F_MD:
		js->deps.md = true;
		return 0;
	case F_MMD:
		js->deps.mmd = true;
		return 0;
	case F_MG:
		js->deps.mg = true;
		return 0;
	case F_MP:
		js->deps.mp = true;
		return 0;
	case F_MF:
		js->deps.mf = val;
		return 0;
	case F_MTQ:
		js->deps.n_targets++;
		return 0;
	case F_WP:
		js->deps.md |= strcmp(r->c.replacement, "-MD") == 0;
		js->deps.mmd |= strcmp(r->c.replacement, "-MMD") == 0;
		js->deps.mf = r->c.wp_file;
		return 0;
	default:
		break;
	}
	if (!sep && strcmp(val, "-") == 0)
		return 0;     /* gcc's obsolete -I-: a separator, not a path */
	if (sep)
		return add_path(r, (enum jobscan_path_kind)(rule->fact - F_PATH), idx + 1, 0);
	return add_path(r, (enum jobscan_path_kind)(rule->fact - F_PATH), idx,
			(unsigned)(val - a));
}

/* Keeps, drops or replaces an allowed option (and its separate value). */
static int apply(struct run *r, const struct rule *rule, enum act act, bool sep, const char *a,
		 const char *val)
{
	unsigned idx = 0;
	int err = 0;

	if (act == ACT_DROP || act == ACT_REPLACE) {
		r->n_rewritten++;
		if (act == ACT_REPLACE)
			err = keep(r, r->c.replacement, &idx);
	} else {
		err = keep(r, a, &idx);
		if (err >= 0 && sep)
			err = keep(r, val, NULL);
	}
	/* a dropped -MF still tells where the client wants its .d file */
	if (err >= 0 && (act != ACT_DROP || rule->fact == F_MF))
		err = note_fact(r, rule, sep, a, val, idx);
	return err;
}

/* One option at argv[*i]; advances *i past a separate value. Returns false
 * (with r->reason) on refusal, or sets *ret_err on -ENOMEM. */
static bool classify_option(struct run *r, unsigned *i, int *ret_err)
{
	const char *a = r->argv[*i], *val = NULL;
	unsigned words = jobscan_words_consumed(a);
	const struct rule *rule;
	bool sep = false;
	enum act act;

	if (words == 0 && str_in(a, plain_flags)) {
		*ret_err = keep(r, a, NULL);
		return true;
	}
	rule = find_rule(a, &sep, &val);
	if (!rule)
		return fail(r, *i, words ? R_NEXTWORD : R_UNKNOWN);
	if (sep) {
		val = r->argv[*i + 1];
		if (!val)
			return fail(r, *i, R_MISSING);
		if (val[0] == '@')
			return fail(r, *i + 1, R_RESPFILE);
		if (val[0] == '-' && !rule->dash_value && rule->act != ACT_REFUSE)
			return fail(r, *i + 1, R_DASHVAL);
	}
	r->c.reason = rule->reason;
	act = rule->check && rule->act != ACT_REFUSE ? rule->check(&r->c, val) : rule->act;
	if (act == ACT_REFUSE)
		return fail(r, *i, r->c.reason ? r->c.reason : R_UNKNOWN);
	/* gcc or clang would take the next word (or none) where we did not */
	if (words != (sep ? 1u : 0u) || (sep && drivers_disagree(a)))
		return fail(r, *i, words ? R_NEXTWORD : R_UNKNOWN);
	*ret_err = apply(r, rule, act, sep, a, val);
	*i += sep;
	return true;
}

static bool take_input(struct run *r, unsigned i, int *ret_err)
{
	unsigned idx;

	if (++r->c.n_inputs > 1)
		return fail(r, i, R_INPUTS);
	*ret_err = keep(r, r->argv[i], &idx);
	if (*ret_err < 0)
		return false;
	r->js.input = idx;
	r->js.language = r->cur_lang;
	r->input_src = i;
	*ret_err = add_path(r, JOBSCAN_PATH_INPUT, idx, 0);
	return true;
}

static bool classify_all(struct run *r, int *ret_err)
{
	for (unsigned i = 1; r->argv[i]; i++) {
		const char *a = r->argv[i];

		if (a[0] == '@')
			return fail(r, i, R_RESPFILE);
		if (a[0] != '-') {
			if (!take_input(r, i, ret_err))
				return false;
		} else if (a[1] == 0) {
			return fail(r, i, R_STDIO);
		} else if (!classify_option(r, &i, ret_err)) {
			return false;
		}
		if (*ret_err < 0)
			return false;
	}
	if (!r->c.compile)
		return fail(r, 0, R_NOTCOMP);
	if (r->c.n_inputs != 1)
		return fail(r, 0, R_INPUTS);
	return true;
}

static const char *lang_ext(const char *lang)
{
	static const struct {
		const char *lang, *ext;
	} map[] = {
		{ "c", ".i" }, { "cpp-output", ".i" }, { "c++", ".ii" }, { "c++-cpp-output", ".ii" },
		{ "objective-c", ".mi" }, { "objective-c-cpp-output", ".mi" },
		{ "objc-cpp-output", ".mi" }, { "objective-c++", ".mii" },
		{ "objective-c++-cpp-output", ".mii" }, { "objc++-cpp-output", ".mii" },
		{ "assembler", ".s" }, { "assembler-with-cpp", ".s" },
	};
	for (size_t i = 0; i < ELEMENTSOF(map); i++)
		if (strcmp(lang, map[i].lang) == 0)
			return map[i].ext;
	return NULL;
}

/* The input's kind decides the job's file names; -S of assembler is no job. */
static bool classify_input(struct run *r)
{
	const char *in = r->argv[r->input_src];
	const char *ext = r->js.language ? lang_ext(r->js.language) : srcext_preproc(in, true);

	if (!ext)
		return fail(r, r->input_src, R_NOTSRC);
	if (r->js.asm_only && strcmp(ext, ".s") == 0)
		return fail(r, r->input_src, R_NOTCOMP);
	r->js.in_ext = ext;
	r->js.out_ext = r->js.asm_only ? ".s" : ".o";
	return true;
}

int jobscan_argv(const char *const argv[], unsigned protover, struct jobscan *ret)
{
	struct run r = { .c = { .protover = protover }, .argv = argv };
	int err = 0;

	if (!argv || !argv[0] || !ret)
		return -EINVAL;
	err = keep(&r, argv[0], NULL);
	if (err >= 0 && classify_all(&r, &err) && classify_input(&r)) {
		r.js.allowed = true;
		r.js.argv = TAKE_PTR(r.out);
		r.js.argc = r.n_out;
		r.js.n_rewritten = r.n_rewritten;
		*ret = r.js;
		return 0;
	}
	strv_free(r.out);
	free(r.js.paths);
	if (err < 0)
		return err;
	*ret = (struct jobscan){
		.allowed = false, .reason = r.reason, .arg = argv[r.bad], .bad_index = r.bad,
	};
	return 0;
}

static int set_word(char **v, unsigned i, const char *prefix, const char *s)
{
	size_t np = strlen(prefix), ns = strlen(s);
	char *n = malloc(np + ns + 1);

	if (!n)
		return -ENOMEM;
	memcpy(n, prefix, np);
	memcpy(n + np, s, ns + 1);
	free(v[i]);
	v[i] = n;
	return 0;
}

int jobscan_rewrite(const struct jobscan *js, const char *input, const char *output,
		    char ***ret_argv)
{
	char **v;
	int r;

	if (!js->allowed || !js->argv)
		return -EINVAL;
	v = strv_copy(js->argv);
	if (!v)
		return -ENOMEM;
	r = set_word(v, js->input, "", input);
	if (r >= 0 && js->output == 0) {
		r = strv_push(&v, "-o");
		if (r >= 0)
			r = strv_push(&v, output);
	} else if (r >= 0) {
		r = js->output_joined ? set_word(v, js->output, "-o", output)
				      : set_word(v, js->output + 1, "", output);
	}
	if (r < 0) {
		strv_free(v);
		return r;
	}
	*ret_argv = v;
	return 0;
}

const char *jobscan_path_kind_to_string(enum jobscan_path_kind kind)
{
	static const char *const names[] = {
		[JOBSCAN_PATH_INPUT] = "input",
		[JOBSCAN_PATH_INCLUDE_DIR] = "include-dir",
		[JOBSCAN_PATH_QUOTE_DIR] = "quote-dir",
		[JOBSCAN_PATH_SYSTEM_DIR] = "system-dir",
		[JOBSCAN_PATH_AFTER_DIR] = "after-dir",
		[JOBSCAN_PATH_PREFIX] = "prefix",
		[JOBSCAN_PATH_WITH_PREFIX] = "with-prefix",
		[JOBSCAN_PATH_INCLUDE_FILE] = "include-file",
		[JOBSCAN_PATH_MACROS_FILE] = "macros-file",
		[JOBSCAN_PATH_SYSROOT] = "sysroot",
	};
	return (unsigned)kind < ELEMENTSOF(names) ? names[kind] : "unknown";
}

void jobscan_done(struct jobscan *js)
{
	if (!js)
		return;
	strv_free(js->argv);
	js->argv = NULL;
	free(js->paths);
	js->paths = NULL;
	js->n_paths = 0;
}
