from pathlib import Path

from tentative.core.states import mermaid_diagram

DOC = Path(__file__).resolve().parents[2] / "docs" / "state-machine.md"


def test_the_documented_diagram_is_the_one_generated_from_the_table():
    assert mermaid_diagram() in DOC.read_text()
