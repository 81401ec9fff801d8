"""A certificate as a PDF (A4 landscape), and its QR code as inline SVG for the page.

The PDF uses reportlab's built-in CID font STSong-Light (Adobe-GB1): the PDF names the
font and the reader supplies it, so nothing is downloaded or installed for Chinese text.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import segno
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, Paragraph

from quizapp.certificates.models import Certificate

FONT = "STSong-Light"
RED = HexColor("#b71c1c")
INK = HexColor("#222222")


def qr_code(url: str) -> segno.QRCode:
    """Return the QR code of a verification link (error correction M: survives a crease)."""
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str) -> str:
    """Return the QR code of ``url`` as an inline SVG element (no style attribute: CSP)."""
    buffer = io.BytesIO()
    qr_code(url).save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        omitsize=True,
        svgclass="cert-qr",
        lineclass=None,
        title="证书核验二维码",
        border=2,
    )
    return buffer.getvalue().decode()


def long_date(day) -> str:
    """Write a date as certificates do: 2026年11月30日."""
    return f"{day.year}年{day.month}月{day.day}日"


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    """Return the certificate as a one-page A4 landscape PDF."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(f"{certificate.title} {certificate.number}")
    pdf.setAuthor(certificate.issuer_name)
    pdf.setSubject(f"{certificate.member_name} · {certificate.campaign_title}")
    pdf.setCreator("党员学习考试平台")

    pdf.setStrokeColor(RED)
    pdf.setLineWidth(3)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setLineWidth(0.8)
    pdf.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    pdf.setFillColor(RED)
    pdf.setFont(FONT, 40)
    pdf.drawCentredString(width / 2, height - 50 * mm, certificate.title)

    pdf.setFillColor(INK)
    pdf.setFont(FONT, 20)
    pdf.drawString(40 * mm, height - 78 * mm, f"{certificate.member_name} 同志：")
    body = ParagraphStyle(
        "body",
        fontName=FONT,
        fontSize=18,
        leading=32,
        firstLineIndent=36,
        alignment=TA_JUSTIFY,
        wordWrap="CJK",
        textColor=INK,
    )
    frame = Frame(40 * mm, 75 * mm, width - 80 * mm, height - 160 * mm, showBoundary=0)
    frame.addFromList([Paragraph(escape(certificate.wording), body)], pdf)

    pdf.setFont(FONT, 18)
    pdf.drawRightString(width - 40 * mm, 62 * mm, certificate.issuer_name)
    pdf.drawRightString(width - 40 * mm, 52 * mm, long_date(certificate.issued_on))

    _draw_qr(pdf, verify_url, 28 * mm, 24 * mm, 32 * mm)
    pdf.setFont(FONT, 10)
    pdf.drawString(64 * mm, 44 * mm, "证书编号：")
    label = pdfmetrics.stringWidth("证书编号：", FONT, 10)
    pdf.setFont("Helvetica-Bold", 10)
    pdf.drawString(64 * mm + label, 44 * mm, certificate.number)
    pdf.setFont(FONT, 10)
    pdf.drawString(64 * mm, 37 * mm, "扫码或登录平台打开下面的链接核验：")
    pdf.setFont("Helvetica", 8)
    pdf.drawString(64 * mm, 31 * mm, verify_url)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_qr(pdf: Canvas, url: str, x: float, y: float, size: float) -> None:
    """Draw the QR code of ``url`` as black squares, ``size`` wide, lower left at (x, y)."""
    matrix = [list(row) for row in qr_code(url).matrix_iter(scale=1, border=2)]
    cell = size / len(matrix)
    pdf.setFillColor(HexColor("#000000"))
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + c * cell, y + size - (r + 1) * cell, cell, cell, stroke=0, fill=1)
