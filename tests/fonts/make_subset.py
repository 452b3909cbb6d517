import pathlib

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, newTable

coll = TTCollection("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
idx = None
for i, f in enumerate(coll.fonts):
    name = f["name"].getDebugName(1)
    if "SC" in name:
        idx = i
        break
font = coll.fonts[idx]
print("using", font["name"].getDebugName(4))
text = pathlib.Path("fixtures/forms/seed-2020-rongchang-27-forms.txt").read_text(encoding="utf-8")
# GB2312 level-1 hanzi (the 3755 most common characters) so variant fixtures have glyphs too
lvl1 = []
for hi in range(0xB0, 0xD8):
    for lo in range(0xA1, 0xFF):
        try:
            lvl1.append(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
extra = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "≥≤＞＜﹦＝—–…·、。，：；（）“”‘’《》【】％０１２３４５６７８９％／可持續影響指標質數務對滿資總額級區轉結經濟會態時產響標杯最"
)
chars = set(text) | set(lvl1) | set(extra)
opts = subset.Options()
opts.name_IDs = ["*"]
opts.notdef_outline = True
opts.layout_features = []
opts.hinting = False
opts.desubroutinize = True
sub = subset.Subsetter(opts)
sub.populate(text="".join(sorted(chars)))
sub.subset(font)
# CFF -> glyf (quadratic) so reportlab can embed it
gs = font.getGlyphSet()
glyf = {}
for name in font.getGlyphOrder():
    pen = TTGlyphPen(None)
    gs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
    glyf[name] = pen.glyph()
del font["CFF "]
if "VORG" in font:
    del font["VORG"]
font["glyf"] = g = newTable("glyf")
g.glyphOrder = font.getGlyphOrder()
g.glyphs = glyf
font["loca"] = newTable("loca")
font["maxp"].tableVersion = 0x00010000
for a in (
    "maxZones",
    "maxTwilightPoints",
    "maxStorage",
    "maxFunctionDefs",
    "maxInstructionDefs",
    "maxStackElements",
    "maxSizeOfInstructions",
    "maxComponentElements",
    "maxPoints",
    "maxContours",
    "maxCompositePoints",
    "maxCompositeContours",
    "maxComponentDepth",
):
    setattr(font["maxp"], a, 0)
font["maxp"].maxZones = 1
font["head"].indexToLocFormat = 1
font["head"].glyphDataFormat = 0
font["post"].formatType = 2.0
font["post"].extraNames = []
font["post"].mapping = {}
font.sfntVersion = "\x00\x01\x00\x00"
# family name without the reserved "Noto" marketing is not required by OFL (no RFN); keep a clear subset name
out = "tests/fonts/NotoSansSC-subset.ttf"
font.save(out)
print(out, pathlib.Path(out).stat().st_size, "bytes", len(chars), "chars")
