#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn the raw rows written by bench/run.sh (TSV) into markdown: medians
(min..max) per figure and implementation, the ratio ours / distcc 3.4, and a
PASS/FAIL line per project goal. Warm-up rows (rep "w") are ignored; runs
whose status is not "ok" are left out of the medians and counted as invalid."""
import csv
import statistics
import sys

IMPLS = ("d34", "ours")
NAMES = {"d34": "distcc 3.4", "ours": "ours", "local": "local"}
# build modes in table order; "-weak": the client capped at a quarter CPU
MODES = ("plain", "lzo", "pump", "plain-weak", "pump-weak")


def load(path):
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["rep"] != "w"]
    for r in rows:
        for k in ("wall_s", "client_cpu_s", "server_cpu_s"):
            r[k] = float(r[k])
        for k in ("tx_bytes", "rx_bytes", "jobs", "remote_ok", "fallbacks"):
            r[k] = int(r[k])
    return rows


class Fig:
    """A set of per-run values: median, min, max; None when there is none."""

    def __init__(self, values):
        self.v = sorted(values)

    @property
    def med(self):
        return statistics.median(self.v) if self.v else None

    def fmt(self, scale=1.0, prec=1):
        if not self.v:
            return "–"
        m = self.med * scale
        if len(self.v) == 1:
            return f"{m:.{prec}f}"
        return f"{m:.{prec}f} ({self.v[0] * scale:.{prec}f}..{self.v[-1] * scale:.{prec}f})"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(x):
    return "–" if x is None else f"{x:.2f}"


def select(rows, **kw):
    return [r for r in rows if all(r[k] == v for k, v in kw.items())]


def valid(rows):
    return [r for r in rows if r["status"] == "ok"]


def validity(rows):
    ok = len(valid(rows))
    return f"{ok}/{len(rows)}" + ("" if ok == len(rows) else " INVALID")


BUILD_FIGS = [
    ("wall s", lambda r: r["wall_s"], 1, 1),
    ("client CPU s", lambda r: r["client_cpu_s"], 1, 1),
    ("server CPU s", lambda r: r["server_cpu_s"], 1, 1),
    ("total CPU s", lambda r: r["client_cpu_s"] + r["server_cpu_s"], 1, 1),
    ("client→srv MB", lambda r: r["tx_bytes"], 1e-6, 1),
    ("srv→client MB", lambda r: r["rx_bytes"], 1e-6, 1),
]


def build_tables(rows, out):
    workloads = [w for w in dict.fromkeys(r["workload"] for r in rows) if not w.startswith("tiny-")]
    for w in workloads:
        out.append(f"### {w}\n")
        out.append("| mode | impl | " + " | ".join(f[0] for f in BUILD_FIGS) +
                   " | remote jobs | fallbacks | valid runs |")
        out.append("|" + "---|" * (len(BUILD_FIGS) + 5))
        loc = select(rows, workload=w, impl="local")
        if loc:
            v = valid(loc)
            cells = [Fig([f(r) for r in v]).fmt(s, p) if n.startswith(("wall", "client CPU", "total"))
                     else "–" for n, f, s, p in BUILD_FIGS]
            out.append(f"| local -j | local | " + " | ".join(cells) +
                       f" | – | – | {validity(loc)} |")
        for mode in MODES:
            figs = {}
            for impl in IMPLS:
                rs = select(rows, workload=w, impl=impl, mode=mode)
                if not rs:
                    continue
                v = valid(rs)
                figs[impl] = [Fig([f(r) for r in v]) for _, f, _, _ in BUILD_FIGS]
                cells = [fig.fmt(s, p) for fig, (_, _, s, p) in zip(figs[impl], BUILD_FIGS)]
                remote = Fig([r["remote_ok"] for r in rs]).fmt(1, 0)
                fb = sum(r["fallbacks"] for r in rs)
                out.append(f"| {mode} | {NAMES[impl]} | " + " | ".join(cells) +
                           f" | {remote} | {fb} | {validity(rs)} |")
            if len(figs) == 2:
                cells = [fmt_ratio(ratio(a.med, b.med)) for a, b in zip(figs["ours"], figs["d34"])]
                out.append(f"| {mode} | ours / 3.4 | " + " | ".join(cells) + " | | | |")
        out.append("")


def per_job(rows, key):
    return Fig([r[key] / r["jobs"] for r in valid(rows) if r["jobs"]])


def micro(rows):
    """Per-implementation micro figures (medians), plus the local references."""
    loc = per_job(select(rows, workload="tiny-seq", impl="local"), "wall_s")
    cpp = per_job(select(rows, workload="tiny-cpp", impl="local"), "client_cpu_s")
    res = {"local_ms": loc, "cpp_ms": cpp}
    par_local = select(rows, workload="tiny-par", impl="local")
    res["local_jps"] = Fig([r["jobs"] / r["wall_s"] for r in valid(par_local)])
    for impl in IMPLS:
        seq = select(rows, workload="tiny-seq", impl=impl, mode="plain")
        par = select(rows, workload="tiny-par", impl=impl, mode="plain")
        if not seq:
            continue
        vs = valid(seq)
        # pair each run with the same repetition's local / cpp run
        lat = [r["wall_s"] / r["jobs"] - loc.med for r in vs] if loc.med is not None else []
        beyond = [r["client_cpu_s"] / r["jobs"] - cpp.med for r in vs] if cpp.med is not None else []
        res[impl] = {
            "ms": per_job(seq, "wall_s"),
            "added": Fig(lat),
            "client": per_job(seq, "client_cpu_s"),
            "beyond": Fig(beyond),
            "server": per_job(seq, "server_cpu_s"),
            "jps": Fig([r["jobs"] / r["wall_s"] for r in valid(par)]),
            "valid": validity(seq + par),
        }
    for impl in IMPLS:
        seq = select(rows, workload="tiny-seq", impl=impl, mode="pump")
        par = select(rows, workload="tiny-par", impl=impl, mode="pump")
        if not seq:
            continue
        vs = valid(seq)
        lat = [r["wall_s"] / r["jobs"] - loc.med for r in vs] if loc.med is not None else []
        res[impl + "-pump"] = {
            "ms": per_job(seq, "wall_s"),
            "added": Fig(lat),
            "client": per_job(seq, "client_cpu_s"),
            "server": per_job(seq, "server_cpu_s"),
            "jps": Fig([r["jobs"] / r["wall_s"] for r in valid(par)]),
            "valid": validity(seq + par),
        }
    sa = select(rows, workload="tiny-seq", impl="ours", mode="sa")
    if sa:
        res["sa"] = {"ms": per_job(sa, "wall_s"), "server": per_job(sa, "server_cpu_s"),
                     "valid": validity(sa)}
    return res


def micro_table(m, out):
    out.append("### tiny jobs\n")
    out.append("tiny.c has no #include; 100 sequential jobs on one server; jobs/s: 200 tiny "
               "files, make -j4 over both servers. CPU per job is the emulated host's cgroup "
               "time divided by the job count (it includes the shell loop and make).\n")
    out.append("| impl | ms/job | added latency ms/job | client CPU ms/job | "
               "beyond cpp ms/job | server CPU ms/job | jobs/s (200 parallel) | valid runs |")
    out.append("|---|---|---|---|---|---|---|---|")
    out.append(f"| local gcc | {m['local_ms'].fmt(1e3, 2)} | – | – | "
               f"(gcc -E: {m['cpp_ms'].fmt(1e3, 2)}) | – | {m['local_jps'].fmt(1, 0)} | |")
    for impl in IMPLS:
        if impl not in m:
            continue
        x = m[impl]
        out.append(f"| {NAMES[impl]} | {x['ms'].fmt(1e3, 2)} | {x['added'].fmt(1e3, 2)} | "
                   f"{x['client'].fmt(1e3, 2)} | {x['beyond'].fmt(1e3, 2)} | "
                   f"{x['server'].fmt(1e3, 2)} | {x['jps'].fmt(1, 0)} | {x['valid']} |")
    if "ours" in m and "d34" in m:
        cells = [fmt_ratio(ratio(m["ours"][k].med, m["d34"][k].med))
                 for k in ("ms", "added", "client", "beyond", "server", "jps")]
        out.append("| ours / 3.4 | " + " | ".join(cells) + " | |")
    for impl in IMPLS:
        x = m.get(impl + "-pump")
        if x:
            out.append(f"| {NAMES[impl]}, pump | {x['ms'].fmt(1e3, 2)} | {x['added'].fmt(1e3, 2)} | "
                       f"{x['client'].fmt(1e3, 2)} | (no cpp) | {x['server'].fmt(1e3, 2)} | "
                       f"{x['jps'].fmt(1, 0)} | {x['valid']} |")
    if "ours-pump" in m and "d34-pump" in m:
        cells = [fmt_ratio(ratio(m["ours-pump"][k].med, m["d34-pump"][k].med))
                 for k in ("ms", "added", "client")] + ["", fmt_ratio(ratio(
                     m["ours-pump"]["server"].med, m["d34-pump"]["server"].med)),
                     fmt_ratio(ratio(m["ours-pump"]["jps"].med, m["d34-pump"]["jps"].med))]
        out.append("| ours pump / 3.4 pump | " + " | ".join(cells) + " | |")
    if "sa" in m:
        out.append(f"| ours, socket-activated | {m['sa']['ms'].fmt(1e3, 2)} | | | | "
                   f"{m['sa']['server'].fmt(1e3, 2)} | | {m['sa']['valid']} |")
    out.append("")


def within(r, limit, op):
    """Compare a ratio at the 2 decimals the report shows (1.004x is 1.00x)."""
    if r is None:
        return None
    r = round(r, 2)
    return r <= limit if op == "<=" else r >= limit


def goal(out, name, value, target, ok, note=""):
    verdict = "N/A" if ok is None else ("PASS" if ok else "FAIL")
    goal_txt = f" (goal {target})" if target else ""
    out.append(f"- **{verdict}** {name}: {value}{goal_txt}{note}")


def goals(rows, m, out):
    out.append("### goals\n")
    have = "ours" in m and "d34" in m
    if have:
        a, b = m["ours"]["added"].med, m["d34"]["added"].med
        r = ratio(a, b)
        goal(out, "added latency per tiny job over local gcc",
             f"ours {a * 1e3:.2f} ms vs 3.4 {b * 1e3:.2f} ms = {fmt_ratio(r)}x", "<= 0.5x",
             within(r, 0.5, "<="))
        a, b = m["ours"]["beyond"].med, m["d34"]["beyond"].med
        r = ratio(a, b)
        goal(out, "client CPU per job beyond the preprocessor",
             f"ours {a * 1e3:.2f} ms vs 3.4 {b * 1e3:.2f} ms = {fmt_ratio(r)}x", "<= 0.5x",
             within(r, 0.5, "<="))
        a, b = m["ours"]["jps"].med, m["d34"]["jps"].med
        r = ratio(a, b)
        goal(out, "jobs/s, 200 parallel tiny jobs over two servers",
             f"ours {a or 0:.0f} vs 3.4 {b or 0:.0f} = {fmt_ratio(r)}x", ">= 1.5x",
             within(r, 1.5, ">="))
    else:
        for n in ("added latency per tiny job", "client CPU per job beyond the preprocessor",
                  "jobs/s, 200 parallel tiny jobs"):
            goal(out, n, "micro-benchmark not run", "", None)
    build_goals(rows, out)
    pump_goals(rows, m, out)
    if "sa" in m and "ours" in m:
        d = m["sa"]["ms"].med - m["ours"]["ms"].med
        goal(out, "socket-activated distccd vs standalone, per job",
             f"{d * 1e3:+.2f} ms ({m['sa']['ms'].med * 1e3:.2f} vs {m['ours']['ms'].med * 1e3:.2f})",
             "<= +1 ms", d <= 0.001)
    else:
        goal(out, "socket-activated distccd vs standalone", "micro-benchmark not run", "", None)


def build_goals(rows, out):
    ws = [w for w in dict.fromkeys(r["workload"] for r in rows) if not w.startswith("tiny-")]
    if not ws:
        goal(out, "git plain build", "no build run", "", None)
        return
    w = "git" if "git" in ws else ws[0]
    note = "" if w == "git" else f" — measured on {w}, not git (quick run)"
    med = lambda rs, f: Fig([f(r) for r in valid(rs)]).med
    total = lambda r: r["client_cpu_s"] + r["server_cpu_s"]
    loc = med(select(rows, workload=w, impl="local"), total)
    p = {i: select(rows, workload=w, impl=i, mode="plain") for i in IMPLS}
    lz = {i: select(rows, workload=w, impl=i, mode="lzo") for i in IMPLS}
    if loc is not None and all(valid(p[i]) for i in IMPLS):
        oa, ob = med(p["ours"], total) - loc, med(p["d34"], total) - loc
        r = ratio(oa, ob)
        goal(out, f"{w} plain: total CPU overhead over a local build",
             f"ours {oa:+.1f} s vs 3.4 {ob:+.1f} s = {fmt_ratio(r)}x", "<= 0.5x",
             None if ob <= 0 else within(r, 0.5, "<="),
             note + (" (3.4's overhead is within noise: N/A)" if ob <= 0 else ""))
        a, b = med(p["ours"], lambda r: r["client_cpu_s"]), med(p["d34"], lambda r: r["client_cpu_s"])
        r = ratio(a, b)
        goal(out, f"{w} plain: client CPU", f"ours {a:.1f} s vs 3.4 {b:.1f} s = {fmt_ratio(r)}x",
             "<= 1.0x", within(r, 1.0, "<="), note)
    else:
        goal(out, f"{w} plain build", "no valid runs of both implementations", "", None)
    if all(valid(lz[i]) for i in IMPLS):
        by = lambda r: r["tx_bytes"] + r["rx_bytes"]
        a, b = med(lz["ours"], by), med(lz["d34"], by)
        r = ratio(a, b)
        goal(out, f"{w} ,lzo: bytes on the wire (both ways)",
             f"ours {a / 1e6:.1f} MB vs 3.4 {b / 1e6:.1f} MB = {fmt_ratio(r)}x", "<= 1.0x",
             within(r, 1.0, "<="), note)
    else:
        goal(out, f"{w} ,lzo build", "no valid runs of both implementations", "", None)


def pump_goals(rows, m, out):
    """Pump mode (issue 11): tiny jobs, the git build, the weak client."""
    a, b = m.get("ours-pump"), m.get("d34-pump")
    if a and b and a["client"].med is not None and b["client"].med is not None:
        x, y = a["client"].med, b["client"].med
        r = ratio(x, y)
        goal(out, "tiny job, pump: client CPU per job",
             f"ours {x * 1e3:.2f} ms vs 3.4 pump {y * 1e3:.2f} ms = {fmt_ratio(r)}x", "<= 0.5x",
             within(r, 0.5, "<="))
    else:
        goal(out, "tiny job, pump: client CPU per job", "pump micro-benchmark of both not run",
             "", None)
    if a and "d34" in m and a["added"].med is not None and m["d34"]["added"].med is not None:
        x, y = a["added"].med, m["d34"]["added"].med
        r = ratio(x, y)
        goal(out, "tiny job, pump: added latency over local gcc",
             f"ours pump {x * 1e3:.2f} ms vs 3.4 plain {y * 1e3:.2f} ms = {fmt_ratio(r)}x",
             "<= 0.5x", within(r, 0.5, "<="))
    else:
        goal(out, "tiny job, pump: added latency over local gcc", "not measured", "", None)
    ws = [w for w in dict.fromkeys(r["workload"] for r in rows) if not w.startswith("tiny-")]
    w = "git" if "git" in ws else (ws[0] if ws else None)
    note = "" if w == "git" else f" — measured on {w}, not git (quick run)"
    med = lambda rs, f: Fig([f(r) for r in valid(rs)]).med
    cpu = lambda r: r["client_cpu_s"]
    sel = lambda impl, mode: select(rows, workload=w, impl=impl, mode=mode)
    ours_p, d34_p, ours_plain = sel("ours", "pump"), sel("d34", "pump"), sel("ours", "plain")
    if w and valid(ours_p) and valid(d34_p):
        x, y = med(ours_p, cpu), med(d34_p, cpu)
        r = ratio(x, y)
        goal(out, f"{w} pump: client CPU vs 3.4 pump",
             f"ours {x:.1f} s vs 3.4 {y:.1f} s = {fmt_ratio(r)}x", "<= 0.5x",
             within(r, 0.5, "<="), note)
        srv = lambda r: r["server_cpu_s"]
        x, y = med(ours_p, srv), med(d34_p, srv)
        r = ratio(x, y)
        goal(out, f"{w} pump: server CPU vs 3.4 pump",
             f"ours {x:.1f} s vs 3.4 {y:.1f} s = {fmt_ratio(r)}x", "<= 1.0x",
             within(r, 1.0, "<="), note)
    else:
        goal(out, f"{w or 'build'} pump vs 3.4 pump", "no valid pump runs of both", "", None)
    if w and valid(ours_p) and valid(ours_plain):
        x, y = med(ours_p, cpu), med(ours_plain, cpu)
        r = ratio(x, y)
        goal(out, f"{w} pump: client CPU vs our plain mode",
             f"pump {x:.1f} s vs plain {y:.1f} s = {fmt_ratio(r)}x", "<= 0.25x",
             within(r, 0.25, "<="), note)
    else:
        goal(out, f"{w or 'build'} pump vs our plain mode", "no valid runs of both", "", None)
    weak = {k: med(select(rows, workload=w, impl=i, mode=md), lambda r: r["wall_s"])
            for k, i, md in (("ours", "ours", "pump-weak"), ("plain", "d34", "plain-weak"),
                             ("pump", "d34", "pump-weak"))} if w else {}
    if weak.get("ours") is not None:
        parts = [f"ours pump {weak['ours']:.1f} s"]
        for k, label in (("plain", "3.4 plain"), ("pump", "3.4 pump")):
            if weak.get(k) is not None:
                parts.append(f"{label} {weak[k]:.1f} s (ours / {label} = "
                             f"{fmt_ratio(ratio(weak['ours'], weak[k]))}x)")
        out.append(f"- **RATIO** weak client (1/4 CPU), {w} wall time: " + "; ".join(parts) + note)
    else:
        out.append("- **N/A** weak client (1/4 CPU): not measured")


def main():
    rows = load(sys.argv[1])
    out = []
    m = micro(rows)
    if any(r["workload"].startswith("tiny-") for r in rows):
        micro_table(m, out)
    build_tables(rows, out)
    goals(rows, m, out)
    print("\n".join(out))


if __name__ == "__main__":
    main()
