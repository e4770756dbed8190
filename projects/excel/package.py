"""An xlsx file written as its sheets are finished, in memory that does not grow with the sheets.

openpyxl's write-only workbook streams each sheet's XML to a temporary file but keeps every sheet
object (about 14 KB each: its print setup, views, header and footer…) until ``save`` copies them all
into the zip file: 280 MB for a province's 20,000 tables. Here each finished sheet's XML goes into the
zip file at once and the sheet is dropped; what the workbook's own parts need of it (its name, state,
print titles, print area and filter) is kept as one line in a temporary file, read back when the
workbook is closed. The parts are those openpyxl's ``save`` writes, byte for byte
(tests/projects/test_excel_package.py compares them), in the order the sheets were created, the
sheets placed ``first`` in front.

openpyxl internals used (openpyxl 3.1, bounded below 4 in pyproject.toml and fenced by that test):
a closed write-only sheet's ``_writer`` (its temporary file ``out``, its relations ``_rels``,
``cleanup``), the workbook's ``_sheets`` list, and the pieces of ``ExcelWriter.write_data``.
"""

import datetime
import json
import pickle
import tempfile
from xml.sax.saxutils import escape
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.packaging.extended import ExtendedProperties
from openpyxl.packaging.manifest import DEFAULT_OVERRIDE, DEFAULT_TYPES, FileExtension, mimetypes
from openpyxl.packaging.relationship import get_rels_path
from openpyxl.styles.stylesheet import write_stylesheet
from openpyxl.utils import quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.workbook._writer import WorkbookWriter
from openpyxl.workbook.properties import WorkbookProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.theme import theme_xml
from openpyxl.xml.constants import (
    ARC_APP,
    ARC_CONTENT_TYPES,
    ARC_CORE,
    ARC_ROOT_RELS,
    ARC_STYLE,
    ARC_THEME,
    ARC_WORKBOOK,
    ARC_WORKBOOK_RELS,
    CONTYPES_NS,
    PKG_REL_NS,
    REL_NS,
    SHEET_MAIN_NS,
)
from openpyxl.xml.functions import tostring

WORKSHEET_TYPE = f"{REL_NS}/worksheet"
_ATTRIBUTE = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#09;"}


def attribute(text):
    """``text`` as an XML attribute value, escaped as ElementTree (openpyxl's serialiser) escapes it."""
    return escape(str(text), _ATTRIBUTE)


class StreamedWorkbook:
    """A write-only openpyxl workbook written into ``target`` (a path or a binary file) sheet by sheet.

    ``create_sheet`` gives openpyxl's write-only sheet; ``finish(sheet)`` closes it, writes it into the
    file and lets it go; ``close()`` finishes the sheets still open and writes the workbook's parts.
    """

    def __init__(self, target):
        self.workbook = Workbook(write_only=True)
        self.archive = ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True)
        self.listing = tempfile.TemporaryFile("w+", encoding="utf-8")  # one JSON line a sheet, in workbook order
        self.listed = 0
        self.parts = 0
        self.front = []  # lines of the finished sheets placed first (few: the summary)
        self.pending = []  # [sheet, line or None] in creation order: sheets finished before an earlier one wait
        self.firsts = set()

    def create_sheet(self, title, first=False):
        sheet = self.workbook.create_sheet(title)
        if first:
            self.firsts.add(id(sheet))
        else:
            self.pending.append([sheet, None])
        return sheet

    def finish(self, sheet):
        """Close ``sheet`` if open, write its XML (and relations) into the file and let it go."""
        if not sheet.closed:
            sheet.close()
        self.parts += 1
        sheet._id = self.parts
        writer = sheet._writer
        self.archive.write(writer.out, sheet.path[1:])
        writer.cleanup()
        if writer._rels:
            self.archive.writestr(get_rels_path(sheet.path)[1:], tostring(writer._rels.to_tree()))
        quoted = quote_sheetname(sheet.title)
        line = {
            "title": sheet.title, "state": sheet.sheet_state, "path": sheet.path,
            "titles": sheet.print_titles or "", "area": sheet.print_area or "",
            "filter": f"{quoted}!{sheet.auto_filter}" if sheet.auto_filter else "",
        }
        self.workbook._sheets.remove(sheet)
        if id(sheet) in self.firsts:
            self.firsts.discard(id(sheet))
            self.front.append(line)
            return
        for entry in self.pending:
            if entry[0] is sheet:
                entry[:] = [None, line]
                break
        else:  # created on the openpyxl workbook itself (LongTexts.write): placed after the others
            self.pending.append([None, line])
        while self.pending and self.pending[0][1] is not None:
            self.listing.write(json.dumps(self.pending.pop(0)[1], ensure_ascii=False) + "\n")
            self.listed += 1

    def sheets(self):
        """The lines of every sheet, in workbook order."""
        yield from self.front
        self.listing.seek(0)
        for text in self.listing:
            yield json.loads(text)

    def close(self):
        """Finish the sheets still open, in their order, and write the workbook's own parts."""
        for sheet in list(self.workbook._sheets):
            self.finish(sheet)
        archive, workbook = self.archive, self.workbook
        workbook.properties.modified = datetime.datetime.now(tz=datetime.timezone.utc).replace(tzinfo=None)
        # As ExcelWriter.write_data, in its order.
        archive.writestr(ARC_APP, tostring(ExtendedProperties().to_tree()))
        archive.writestr(ARC_CORE, tostring(workbook.properties.to_tree()))
        archive.writestr(ARC_THEME, theme_xml)
        archive.writestr(ARC_STYLE, tostring(write_stylesheet(workbook)))
        archive.writestr(ARC_ROOT_RELS, WorkbookWriter(workbook).write_root_rels())
        with archive.open(ARC_WORKBOOK, "w", force_zip64=True) as part:
            self.write_workbook_part(part)
        with archive.open(ARC_WORKBOOK_RELS, "w", force_zip64=True) as part:
            self.write_relations(part)
        with archive.open(ARC_CONTENT_TYPES, "w", force_zip64=True) as part:
            self.write_content_types(part)
        archive.close()
        self.listing.close()

    def write_workbook_part(self, part):
        """xl/workbook.xml as openpyxl's WorkbookWriter.write gives it, one sheet at a time."""
        workbook = self.workbook
        active = next((index for index, line in enumerate(self.sheets()) if line["state"] == "visible"), None)
        if active is None:
            raise IndexError("At least one sheet must be visible")
        part.write(f'<workbook xmlns:r="{REL_NS}" xmlns="{SHEET_MAIN_NS}">'.encode())
        part.write(tostring(WorkbookProperties().to_tree()))
        if workbook.security is not None:
            part.write(tostring(workbook.security.to_tree("workbookProtection")))
        views = workbook.views
        if views:
            views[0].activeTab = active
            part.write(b"<bookViews>" + b"".join(tostring(view.to_tree("workbookView")) for view in views) + b"</bookViews>")
        part.write(b"<sheets>")
        for number, line in enumerate(self.sheets(), 1):
            part.write(
                f'<sheet name="{attribute(line["title"])}" sheetId="{number}" state="{line["state"]}" r:id="rId{number}" />'.encode()
            )
        part.write(b"</sheets>")
        if any(line["filter"] or line["titles"] or line["area"] for line in self.sheets()):
            part.write(b"<definedNames>")
            for index, line in enumerate(self.sheets()):
                # openpyxl's write_names: each sheet's filter, print titles and print area, in that order.
                for name, key, hidden in (("_FilterDatabase", "filter", ' hidden="1"'), ("Print_Titles", "titles", ""), ("Print_Area", "area", "")):
                    if line[key]:
                        part.write(f'<definedName name="_xlnm.{name}" localSheetId="{index}"{hidden}>{escape(line[key])}</definedName>'.encode())
            part.write(b"</definedNames>")
        part.write(tostring(workbook.calculation.to_tree()))
        part.write(b"</workbook>")

    def write_relations(self, part):
        part.write(f'<Relationships xmlns="{PKG_REL_NS}">'.encode())
        number = 0
        for number, line in enumerate(self.sheets(), 1):
            part.write(f'<Relationship Type="{WORKSHEET_TYPE}" Target="{attribute(line["path"])}" Id="rId{number}" />'.encode())
        part.write(f'<Relationship Type="{REL_NS}/styles" Target="styles.xml" Id="rId{number + 1}" />'.encode())
        part.write(f'<Relationship Type="{REL_NS}/theme" Target="theme/theme1.xml" Id="rId{number + 2}" />'.encode())
        part.write(b"</Relationships>")

    def write_content_types(self, part):
        """[Content_Types].xml as openpyxl's Manifest writes it: the defaults, then the sheets, then the workbook."""
        extensions = {name.rsplit(".", 1)[-1] for name in self.archive.namelist() if "." in name.rsplit("/", 1)[-1]}
        defaults = list(DEFAULT_TYPES)
        defaults += [FileExtension(ext, mimetypes.types_map[True]["." + ext]) for ext in sorted(extensions - {t.Extension for t in defaults})]
        part.write(f'<Types xmlns="{CONTYPES_NS}">'.encode())
        for default in defaults:
            part.write(tostring(default.to_tree()))
        for override in DEFAULT_OVERRIDE:
            part.write(tostring(override.to_tree()))
        for number in range(1, self.parts + 1):
            part.write(f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType="{Worksheet.mime_type}" />'.encode())
        part.write(f'<Override PartName="/{ARC_WORKBOOK}" ContentType="{self.workbook.mime_type}" />'.encode())
        part.write(b"</Types>")


class Spool:
    """Records kept in a temporary file, not in memory, and read back in the order they were added
    (by one reader at a time)."""

    def __init__(self):
        self.file = tempfile.TemporaryFile()
        self.end = 0

    def add(self, record):
        self.file.seek(self.end)
        pickle.dump(record, self.file, pickle.HIGHEST_PROTOCOL)
        self.end = self.file.tell()

    def __iter__(self):
        self.file.seek(0)
        while self.file.tell() < self.end:
            yield pickle.load(self.file)

    def close(self):
        self.file.close()


def stream_hyperlinks(sheet, links):
    """Have the write-only ``sheet`` write its links to places in the workbook, ``links()`` giving
    (cell, location) pairs, when its tail is written, one at a time: openpyxl would keep a Hyperlink
    and an external relation for each cell until the sheet is closed. Call before the first row is
    appended, after the column widths and views are set (openpyxl 3.1's WorksheetWriter: its ``xf``
    stream hands out the XML file when sent True, as WriteOnlyWorksheet._write_rows takes it)."""
    sheet._get_writer()
    writer = sheet._writer

    def write_hyperlinks():
        xf = writer.xf.send(True)
        with xf.element("hyperlinks"):
            for ref, location in links():
                xf.write(Hyperlink(ref=ref, location=location).to_tree())
        writer.xf.send(None)

    writer.write_hyperlinks = write_hyperlinks
