"""The `borgerblik fieldwork` commands end to end on a SQLite file, and their clear exit-2 errors."""

from __future__ import annotations

from pathlib import Path

from fieldwork_rows import SETTINGS, citizen
from typer.testing import CliRunner

from borgerblik.cli import app
from borgerblik.fieldwork import SmsSink
from borgerblik.storage import Database
from borgerblik.surveys import create_survey_from_template

runner = CliRunner()


def make_database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    with Database(url) as db:
        survey_id = create_survey_from_template(db, "KL 2024", "kl-2024", settings=SETTINGS)
        members = db.add_members(
            survey_id,
            [
                citizen(1, phone="20000001"),
                citizen(2, kommune="Rødovre"),
                citizen(3, exempt=True, phone="20000003"),
                citizen(4, exempt=True),
            ],
        )
        db.save_sample(survey_id, dict.fromkeys(members, "s"), draw_seed=1)
        db.create_invitations(survey_id)
    return url


def test_invite_send_status_calls_and_hotline(tmp_path: Path) -> None:
    url = make_database(tmp_path)
    common = ["--survey", "KL 2024", "--database", url]
    invited = runner.invoke(
        app, ["fieldwork", "invite", *common, "--spool", str(tmp_path / "spool"), "--at", "2024-03-11T10:00"]
    )
    assert invited.exit_code == 0, invited.output
    assert "Bølge i0: 3 borgere; beskeder i kø — digital_post: 2, sms: 1" in invited.output
    assert "Uden kanal (til hotlinelisten): 1" in invited.output
    with SmsSink() as sink:
        sent = runner.invoke(
            app,
            [
                "fieldwork",
                "send",
                "--database",
                url,
                "--digital-post",
                str(tmp_path / "dp"),
                "--sms-url",
                sink.url,
                "--at",
                "2024-03-11T10:05",
            ],
        )
    assert sent.exit_code == 0, sent.output
    assert "Sendt — digital_post: 2, sms: 1" in sent.output
    status = runner.invoke(app, ["fieldwork", "status", *common, "--html", str(tmp_path / "monitor.html")])
    assert status.exit_code == 0, status.output
    assert "Høje-Taastrup" in status.output and "Rødovre" in status.output and "I alt" in status.output
    assert "<td>I alt</td><td>4</td>" in (tmp_path / "monitor.html").read_text(encoding="utf-8")
    calls = runner.invoke(
        app, ["fieldwork", "calls", *common, "--list", "unreachable", "--out", str(tmp_path / "hotline.csv")]
    )
    assert calls.exit_code == 0 and "1 borgere skrevet" in calls.output
    lines = (tmp_path / "hotline.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "kode,kommune,maalgruppe,telefon,status"
    assert lines[1].endswith(",Høje-Taastrup,6.1,,undeliverable")
    code = lines[1].split(",")[0]
    logged = runner.invoke(app, ["fieldwork", "hotline", *common, "--topic", "opt_out", "--code", code])
    assert logged.exit_code == 0 and "Opkald registreret: Ønsker ikke at deltage" in logged.output


def test_bad_input_is_a_clear_message_and_exit_code_2(tmp_path: Path) -> None:
    url = make_database(tmp_path)
    cases = [
        (
            ["fieldwork", "invite", "--survey", "KL 2024", "--database", url, "--channels", "brevdue"],
            "--channels: ukendt kanal brevdue; forventede digital_post, sms, email",
        ),
        (
            ["fieldwork", "invite", "--survey", "KL 2024", "--database", url, "--at", "i morgen"],
            "--at: forventede ÅÅÅÅ-MM-DDTHH:MM, fik 'i morgen'",
        ),
        (
            ["fieldwork", "status", "--survey", "KL 2025", "--database", url],
            "ingen undersøgelse med navnet 'KL 2025'",
        ),
        (["fieldwork", "send", "--database", url], "angiv mindst én kanal"),
        (["fieldwork", "send", "--database", url, "--smtp-host", "mail.example.dk", "--smtp-plain"],
         "--smtp-plain er kun tilladt mod en lokal server, ikke mail.example.dk"),
        (
            ["fieldwork", "hotline", "--survey", "KL 2024", "--database", url, "--topic", "klage"],
            "ukendt emne 'klage'; forventede et af: question, opt_out, interview",
        ),
        (
            [
                "fieldwork",
                "hotline",
                "--survey",
                "KL 2024",
                "--database",
                url,
                "--topic",
                "opt_out",
                "--code",
                "ZZZZ-ZZZZ",
            ],
            "ingen borger med koden 'ZZZZ-ZZZZ'",
        ),
    ]
    for arguments, message in cases:
        result = runner.invoke(app, arguments)
        assert result.exit_code == 2, (arguments, result.output)
        assert message in " ".join(result.output.split()), result.output
        assert "Traceback" not in result.output


def test_simulate_runs_three_weeks_and_prints_the_curve_with_reminders(tmp_path: Path) -> None:
    url = make_database(tmp_path)
    result = runner.invoke(app, ["fieldwork", "simulate", "--survey", "KL 2024", "--database", url,
                                 "--workdir", str(tmp_path / "felt"), "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Digital Post-batch i" in result.output
    assert result.output.count("← påmindelse") == 2
    assert "2024-03-18" in result.output and "2024-03-31" in result.output
    assert (tmp_path / "felt" / "digital_post" / "manifest.csv").exists()
