"""Write seed forms as web pages: a plain page with real ``rowspan``/
``colspan`` merges (in any charset), a page in the markup Word's "save as
web page" writes, and a web archive (.mht) of a page.

The plain page has what a 政府信息公开 page has around a form: site
navigation before it and a footer after it, the title as a heading and the
项目序号 and 金额单位 lines as paragraphs.  The Word page has a
``<p class=MsoNormal>`` in every cell, ``<o:p>`` marks, ``mso-`` styles,
``&nbsp;`` in empty cells, the hidden row of column widths Word adds
(``<![if !supportMisalignedColumns]>``), and its source lines wrapped at
about 76 characters, inside text too, as Word wraps them.
"""

from __future__ import annotations

import base64
import html
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from fixturegen.seed import Form

NAVIGATION = '<div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 财政预决算</div>'
FOOTER = '<div class="footer"><p>主办：重庆市荣昌区人民政府办公室</p><p>渝ICP备05003300号</p></div>'


def _cells(form: Form, word: bool) -> list[str]:
    rows = []
    for r, cells in enumerate(form.rows):
        tds = []
        for c, text in enumerate(cells):
            if form.covered(r, c):
                continue
            m = form.anchor(r, c)
            span = ""
            if m and m.cols > 1:
                span += f" colspan={m.cols}" if word else f' colspan="{m.cols}"'
            if m and m.rows > 1:
                span += f" rowspan={m.rows}" if word else f' rowspan="{m.rows}"'
            if word:
                inner = html.escape(text, quote=False) if text else "<o:p>&nbsp;</o:p>"
                body = (
                    f"<p class=MsoNormal align=center style='text-align:center'><span lang=EN-US "
                    f"style='font-size:9.0pt;font-family:宋体;mso-bidi-font-family:宋体'>{inner}"
                    f"{'<o:p></o:p>' if text else ''}</span></p>"
                )
                tds.append(f"  <td width=64 valign=top style='border:solid windowtext 1.0pt;mso-border-alt:solid "
                           f"windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt'{span}>\n  {body}\n  </td>")
            else:
                tds.append(f"<td{span}>{html.escape(text, quote=False)}</td>")
        rows.append(tds)
    if word:
        return [f" <tr style='mso-yfti-irow:{i}'>\n" + "\n".join(t) + "\n </tr>" for i, t in enumerate(rows)]
    return ["<tr>" + "".join(t) + "</tr>" for t in rows]


def page_html(forms: Sequence[Form], charset: str = "utf-8") -> str:
    """A plain web page holding the forms, with navigation and a footer."""
    parts = [
        "<!DOCTYPE html>",
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">',
        "<title>2020年度项目支出绩效自评表</title><style>td{border:1px solid #000}</style>",
        "<script>var nav = '<table><tr><td>not text</td></tr></table>';</script></head><body>",
        NAVIGATION,
    ]
    for form in forms:
        parts.append(f"<h2>{html.escape(form.preamble[0], quote=False)}</h2>")
        parts += [f"<p>{html.escape(line, quote=False)}</p>" for line in form.preamble[1:]]
        parts.append('<table border="1" cellspacing="0">')
        parts += _cells(form, word=False)
        parts.append("</table>")
    parts += [FOOTER, "</body></html>"]
    return "\n".join(parts)


def word_html(forms: Sequence[Form]) -> str:
    """The forms as Word's "save as web page" writes them (GB2312, as a
    Chinese Word saves by default)."""
    out = [
        "<html xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\"",
        "xmlns:w=\"urn:schemas-microsoft-com:office:word\" xmlns=\"http://www.w3.org/TR/REC-html40\">",
        "<head><meta http-equiv=Content-Type content=\"text/html; charset=gb2312\">",
        "<meta name=ProgId content=Word.Document><meta name=Generator content=\"Microsoft Word 15\">",
        "<!--[if gte mso 9]><xml><w:WordDocument><w:View>Print</w:View></w:WordDocument></xml><![endif]-->",
        "<style><!-- p.MsoNormal {mso-style-parent:\"\"; margin:0cm; font-size:10.5pt;} --></style></head>",
        "<body lang=ZH-CN style='tab-interval:21.0pt'><div class=WordSection1>",
    ]
    for form in forms:
        for i, line in enumerate(form.preamble):
            align = " align=center style='text-align:center'" if i == 0 else ""
            out.append(f"<p class=MsoNormal{align}><span style='font-family:宋体'>{html.escape(line, quote=False)}"
                       "<o:p></o:p></span></p>")
        out.append("<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;"
                   "border:none;mso-border-alt:solid windowtext .5pt'>")
        out += _cells(form, word=True)
        out.append("<![if !supportMisalignedColumns]>\n <tr height=0>")
        out += ["  <td width=64 style='border:none'></td>" for _ in range(form.width)]
        out.append(" </tr>\n <![endif]>\n</table>")
        out.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>")
    out.append("</div></body></html>")
    return "\n".join(_wrapped(line) for line in "\n".join(out).split("\n"))


def _wrapped(line: str, width: int = 76) -> str:
    """A source line wrapped as Word wraps its HTML: at a space where there
    is one, else inside the text between two Chinese characters."""
    out = []
    while len(line) > width:
        cut = line.rfind(" ", 1, width)
        if cut > 0:
            out.append(line[: cut + 1])  # the space stays at the end of the line
            line = line[cut + 1 :]
            continue
        cut = width
        while cut < len(line) and (_inside_tag(line, cut) or not (_wide(line[cut - 1]) and _wide(line[cut]))):
            cut += 1
        if cut >= len(line):
            break
        out.append(line[:cut])
        line = line[cut:]
    out.append(line)
    return "\n".join(out)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _inside_tag(line: str, pos: int) -> bool:
    return line.rfind("<", 0, pos) > line.rfind(">", 0, pos)


def write_html(forms: Sequence[Form], path: Path, charset: str = "utf-8") -> Path:
    path.write_bytes(page_html(forms, charset).encode("gb18030" if charset.lower() == "gb2312" else charset))
    return path


def write_word_html(forms: Sequence[Form], path: Path) -> Path:
    path.write_bytes(word_html(forms).encode("gb18030"))
    return path


def write_mht(forms: Sequence[Form], path: Path) -> Path:
    """A web archive (MHTML) of the plain page, its HTML part base64-encoded."""
    body = base64.encodebytes(page_html(forms).encode("utf-8")).decode("ascii")
    path.write_text(
        "MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"----=_NextPart_000\"; type=\"text/html\"\r\n\r\n"
        "------=_NextPart_000\r\nContent-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Location: http://www.rongchang.gov.cn/zwgk/index.html\r\n\r\n{body}\r\n------=_NextPart_000--\r\n",
        encoding="ascii",
    )
    return path
