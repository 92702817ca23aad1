# SPDX-License-Identifier: GPL-2.0-or-later
"""bench/report.py: medians, ratios, invalid runs and goal verdicts from
synthetic raw rows (the benchmark itself needs root and minutes: it never
runs under `make check`)."""
import pathlib
import subprocess
import sys

REPORT = pathlib.Path(__file__).resolve().parents[2] / "bench" / "report.py"
HEADER = ("workload impl mode rep wall_s client_cpu_s server_cpu_s tx_bytes rx_bytes "
          "jobs remote_ok fallbacks status").split()


def row(wl, impl, mode, rep, wall, ccpu, scpu=0.0, tx=0, rx=0, jobs=100, ok=None,
        fb=0, status="ok"):
    ok = jobs if ok is None and impl != "local" else (ok or 0)
    return [wl, impl, mode, str(rep), f"{wall:.3f}", f"{ccpu:.3f}", f"{scpu:.3f}",
            str(tx), str(rx), str(jobs), str(ok), str(fb), status]


def run_report(tmp_path, rows):
    p = tmp_path / "r.tsv"
    p.write_text("\n".join("\t".join(r) for r in [HEADER] + rows) + "\n")
    out = subprocess.run([sys.executable, str(REPORT), str(p)], check=True,
                         capture_output=True, text=True).stdout
    return out


def micro_rows(ours_seq_wall, ours_ccpu, ours_par_wall, sa_wall=None):
    rows = []
    for rep in (1, 2, 3):
        rows += [row("tiny-seq", "local", "local", rep, 1.5, 1.5),
                 row("tiny-cpp", "local", "cpp", rep, 0.6, 0.5),
                 row("tiny-seq", "d34", "plain", rep, 2.5, 1.0, 1.5),
                 row("tiny-seq", "ours", "plain", rep, ours_seq_wall, ours_ccpu, 1.5),
                 row("tiny-par", "local", "local", rep, 1.5, 3.0, jobs=200),
                 row("tiny-par", "d34", "plain", rep, 4.0, 2.0, 3.0, jobs=200),
                 row("tiny-par", "ours", "plain", rep, ours_par_wall, 1.5, 3.0, jobs=200)]
        if sa_wall:
            rows.append(row("tiny-seq", "ours", "sa", rep, sa_wall, ours_ccpu, 1.6))
    rows.append(row("tiny-seq", "ours", "plain", "w", 99.0, 99.0, jobs=10))  # warm-up: ignored
    return rows


def test_micro_goals_pass(tmp_path):
    # added latency: 3.4 = 25-15 = 10 ms, ours 20-15 = 5 ms (0.50x)
    # beyond cpp: 3.4 = 10-5 = 5 ms, ours 7.5-5 = 2.5 ms (0.50x); jobs/s 50 vs 80 (1.60x)
    out = run_report(tmp_path, micro_rows(2.0, 0.75, 2.5, sa_wall=2.05))
    assert "**PASS** added latency per tiny job over local gcc: ours 5.00 ms vs 3.4 10.00 ms = 0.50x" in out
    assert "**PASS** client CPU per job beyond the preprocessor: ours 2.50 ms vs 3.4 5.00 ms = 0.50x" in out
    assert "**PASS** jobs/s, 200 parallel tiny jobs over two servers: ours 80 vs 3.4 50 = 1.60x" in out
    assert "**PASS** socket-activated distccd vs standalone, per job: +0.50 ms" in out
    assert "| ours / 3.4 | 0.80 | 0.50 | 0.75 | 0.50 | 1.00 | 1.60 | |" in out
    assert "**N/A** tiny job, pump: client CPU per job" in out


def test_micro_goals_fail(tmp_path):
    out = run_report(tmp_path, micro_rows(2.5, 1.0, 4.0, sa_wall=2.7))
    assert "**FAIL** added latency" in out
    assert "**FAIL** client CPU per job beyond" in out
    assert "**FAIL** jobs/s" in out
    assert "**FAIL** socket-activated distccd vs standalone, per job: +2.00 ms" in out


def build_rows(ours_fallback_rep=None):
    rows = []
    for rep in (1, 2, 3):
        rows.append(row("git", "local", "local", rep, 60, 120, jobs=496))
        for mode, tx in (("plain", 200e6), ("lzo", 60e6)):
            rows.append(row("git", "d34", mode, rep, 67 + rep, 20, 110, int(tx), 40e6 and 40000000,
                            jobs=496))
            bad = rep == ours_fallback_rep and mode == "plain"
            rows.append(row("git", "ours", mode, rep, 65 + rep, 15 + rep, 108, int(tx * 0.9),
                            38000000, jobs=496, ok=490 if bad else 496, fb=6 if bad else 0,
                            status="invalid" if bad else "ok"))
    return rows


def test_build_table_and_goals(tmp_path):
    out = run_report(tmp_path, build_rows())
    # medians (min..max) over 3 repetitions; ratio row
    assert "| plain | ours | 67.0 (66.0..68.0) | 17.0 (16.0..18.0) | 108.0 (108.0..108.0) |" in out
    assert "| plain | distcc 3.4 | 69.0 (68.0..70.0) | 20.0 (20.0..20.0)" in out
    # overhead over local: 3.4 = 130-120 = +10 s, ours 125-120 = +5 s
    assert "**PASS** git plain: total CPU overhead over a local build: ours +5.0 s vs 3.4 +10.0 s = 0.50x" in out
    assert "**PASS** git plain: client CPU: ours 17.0 s vs 3.4 20.0 s = 0.85x" in out
    assert "**PASS** git ,lzo: bytes on the wire (both ways): ours 92.0 MB vs 3.4 100.0 MB = 0.92x" in out


def test_invalid_run_is_marked_and_excluded(tmp_path):
    out = run_report(tmp_path, build_rows(ours_fallback_rep=3))
    assert "| 6 | 2/3 INVALID |" in out
    # rep 3 (client CPU 18 s) left out: median of 16 and 17
    assert "| plain | ours | 66.5 (66.0..67.0) | 16.5 (16.0..17.0) |" in out


def pump_rows():
    rows = micro_rows(2.0, 0.75, 2.5) + build_rows()
    for rep in (1, 2, 3):
        # tiny jobs: 3.4 pump 4 ms client CPU per job, ours 1.5 ms; ours pump
        # wall 19 ms/job: added latency 4 ms vs 3.4 plain's 10 ms
        rows += [row("tiny-seq", "d34", "pump", rep, 3.0, 0.4, 1.5),
                 row("tiny-seq", "ours", "pump", rep, 1.9, 0.15, 1.5),
                 row("tiny-par", "d34", "pump", rep, 4.0, 1.0, 3.0, jobs=200),
                 row("tiny-par", "ours", "pump", rep, 2.0, 0.4, 3.0, jobs=200),
                 row("git", "d34", "pump", rep, 60, 6.0, 100, jobs=496),
                 row("git", "ours", "pump", rep, 50, 2.5, 95, jobs=496),
                 row("git", "d34", "plain-weak", rep, 120, 20, 110, jobs=496),
                 row("git", "d34", "pump-weak", rep, 80, 6, 100, jobs=496),
                 row("git", "ours", "pump-weak", rep, 60, 2.5, 95, jobs=496)]
    return rows


def test_pump_tables_and_goals(tmp_path):
    out = run_report(tmp_path, pump_rows())
    assert ("| ours, pump | 19.00 (19.00..19.00) | 4.00 (4.00..4.00) | 1.50 (1.50..1.50) | "
            "(no cpp) | 15.00 (15.00..15.00) | 100 (100..100) | 6/6 |") in out
    assert "| ours pump / 3.4 pump | 0.63 | 0.27 | 0.38 |  | 1.00 | 2.00 | |" in out
    assert "**PASS** tiny job, pump: client CPU per job: ours 1.50 ms vs 3.4 pump 4.00 ms = 0.38x" in out
    assert "**PASS** tiny job, pump: added latency over local gcc: ours pump 4.00 ms vs 3.4 plain 10.00 ms = 0.40x" in out
    assert "| pump | ours | 50.0 (50.0..50.0) | 2.5 (2.5..2.5) | 95.0 (95.0..95.0) |" in out
    assert "| pump-weak | distcc 3.4 | 80.0 (80.0..80.0) |" in out
    assert "**PASS** git pump: client CPU vs 3.4 pump: ours 2.5 s vs 3.4 6.0 s = 0.42x" in out
    assert "**PASS** git pump: server CPU vs 3.4 pump: ours 95.0 s vs 3.4 100.0 s = 0.95x" in out
    # our plain mode: client CPU 17 s (median of 16, 17, 18): 2.5 / 17 = 0.15
    assert "**PASS** git pump: client CPU vs our plain mode: pump 2.5 s vs plain 17.0 s = 0.15x" in out
    assert ("**RATIO** weak client (1/4 CPU), git wall time: ours pump 60.0 s; 3.4 plain 120.0 s "
            "(ours / 3.4 plain = 0.50x); 3.4 pump 80.0 s (ours / 3.4 pump = 0.75x)") in out


def test_pump_goal_fails(tmp_path):
    rows = [r for r in pump_rows() if not (r[0] == "git" and r[1] == "ours" and r[2] == "pump")]
    rows += [row("git", "ours", "pump", rep, 50, 5.0, 120, jobs=496) for rep in (1, 2, 3)]
    out = run_report(tmp_path, rows)
    assert "**FAIL** git pump: client CPU vs 3.4 pump: ours 5.0 s vs 3.4 6.0 s = 0.83x" in out
    assert "**FAIL** git pump: server CPU vs 3.4 pump" in out
    assert "**FAIL** git pump: client CPU vs our plain mode" in out


def test_pump_runs_all_invalid(tmp_path):
    """Pump runs that all preprocessed locally are left out: N/A, no crash."""
    rows = micro_rows(2.0, 0.75, 2.5)
    rows += [row("tiny-seq", i, "pump", rep, 3.0, 0.4, 1.5, status="invalid")
             for i in ("d34", "ours") for rep in (1, 2)]
    out = run_report(tmp_path, rows)
    assert "**N/A** tiny job, pump: client CPU per job" in out
    assert "**N/A** tiny job, pump: added latency over local gcc" in out
