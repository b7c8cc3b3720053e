"""`make video`: the demo video the course asks for -> docs/demo.mp4 (+ docs/demo.vtt).

Records the real app (a catalog built from the embedded sample, served by ``filmoteca serve``
on a free port) in Debian's chromium and assembles the video with Debian's ffmpeg: 1280x720
H.264, Spanish captions burned in, as a subtitle stream and as a WebVTT sidecar, at most
7 minutes (the run fails if it is longer). The scenes are ``scripts/video_scenes.py``; the
machinery is ``scripts/video_engine.py``.

    python scripts/video.py                      # the whole video -> docs/demo.mp4
    python scripts/video.py --voz                # with a Spanish voice (espeak-ng)
    python scripts/video.py --escenas 1-3 --salida /tmp/corto.mp4   # a short cut
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from video_engine import ROOT, render
from video_scenes import SCENES

LIMIT_SECONDS = 7 * 60


def pick(spec: str | None) -> list[int]:
    """'1-3,7' -> [0, 1, 2, 6] (1-based, inclusive ranges)."""
    if not spec:
        return list(range(len(SCENES)))
    chosen: list[int] = []
    for part in spec.split(","):
        low, _, high = part.partition("-")
        chosen += range(int(low) - 1, int(high or low))
    return [i for i in chosen if 0 <= i < len(SCENES)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--salida", type=Path, default=ROOT / "docs" / "demo.mp4",
                        help="video de salida (el .vtt se escribe al lado)")
    parser.add_argument("--escenas", help="sólo estas escenas, p. ej. 1-3,7 (1 = la primera)")
    parser.add_argument("--voz", action="store_true", help="voz en español con espeak-ng")
    parser.add_argument("--catalogo", type=Path,
                        help="catálogo ya construido (por defecto se construye uno con la muestra)")
    parser.add_argument("--conservar", type=Path,
                        help="carpeta donde dejar los cuadros y subtítulos intermedios")
    args = parser.parse_args(argv)

    scenes = [SCENES[i] for i in pick(args.escenas)]
    summary = render(scenes, args.salida, catalog=args.catalogo, voice=args.voz,
                     keep=args.conservar)
    print(f"{summary['video']}: {summary['seconds']:.1f} s, "
          f"{summary['bytes'] / 1e6:.1f} MB, {summary['scenes']} escenas "
          f"({summary['skipped']} omitidas), {summary['cues']} subtítulos, "
          f"{summary['frames']} cuadros capturados; renderizado en "
          f"{summary['render_seconds']:.0f} s. Subtítulos: {summary['captions']}")
    if summary["seconds"] > LIMIT_SECONDS:
        print(f"error: el video dura más de {LIMIT_SECONDS // 60} minutos", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
