"""The document block model: what the plan produces and every publisher consumes.

Plain data, no behaviour: the plan fills it from clauses and the profile, the docx writer turns it
into WordprocessingML. Text is always plain text (never XML): the writer escapes it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass
class Heading:
    text: str
    level: int = 1                   # 1..3 → Word styles Heading 1..3 (navigation pane, TOC)
    number: str = ""                 # e.g. "4.2"; printed before the text
    indicators: list[str] = field(default_factory=list)   # printed under the heading: 对应指标：…


@dataclass
class Paragraph:
    text: str
    style: str = "body"              # body | note | center | title | subtitle | right | signature
    bold: bool = False


@dataclass
class BulletList:
    items: list[str]


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    widths: list[float] = field(default_factory=list)   # relative; empty = equal
    repeat_header: bool = True
    label_columns: tuple[int, ...] = ()                   # columns shaded as labels (forms)
    blank_row_height_cm: float = 0.0                      # >0 for fill-in forms: fixed row height
    font_size: float = 0.0                                # 0 = style default; e.g. 9 for wide tables


@dataclass
class Image:
    png: bytes
    width_cm: float
    height_cm: float
    name: str = "image.png"
    caption: str = ""


@dataclass
class PageBreak:
    pass


@dataclass
class Toc:
    """A TOC field with a pre-rendered result built from the document's headings."""
    title: str = "目　录"
    levels: int = 2


Block = Union[Heading, Paragraph, BulletList, Table, Image, PageBreak, Toc]


@dataclass
class Cover:
    company: str
    title: str
    number: str
    version: str
    effective_date: str
    control_rows: list[tuple[str, str]] = field(default_factory=list)  # 编制/审核/批准 …
    subtitle: str = ""


@dataclass
class Document:
    title: str
    number: str                      # document number, shown in the header
    company: str                     # shown in the header
    blocks: list[Block] = field(default_factory=list)
    cover: Cover | None = None
    landscape: bool = False
    version: str = ""
    # core properties (docProps/core.xml): fixed from the profile so builds are reproducible
    author: str = ""
    created: str = ""                # ISO date, e.g. 2026-12-01
    subject: str = ""
    keywords: str = ""
    # 【待填写：label】 → the key a plain-text content control around it is tagged with
    fill_ins: dict[str, str] = field(default_factory=dict)
