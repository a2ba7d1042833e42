"""Routing conditions in words, for the codebook: who was asked a question, and so why a value is missing."""

from __future__ import annotations

from borgerblik.core.model import Instrument
from borgerblik.core.routing import AllOf, AnswerIn, AnyOf, Condition, GroupIn, Not, RegisterIn


def describe(condition: Condition | None, instrument: Instrument, lang: str = "da") -> str:
    """"Alle" for an unrouted question, else the condition in Danish with the answer labels spelled out."""
    if condition is None:
        return "Alle" if lang == "da" else "Everyone"
    return _words(condition, instrument, lang)


def _words(condition: Condition, instrument: Instrument, lang: str) -> str:
    da = lang == "da"
    match condition:
        case AnswerIn(question=question, codes=codes):
            try:
                labels = dict(instrument.question(question).choices(lang))
            except KeyError:
                labels = {}
            shown = ", ".join(f"{code} ({labels[code]})" if code in labels else str(code) for code in codes)
            return f"{question} = {shown}" if len(codes) == 1 else f"{question} i {{{shown}}}"
        case GroupIn(scheme=scheme, groups=groups):
            where = "målgruppe" if da else "target group"
            return f"{where} ({scheme}) {'i' if da else 'in'} {{{', '.join(groups)}}}"
        case RegisterIn(field=name, values=values):
            return f"register.{name} {'i' if da else 'in'} {{{', '.join(values)}}}"
        case AllOf(conditions=parts):
            return f" {'og' if da else 'and'} ".join(_bracketed(part, instrument, lang) for part in parts)
        case AnyOf(conditions=parts):
            return f" {'eller' if da else 'or'} ".join(_bracketed(part, instrument, lang) for part in parts)
        case Not(condition=inner):
            return f"{'ikke' if da else 'not'} ({_words(inner, instrument, lang)})"
    raise TypeError(f"ukendt betingelse {condition!r}")


def _bracketed(condition: Condition, instrument: Instrument, lang: str) -> str:
    return f"({_words(condition, instrument, lang)})"
