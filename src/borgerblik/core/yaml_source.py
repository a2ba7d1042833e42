"""Reading YAML while remembering where every value came from — and refusing what YAML can be made to do.

PyYAML's plain loaders forget line numbers and silently keep the last of two equal keys; an
administrator editing a questionnaire needs both: the line of each mistake, and duplicates reported.

YAML read here is written by people (instruments, column mappings, population rules) and sometimes
uploaded by staff, so it is read defensively: an alias (``*name``) is refused outright — nothing we read
needs one (scales are named instead), and following aliases as copies lets a 342-byte file expand to
billions of nodes (the "billion laughs" bomb: 72 s, then ``MemoryError``). Nesting beyond
:data:`MAX_DEPTH`, a file beyond :data:`MAX_BYTES`, a key that is a list or a mapping, bytes that are not
UTF-8 and characters YAML forbids (NUL, other control characters) are each one clear problem with the
file and line, never a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path as FilePath

import yaml

from borgerblik.core.errors import BorgerblikError, InstrumentError, Problem

Path = tuple[str | int, ...]

#: libyaml's C parser when PyYAML was built with it (several times faster); same nodes and marks.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 2_000_000
"""The largest YAML file read (KL 2024, the largest template, is 24 kB): a bound on time and memory."""
MAX_DEPTH = 40
"""The deepest nesting of lists and mappings accepted (an instrument nests about eight levels)."""
_SHOWN_ALIASES = 5

#: Characters YAML 1.1 does not allow in a stream (PyYAML refuses them with a bare position).
_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_SYNTAX_HINT = "tjek indrykning og kolon efter nøgler; sæt citationstegn om tekster med : # ? eller , i {...}"


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


def _refusal(file: str, line: int | None, expected: str, got: str, hint: str) -> InstrumentError:
    return InstrumentError(
        [Problem(file=file, line=line, question=None, field="(YAML)", expected=expected, got=got, hint=hint)]
    )


def read_yaml_file(path: FilePath, name: str | None = None) -> YamlSource:
    """Read a YAML file: at most :data:`MAX_BYTES`, UTF-8 (a BOM is allowed), then :func:`read_yaml`.

    ``name`` is how messages name the file (default: the path as given). Raises :class:`InstrumentError`
    for anything wrong in the file and ``OSError`` when it cannot be read at all (missing, a folder).
    """
    file = str(path) if name is None else name
    with open(path, "rb") as handle:  # a folder raises IsADirectoryError here, an OSError like any other
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refusal(
            file,
            None,
            f"en YAML-fil på højst {MAX_BYTES // 1_000_000} MB",
            "en større fil",
            "et instrument fylder nogle titusind bytes; er det den rigtige fil?",
        )
    return read_yaml(decode_yaml(data, file), file)


def decode_yaml(data: bytes, file: str) -> str:
    """UTF-8 text of a YAML file, a BOM dropped; other bytes are a problem naming the first bad line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _refusal(
            file,
            line,
            "tekst i UTF-8",
            f"bytes der ikke er UTF-8 (byte 0x{data[exc.start]:02x})",
            "gem filen som UTF-8 (i Notesblok: Gem som → Kodning UTF-8); "
            "en binær fil eller en Windows-1252-fil kan ikke læses",
        ) from None


def read_yaml(text: str, file: str) -> YamlSource:
    """Parse one YAML document; syntax errors, duplicate keys and aliases become :class:`InstrumentError`."""
    if len(text) > MAX_BYTES:
        raise _refusal(
            file, None, f"YAML på højst {MAX_BYTES:,} tegn".replace(",", "."), f"{len(text):,} tegn", ""
        )
    forbidden = _FORBIDDEN.search(text)
    if forbidden is not None:
        line = _last_line(text[: forbidden.start()])
        raise _refusal(
            file,
            line,
            "almindelig tekst",
            f"kontroltegnet U+{ord(forbidden.group()):04X}",
            "nul-tegn og andre kontroltegn hører ikke hjemme i YAML; er det en binær fil?",
        )
    loader = _Loader(text)
    problems: list[Problem] = []
    source = YamlSource(file=file, data=None)
    try:
        node = loader.get_single_node()
        if node is not None:
            source.data = _Builder(loader, source, problems).build(node, (), 0)
    except _AliasFound:
        lines = _alias_lines(text)
        distinct = sorted(set(lines))
        shown = ", ".join(map(str, distinct[:_SHOWN_ALIASES]))
        if len(distinct) > _SHOWN_ALIASES:
            shown += " …"
        raise _refusal(
            file,
            lines[0] if lines else None,
            "YAML uden aliaser (*navn)",
            f"{len(lines)} aliaser på linje {shown}" if len(lines) > 1 else "et alias",
            "skriv værdien ud hvert sted; aliaser afvises, da de kan få en lille fil til at fylde "
            "milliarder af værdier",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        got = str(exc.problem or exc.context)
        opened = exc.context_mark
        if opened is not None and mark is not None and opened.line != mark.line:
            got += f" ({exc.context} fra linje {opened.line + 1})"
        raise _refusal(
            file,
            None if mark is None else min(mark.line + 1, _last_line(text)),
            "gyldig YAML",
            got,
            _SYNTAX_HINT,
        ) from exc
    except yaml.YAMLError as exc:  # a reader error without a mark (the forbidden characters are caught above)
        raise _refusal(file, None, "gyldig YAML", str(exc), _SYNTAX_HINT) from exc
    finally:
        loader.dispose()
    if problems:
        raise InstrumentError(problems)
    return source


def _last_line(text: str) -> int:
    """The number of the last line, as YAML counts lines (libyaml puts an error at the end of a stream
    without a final line break on the line after it)."""
    return len(_LINE_BREAK.split(text))


def _alias_lines(text: str) -> list[int]:
    """The line of every alias, from the event stream (events only: an alias is not followed)."""
    lines: list[int] = []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
                lines.append(event.start_mark.line + 1)
    except yaml.YAMLError:
        pass
    return lines


class _AliasFound(BorgerblikError):
    """A node reached a second time: an alias. Raised before anything is copied (caught in read_yaml)."""


class _Builder:
    """Plain data from the node graph, each node visited once: a node met again is an alias."""

    def __init__(self, loader: yaml.SafeLoader, source: YamlSource, problems: list[Problem]) -> None:
        self.loader, self.source, self.problems = loader, source, problems
        self.seen: set[int] = set()

    def problem(self, line: int, field_name: str, expected: str, got: str, hint: str = "") -> None:
        self.problems.append(Problem(self.source.file, line, None, field_name, expected, got, hint))

    def visit(self, node: yaml.Node) -> None:
        if id(node) in self.seen:
            raise _AliasFound
        self.seen.add(id(node))

    def scalar(self, node: yaml.Node, line: int) -> tuple[bool, object]:
        """A scalar's value, or (False, None) with a problem when its tag cannot make one."""
        try:
            return True, self.loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError:
            raise
        except Exception as exc:  # noqa: BLE001 - 5.000 digits; '!!timestamp x' is an AttributeError in PyYAML
            shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
            kind = str(node.tag).rsplit(":", 1)[-1]
            self.problem(
                line,
                "(YAML)",
                "en værdi YAML kan læse",
                f"{shown!r}, som ikke kan læses som {kind} ({type(exc).__name__})",
                "sæt citationstegn om teksten, eller ret værdien",
            )
            return False, None

    def build(self, node: yaml.Node, path: Path, depth: int) -> object:
        self.visit(node)
        line = node.start_mark.line + 1
        if depth > MAX_DEPTH and isinstance(node, yaml.CollectionNode):
            self.problem(
                line,
                "(YAML)",
                f"højst {MAX_DEPTH} niveauer af lister og ordbøger",
                "dybere indlejring",
                "et instrument er sjældent mere end otte niveauer dybt",
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            items: list[object] = []
            for index, item_node in enumerate(node.value):
                self.source.lines[(*path, index)] = item_node.start_mark.line + 1
                items.append(self.build(item_node, (*path, index), depth + 1))
            return items
        return self.scalar(node, line)[1]

    def mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[object, object]:
        result: dict[object, object] = {}
        for key_node, value_node in node.value:
            self.visit(key_node)
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(
                    line,
                    "(nøgle)",
                    "en nøgle der er en enkel tekst",
                    "en liste eller ordbog som nøgle",
                    "en nøgle som '? [a, b]' kan ikke bruges; skriv fx 'a:'",
                )
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(
                    line,
                    "<<",
                    "en almindelig nøgle",
                    "'<<' (YAML-sammenfletning)",
                    "skriv nøglerne ud; sammenfletning bygger på aliaser, som afvises",
                )
                continue
            ok, key = self.scalar(key_node, line)
            if not ok:
                continue
            if key in result:
                self.problem(
                    line,
                    str(key),
                    "hver nøgle én gang i samme afsnit",
                    f"'{key}' igen (første gang linje {self.source.lines[(*path, key)]})",
                    "slet eller omdøb den ene; YAML ville ellers stille og roligt bruge den sidste",
                )
                continue
            self.source.lines[(*path, key)] = line
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result
