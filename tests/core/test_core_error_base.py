"""One error base class with one phrasing for every stage: where, what was expected, what came, and a hint."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import borgerblik
from borgerblik.core import BorgerblikError, phrase
from borgerblik.storage.errors import InvalidRowError
from borgerblik.weighting.errors import WeightingInputError


def defined_exceptions() -> list[type[BaseException]]:
    """Every exception class defined in the package (the CLI and web layers included)."""
    found = []
    for module in pkgutil.walk_packages(borgerblik.__path__, "borgerblik."):
        if ".migrations." in module.name:
            continue
        loaded = importlib.import_module(module.name)
        for _, cls in inspect.getmembers(loaded, inspect.isclass):
            # A private class is control flow inside a module (a rollback signal), not an error for a person.
            if issubclass(cls, BaseException) and cls.__module__ == module.name and cls.__name__[0] != "_":
                found.append(cls)
    return found


def test_every_exception_of_every_stage_derives_from_the_one_base() -> None:
    classes = defined_exceptions()
    assert len(classes) >= 26
    outside = [cls for cls in classes if not issubclass(cls, BorgerblikError)]
    assert sorted(f"{cls.__module__}.{cls.__name__}" for cls in outside) == []


def test_each_keeps_its_builtin_base_so_existing_handlers_still_catch_it() -> None:
    from borgerblik.fieldwork import FontMissing, SmsGatewayError
    from borgerblik.storage import StorageError

    assert issubclass(StorageError, ValueError) and issubclass(SmsGatewayError, RuntimeError)
    assert issubclass(FontMissing, RuntimeError) and not issubclass(FontMissing, ValueError)


def test_the_one_phrasing() -> None:
    assert phrase("svar.csv, linje 3", "en svarkode 1–5", "'7'", "ret værdien") == (
        "svar.csv, linje 3: forventede en svarkode 1–5, fik '7'. Tip: ret værdien"
    )
    assert str(BorgerblikError(where="x.yaml", expected="en tekst", got="ingenting")) == (
        "x.yaml: forventede en tekst, fik ingenting"
    )
    assert str(BorgerblikError("fri tekst")) == "fri tekst"


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            InvalidRowError(3, "cpr", "et CPR-nummer", "0101011234", "udtrækket har dubletter"),
            "række 3, felt 'cpr': forventede et CPR-nummer, fik (skjult). Tip: udtrækket har dubletter",
        ),
        (
            WeightingInputError("svar.csv", 6, "kommune", "en kommune", "'Rødovr'", "mente du 'Rødovre'?"),
            "svar.csv, linje 6, kolonne 'kommune': forventede en kommune, fik 'Rødovr'. "
            "Tip: mente du 'Rødovre'?",
        ),
    ],
)
def test_storage_and_weighting_speak_the_same_phrasing(error: BorgerblikError, message: str) -> None:
    assert str(error) == message
