"""The 跟单助手 ribbon (``macros/customUI14.xml``) as data: its buttons, tags and callbacks.

The tags are the contract between the ribbon and ``gendan_xl.excel.buttons.HANDLERS``;
the callbacks (``onAction`` and other ``on*``/``get*`` attributes) must exist as
public procedures in the VBA project.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from gendan_xl.addin.sources import macros_dir

CUSTOMUI_NS = "http://schemas.microsoft.com/office/2009/07/customui"
RIBBON_FILE = "customUI14.xml"
_CALLBACK_ATTRS = ("onAction", "onLoad", "getLabel", "getEnabled", "getVisible", "getImage")


@dataclass(frozen=True)
class RibbonButton:
    """One button: where it sits and what it calls."""

    group: str
    id: str
    label: str
    tag: str
    on_action: str
    image_mso: str


def ribbon_path(macros: Path | None = None) -> Path:
    return (macros or macros_dir()) / RIBBON_FILE


def _root(path: Path | None) -> Element:
    return ElementTree.parse(str(ribbon_path() if path is None else path)).getroot()


def ribbon_buttons(path: Path | None = None) -> list[RibbonButton]:
    """Every button of the ribbon XML, in document order."""
    root = _root(path)
    buttons = []
    for group in root.iter(f"{{{CUSTOMUI_NS}}}group"):
        for button in group.iter(f"{{{CUSTOMUI_NS}}}button"):
            buttons.append(
                RibbonButton(
                    group=group.get("label", ""),
                    id=button.get("id", ""),
                    label=button.get("label", ""),
                    tag=button.get("tag", ""),
                    on_action=button.get("onAction", ""),
                    image_mso=button.get("imageMso", ""),
                )
            )
    return buttons


def ribbon_tags(path: Path | None = None) -> list[str]:
    """The buttons' tags, the names of the Python handlers they run."""
    return [b.tag for b in ribbon_buttons(path)]


def ribbon_callbacks(path: Path | None = None) -> set[str]:
    """Names of all VBA procedures the ribbon XML calls."""
    names = set()
    for element in _root(path).iter():
        for attr in _CALLBACK_ATTRS:
            value = element.get(attr)
            if value:
                names.add(value)
    return names
