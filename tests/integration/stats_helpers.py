# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the stats suite: fetch from the stats port, a line-by-line
parser for distcc 3.4's stats page (DISTCC-REFERENCE 4.7: one regex per line,
in order) and a strict OpenMetrics 1.0.0 text-format checker."""
import re
import socket
import time

# distcc 3.4's page, one regex per line, in order (LF line endings only).
DISTCC34_LINES = [
    r"HTTP/1\.0 200 OK",
    r"Content-Type: text/plain",
    r"Connection: close",
    r"",
    r"argv /distccd",
    r"<distccstats>",
    r"dcc_tcp_accept (?P<dcc_tcp_accept>\d+)",
    r"dcc_rej_bad_req (?P<dcc_rej_bad_req>\d+)",
    r"dcc_rej_overload (?P<dcc_rej_overload>\d+)",
    r"dcc_compile_ok (?P<dcc_compile_ok>\d+)",
    r"dcc_compile_error (?P<dcc_compile_error>\d+)",
    r"dcc_compile_timeout (?P<dcc_compile_timeout>\d+)",
    r"dcc_cli_disconnect (?P<dcc_cli_disconnect>\d+)",
    r"dcc_other (?P<dcc_other>\d+)",
    r"dcc_longest_job (?P<dcc_longest_job>\S+)",
    r"dcc_longest_job_compiler (?P<dcc_longest_job_compiler>\S+)",
    r"dcc_longest_job_time_msecs (?P<dcc_longest_job_time_msecs>-1|\d+)",
    r"dcc_max_kids (?P<dcc_max_kids>\d+)",
    r"dcc_avg_kids1 (?P<dcc_avg_kids1>\d+)",
    r"dcc_avg_kids2 (?P<dcc_avg_kids2>\d+)",
    r"dcc_avg_kids3 (?P<dcc_avg_kids3>\d+)",
    r"dcc_current_load (?P<dcc_current_load>\d+)",
    r"dcc_load1 (?P<dcc_load1>\d+\.\d\d)",
    r"dcc_load2 (?P<dcc_load2>\d+\.\d\d)",
    r"dcc_load3 (?P<dcc_load3>\d+\.\d\d)",
    r"dcc_num_compiles1 (?P<dcc_num_compiles1>\d+)",
    r"dcc_num_compiles2 (?P<dcc_num_compiles2>\d+)",
    r"dcc_num_compiles3 (?P<dcc_num_compiles3>\d+)",
    r"dcc_num_procstate_D (?P<dcc_num_procstate_D>\d+)",
    r"dcc_max_RSS (?P<dcc_max_RSS>\d+)",
    r"dcc_max_RSS_name (?P<dcc_max_RSS_name>\S+)",
    r"dcc_io_rate (?P<dcc_io_rate>-1|\d+)",
    r"dcc_free_space (?P<dcc_free_space>\d+) MB",
    r"</distccstats>",
]


def fetch(port, send=b"", host="127.0.0.1", timeout=10):
    """Connect, send @send (possibly nothing), read until the server closes."""
    with socket.create_connection((host, port), timeout) as s:
        if send:
            s.sendall(send)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
        return data


def parse_distcc_page(data):
    """Check every line of the page against DISTCC34_LINES; return the fields
    (ints where numeric). Raises AssertionError naming the first bad line."""
    assert b"\r" not in data, "3.4's page has LF line endings only"
    text = data.decode("ascii")
    assert text.endswith("\n"), "page must end with a newline"
    lines = text[:-1].split("\n")
    assert len(lines) == len(DISTCC34_LINES), \
        "expected %d lines, got %d:\n%s" % (len(DISTCC34_LINES), len(lines), text)
    fields = {}
    for n, (pat, line) in enumerate(zip(DISTCC34_LINES, lines), 1):
        m = re.fullmatch(pat, line)
        assert m, "line %d %r does not match %r" % (n, line, pat)
        for k, v in m.groupdict().items():
            if re.fullmatch(r"-?\d+", v):
                v = int(v)
            elif re.fullmatch(r"\d+\.\d+", v):
                v = float(v)
            fields[k] = v
    return fields


def distcc_page(port, send=b"GET / HTTP/1.0\r\n\r\n"):
    return parse_distcc_page(fetch(port, send))


def wait_page(port, pred, timeout=10):
    """Poll the 3.4 page until pred(fields) holds; return the fields."""
    end = time.monotonic() + timeout
    while True:
        f = distcc_page(port)
        if pred(f) or time.monotonic() > end:
            return f
        time.sleep(0.05)


# ---- OpenMetrics -----------------------------------------------------------

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
_LABEL_VALUE = r'"(?:[^"\\\n]|\\\\|\\"|\\n)*"'
_NUMBER = r"(?:[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)|[-+]?Inf|NaN)"
_SAMPLE = re.compile(r"(?P<name>%s)(?P<labels>\{(?:%s=%s(?:,%s=%s)*)?\})? (?P<value>%s)"
                     r"(?: (?P<ts>%s))?" % (_NAME, _LABEL, _LABEL_VALUE, _LABEL, _LABEL_VALUE,
                                           _NUMBER, _NUMBER))
_TYPES = {"counter", "gauge", "stateset", "info", "histogram", "gaugehistogram", "summary",
          "unknown"}
_SUFFIXES = {"counter": ["_total", "_created"], "gauge": [""], "unknown": [""],
             "info": ["_info"], "stateset": [""],
             "histogram": ["_bucket", "_count", "_sum", "_created"],
             "gaugehistogram": ["_bucket", "_gcount", "_gsum"],
             "summary": ["", "_count", "_sum", "_created"]}


def _labels(s):
    if not s:
        return ()
    out = re.findall(r'(%s)=(%s)' % (_LABEL, _LABEL_VALUE), s[1:-1])
    names = [k for k, _ in out]
    assert len(set(names)) == len(names), "duplicate label in %s" % s
    return tuple(sorted(out))


def check_openmetrics(text):
    """Strict line grammar for the OpenMetrics 1.0.0 text format. Returns
    {family: {"type":..., "unit":..., "help":..., "samples": {(name, labels): value}}}."""
    assert text.endswith("# EOF\n"), "must end with '# EOF' and a newline"
    lines = text[:-1].split("\n")
    assert lines[-1] == "# EOF" and "# EOF" not in lines[:-1]
    families, order, current = {}, [], None
    for n, line in enumerate(lines[:-1], 1):
        assert line, "line %d: empty lines are not allowed" % n
        m = re.fullmatch(r"# (TYPE|UNIT|HELP) (%s) (.*)" % _NAME, line)
        if m:
            kind, name, rest = m.groups()
            if name != current:
                assert name not in families, "line %d: family %s interleaved" % (n, name)
                families[name] = {"type": "unknown", "unit": None, "help": None, "samples": {},
                                  "seen": set()}
                order.append(name)
                current = name
            fam = families[name]
            assert kind not in fam["seen"], "line %d: second %s for %s" % (n, kind, name)
            assert not fam["samples"], "line %d: metadata after samples" % n
            fam["seen"].add(kind)
            if kind == "TYPE":
                assert rest in _TYPES, "line %d: bad type %r" % (n, rest)
                fam["type"] = rest
            elif kind == "UNIT":
                assert re.fullmatch(r"[a-zA-Z0-9_:]+", rest) and name.endswith("_" + rest), \
                    "line %d: unit %r must be the family name's suffix" % (n, rest)
                fam["unit"] = rest
            else:
                assert re.fullmatch(r"(?:[^\\\n]|\\\\|\\n)*", rest), "line %d: bad HELP" % n
                fam["help"] = rest
            continue
        assert not line.startswith("#"), "line %d: unknown comment %r" % (n, line)
        m = _SAMPLE.fullmatch(line)
        assert m, "line %d: not a sample: %r" % (n, line)
        assert current is not None, "line %d: sample before any family" % n
        fam = families[current]
        suffix = m.group("name")[len(current):]
        assert m.group("name").startswith(current) and suffix in _SUFFIXES[fam["type"]], \
            "line %d: %s does not belong to %s family %s" % (n, m.group("name"), fam["type"],
                                                            current)
        key = (m.group("name"), _labels(m.group("labels")))
        assert key not in fam["samples"], "line %d: duplicate sample" % n
        value = float(m.group("value"))
        if fam["type"] == "counter":
            assert value >= 0, "line %d: negative counter" % n
        fam["samples"][key] = value
    for fam in families.values():
        del fam["seen"]
    return families


def split_http(data):
    """(status line, headers dict lower-cased, body) of a HTTP/1.0 answer."""
    head, sep, body = data.partition(b"\r\n\r\n")
    assert sep, "no CRLF CRLF after the header"
    lines = head.decode("ascii").split("\r\n")
    headers = {}
    for h in lines[1:]:
        k, _, v = h.partition(":")
        headers[k.strip().lower()] = v.strip()
    return lines[0], headers, body


def sample(families, family, name=None, **labels):
    want = tuple(sorted((k, '"%s"' % v) for k, v in labels.items()))
    return families[family]["samples"][(name or family, want)]
