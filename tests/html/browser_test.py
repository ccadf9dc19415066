#!/usr/bin/env python3
"""The HTML player in a real browser (docs/html.md, issue #18).

For every catalogue scenario: `tcpsim export F --html` makes the page, Debian's
chromium (headless) opens it from file://, and key presses sent through the
DevTools protocol step it. At every step the states the two diagrams show and
the segments the ladder shows must equal what the trace says at that step,
computed here independently from `tcpsim run F --format jsonl`: stepping
forward with ArrowRight in English, then switching to Simplified Chinese (the
L key or the language button) and stepping back with ArrowLeft (up to 30
steps). `#step=N`
must open the page at N, the page must work inside an iframe, and the page
must make no network request (every request is recorded).

One browser serves every scenario. Needs chromium and python3-websocket
(scripts/install-deps.sh --test); without them the test fails and says so.

usage: browser_test.py --tcpsim PATH --scenarios DIR [--chromium PATH] [--only NAME]
"""
import argparse
import glob
import json
import os
import random
import select
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

try:
    import websocket  # python3-websocket
except ImportError:
    print("browser_test: python3-websocket is missing (apt-get install python3-websocket, or "
          "scripts/install-deps.sh --test)", file=sys.stderr)
    sys.exit(1)

# Steps checked one key press at a time, forward in English (beyond this,
# the pile-ups' thousands of events are checked at sampled steps opened with
# #step=N), and back in Chinese: the whole test stays near two minutes.
MAX_KEYED_STEPS = 80
MAX_KEYED_BACK = 30


class Failure(Exception):
    pass


class Browser:
    """Chromium headless with one page, driven over the DevTools protocol."""

    def __init__(self, chromium, width=1280, height=800):
        self.profile = tempfile.mkdtemp(prefix="tcpsim-chromium-")
        self.proc = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--metrics-recording-only",
             "--allow-file-access-from-files", "--remote-debugging-port=0",
             "--user-data-dir=" + self.profile, f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        url = None
        deadline = time.time() + 60
        buf = ""
        while time.time() < deadline and url is None:
            r, _, _ = select.select([self.proc.stderr], [], [], 1)
            if not r:
                if self.proc.poll() is not None:
                    break
                continue
            line = self.proc.stderr.readline()
            buf += line
            if "DevTools listening on " in line:
                url = line.split("DevTools listening on ", 1)[1].strip()
        if url is None:
            self.close()
            raise Failure("chromium did not start (no DevTools URL):\n" + buf[-2000:])
        self.ws = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events = []
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)
        self.call("Network.enable", session=True)
        self.requests = []

    def call(self, method, session=False, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise Failure(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.on_event(reply)

    def on_event(self, ev):
        method = ev.get("method", "")
        if method == "Network.requestWillBeSent":
            self.requests.append(ev["params"]["request"]["url"])
        elif method == "Runtime.exceptionThrown":
            d = ev["params"]["exceptionDetails"]
            self.events.append("exception: " + json.dumps(d.get("exception", {}).get("description", d.get("text"))))
        elif method == "Runtime.consoleAPICalled" and ev["params"].get("type") == "error":
            self.events.append("console.error: " + json.dumps(ev["params"].get("args")))

    def eval(self, expr):
        r = self.call("Runtime.evaluate", session=True, expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise Failure("evaluate failed: " + json.dumps(r["exceptionDetails"])[:500])
        return r["result"].get("value")

    def navigate(self, url):
        self.call("Page.navigate", session=True, url=url)

    def wait_ready(self, what, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.eval("document.readyState === 'complete' && !!document.body && "
                         "document.body.dataset.ready === '1'"):
                return
            time.sleep(0.05)
        raise Failure(f"{what}: the page did not become ready in {timeout} s ({self.events[-3:]})")

    def key(self, key):
        codes = {"ArrowRight": ("ArrowRight", 39), "ArrowLeft": ("ArrowLeft", 37), "l": ("KeyL", 76)}
        code, vk = codes[key]
        down = {"type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": vk,
                "nativeVirtualKeyCode": vk}
        if len(key) == 1:
            down["text"] = key
        # The page acts on keydown; a keyup would only double the round trips.
        self.call("Input.dispatchKeyEvent", session=True, **down)

    def screenshot(self, path, width, height):
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=width < 600)
        time.sleep(0.3)
        import base64
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            if getattr(self, "ws", None):
                self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


# What the page shows, read from its DOM.
SHOWN = """JSON.stringify({
  step: +document.body.dataset.step,
  lang: document.documentElement.lang,
  stepinfo: document.getElementById('stepinfo').textContent,
  button: document.getElementById('lang').textContent,
  ends: [...document.querySelectorAll('.dia[data-end]')].map(d => [d.querySelector('h3').textContent,
      d.dataset.socket, +d.dataset.first, d.dataset.state || '']),
  shown: +document.getElementById('segs').dataset.shown,
  segs: [...document.querySelectorAll('#segs g.seg')].map(g => [+g.dataset.send, g.dataset.flags]),
  labels: [...document.querySelectorAll('#texts g.lt[data-role="1"]')].map(g => +g.dataset.ev),
  cur: (document.querySelector('#log li.cur') || {dataset: {}}).dataset.i,
  logtext: (document.querySelector('#log li.cur') || {textContent: ''}).textContent
})"""


class Expected:
    """What the trace says at each step (cursor = number of events happened)."""

    def __init__(self, events):
        self.events = events

    def life(self, label, socket, first):
        """The state events of one socket. JSONL names a socket by its label
        ("client/sock") and its address at the time; the label stays when a
        socket connects again from another port (connect-refused), and a
        server's child socket is "server/lsock~1" until accept() names it
        "server/conn". So: the events labelled as the page labels the end,
        and before the first of them, those of the address the page gives
        for its first state event (a later socket may reuse the address)."""
        named = [e for e in self.events if e.get("label") == label]
        if not named:
            raise Failure(f"{label}: the trace has no socket of that name")
        named_from = named[0]["i"]
        out = [e for e in self.events if e["kind"] == "state" and
               (e.get("label") == label or (e.get("socket") == socket and first <= e["i"] < named_from))]
        if not out or out[0]["i"] != first:
            raise Failure(f"{label}: the page's first state event {first} of {socket} is not the trace's "
                          f"({out[0]['i'] if out else 'none'})")
        return out

    def state(self, life, step):
        s = ""
        for e in life:
            if e["i"] < step:
                s = e["to"]
        return s

    def segments(self, step):
        return [[e["i"], e["flags"]] for e in self.events[:step]
                if e["kind"] == "segment" and e["event"] == "send"]


def check_step(b, exp, name, step, lang):
    got = json.loads(b.eval(SHOWN))
    where = f"{name} step {step} ({lang})"
    if got["step"] != step:
        raise Failure(f"{where}: the page is at step {got['step']}")
    want_lang = "zh-CN" if lang == "zh_CN" else "en"
    if got["lang"] != want_lang:
        raise Failure(f"{where}: page language {got['lang']}, expected {want_lang}")
    if lang == "zh_CN" and ("第" not in got["stepinfo"] or got["button"] != "English"):
        raise Failure(f"{where}: the controls are not in Chinese: {got['stepinfo']!r} / {got['button']!r}")
    if lang == "en" and (not got["stepinfo"].startswith("Step") or got["button"] != "简体中文"):
        raise Failure(f"{where}: the controls are not in English: {got['stepinfo']!r} / {got['button']!r}")
    if not got["ends"]:
        raise Failure(f"{where}: no state diagram shown")
    for label, socket, first, shown in got["ends"]:
        want = exp.state(exp.life(label, socket, first), step)
        if shown != want:
            raise Failure(f"{where}: {label} shows state {shown or '(none)'}, the trace says {want or '(none)'}")
    # The ladder draws the part in view: every segment drawn must be one
    # the trace sent before this step, with its flags; the count of those
    # drawn at this cursor must be the trace's; the latest send is in view
    # (its label may not be: a segment held back 30 s has it mid-arrow).
    want_segs = exp.segments(step)
    sent = {i: flags for i, flags in want_segs}
    if got["shown"] != len(want_segs):
        raise Failure(f"{where}: the ladder counts {got['shown']} segments, the trace sent {len(want_segs)}")
    for i, flags in got["segs"]:
        if sent.get(i) != flags:
            raise Failure(f"{where}: the ladder draws segment event {i} [{flags}], the trace has "
                          f"{'[' + sent[i] + ']' if i in sent else 'no such send before this step'}")
    for i in got["labels"]:
        if i not in sent:
            raise Failure(f"{where}: a segment label of event {i}, which is no send before this step")
    if step > 0 and exp.events[step - 1]["kind"] == "segment" and exp.events[step - 1]["event"] == "send":
        if [step - 1, exp.events[step - 1]["flags"]] not in got["segs"]:
            raise Failure(f"{where}: the segment just sent (event {step - 1}) is not drawn")

    want_cur = str(step - 1) if step > 0 else None
    if got.get("cur") != want_cur:
        raise Failure(f"{where}: the log's current row is {got.get('cur')}, expected {want_cur}")
    if step > 0:
        t = exp.events[step - 1]["t"]
        if f"{t:.6f} s" not in got["logtext"]:
            raise Failure(f"{where}: the log's current row {got['logtext']!r} does not show the time {t:.6f} s")
    return got


def test_scenario(b, tcpsim, path, out_dir, rng, stats):
    name = os.path.splitext(os.path.basename(path))[0]
    jsonl = subprocess.run([tcpsim, "run", path, "--format", "jsonl"], check=True, capture_output=True,
                           text=True).stdout
    events = [json.loads(line) for line in jsonl.splitlines() if line.strip()]
    exp = Expected(events)
    page = os.path.join(out_dir, name + ".html")
    r = subprocess.run([tcpsim, "export", path, "--html", page, "--force"], capture_output=True, text=True)
    if r.returncode != 0:
        raise Failure(f"{name}: tcpsim export --html failed ({r.returncode}): {r.stderr.strip()}")
    size = os.path.getsize(page)
    if size >= 1024 * 1024:
        raise Failure(f"{name}: the page is {size} bytes, over 1 MB")
    url = "file://" + urllib.parse.quote(page)
    n = len(events)

    # Forward in English, one ArrowRight at a time.
    b.navigate("about:blank")
    b.navigate(url)
    b.wait_ready(name)
    check_step(b, exp, name, 0, "en")
    keyed = min(n, MAX_KEYED_STEPS)
    for step in range(1, keyed + 1):
        b.key("ArrowRight")
        check_step(b, exp, name, step, "en")
    # Chinese: the L key for every other scenario, the button for the rest.
    if rng.random() < 0.5:
        b.key("l")
    else:
        b.eval("document.getElementById('lang').click(); true")
    check_step(b, exp, name, keyed, "zh_CN")
    back = min(keyed, MAX_KEYED_BACK)
    for step in range(keyed - 1, keyed - back - 1, -1):
        b.key("ArrowLeft")
        check_step(b, exp, name, step, "zh_CN")
    stats["steps"] += keyed + back

    # #step=N opens at N (a fresh load each time), in both languages.
    samples = sorted({n, rng.randrange(0, n + 1)})
    for step in samples:
        for lang in ("en", "zh_CN"):
            b.navigate("about:blank")
            frag = f"#step={step}" + ("&lang=zh_CN" if lang == "zh_CN" else "")
            b.navigate(url + frag)
            b.wait_ready(name)
            check_step(b, exp, name, step, lang)
        stats["hash"] += 2
    return size


def test_iframe(b, out_dir, page_name):
    wrapper = os.path.join(out_dir, "frame.html")
    with open(wrapper, "w") as f:
        f.write(f'<!DOCTYPE html><meta charset="utf-8"><title>frame</title>'
                f'<iframe id="f" src="{page_name}#step=7" width="1000" height="700"></iframe>')
    b.navigate("about:blank")
    b.navigate("file://" + urllib.parse.quote(wrapper))
    deadline = time.time() + 30
    while time.time() < deadline:
        # Page.navigate returns before the wrapper is parsed: under load the
        # first polls may find no iframe yet (a TypeError here once, on a
        # fresh clone sharing the cores with an ASan build).
        step = b.eval("(() => { const f = document.getElementById('f'); const d = f && f.contentDocument;"
                      " return d && d.body && d.body.dataset.ready === '1' ? +d.body.dataset.step : -1; })()")
        if step == 7:
            return
        time.sleep(0.1)
    raise Failure("inside an iframe the page did not open at #step=7")


HOSTILE_TITLE = '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2">{{DATA}} &amp; <!--'


def hostile_scenario(src, out_dir):
    """normal-close with a title, summary and lesson made of markup."""
    text = open(src, encoding="utf-8").read()
    lines = text.split("\n")
    start = lines.index("title:")
    end = start + 1
    while lines[end].startswith("  "):
        end += 1
    lines[start:end] = ["title:", '  en: "' + HOSTILE_TITLE.replace("\\", "\\\\").replace('"', '\\"') + '"',
                        '  zh: "<b>标题</b></script>"']
    text = "\n".join(lines).replace("summary:\n  en: \"", "summary:\n  en: \"<i>summary</i></script> ", 1)
    path = os.path.join(out_dir, "hostile-title.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def test_hostile(b, tcpsim, src, out_dir):
    """Markup in a title, summary or lesson stays text, in the player and the site."""
    path = hostile_scenario(src, out_dir)
    page = os.path.join(out_dir, "hostile-title.html")
    r = subprocess.run([tcpsim, "export", path, "--html", page, "--force"], capture_output=True, text=True)
    if r.returncode != 0:
        raise Failure("hostile title: export failed: " + r.stderr)
    site = os.path.join(out_dir, "site")
    shutil.rmtree(site, ignore_errors=True)
    r = subprocess.run([tcpsim, "site", site, path, src], capture_output=True, text=True)
    if r.returncode != 0:
        raise Failure("tcpsim site failed: " + r.stderr)
    want = HOSTILE_TITLE
    for url, what in (("file://" + urllib.parse.quote(page), "player"),
                      ("file://" + urllib.parse.quote(os.path.join(site, "hostile-title", "index.html")), "site player")):
        b.navigate("about:blank")
        b.navigate(url)
        b.wait_ready(what)
        got = json.loads(b.eval("""JSON.stringify({pwned: window.pwned === undefined ? null : window.pwned,
            title: document.title, h1: document.getElementById('title').textContent,
            imgs: document.querySelectorAll('img').length, scripts: document.scripts.length,
            lesson: document.getElementById('lesson').textContent})"""))
        if got["pwned"] is not None or got["imgs"] or got["scripts"] != 2:
            raise Failure(f"hostile title ({what}): markup ran or became elements: {got}")
        if got["h1"] != want:
            raise Failure(f"hostile title ({what}): the heading reads {got['h1']!r}, not the title as text")
        if "<i>summary</i></script>" not in got["lesson"]:
            raise Failure(f"hostile title ({what}): the summary is not shown as text: {got['lesson'][:120]!r}")
    # The index: the title as text, the search box finds by title and tag,
    # every link relative.
    b.navigate("about:blank")
    b.navigate("file://" + urllib.parse.quote(os.path.join(site, "index.html")))
    deadline = time.time() + 20
    while time.time() < deadline and not b.eval("document.readyState === 'complete'"):
        time.sleep(0.05)
    got = json.loads(b.eval("""JSON.stringify({pwned: window.pwned === undefined ? null : window.pwned,
        imgs: document.querySelectorAll('img').length, items: document.querySelectorAll('.sc').length,
        h2: [...document.querySelectorAll('.sc h2 .en')].map(e => e.textContent),
        hrefs: [...document.querySelectorAll('a')].map(a => a.getAttribute('href'))})"""))
    if got["pwned"] is not None or got["imgs"] or got["items"] != 2 or want not in got["h2"]:
        raise Failure(f"site index: markup ran or the entries are wrong: {got}")
    bad = [h for h in got["hrefs"] if "://" in h or h.startswith("/")]
    if bad:
        raise Failure(f"site index: links that are not relative: {bad}")
    for h in got["hrefs"]:
        if not os.path.exists(os.path.join(site, h.split("#")[0])):
            raise Failure(f"site index: a link to a missing file: {h}")
    b.eval("document.getElementById('q').focus(); true")
    b.call("Input.insertText", session=True, text="four-way")
    shown = b.eval("document.querySelectorAll('.sc:not(.hidden)').length")
    if shown != 1:
        raise Failure(f"site index: searching 'four-way' shows {shown} entries, expected 1")
    # A non-empty OUT is refused without --force.
    r = subprocess.run([tcpsim, "site", site, src], capture_output=True, text=True)
    if r.returncode != 2 or "not empty" not in r.stderr or "--force" not in r.stderr:
        raise Failure(f"tcpsim site into a non-empty folder: exit {r.returncode}, {r.stderr.strip()!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tcpsim", required=True)
    ap.add_argument("--scenarios", required=True)
    ap.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--keep", help="keep the pages in this folder")
    args = ap.parse_args()
    if not shutil.which(args.chromium) and not os.path.exists(args.chromium):
        print("browser_test: chromium is missing (apt-get install chromium, or scripts/install-deps.sh --test)",
              file=sys.stderr)
        return 1
    files = sorted(f for f in glob.glob(os.path.join(args.scenarios, "*.yaml"))
                   if os.path.basename(f) != "index.yaml")
    if args.only:
        files = [f for f in files if os.path.splitext(os.path.basename(f))[0] in args.only]
    if not files:
        print("browser_test: no scenarios", file=sys.stderr)
        return 1
    out_dir = args.keep or tempfile.mkdtemp(prefix="tcpsim-html-")
    os.makedirs(out_dir, exist_ok=True)
    # A copy of the program: a rebuild while the test runs cannot pull it away.
    tcpsim = os.path.join(out_dir, "tcpsim")
    shutil.copy2(args.tcpsim, tcpsim)
    args.tcpsim = tcpsim
    rng = random.Random(18)
    stats = {"steps": 0, "hash": 0}
    t0 = time.time()
    b = Browser(args.chromium)
    failures = []
    try:
        for f in files:
            name = os.path.basename(f)
            try:
                size = test_scenario(b, args.tcpsim, f, out_dir, rng, stats)
                print(f"ok   {name} ({size} bytes)", flush=True)
            except Failure as e:
                failures.append(str(e))
                print(f"FAIL {name}: {e}", flush=True)
        try:
            test_hostile(b, args.tcpsim, os.path.join(args.scenarios, "normal-close.yaml"), out_dir)
            print("ok   markup in titles, summaries and lessons stays text; the site's index searches")
        except Failure as e:
            failures.append(str(e))
            print(f"FAIL hostile title / site: {e}")
        try:
            test_iframe(b, out_dir, os.path.splitext(os.path.basename(files[0]))[0] + ".html")
            print("ok   inside an iframe")
        except Failure as e:
            failures.append(str(e))
            print(f"FAIL iframe: {e}")
        outside = [u for u in b.requests if not u.startswith(("file:", "data:", "blob:", "about:"))]
        if outside:
            failures.append(f"the pages made network requests: {outside[:5]}")
            print(f"FAIL network: {outside[:5]}")
        else:
            print(f"ok   no network request ({len(b.requests)} requests, all file:/data:/blob:/about:)")
        if b.events:
            failures.append("errors in the page: " + "; ".join(b.events[:5]))
            print("FAIL page errors: " + "; ".join(b.events[:5]))
    finally:
        b.close()
        if not args.keep:
            shutil.rmtree(out_dir, ignore_errors=True)
    print(f"{len(files)} scenarios, {stats['steps']} keyed steps, {stats['hash']} #step loads, "
          f"{time.time() - t0:.1f} s")
    if failures:
        print(f"{len(failures)} failure(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
