"""Turn untrusted bytes into an lxml tree, refusing oversize or hostile XML before any expansion happens."""

from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring as defused_fromstring
from lxml import etree

from .errors import BpmnError, Problem

MAX_BPMN_BYTES = 2 * 1024 * 1024

# The defusedxml pass already refused DTDs; this parser is hardened anyway so it never resolves or fetches.
_LXML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


def load_xml(xml: bytes, max_bytes: int = MAX_BPMN_BYTES) -> etree._Element:
    """Return the root element of `xml`, or raise BpmnError if it is too big, hostile or malformed."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    if len(xml) > max_bytes:
        raise BpmnError([Problem(None, f"file is larger than the limit of {max_bytes} bytes")])
    try:
        # expat via defusedxml stops at the DOCTYPE, so a "billion laughs" document is refused before expansion.
        defused_fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden:
        raise BpmnError([Problem(None, "DOCTYPE declarations are not allowed (entity or DTD attack)")]) from None
    except EntitiesForbidden:
        raise BpmnError([Problem(None, "entity declarations are not allowed")]) from None
    except ExternalReferenceForbidden:
        raise BpmnError([Problem(None, "external references are not allowed")]) from None
    except DefusedXmlException as exc:
        raise BpmnError([Problem(None, f"unsafe XML refused: {exc!r}")]) from None
    except ParseError as exc:
        raise BpmnError([Problem(None, f"malformed XML: {exc}")]) from None
    try:
        return etree.fromstring(xml, parser=_LXML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise BpmnError([Problem(None, f"malformed XML at line {exc.lineno}: {exc.msg}")]) from None
