"""Regenerate ``console/resources/fonts/NotoSansSC-DutyConsole-Subset.otf``, the UI font we ship.

Input: Noto Sans CJK SC Regular, face 2 of Debian's ``fonts-noto-cjk``
``/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc`` (faces: 0 JP, 1 KR, 2 SC, 3 TC,
4 HK, 5-9 Mono). Licence: SIL Open Font License 1.1 (see ``console/resources/fonts/OFL.txt``).

The subset keeps (see :func:`collect_codepoints`):

* ASCII, Latin-1, General Punctuation, CJK Symbols and Punctuation, Halfwidth and Fullwidth
  Forms;
* every character of GB2312 (all 7,445 two-byte codes that decode, 6,763 of them hanzi);
* every character of the domain texts (``shared/domain/*.txt`` and ``*.md``) and of the sample
  data ``console/resources/sample/suichang_sample.json`` (run ``tools/build_sample_data.py`` first).

The family is renamed to ``Noto Sans SC DutyConsole`` so that it never shadows a full Noto Sans
CJK SC installed on the user's machine (the OFL reserves the name "Source" only; "Noto" is a
Google trademark used here only to credit the origin). After writing, the font is checked with
fontTools (every requested character is mapped) and, when PySide6 is importable, with Qt
offscreen (registration, family name, ``inFontUcs4`` and glyph rendering against the system
font).

Needs ``fonttools`` at build time only (not a runtime dependency)::

    pip install fonttools
    python tools/build_font_subset.py
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE_TTC = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SC_FACE_INDEX = 2
SC_SOURCE_FAMILY = "Noto Sans CJK SC"
DEFAULT_OUTPUT = REPO_ROOT / "console" / "resources" / "fonts" / "NotoSansSC-DutyConsole-Subset.otf"
DEFAULT_DOMAIN_DIR = REPO_ROOT.parent / "shared" / "domain"
SAMPLE_DATA = REPO_ROOT / "console" / "resources" / "sample" / "suichang_sample.json"

FAMILY = "Noto Sans SC DutyConsole"
STYLE = "Regular"
POSTSCRIPT_NAME = "NotoSansSC-DutyConsole-Regular"
MAX_SIZE_BYTES = 5 * 1024 * 1024

TEST_TEXT = "遂昌县综合应急指挥中心 山洪 滑坡"

BLOCKS: tuple[tuple[str, int, int], ...] = (
    ("ASCII", 0x0020, 0x007E),
    ("Latin-1 Supplement", 0x00A0, 0x00FF),
    ("General Punctuation", 0x2000, 0x206F),
    ("CJK Symbols and Punctuation", 0x3000, 0x303F),
    ("Halfwidth and Fullwidth Forms", 0xFF00, 0xFFEF),
)


def gb2312_chars() -> set[str]:
    """Every character that a GB2312 two-byte code (rows and cells 0xA1-0xFE) decodes to."""
    chars: set[str] = set()
    for high in range(0xA1, 0xFF):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def text_chars(paths: Iterable[Path]) -> set[str]:
    """Printable characters of UTF-8 text files (control characters dropped)."""
    chars: set[str] = set()
    for path in paths:
        chars.update(ch for ch in path.read_text(encoding="utf-8") if ord(ch) >= 0x20)
    return chars


def collect_codepoints(domain_dir: Path, sample: Path) -> tuple[set[int], dict[str, int]]:
    """Return the code points to keep and a per-source count for the log."""
    wanted: set[int] = set()
    stats: dict[str, int] = {}
    for name, start, end in BLOCKS:
        block = set(range(start, end + 1))
        stats[name] = len(block)
        wanted |= block
    gb = {ord(ch) for ch in gb2312_chars()}
    stats["GB2312"] = len(gb)
    wanted |= gb
    domain_files = sorted([*domain_dir.glob("*.txt"), *domain_dir.glob("*.md")])
    if not domain_files:
        print(f"warning: no domain texts under {domain_dir}", file=sys.stderr)
    extra_files = [*domain_files, sample] if sample.is_file() else domain_files
    if not sample.is_file():
        print(f"warning: {sample} missing; run tools/build_sample_data.py", file=sys.stderr)
    extra = {ord(ch) for ch in text_chars(extra_files)}
    stats["domain texts + sample data (beyond the above)"] = len(extra - wanted)
    wanted |= extra
    return wanted, stats


def rename(font: TTFont, version_note: str) -> None:
    """Give the subset its own family name in the name table and the CFF top dict."""
    name = font["name"]
    old_version = name.getDebugName(5) or "Version 2.004"
    records = {
        1: FAMILY,
        2: STYLE,
        3: f"{font['head'].fontRevision:.3f};GOOG;{POSTSCRIPT_NAME};duty-console-subset",
        4: FAMILY,
        5: f"{old_version}; {version_note}",
        6: POSTSCRIPT_NAME,
    }
    for name_id in (1, 2, 3, 4, 5, 6, 16, 17):
        name.removeNames(nameID=name_id)
    for name_id, value in records.items():
        name.setName(value, name_id, 3, 1, 0x409)
    cff = font["CFF "].cff
    cff.fontNames = [POSTSCRIPT_NAME]
    top = cff.topDictIndex[0]
    top.FullName = FAMILY
    top.FamilyName = FAMILY
    top.Weight = STYLE


def build(source: Path, output: Path, codepoints: set[int]) -> set[int]:
    """Subset the SC face of the collection; return the code points actually mapped."""
    options = subset.Options()
    options.font_number = SC_FACE_INDEX
    options.name_IDs = ["*"]  # keep copyright, trademark, licence and URL records
    options.notdef_outline = True
    options.glyph_names = False
    # Keep fontTools' default features plus the width variants, but drop 'locl': in this face
    # it only maps to Japanese, Korean and Traditional Chinese glyph shapes, which a mainland
    # console never wants and which would double the glyph count (3.5 MB instead of 2 MB).
    options.layout_features = [
        f for f in (*options.layout_features, "fwid", "hwid", "pwid") if f != "locl"
    ]
    font = subset.load_font(str(source), options, lazy=False)
    if font["name"].getDebugName(1) != SC_SOURCE_FAMILY:
        raise SystemExit(f"face {SC_FACE_INDEX} of {source} is not {SC_SOURCE_FAMILY}")
    available = set(font.getBestCmap())
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints & available)
    subsetter.subset(font)
    rename(font, "subset for duty-console by tools/build_font_subset.py")
    output.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(output), options)
    return set(TTFont(str(output))["cmap"].getBestCmap())


def verify_with_qt(path: Path, must_have: str) -> list[str]:
    """Register the font in Qt (offscreen) and check that it renders real glyphs.

    Checks: ``addApplicationFont`` >= 0 with family FAMILY; ``inFontUcs4`` and
    ``QRawFont.supportsCharacter`` for every character; every glyph index non-zero; each glyph
    rendered from this font alone (a QRawFont glyph run, so Qt cannot fall back to another
    font) differs from the .notdef box and, when the system Noto Sans CJK SC is installed,
    matches that font's rendering of the same character.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import (
        QColor,
        QFont,
        QFontDatabase,
        QFontMetrics,
        QGlyphRun,
        QGuiApplication,
        QImage,
        QPainter,
        QRawFont,
    )

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    problems: list[str] = []
    font_id = QFontDatabase.addApplicationFont(str(path))
    if font_id < 0:
        return [f"QFontDatabase.addApplicationFont({path}) returned {font_id}"]
    families = QFontDatabase.applicationFontFamilies(font_id)
    if families != [FAMILY]:
        problems.append(f"registered families {families}, expected [{FAMILY!r}]")
    qfont = QFont(FAMILY)
    qfont.setPixelSize(48)
    metrics = QFontMetrics(qfont)
    missing = [ch for ch in must_have if not metrics.inFontUcs4(ord(ch))]
    if missing:
        problems.append(f"inFontUcs4 false for {''.join(missing)!r}")
    raw = QRawFont.fromFont(qfont)
    # inFontUcs4 can report true for characters the font lacks (seen for U+9FCF with Qt 6.12
    # on Linux); QRawFont.supportsCharacter(int) reads the font's own cmap.
    unsupported = [ch for ch in must_have if not raw.supportsCharacter(ord(ch))]
    if unsupported:
        problems.append(f"QRawFont.supportsCharacter false for {''.join(unsupported)!r}")
    if raw.familyName() != FAMILY:
        problems.append(f"QRawFont resolved to {raw.familyName()!r}, not {FAMILY!r}")

    system = QFont(SC_SOURCE_FAMILY)
    system.setPixelSize(48)
    system_raw = QRawFont.fromFont(system)
    compare_system = system_raw.familyName() == SC_SOURCE_FAMILY

    def render(font: QRawFont, glyph: int) -> QImage:
        image = QImage(64, 64, QImage.Format.Format_Grayscale8)
        image.fill(QColor("white"))
        run = QGlyphRun()
        run.setRawFont(font)
        run.setGlyphIndexes([glyph])
        run.setPositions([QPointF(8, 52)])
        painter = QPainter(image)
        painter.setPen(QColor("black"))
        painter.drawGlyphRun(QPointF(0, 0), run)
        painter.end()
        return image

    def ink(image: QImage) -> int:
        return sum(
            1
            for y in range(image.height())
            for x in range(image.width())
            if image.pixelColor(x, y).lightness() < 128
        )

    def differing(a: QImage, b: QImage) -> int:
        return sum(
            1
            for y in range(a.height())
            for x in range(a.width())
            if abs(a.pixelColor(x, y).lightness() - b.pixelColor(x, y).lightness()) > 64
        )

    notdef = render(raw, 0)
    for ch in dict.fromkeys(must_have.replace(" ", "")):
        (glyph,) = raw.glyphIndexesForString(ch) or [0]
        if glyph == 0:
            problems.append(f"{ch!r} maps to .notdef")
            continue
        image = render(raw, glyph)
        if ink(image) < 20 or differing(image, notdef) < 20:
            problems.append(f"{ch!r} renders blank or as a box")
        if compare_system:
            (sys_glyph,) = system_raw.glyphIndexesForString(ch) or [0]
            diff = differing(image, render(system_raw, sys_glyph))
            if diff > 8:
                problems.append(f"{ch!r} differs from {SC_SOURCE_FAMILY} in {diff} pixels")
    print(
        f"qt: family {families}, checked {len(set(must_have) - {' '})} characters, "
        f"compared with system {SC_SOURCE_FAMILY}: {compare_system}"
    )
    del app
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE_TTC)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--domain-dir", type=Path, default=DEFAULT_DOMAIN_DIR)
    parser.add_argument("--no-qt", action="store_true", help="skip the PySide6 check")
    args = parser.parse_args(argv)

    if not args.source.is_file():
        raise SystemExit(f"{args.source} missing: apt-get install fonts-noto-cjk")
    wanted, stats = collect_codepoints(args.domain_dir, SAMPLE_DATA)
    for label, count in stats.items():
        print(f"  {label}: {count}")
    mapped = build(args.source, args.output, wanted)

    problems: list[str] = []
    # Characters of text files and GB2312 must all be there; the Unicode blocks may contain
    # unassigned or unsupported code points, which are skipped silently.
    required = {ord(ch) for ch in gb2312_chars()}
    domain_files = [*args.domain_dir.glob("*.txt"), *args.domain_dir.glob("*.md")]
    sample_files = [SAMPLE_DATA] if SAMPLE_DATA.is_file() else []
    required |= {ord(ch) for ch in text_chars([*domain_files, *sample_files])}
    required |= set(range(0x20, 0x7F))
    absent = sorted(required - mapped)
    if absent:
        problems.append("not in the font: " + "".join(chr(cp) for cp in absent))
    size = args.output.stat().st_size
    if size > MAX_SIZE_BYTES:
        problems.append(f"{args.output} is {size} bytes, over {MAX_SIZE_BYTES}")
    print(f"wrote {args.output}: {size:,} bytes, {len(mapped)} characters, family {FAMILY!r}")

    if not args.no_qt:
        try:
            import PySide6  # noqa: F401
        except ImportError:
            print("PySide6 not importable: Qt check skipped", file=sys.stderr)
        else:
            problems += verify_with_qt(args.output, TEST_TEXT)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
