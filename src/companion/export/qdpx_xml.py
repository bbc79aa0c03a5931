"""The parts of a REFI-QDA ``project.qde``: its namespace and elements, the case
variables and their values, the codebook, notes and codings (the ``qdpx`` writer and
``written_marks`` build a project from them)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from companion.characteristics import CATEGORIES, SCALES
from companion.export.codebook import CASES_FOLDER, CodeNode, build_codebook, guid
from companion.export.qdpx_audio import TimelineAudio
from companion.session.document import SessionDocument

NS = "urn:QDA-XML:project:1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (f"{NS} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd")

ET.register_namespace("", NS)
ET.register_namespace("xsi", XSI)

CHARACTERISTIC_VARIABLES = {
    "gender": "Gender", "age_band": "Age band", "education": "Education",
    "pain_duration": "Duration of chronic pain", "work_status": "Working status",
}
TARGET_LABELS = {"most": "most positive", "least": "least positive"}
DOMAINS = ("task", "goal", "bond", "total")


def qname(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def subelement(parent: ET.Element, tag: str, **attrs: object) -> ET.Element:
    return ET.SubElement(parent, qname(tag), {k: str(v) for k, v in attrs.items() if v is not None})


def decimal_text(value: float) -> str:
    return format(Decimal(str(value)).normalize(), "f")


@dataclass
class Variable:
    guid: str
    name: str
    type: str
    description: str = ""


@dataclass
class ProjectParts:
    docs: list[SessionDocument]
    user_guid: str
    files: dict[str, Path | bytes | TimelineAudio] = field(default_factory=dict)
    variables: dict[str, Variable] = field(default_factory=dict)
    notes: list[ET.Element] = field(default_factory=list)


def project_variables() -> dict[str, Variable]:
    out: dict[str, Variable] = {}
    for key, label in CHARACTERISTIC_VARIABLES.items():
        out[key] = Variable(guid("variable", key), label, "Text",
                             "one of: " + ", ".join(CATEGORIES[key].values()))
    for key, (low, high, label) in SCALES.items():
        out[key] = Variable(guid("variable", key), key.upper(), "Integer",
                             f"{label}, {low} to {high}")
    out["pilot"] = Variable(guid("variable", "pilot"), "Pilot interview", "Boolean")
    for target, tlabel in TARGET_LABELS.items():
        out[f"{target}_role"] = Variable(guid("variable", target, "role"),
                                          f"WAI-ReD {tlabel}: professional", "Text")
        for domain in DOMAINS:
            high = 1200 if domain == "total" else 400
            out[f"{target}_{domain}"] = Variable(
                guid("variable", target, domain), f"WAI-ReD {tlabel}: {domain.capitalize()}",
                "Float", f"0 to {high}; higher is a stronger alliance")
    return out


def variable_values(doc: SessionDocument) -> list[tuple[str, str, str]]:
    """(variable key, value element tag, text) for a session's participant."""
    p = doc.participant
    values: list[tuple[str, str, str]] = []
    for key in CHARACTERISTIC_VARIABLES:
        raw = getattr(p, key)
        if raw is not None:
            values.append((key, "TextValue", CATEGORIES[key].get(raw, raw)))
    for key in SCALES:
        raw = getattr(p, key)
        if raw is not None:
            values.append((key, "IntegerValue", str(int(raw))))
    values.append(("pilot", "BooleanValue", "true" if doc.session.pilot else "false"))
    for rating in doc.ratings:
        values.append((f"{rating.target}_role", "TextValue", rating.role))
        for domain in DOMAINS:
            score = getattr(rating, domain)
            if score is not None:
                values.append((f"{rating.target}_{domain}", "FloatValue", decimal_text(score)))
    return values


def add_values(project: ProjectParts, parent: ET.Element, doc: SessionDocument) -> None:
    for key, tag, text in variable_values(doc):
        value = subelement(parent, "VariableValue")
        subelement(value, "VariableRef", targetGUID=project.variables[key].guid)
        subelement(value, tag).text = text


def code_elements(parent: ET.Element, nodes: list[CodeNode]) -> None:
    for node in nodes:
        el = subelement(parent, "Code", guid=node.guid, name=node.name,
                 isCodable="true" if node.codable else "false")
        if node.description:
            subelement(el, "Description").text = node.description
        code_elements(el, node.children)


def write_codebook(root: ET.Element, docs: list[SessionDocument]) -> dict[tuple[str, str], str]:
    """Write the codebook; returns (protocol id, code id or 'phase:<id>') -> GUID, plus
    ('case', participant) -> the case code's GUID."""
    nodes = build_codebook(d.protocol for d in docs)
    guids: dict[tuple[str, str], str] = {}
    protocol_ids = list(dict.fromkeys(doc.protocol.id for doc in docs))
    for node in (n for root_node in nodes for n in root_node.walk()):
        kind, ident = node.role
        if kind in ("code", "phase"):
            # A code GUID names its protocol; find which protocol wrote it.
            for pid in protocol_ids:
                expected = guid("code" if kind == "code" else "phase", pid, ident)
                if expected == node.guid:
                    guids[(pid, ident if kind == "code" else f"phase:{ident}")] = node.guid
    cases = CodeNode(guid("codegroup", "cases"), CASES_FOLDER, False,
                     "One code per participant, with the GUID of the participant's case.",
                     role=("folder", CASES_FOLDER))
    for doc in docs:
        key = ("case", doc.participant.code)
        if key not in guids:
            guids[key] = case_guid(doc)
            cases.children.append(CodeNode(guids[key], doc.participant.code, True,
                                           f"Participant {doc.participant.code} (pseudonym)",
                                           role=("case", doc.participant.code)))
    code_elements(subelement(subelement(root, "CodeBook"), "Codes"), [*nodes, cases])
    return guids


def case_guid(doc: SessionDocument) -> str:
    return guid("case", doc.participant.code, doc.participant.created_at)


def xsd_time(iso: str | None) -> str | None:
    if not iso:
        return None
    return iso.replace("+00:00", "Z")


def add_note(project: ProjectParts, note_guid: str, name: str, text: str, created: str,
          path: str | None = None) -> None:
    note = ET.Element(qname("Note"), {"guid": note_guid, "name": name,
                                   "creatingUser": project.user_guid,
                                   "creationDateTime": created})
    if path:
        # A note with its own file: QualCoder imports it as a journal entry.
        note.set("plainTextPath", f"internal://{path}")
        project.files[path] = text.encode("utf-8")
    ET.SubElement(note, qname("PlainTextContent")).text = text
    project.notes.append(note)


def add_coding(parent: ET.Element, base: str, key: str, code_guid: str, user: str,
            created: str) -> None:
    coding = subelement(parent, "Coding", guid=guid(base, "coding", key, code_guid),
                 creatingUser=user, creationDateTime=created)
    subelement(coding, "CodeRef", targetGUID=code_guid)


def session_base(doc: SessionDocument) -> str:
    return f"session/{doc.session.created_at}/{doc.session.id}"

