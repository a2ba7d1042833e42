"""Reading YAML while remembering where every value came from.

PyYAML's plain loaders forget line numbers and silently keep the last of two equal keys; an
administrator editing a questionnaire needs both: the line of each mistake, and duplicates reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from borgerblik.core.errors import InstrumentError, Problem

Path = tuple[str | int, ...]

#: libyaml's C parser when PyYAML was built with it (several times faster); same nodes and marks.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlSource:
    """Parsed YAML data plus the 1-based line of every mapping key and sequence item."""

    file: str
    data: object
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor when the value itself is missing."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]


def read_yaml(text: str, file: str) -> YamlSource:
    """Parse one YAML document; syntax errors and duplicate keys become :class:`InstrumentError`."""
    loader = _Loader(text)
    problems: list[Problem] = []
    source = YamlSource(file=file, data=None)
    try:
        node = loader.get_single_node()
        if node is not None:
            source.data = _build(loader, node, (), source, problems)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        got = str(exc.problem or exc.context)
        opened = exc.context_mark
        if opened is not None and mark is not None and opened.line != mark.line:
            got += f" ({exc.context} fra linje {opened.line + 1})"
        raise InstrumentError(
            [
                Problem(
                    file=file,
                    line=None if mark is None else mark.line + 1,
                    question=None,
                    field="(YAML)",
                    expected="gyldig YAML",
                    got=got,
                    hint="tjek indrykning og kolon efter nøgler; "
                    "sæt citationstegn om tekster med : # ? eller , i {...}",
                )
            ]
        ) from exc
    finally:
        loader.dispose()
    if problems:
        raise InstrumentError(problems)
    return source


def _build(
    loader: yaml.SafeLoader, node: yaml.Node, path: Path, source: YamlSource, problems: list[Problem]
) -> object:
    if isinstance(node, yaml.MappingNode):
        result: dict[object, object] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in result:
                problems.append(
                    Problem(
                        file=source.file,
                        line=line,
                        question=None,
                        field=str(key),
                        expected="hver nøgle én gang i samme afsnit",
                        got=f"'{key}' igen (første gang linje {source.lines[(*path, key)]})",
                        hint="slet eller omdøb den ene; YAML ville ellers stille og roligt bruge den sidste",
                    )
                )
                continue
            source.lines[(*path, key)] = line
            result[key] = _build(loader, value_node, (*path, key), source, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        items: list[object] = []
        for index, item_node in enumerate(node.value):
            source.lines[(*path, index)] = item_node.start_mark.line + 1
            items.append(_build(loader, item_node, (*path, index), source, problems))
        return items
    return loader.construct_object(node, deep=True)
