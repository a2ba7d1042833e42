"""A minimal valid instrument that the malformed-instrument tests break one mistake at a time."""

from __future__ import annotations

import pytest

# Line numbers matter: the error tests assert them.
MINIMAL = """\
format: borgerblik-instrument/1
id: test
title: Test
languages: {da: Dansk, en: English}
grouping: kl2024
scales:
  grad:
    labels: {5: I meget høj grad, 4: I høj grad, 3: I nogen grad, 2: I lav grad, 1: I meget lav grad}
    dont_know: Ved ikke
themes:
  - id: start
    title: Start
    questions:
      - id: status
        kind: single
        text: Er du stadig i et forløb?
        options:
          - {code: 1, text: Ja}
          - {code: 2, text: Nej}
      - id: tillid
        kind: scale
        scale: grad
        text: {da: "Tillid?", en: "Trust?"}
        when: {group: {in: [dagpenge]}}
      - id: samlet
        kind: scale
        scale: grad
        text: Samlet?
        follow_ups:
          - {id: samlet_lav, when_answer: [1, 2], text: "Hvorfor?"}
  - id: lokale
    title: Lokale spørgsmål
    local: true
    questions: []
tense: {question: status, past: [2]}
overall: samlet
"""


@pytest.fixture
def minimal_yaml() -> str:
    return MINIMAL
