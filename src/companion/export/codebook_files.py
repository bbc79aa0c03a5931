"""The codebook on its own: ``qdc`` (REFI-QDA codebook) and ``codebook-csv`` (Taguette).

``qdc`` is valid against the REFI-QDA ``Codebook.xsd`` (namespace
``urn:QDA-XML:codebook:1.0``); its GUIDs are those of the ``qdpx`` project, so a codebook
imported first and a project imported later name the same codes. The CSV has the columns
Taguette's codebook import reads: ``tag`` and ``description`` (the group goes into the
description: Taguette's tags are flat).
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

from companion import __version__
from companion.export.codebook import CodeNode, build_codebook
from companion.session.document import SessionDocument

NS = "urn:QDA-XML:codebook:1.0"


def _codes(parent: ET.Element, nodes: list[CodeNode]) -> None:
    for node in nodes:
        el = ET.SubElement(parent, f"{{{NS}}}Code", {
            "guid": node.guid, "name": node.name,
            "isCodable": "true" if node.codable else "false"})
        if node.description:
            ET.SubElement(el, f"{{{NS}}}Description").text = node.description
        _codes(el, node.children)


def qdc_bytes(nodes: list[CodeNode]) -> bytes:
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}CodeBook", {"origin": f"companion {__version__}"})
    _codes(ET.SubElement(root, f"{{{NS}}}Codes"), nodes)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def to_qdc(doc: SessionDocument) -> bytes:
    return qdc_bytes(build_codebook([doc.protocol]))


def taguette_csv(nodes: list[CodeNode]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["tag", "description"])
    for root in nodes:
        for node in root.children:
            if node.codable:
                description = f"{root.name}: {node.description}" if node.description else (
                    root.name)
                writer.writerow([node.name, description])
    return buffer.getvalue().encode("utf-8")


def to_taguette_csv(doc: SessionDocument) -> bytes:
    return taguette_csv(build_codebook([doc.protocol]))
