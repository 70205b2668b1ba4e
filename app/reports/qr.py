"""QR codes for printed cards, fast enough to put one on each of 800 cards.

reportlab's QrCodeWidget takes ~24 ms a code (5 ms to encode, choosing the best of eight mask patterns by
building and scoring the symbol eight times, and ~19 ms to render a Drawing of one Rect per run), 19 s for
800 cards. Here reportlab's encoder (reportlab.graphics.barcode.qrencoder) still lays out the function
patterns and format information, once per version and mask, and gives the order in which data modules are
filled; what changes per code — the byte-mode data codewords and their Reed–Solomon error correction — is
computed here with a cached generator polynomial, and the modules are written into a copy of the template:
~0.1 ms a code. The result is the same symbol reportlab makes for the same mask (tests compare them).

One fixed mask pattern is used rather than the "best" of eight: any of the eight is a valid symbol that
readers decode, and a card prints it large (22 mm, under 1 mm a module) on white paper.
"""

from __future__ import annotations

import re
from functools import cache

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

LEVEL_M = qrencoder.QRErrorCorrectLevel.M
MASK = 0

# GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1
_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


_BITS = tuple(tuple((byte >> i) & 1 for i in range(7, -1, -1)) for byte in range(256))


@cache
def _generator_logs(degree: int) -> tuple[int, ...]:
    """Logs of the coefficients after the leading 1 of the RS generator polynomial of this degree."""
    poly = [1]
    for i in range(degree):
        nxt = [0] * (len(poly) + 1)
        for j, a in enumerate(poly):
            nxt[j] ^= a  # a * x
            if a:
                nxt[j + 1] ^= _EXP[_LOG[a] + i]  # a * alpha^i
        poly = nxt
    return tuple(_LOG[c] for c in poly[1:])


@cache
def _products(degree: int) -> tuple[tuple[int, ...], ...]:
    """For each byte value c, c times each coefficient after the leading 1 of the generator."""
    gen = _generator_logs(degree)
    return ((0,) * degree, *(tuple(_EXP[_LOG[c] + g] for g in gen) for c in range(1, 256)))


def _error_correction(data: list[int], degree: int) -> list[int]:
    """The remainder of data(x) * x^degree divided by the generator: the block's error-correction bytes."""
    products = _products(degree)
    rest = [0] * degree
    for byte in data:
        row = products[byte ^ rest[0]]
        rest = [a ^ b for a, b in zip(rest[1:] + [0], row, strict=True)]
    return rest


@cache
def _blocks(version: int) -> tuple[tuple[int, int], ...]:
    """(total, data) codewords of each RS block of this version at level M."""
    return tuple((b.totalCount, b.dataCount) for b in qrencoder.QRRSBlock.getRSBlocks(version, LEVEL_M))


@cache
def _version(length: int) -> int:
    probe = qrencoder.QRCode(None, LEVEL_M)
    probe.addData(qrencoder.QR8bitByte(b"\0" * length))
    version: int = probe.calculate_version()
    return version


@cache
def _template(
    version: int, mask: int
) -> tuple[tuple[tuple[bool, ...], ...], tuple[tuple[int, int, bool], ...]]:
    """The symbol of this version and mask with its data area still to fill, and each data module's
    (row, column, mask bit) in filling order, from reportlab's encoder."""
    code = qrencoder.QRCode(version, LEVEL_M)
    code.addData(qrencoder.QR8bitByte(b"\0"))
    code.makeImpl(False, mask)
    flip = qrencoder.QRUtil.getMask(mask)
    places = tuple((row, col, bool(flip(row, col))) for col, row in code.dataPosIterator())
    return tuple(tuple(row) for row in code.modules), places


def _codewords(data: bytes, version: int) -> list[int]:
    blocks = _blocks(version)
    capacity = sum(d for _, d in blocks)
    length_bits = 8 if version < 10 else 16
    # mode (0100, byte), length, the bytes; then a terminator of up to four 0 bits and 0s to a whole byte
    size = 4 + length_bits + 8 * len(data)
    acc = (((0b0100 << length_bits) | len(data)) << 8 * len(data)) | int.from_bytes(data, "big")
    end = min(4, capacity * 8 - size) + (-(size + min(4, capacity * 8 - size)) % 8)
    acc, size = acc << end, size + end
    stream = list(acc.to_bytes(size // 8, "big"))
    pad = (0xEC, 0x11)
    stream += [pad[i % 2] for i in range(capacity - len(stream))]
    data_blocks, ec_blocks = [], []
    offset = 0
    for total, count in blocks:
        chunk = stream[offset : offset + count]
        offset += count
        data_blocks.append(chunk)
        ec_blocks.append(_error_correction(chunk, total - count))
    out = []
    for group in (data_blocks, ec_blocks):
        for i in range(max(len(b) for b in group)):
            out += [b[i] for b in group if i < len(b)]
    return out


def qr_matrix(payload: str, mask: int = MASK) -> list[list[bool]]:
    """The QR code (byte mode, error correction M) of `payload` as rows of dark (True) modules, without
    the quiet zone."""
    data = payload.encode("utf-8")
    version = _version(len(data))
    template, places = _template(version, mask)
    rows = [list(row) for row in template]
    bits = [bit for byte in _codewords(data, version) for bit in _BITS[byte]]
    bits += [0] * (len(places) - len(bits))  # remainder bits
    for (row, col, flip), bit in zip(places, bits, strict=False):
        rows[row][col] = bool(bit) ^ flip
    return rows


_DARK_RUN = re.compile(rb"\x01+")


def draw_qr(c: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """The QR code of `payload` in a `size` square with its lower-left corner at (x, y), quiet zone
    included (4 modules of white on each side).

    The dark modules are one filled path of horizontal runs, written in module units under a scaling
    transform: QrCodeWidget's Drawing (a Rect shape per run, through renderPDF) takes ~19 ms a code, 15 s
    for 800 cards; this takes a fraction of a millisecond."""
    modules = qr_matrix(payload)
    count = len(modules)
    unit = size / (count + 8)
    runs = [
        f"{m.start()} {count - 1 - r} {m.end() - m.start()} 1 re"
        for r, row in enumerate(modules)
        for m in _DARK_RUN.finditer(bytes(row))
    ]
    c.saveState()
    c.translate(x + 4 * unit, y + 4 * unit)
    c.scale(unit, unit)
    c.setFillColor(colors.black)
    c.addLiteral("\n".join(runs) + "\nf")
    c.restoreState()
