"""``make video`` on a short cut: three real scenes of ``scripts/video_scenes.py`` (the title
card, the first question asked on the page, the first raw URL with its JSON) recorded from the
real server in Debian's chromium and assembled by Debian's ffmpeg into a temporary folder, then
checked with ffprobe/ffmpeg (not with the code under test): H.264 1280x720 yuv420p, a Spanish
mov_text stream, the Spanish voice (``--voz``) as an AAC track that is not silent, the
expected duration and size, frames that are not blank and differ from scene to scene,
captions burned into the bottom band, and a WebVTT sidecar whose cues are the scenes'
captions in order. A scene whose condition fails is skipped, never faked.

Needs chromium, ffmpeg/ffprobe and espeak-ng (``.ci/run`` installs them): without them the
test skips locally and FAILS in CI. About 30 s (short captions keep the cut short). The full
video is rendered by ``make video`` only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.browser, pytest.mark.video]

TOOLS = ("chromium", "ffmpeg", "ffprobe", "espeak-ng")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]
if MISSING:
    message = f"missing {', '.join(MISSING)}: apt-get install -y chromium ffmpeg espeak-ng"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)

sys.path.insert(0, str(ROOT / "scripts"))
import video_engine as ve  # noqa: E402
from video_scenes import SCENES  # noqa: E402


def _first(kind: type) -> ve.Scene:
    return next(s for s in SCENES if isinstance(s, kind) and s.when is None)


def _gray(video: Path, at: float) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", f"{at:.2f}", "-i", str(video),
                          "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         check=True, capture_output=True, timeout=60).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(720, 1280).astype(float)


def _vtt_cues(text: str) -> list[tuple[float, float, str]]:
    def seconds(stamp: str) -> float:  # hh:mm:ss.mmm or mm:ss.mmm
        total = 0.0
        for part in stamp.split(":"):
            total = total * 60 + float(part)
        return total
    cues = []
    for block in text.strip().split("\n\n")[1:]:
        lines = block.splitlines()
        timing = next(line for line in lines if "-->" in line)
        start, end = (seconds(t.strip()) for t in timing.split("-->"))
        body = " ".join(lines[lines.index(timing) + 1:])
        cues.append((start, end, body))
    return cues


@pytest.fixture(scope="module")
def short_cut(tmp_path_factory: pytest.TempPathFactory, catalog_dir: Path):
    scenes = [
        replace(_first(ve.Card), seconds=3.0, caption="La tarjeta del título."),
        replace(_first(ve.Ask), seconds=3.0,
                caption="Una pregunta en la página, escrita y enviada en el navegador."),
        ve.Json("/esta_ruta_no_existe", caption="nunca se muestra",
                when=ve.has_path("/esta_ruta_no_existe")),
        replace(_first(ve.Json), seconds=3.0, caption="La URL cruda y su JSON."),
    ]
    out = tmp_path_factory.mktemp("video") / "corto.mp4"
    summary = ve.render(scenes, out, catalog=catalog_dir, voice=True)
    played = [s for s in scenes if s.when is None]
    return out, summary, played


def test_short_cut_is_an_h264_720p_video_with_spanish_subtitles(short_cut):
    out, summary, _ = short_cut
    assert summary["scenes"] == 3 and summary["skipped"] == 1
    info = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
         str(out)], check=True, capture_output=True, text=True).stdout)
    video = [s for s in info["streams"] if s["codec_type"] == "video"]
    subtitles = [s for s in info["streams"] if s["codec_type"] == "subtitle"]
    assert len(video) == 1 and video[0]["codec_name"] == "h264"
    assert (video[0]["width"], video[0]["height"]) == (1280, 720)
    assert video[0]["pix_fmt"] == "yuv420p"
    assert len(subtitles) == 1 and subtitles[0]["codec_name"] == "mov_text"
    assert subtitles[0]["tags"]["language"] == "spa"
    audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
    assert len(audio) == 1 and audio[0]["codec_name"] == "aac"
    duration = float(info["format"]["duration"])
    assert abs(float(audio[0]["duration"]) - duration) < 0.5
    # Three scenes of at least 3 s each, longer where the voice or the typing needs it.
    assert 9.0 <= duration <= 60.0
    assert abs(duration - summary["seconds"]) < 0.5
    size = int(info["format"]["size"])
    assert size == out.stat().st_size and 10_000 < size < 25_000_000 * duration / 420


def test_the_voice_is_not_silent(short_cut):
    out, _, _ = short_cut
    stats = subprocess.run(["ffmpeg", "-v", "info", "-i", str(out), "-map", "0:a",
                            "-af", "volumedetect", "-f", "null", "-"],
                           check=True, capture_output=True, text=True).stderr
    mean = float(re.search(r"mean_volume: (-?[\d.]+) dB", stats).group(1))
    peak = float(re.search(r"max_volume: (-?[\d.]+) dB", stats).group(1))
    assert mean > -45 and peak > -10  # speech, not silence (silence is -91 dB)


def test_frames_are_not_blank_differ_by_scene_and_carry_captions(short_cut):
    out, _, _ = short_cut
    cues = _vtt_cues(out.with_suffix(".vtt").read_text(encoding="utf-8"))
    middles = [(start + end) / 2 for start, end, _ in cues]
    frames = [_gray(out, t) for t in middles]
    for frame in frames:
        picture, band = frame[:620], frame[620:]
        assert picture.std() > 10  # a page or card, not a flat colour
        assert band.std() > 5  # white caption text on the black band
        assert band.mean() < 60  # ... which is mostly black
    # The card (first cue), the page and the JSON view (last cue) look different.
    assert np.abs(frames[0] - frames[-1])[:620].mean() > 10


def test_vtt_and_subtitle_stream_carry_the_scenes_captions_in_order(short_cut):
    out, summary, played = short_cut
    text = out.with_suffix(".vtt").read_text(encoding="utf-8")
    assert text.startswith("WEBVTT")
    cues = _vtt_cues(text)
    spoken = " ".join(c[2] for c in cues)
    expected = " ".join(" ".join(s.caption.split()) for s in played)
    assert spoken == expected and "nunca se muestra" not in text
    starts = [c[0] for c in cues]
    assert starts == sorted(starts) and cues[0][0] == 0.0
    assert all(end > start for start, end, _ in cues)
    assert abs(cues[-1][1] - summary["seconds"]) < 0.5
    assert all(len(c[2]) <= ve.CUE_CHARS for c in cues)
    # The same text is inside the MP4 as its subtitle stream.
    inside = subprocess.run(["ffmpeg", "-v", "error", "-i", str(out), "-map", "0:s",
                             "-f", "webvtt", "-"], check=True, capture_output=True,
                            text=True).stdout
    assert [c[2] for c in _vtt_cues(inside)] == [c[2] for c in cues]


def test_captions_are_cut_into_readable_cues():
    caption = ("Primera frase corta. Segunda frase, bastante más larga que la primera, con "
               "comas, para obligar a cortar en más de un lugar cuando no entra en una línea.")
    cues = ve.split_caption(caption, limit=60)
    assert " ".join(cues) == caption
    assert all(len(c) <= 60 for c in cues) and len(cues) == 4  # 152 characters, halved twice
    assert min(len(c) for c in cues) >= 30  # balanced: no stray short cue
    assert cues[0].endswith(",")  # cut after the comma nearest the middle
    assert ve.split_caption("Pregunta 6: el éxito de un director medido por el retorno, y "
                            "cada película con fecha, retorno, costo y ganancia.", 110) == [
        "Pregunta 6: el éxito de un director medido por el retorno,",
        "y cada película con fecha, retorno, costo y ganancia."]
    assert ve.split_caption("corta") == ["corta"] and ve.split_caption("  ") == []


def test_markdown_table_reads_the_recommender_report():
    text = (ROOT / "reports" / "recommender.md").read_text(encoding="utf-8")
    rows = ve.markdown_table(text)
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    end = next((i for i in range(first, len(lines)) if not lines[i].startswith("|")), len(lines))
    assert len(rows) == end - first - 1  # the first table only; the |---| line is not a row
    assert rows[0][:2] == ["method", "HR@5"]
    assert all(len(r) == len(rows[0]) for r in rows)
    assert re.fullmatch(r"\d\.\d{3}", rows[1][1])
