"""Property tests of the two file formats phancong reads (directory and directive, YAML or JSON): whatever a file
holds, reading it gives the file's model or one coded refusal, never another exception (pure, fast)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from directives.model import DirectiveFile
from directory.model import DirectoryFile
from infra.files import DocumentError, FileLimits, load
from tests.world import EXAMPLES

pytestmark = pytest.mark.unit

MODELS: dict[str, tuple[type[DirectoryFile | DirectiveFile], str]] = {
    "directory": (DirectoryFile, "directory.yaml"),
    "directive": (DirectiveFile, "directive-cells.yaml"),
}
LIMITS = FileLimits(max_bytes=200_000, max_depth=20, max_values=20_000)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(codec="utf-8"), max_size=40)
    | st.sampled_from(["", "\x00", "9999-12-31", "0001-01-01", "1900-01-01", "all", "x" * 600, "Đồn\u0301"])
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=30,
)


@st.composite
def mutated(draw: st.DrawFn, example: dict[str, Any]) -> Any:
    """An example file with some of its fields replaced, removed or added, at any depth."""
    data = json.loads(json.dumps(example))
    for _ in range(draw(st.integers(1, 4))):
        node = data
        while isinstance(node, dict | list) and node and draw(st.booleans()):
            key = draw(st.sampled_from(list(node.keys()) if isinstance(node, dict) else list(range(len(node)))))
            if not isinstance(node[key], dict | list):
                break
            node = node[key]
        if isinstance(node, dict):
            node[draw(st.sampled_from([*node.keys(), "extra"]))] = draw(values)
        elif isinstance(node, list):
            node.append(draw(values))
    return data


def _read(kind: str, text: str | bytes, suffix: str) -> None:
    model, _ = MODELS[kind]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"file{suffix}"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
        refusal: DocumentError | None = None
        try:
            load(model, path, code=f"invalid_{kind}", limits=LIMITS)
        except DocumentError as refused:
            refusal = refused
    if refusal is not None:
        assert refusal.code in ("invalid_file", f"invalid_{kind}")
        assert "\n" not in refusal.message


@pytest.mark.parametrize("kind", sorted(MODELS))
@given(data=st.data())
@settings(max_examples=150, deadline=None)
def test_a_changed_example_is_read_or_refused_with_one_code(kind: str, data: st.DataObject) -> None:
    example = yaml.safe_load((EXAMPLES / MODELS[kind][1]).read_text(encoding="utf-8"))
    content = data.draw(mutated(example))
    as_json = data.draw(st.booleans())
    text = json.dumps(content, ensure_ascii=False) if as_json else yaml.safe_dump(content, allow_unicode=True)
    _read(kind, text, ".json" if as_json else ".yaml")


@pytest.mark.parametrize("kind", sorted(MODELS))
@given(raw=st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")))
@settings(max_examples=150, deadline=None)
def test_any_bytes_are_read_or_refused_with_one_code(kind: str, raw: bytes) -> None:
    _read(kind, raw, ".yaml")
    _read(kind, raw, ".json")


@pytest.mark.parametrize("kind", sorted(MODELS))
@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 5_000 + "]" * 5_000,
        '{"a": ' + "[" * 5_000 + "]" * 5_000 + "}",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
        "x" * 300_000,
        "province: !!python/object/apply:os.system [echo]",
    ],
)
def test_deep_huge_or_hostile_files_are_refused(kind: str, text: str, tmp_path: Path) -> None:
    model, _ = MODELS[kind]
    for suffix in (".yaml", ".json"):
        path = tmp_path / f"file{suffix}"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(DocumentError):
            load(model, path, code=f"invalid_{kind}", limits=LIMITS)
