"""The machinery of ``make video`` (``scripts/video.py``): record the real app, assemble an MP4.

Owns: the kinds of scene (:class:`Card`, :class:`Ask`, :class:`Json`, :class:`Visit`,
:class:`Picture`, :class:`MarkdownTable`, :class:`Endpoints`), the conditions that skip a
scene when the app does not have what it shows (:func:`has_path`, :func:`answers`,
:func:`file_exists`), recording, and assembly. The list of scenes is ``video_scenes.py``.

Recording: a sample catalog is built into a temporary folder (or one is given), the real
server is started on a free port (``scripts/demo.py``'s helpers), and Debian's ``chromium``
(driven by Playwright; Playwright cannot download browsers here) plays the scenes in real time
while DevTools' screencast (``Page.startScreencast``) hands over a JPEG each time the screen
changes, with its timestamp. Each scene lasts as long as its caption takes to read (or to be
said, with ``--voz``), and at least as long as its actions.

Assembly (Debian's ``ffmpeg``): the frames, each held until the next one, at 15 fps, in a
1280x720 H.264 (yuv420p) video whose bottom band (100 px) carries the captions burned in;
the same captions as a ``mov_text`` subtitle stream (Spanish) and as a WebVTT sidecar next to
the video; with ``--voz``, a Spanish voice (``espeak-ng -v es``) as an AAC track.
"""

from __future__ import annotations

import base64
import html
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from filmoteca.config import get_settings

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1280, 720
BAND = 100  # caption band at the bottom, below the browser's picture
VIEW_HEIGHT = HEIGHT - BAND
FPS = 15
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
#: Seconds per character a viewer needs to read a caption (about 14 characters a second).
READING = 1 / 14
MIN_SECONDS = 3.5
#: Longest caption cue (characters): longer captions are shown in several cues.
CUE_CHARS = 110


# --- what a scene sees ------------------------------------------------------------------------


@dataclass
class Ctx:
    """What scenes use: the browser page, the app's address, a client, the repo root."""

    page: Any  # playwright.sync_api.Page
    base: str  # http://127.0.0.1:PORT (no trailing slash)
    client: httpx.Client
    catalog: Path
    root: Path = ROOT
    _openapi: dict[str, Any] | None = None

    def url(self, path: str) -> str:
        return self.base + path

    def get_json(self, path: str) -> Any:
        return self.client.get(path).json()

    @property
    def openapi(self) -> dict[str, Any]:
        if self._openapi is None:
            self._openapi = self.get_json("/openapi.json")
        return self._openapi

    def on_home(self, form: str | None = None) -> None:
        """The web page at ``/`` (reloaded only if ``form`` is not on the screen)."""
        if form is None or self.page.locator(f"form#q-{form}").count() == 0:
            self.page.goto(self.url("/"))
            self.page.locator("#estado.ok").wait_for()
        if self.page.locator("dialog[open]").count():  # a film's card left open covers the forms
            self.page.keyboard.press("Escape")
            self.page.locator("dialog[open]").wait_for(state="detached")


Condition = Callable[[Ctx], bool]


def has_path(path: str) -> Condition:
    """The scene plays only if the API documents ``path`` (e.g. ``/buscar_descripcion``)."""
    condition: Condition = lambda ctx: path in ctx.openapi.get("paths", {})  # noqa: E731
    condition.__doc__ = f"the API has {path}"
    return condition


def answers(path: str, status: int = 200) -> Condition:
    """The scene plays only if ``GET path`` answers ``status`` (e.g. a Spanish title)."""
    condition: Condition = lambda ctx: ctx.client.get(path).status_code == status  # noqa: E731
    condition.__doc__ = f"GET {path} answers {status}"
    return condition


def file_exists(relative: str) -> Condition:
    """The scene plays only if the repository has ``relative`` (e.g. the EDA report)."""
    condition: Condition = lambda ctx: (ctx.root / relative).is_file()  # noqa: E731
    condition.__doc__ = f"{relative} exists"
    return condition


def q(path: str, *parts: str, query: str = "") -> str:
    """An API path with its parameters URL-encoded: q("/franquicia", "Toy Story")."""
    encoded = "".join("/" + quote(p, safe="") for p in parts)
    return path + encoded + (f"?{query}" if query else "")


# --- scenes ------------------------------------------------------------------------------------


class Scene(Protocol):
    caption: str
    seconds: float | None
    when: Condition | None

    def play(self, ctx: Ctx, budget: float) -> None:
        """Do the scene's actions (``budget``: the seconds the scene will last)."""


CARD_CSS = """
html,body{margin:0;height:100%;background:#10161f;color:#eef2f7;
  font-family:'DejaVu Sans','Liberation Sans',sans-serif}
.card{box-sizing:border-box;height:100%;padding:48px 72px;display:flex;flex-direction:column;
  justify-content:center;gap:18px}
.kicker{color:#7fb2ff;font-size:22px;letter-spacing:.08em;text-transform:uppercase;margin:0}
h1{font-size:52px;margin:0;line-height:1.15}
ul{margin:8px 0 0;padding-left:1.2em;font-size:27px;line-height:1.5}
li{margin:4px 0} code{font-family:'DejaVu Sans Mono',monospace;color:#ffd27f;font-size:.9em}
table{border-collapse:collapse;font-size:19px;margin-top:8px}
th,td{padding:6px 12px;border-bottom:1px solid #2c3a4d;text-align:right}
th:first-child,td:first-child{text-align:left} th{color:#7fb2ff;font-weight:600}
tr.best td{color:#9fe6a0;font-weight:600}
img{max-width:100%;max-height:470px;object-fit:contain;background:#fff;border-radius:6px;
  align-self:center}
.small{font-size:20px;color:#aab7c8}
"""


def card_html(body: str) -> str:
    return (f"<!doctype html><html lang='es'><meta charset='utf-8'><style>{CARD_CSS}</style>"
            f"<body><div class='card'>{body}</div></body></html>")


def _items(lines: Sequence[str]) -> str:
    """Bullet lines; `backticks` become code (the rest is escaped)."""
    def one(line: str) -> str:
        parts = html.escape(line).split("`")
        return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))
    return "<ul>" + "".join(f"<li>{one(line)}</li>" for line in lines) + "</ul>" if lines else ""


Lines = Sequence[str] | Callable[[Ctx], Sequence[str]]


@dataclass
class Card:
    """A title card (HTML rendered in the same browser). ``lines`` may be computed from the
    live app (a function of the :class:`Ctx`)."""

    title: str
    lines: Lines = ()
    caption: str = ""
    kicker: str = ""
    seconds: float | None = None
    when: Condition | None = None

    def play(self, ctx: Ctx, budget: float) -> None:
        lines = self.lines(ctx) if callable(self.lines) else self.lines
        kicker = f"<p class='kicker'>{html.escape(self.kicker)}</p>" if self.kicker else ""
        ctx.page.set_content(card_html(f"{kicker}<h1>{html.escape(self.title)}</h1>"
                                       f"{_items(lines)}"))


@dataclass
class Ask:
    """Ask one question on the web page: type ``value`` in the form's field (and the year),
    send it, and bring the answer card into view."""

    form: str  # the form's id without "q-": idioma, duracion, franquicia, ...
    field: str  # CSS selector of the input to type in
    value: str
    caption: str = ""
    year: tuple[str, str] | None = None  # (selector, value)
    seconds: float | None = None
    when: Condition | None = None
    expect: str = ".result"  # what the answer must show (".result.ok", ".result.notfound")

    def play(self, ctx: Ctx, budget: float) -> None:
        ctx.on_home(self.form)
        page = ctx.page
        section = page.locator("section", has=page.locator(f"form#q-{self.form}"))
        section.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.fill(self.field, "")
        page.click(self.field)
        page.locator(self.field).press_sequentially(self.value, delay=70)
        if self.year:
            page.fill(self.year[0], "")
            page.locator(self.year[0]).press_sequentially(self.year[1], delay=70)
        page.wait_for_timeout(400)
        page.click(f"form#q-{self.form} button[type=submit]")
        answer = page.locator(f"form#q-{self.form} + .answer")
        answer.locator(self.expect).wait_for(timeout=15_000)
        page.wait_for_timeout(300)
        section.evaluate("e => e.scrollIntoView({block: 'start', behavior: 'smooth'})")


JSON_VIEW = r"""
(status) => {
  const raw = document.body ? document.body.innerText : "";
  let text = raw;
  try { text = JSON.stringify(JSON.parse(raw), null, 2); } catch (e) {}
  const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const colored = esc(text).replace(
    /("(?:[^"\\]|\\.)*")(\s*:)?|\b(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\b|\b(true|false|null)\b/gi,
    (m, str, colon, num, lit) => str
      ? (colon ? `<b class=k>${str}</b>${colon}` : `<i class=s>${str}</i>`)
      : num ? `<i class=n>${num}</i>` : `<i class=l>${lit}</i>`);
  const url = decodeURIComponent(location.href);
  document.documentElement.innerHTML = `<head><meta charset="utf-8"><style>
    body{margin:0;background:#0f141b;color:#d8dee9;font:18px/1.45 'DejaVu Sans Mono',monospace}
    .bar{position:sticky;top:0;background:#1d2633;padding:12px 18px;
      font:18px 'DejaVu Sans',sans-serif;border-bottom:2px solid #2f6fd6;
      display:flex;gap:14px;align-items:center}
    .get{background:#2f6fd6;color:#fff;border-radius:4px;padding:2px 8px;font-weight:700}
    .st{margin-left:auto;color:${status < 300 ? "#9fe6a0" : "#ffb86b"};font-weight:700}
    pre{margin:0;padding:14px 22px;white-space:pre-wrap;word-break:break-word}
    b.k{color:#7fb2ff;font-weight:normal} i.s{color:#a3e3a0;font-style:normal}
    i.n{color:#ffd27f;font-style:normal} i.l{color:#f29cc3;font-style:normal}
    </style></head><body><div class="bar"><span class="get">GET</span><span>${esc(url)}</span>
    <span class="st">HTTP ${status}</span></div><pre>${colored}</pre></body>`;
}
"""


@dataclass
class Json:
    """Open the raw URL of an API call in the browser: the address and the JSON it returns
    (pretty-printed in place, with the HTTP status), scrolled if it is long."""

    path: str
    caption: str = ""
    seconds: float | None = None
    when: Condition | None = None

    def play(self, ctx: Ctx, budget: float) -> None:
        response = ctx.page.goto(ctx.url(self.path))
        status = response.status if response is not None else 0
        ctx.page.evaluate(JSON_VIEW, status)
        _scroll_through(ctx, budget)


def _scroll_through(ctx: Ctx, budget: float, start: float = 0.35) -> None:
    """If the page is taller than the window, scroll to its end during the scene."""
    page = ctx.page
    overflow = page.evaluate("() => document.documentElement.scrollHeight - innerHeight")
    if overflow <= 20:
        return
    page.wait_for_timeout(int(budget * start * 1000))
    steps = max(1, int(budget * (0.85 - start) * 4))
    for i in range(1, steps + 1):
        page.evaluate("(y) => window.scrollTo(0, y)", overflow * i / steps)
        page.wait_for_timeout(250)


EAGER_IMAGES = """async () => {
  const images = [...document.images];
  images.forEach((img) => { img.loading = "eager"; });
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done); img.addEventListener("error", done); })));
}"""


@dataclass
class Visit:
    """Open a page of the app (``/docs``) or a file of the repository (``reports/...``),
    optionally scroll to an element, then through the page."""

    target: str  # "/path" (the app) or a repository-relative file
    caption: str = ""
    anchor: str | None = None  # CSS selector to bring to the top
    scroll: bool = False
    seconds: float | None = None
    when: Condition | None = None

    def play(self, ctx: Ctx, budget: float) -> None:
        if self.target.startswith("/"):
            ctx.page.goto(ctx.url(self.target))
        else:
            ctx.page.goto((ctx.root / self.target).as_uri())
        ctx.page.wait_for_load_state("load")
        ctx.page.evaluate(EAGER_IMAGES)
        if self.anchor:
            ctx.page.locator(self.anchor).first.evaluate("e => e.scrollIntoView({block:'start'})")
        if self.scroll:
            _scroll_through(ctx, budget, start=0.2)


@dataclass
class Picture:
    """An image of the repository (a figure) with a title."""

    file: str
    title: str
    caption: str = ""
    seconds: float | None = None
    when: Condition | None = None

    def play(self, ctx: Ctx, budget: float) -> None:
        data = base64.b64encode((ctx.root / self.file).read_bytes()).decode()
        ctx.page.set_content(card_html(f"<h1 style='font-size:36px'>{html.escape(self.title)}"
                                       f"</h1><img src='data:image/png;base64,{data}'>"))


def markdown_table(text: str) -> list[list[str]]:
    """The first pipe table of a Markdown text, as rows of cells (header first)."""
    rows: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                rows.append(cells)
        elif rows:
            break
    return rows


@dataclass
class MarkdownTable:
    """The first table of a Markdown report (e.g. ``reports/recommender.md``), or the first
    after the heading ``after``, some columns, the first data row highlighted."""

    file: str
    title: str
    columns: Sequence[int] | None = None  # indexes to keep (None: all)
    after: str | None = None  # a heading line of the report ("## Exposure...")
    note: str = ""
    caption: str = ""
    seconds: float | None = None
    when: Condition | None = None

    def play(self, ctx: Ctx, budget: float) -> None:
        text = (ctx.root / self.file).read_text(encoding="utf-8")
        if self.after is not None:
            text = text.split(self.after, 1)[-1]
        rows = markdown_table(text)
        if self.columns is not None:
            rows = [[row[i] for i in self.columns] for row in rows]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
        body = "".join(
            f"<tr{' class=best' if i == 0 else ''}>"
            + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
            for i, row in enumerate(rows[1:]))
        note = f"<p class='small'>{html.escape(self.note)}</p>" if self.note else ""
        ctx.page.set_content(card_html(
            f"<h1 style='font-size:36px'>{html.escape(self.title)}</h1>"
            f"<table><tr>{head}</tr>{body}</table>{note}"))


@dataclass
class Endpoints:
    """The API's endpoints and their summaries, read live from ``/openapi.json`` (the schema
    FastAPI generates from the code, the one ``/docs`` shows)."""

    title: str = "La API, según su esquema OpenAPI"
    caption: str = ""
    seconds: float | None = None
    when: Condition | None = None

    def play(self, ctx: Ctx, budget: float) -> None:
        lines = []
        for path, methods in ctx.openapi.get("paths", {}).items():
            for method, spec in methods.items():
                lines.append(f"`{method.upper()} {path}`: {spec.get('summary', '')}")
        ctx.page.set_content(card_html(
            f"<p class='kicker'>/openapi.json · /docs</p><h1 style='font-size:38px'>"
            f"{html.escape(self.title)}</h1>"
            f"<div style='font-size:.8em'>{_items(lines)}</div>"))


# --- timing and captions -------------------------------------------------------------------


def reading_seconds(caption: str) -> float:
    return max(MIN_SECONDS, len(caption) * READING + 1.0)


def split_caption(caption: str, limit: int = CUE_CHARS) -> list[str]:
    """Cut a caption into cues of at most ``limit`` characters: each cut at the space nearest
    the middle, preferring one after a sentence end, then after a comma (balanced cues, no
    stray two-word cue)."""
    text = " ".join(caption.split())
    if len(text) <= limit:
        return [text] if text else []
    middle = len(text) / 2

    def cost(i: int) -> float:
        weight = 0.4 if text[i - 1] in ".!?:;" else 0.7 if text[i - 1] == "," else 1.0
        return abs(i - middle) * weight

    spaces = [i for i, ch in enumerate(text) if ch == " "]
    if not spaces:
        return [text[i:i + limit] for i in range(0, len(text), limit)]
    cut = min(spaces, key=cost)
    return split_caption(text[:cut], limit) + split_caption(text[cut + 1:], limit)


@dataclass
class Cue:
    start: float
    end: float
    text: str


def cues_for(start: float, end: float, caption: str) -> list[Cue]:
    """The caption's cues over [start, end), each lasting in proportion to its length."""
    parts = split_caption(caption)
    total = sum(len(p) for p in parts) or 1
    cues, t = [], start
    for part in parts:
        span = (end - start) * len(part) / total
        cues.append(Cue(t, t + span, part))
        t += span
    return cues


def _stamp(seconds: float, sep: str = ".") -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def webvtt(cues: Sequence[Cue]) -> str:
    blocks = ["WEBVTT\nLanguage: es\n"]
    for i, cue in enumerate(cues, start=1):
        blocks.append(f"{i}\n{_stamp(cue.start)} --> {_stamp(cue.end)}\n{cue.text}\n")
    return "\n".join(blocks)


def ass(cues: Sequence[Cue]) -> str:
    """Captions for burning in: white on the black band under the picture."""
    def stamp(t: float) -> str:
        cs = round(t * 100)
        h, rest = divmod(cs, 360_000)
        m, rest = divmod(rest, 6_000)
        s, cs = divmod(rest, 100)
        return f"{h}:{m:02d}:{s:02d}.{cs:02d}"
    head = (
        "[Script Info]\nScriptType: v4.00+\n"
        f"PlayResX: {WIDTH}\nPlayResY: {HEIGHT}\nWrapStyle: 0\nScaledBorderAndShadow: yes\n\n"
        "[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, "
        "OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, "
        "Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, "
        "Encoding\n"
        "Style: Default,DejaVu Sans,29,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,0,0,0,0,"
        "100,100,0,0,1,0,0,2,40,40,18,1\n\n"
        "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, "
        "Text\n"
    )
    lines = [f"Dialogue: 0,{stamp(c.start)},{stamp(c.end)},Default,,0,0,0,,"
             f"{c.text.replace(chr(10), ' ')}" for c in cues]
    return head + "\n".join(lines) + "\n"


# --- voice ------------------------------------------------------------------------------------


def speak(text: str, out: Path) -> float:
    """Spanish speech for ``text`` into a WAV file (espeak-ng); its length in seconds."""
    subprocess.run(["espeak-ng", "-v", "es", "-s", "165", "-w", str(out), text],
                   check=True, capture_output=True, timeout=120)
    with wave.open(str(out)) as w:
        return w.getnframes() / w.getframerate()


def mix_voice(clips: Sequence[tuple[float, Path]], total: float, out: Path) -> None:
    """One WAV track: each clip placed at its start time, silence elsewhere."""
    with wave.open(str(clips[0][1])) as first:
        params = first.getparams()
    rate, width, channels = params.framerate, params.sampwidth, params.nchannels
    frame = width * channels
    track = bytearray(int(total * rate) * frame)
    for start, path in clips:
        with wave.open(str(path)) as w:
            data = w.readframes(w.getnframes())
        offset = int(start * rate) * frame
        data = data[: max(0, len(track) - offset)]
        track[offset:offset + len(data)] = data
    with wave.open(str(out), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(bytes(track))


# --- recording --------------------------------------------------------------------------------


@dataclass
class Played:
    scene: Scene
    start: float
    end: float
    voice: Path | None = None


@dataclass
class Recording:
    frames: list[tuple[float, Path]] = field(default_factory=list)
    played: list[Played] = field(default_factory=list)
    skipped: list[tuple[Scene, str]] = field(default_factory=list)
    t0: float = 0.0
    end: float = 0.0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def record(scenes: Sequence[Scene], base: str, catalog: Path, work: Path, *,
           voice: bool = False, chromium: str = "/usr/bin/chromium") -> Recording:
    """Play the scenes in chromium against the app at ``base``; frames go to ``work``."""
    from playwright.sync_api import sync_playwright

    frames_dir = work / "frames"
    frames_dir.mkdir(parents=True, exist_ok=True)
    rec = Recording()
    with sync_playwright() as playwright, httpx.Client(base_url=base, timeout=30) as client:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": WIDTH, "height": VIEW_HEIGHT},
                                      locale="es-ES", device_scale_factor=1)
        page = context.new_page()
        page.set_default_timeout(20_000)
        ctx = Ctx(page=page, base=base, client=client, catalog=catalog)
        ctx.on_home()
        cdp = context.new_cdp_session(page)

        def on_frame(event: dict[str, Any]) -> None:
            path = frames_dir / f"{len(rec.frames):06d}.jpg"
            path.write_bytes(base64.b64decode(event["data"]))
            rec.frames.append((float(event["metadata"]["timestamp"]), path))
            cdp.send("Page.screencastFrameAck", {"sessionId": event["sessionId"]})

        cdp.on("Page.screencastFrame", on_frame)
        cdp.send("Page.startScreencast", {"format": "jpeg", "quality": 88,
                                          "maxWidth": WIDTH, "maxHeight": VIEW_HEIGHT})
        voices: dict[int, tuple[Path, float]] = {}
        if voice:
            for number, scene in enumerate(scenes, start=1):
                if scene.caption:
                    clip = work / f"voz-{number:02d}.wav"
                    voices[number] = (clip, speak(scene.caption, clip) + 0.7)
        page.wait_for_timeout(300)
        rec.t0 = time.time()
        start = rec.t0
        for number, scene in enumerate(scenes, start=1):
            name = f"{number:02d} {type(scene).__name__}"
            if scene.when is not None and not scene.when(ctx):
                reason = scene.when.__doc__ or "condition not met"
                rec.skipped.append((scene, reason))
                _log(f"  {name}: omitida, no se cumple: {reason}")
                continue
            clip, spoken = voices.get(number, (None, 0.0))
            budget = max(scene.seconds or reading_seconds(scene.caption), spoken)
            scene.play(ctx, budget)
            remaining = start + max(budget, time.time() - start + 1.5) - time.time()
            if remaining > 0:
                page.wait_for_timeout(int(remaining * 1000))
            end = time.time()
            rec.played.append(Played(scene, start - rec.t0, end - rec.t0, clip))
            _log(f"  {name}: {end - start:4.1f} s  {scene.caption[:70]}")
            start = end  # captions run on without gaps
        rec.end = time.time() - rec.t0
        cdp.send("Page.stopScreencast")
        page.wait_for_timeout(200)
        browser.close()
    rec.frames = sorted((t - rec.t0, p) for t, p in rec.frames)
    return rec


# --- assembly ---------------------------------------------------------------------------------


def concat_list(frames: Sequence[tuple[float, Path]], end: float) -> str:
    """ffmpeg's concat demuxer input: each frame held until the next one (the last until
    ``end``); frames before 0 collapse into the opening frame."""
    opening = [f for f in frames if f[0] <= 0]
    timeline = ([(0.0, opening[-1][1])] if opening else []) + [f for f in frames if f[0] > 0]
    if not timeline:
        raise RuntimeError("the screencast produced no frame")
    if timeline[0][0] > 0:
        timeline.insert(0, (0.0, timeline[0][1]))
    lines = ["ffconcat version 1.0"]
    for (t, path), nxt in zip(timeline, [*timeline[1:], (end, None)], strict=True):
        duration = max(nxt[0] - t, 0.001)
        lines += [f"file '{path.as_posix()}'", f"duration {duration:.4f}"]
    lines.append(f"file '{timeline[-1][1].as_posix()}'")  # the demuxer ignores the last duration
    return "\n".join(lines) + "\n"


def assemble(rec: Recording, out: Path, work: Path, *, crf: int = 27) -> list[Cue]:
    """Encode the recording into ``out`` (MP4) and write ``out`` with .vtt beside it."""
    cues = [c for p in rec.played for c in cues_for(p.start, p.end, p.scene.caption)]
    vtt = out.with_suffix(".vtt")
    (work / "frames.txt").write_text(concat_list(rec.frames, rec.end), encoding="utf-8")
    (work / "captions.ass").write_text(ass(cues), encoding="utf-8")
    (work / "captions.vtt").write_text(webvtt(cues), encoding="utf-8")
    clips = [(p.start, p.voice) for p in rec.played if p.voice is not None]
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
               "-f", "concat", "-safe", "0", "-i", str(work / "frames.txt"),
               "-i", str(work / "captions.vtt")]
    if clips:
        mix_voice(clips, rec.end, work / "voz.wav")
        command += ["-i", str(work / "voz.wav")]
    video_filter = (f"fps={FPS},scale={WIDTH}:{VIEW_HEIGHT}:force_original_aspect_ratio=decrease,"
                    f"pad={WIDTH}:{HEIGHT}:(ow-iw)/2:0:color=black,"
                    f"subtitles=filename={work / 'captions.ass'}")
    command += ["-vf", video_filter, "-map", "0:v", "-map", "1:s",
                "-c:v", "libx264", "-preset", "medium", "-tune", "stillimage",
                "-crf", str(crf), "-pix_fmt", "yuv420p", "-r", str(FPS),
                "-c:s", "mov_text", "-metadata:s:s:0", "language=spa",
                "-metadata:s:s:0", "title=Español"]
    if clips:
        command += ["-map", "2:a", "-c:a", "aac", "-b:a", "64k", "-metadata:s:a:0",
                    "language=spa"]
    command += ["-t", f"{rec.end:.3f}", "-movflags", "+faststart", str(out)]
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(command, check=True, timeout=3600)
    shutil.copyfile(work / "captions.vtt", vtt)
    return cues


# --- the whole thing ----------------------------------------------------------------------------


def build_sample_catalog(folder: Path) -> Path:
    """A catalog built from the embedded sample (so the video shows the same data anywhere)."""
    catalog = folder / "catalog"
    subprocess.run([sys.executable, "-m", "filmoteca.cli", "build", "--raw",
                    str(get_settings().sample_dir), "--catalog", str(catalog)],
                   check=True, timeout=900, capture_output=True)
    return catalog


def render(scenes: Sequence[Scene], out: Path, *, catalog: Path | None = None,
           voice: bool = False, keep: Path | None = None) -> dict[str, Any]:
    """Record ``scenes`` on the real app and write ``out`` (+ .vtt). A summary is returned."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from demo import start_server
    from devserver import free_port, stop

    began = time.time()
    with tempfile.TemporaryDirectory(prefix="filmoteca-video-") as tmp:
        work = keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if catalog is None:
            _log("Construyendo el catálogo de la muestra…")
            catalog = build_sample_catalog(work)
        port = free_port()
        server, _ = start_server(catalog, port)
        try:
            _log(f"Grabando {len(scenes)} escenas en http://127.0.0.1:{port} …")
            rec = record(scenes, f"http://127.0.0.1:{port}", catalog, work, voice=voice)
        finally:
            stop(server)
        _log(f"Montando {len(rec.frames)} cuadros con ffmpeg…")
        cues = assemble(rec, out, work)
    return {
        "video": out, "captions": out.with_suffix(".vtt"), "seconds": rec.end,
        "bytes": out.stat().st_size, "scenes": len(rec.played), "skipped": len(rec.skipped),
        "cues": len(cues), "frames": len(rec.frames), "render_seconds": time.time() - began,
    }
