"""Make the user guide's pictures (resources/help/images/) from the screenshots in docs/screenshots/:
scaled to the guide's width and reduced to 256 colours, so the help adds little to the wheel and the build.

    .venv/bin/python scripts/help_images.py

Run it after scripts/screenshots.py has renewed the screenshots.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "docs" / "screenshots"
OUT = ROOT / "resources" / "help" / "images"
WIDTH = 760  # the guide shows pictures at most this wide
PICTURES = (
    "first-use",
    "dashboard",
    "households",
    "member-form",
    "women",
    "care-record",
    "pregnancies",
    "pregnancy-form",
    "followups",
    "checklist-dialog",
    "supplies",
    "issue-form",
    "reports-monthly",
    "reports-cards",
    "card-a5",
    "reports-registers",
)
LANGUAGES = ("zh_CN", "en")


def convert(source: Path, target: Path) -> None:
    with Image.open(source) as image:
        picture = image.convert("RGB")
        if picture.width > WIDTH:
            picture = picture.resize((WIDTH, round(picture.height * WIDTH / picture.width)), Image.LANCZOS)
        picture.quantize(256, dither=Image.Dither.NONE).save(target, optimize=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in PICTURES:
        for lang in LANGUAGES:
            source = SOURCE / f"{name}-{lang}.png"
            if source.is_file():
                convert(source, OUT / source.name)
                print(f"{source.name}: {(OUT / source.name).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
