"""Display names of a process's elements in each language, read once from its BPMN file.

The convention (bpmn/README.md): an element's `name` attribute is its Vietnamese name, and its name in another
language is the extension property `name:<language>`:

    <bpmn:userTask id="plan" name="Lập kế hoạch kiểm tra">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="name:en" value="Plan the inspection"/>
      </spiffworkflow:properties></bpmn:extensionElements>

A lane's `name` is the role the app matches (director, lead ...), not a display name: a lane's names are all
properties (`name:vi`, `name:en`), and its entry is keyed `lane:<role>`, the way the app refers to lanes."""

import re

from lxml import etree

from .xmlsafe import MAX_BPMN_BYTES, load_xml

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": MODEL_NS, "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}

# The language of the `name` attributes, and the one every other language falls back to.
PRIMARY_LANGUAGE = "vi"
NAME_PROPERTY_PREFIX = "name:"
LANE_KEY_PREFIX = "lane:"
# Named elements that are data, not something a reader sees (a multi-instance task's item ...).
_UNSEEN = {"inputDataItem", "outputDataItem", "dataInput", "dataOutput"}

# {element id (or "lane:<role>"): {language: name}}
Names = dict[str, dict[str, str]]

# Letters only Vietnamese writing has among the languages our users type: a name with none of them (all plain ASCII)
# has not been written in Vietnamese.
_VIETNAMESE_LETTERS = re.compile("[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE)


def looks_vietnamese(text: str | None) -> bool:
    """Whether a name is written in Vietnamese, with its diacritics (a name in plain ASCII letters is not)."""
    return bool(text and _VIETNAMESE_LETTERS.search(text))


def _clean(text: str | None) -> str:
    """Modelers break long names over lines: one line, single spaces."""
    return " ".join((text or "").split())


def _properties(node: etree._Element) -> dict[str, str]:
    values = node.xpath(
        f"bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[starts-with(@name, "
        f"'{NAME_PROPERTY_PREFIX}')]",
        namespaces=NS,
    )
    return {
        prop.get("name")[len(NAME_PROPERTY_PREFIX) :]: _clean(prop.get("value"))
        for prop in values
        if _clean(prop.get("value")) and prop.get("name")[len(NAME_PROPERTY_PREFIX) :]
    }


def lane_key(role: str) -> str:
    """The key of a lane's names: the app refers to a lane by its role, never by its element id."""
    return LANE_KEY_PREFIX + role


def element_names(node: etree._Element) -> tuple[str, dict[str, str]] | None:
    """The key and the {language: name} of one BPMN element, or None when it is named in no language."""
    local = etree.QName(node).localname
    names = {}
    if local == "lane":
        key = lane_key(_clean(node.get("name"))) if _clean(node.get("name")) else None
    else:
        key = node.get("id")
        text = node.findtext("bpmn:text", "", NS) if local == "textAnnotation" else node.get("name")
        if _clean(text):
            names[PRIMARY_LANGUAGE] = _clean(text)
    names.update(_properties(node))
    return (key, names) if key and names else None


def names_from_tree(root: etree._Element) -> Names:
    """Every named element of an already safely loaded BPMN tree (see xmlsafe.load_xml)."""
    found: Names = {}
    for node in root.iter(f"{{{MODEL_NS}}}*"):
        if node is root or not node.get("id") or etree.QName(node).localname in _UNSEEN:
            continue
        named = element_names(node)
        if named is not None:
            found.setdefault(named[0], {}).update(named[1])
    return found


def read_names(xml: bytes, max_bytes: int = MAX_BPMN_BYTES) -> Names:
    """The display names of every element of a BPMN file, in each language it gives."""
    return names_from_tree(load_xml(xml, max_bytes))


def pick(names: Names, key: str | None, language: str) -> str | None:
    """The name of `key` in `language`, else in Vietnamese, else in any language it has; None when it has none."""
    entry = names.get(key or "") or {}
    return entry.get(language) or entry.get(PRIMARY_LANGUAGE) or next(iter(entry.values()), None)
