"""The command line tells the truth: its listing starts without importing any command, search
shows the ids `show` and `cite` take, a query needs no quotes, and `show` says which digest is
whose."""

from __future__ import annotations

import json
import subprocess
import sys

import click
from click.testing import CliRunner

from shiliao.cli import COMMANDS, main


def test_the_listing_imports_no_command_and_shows_each_ones_help() -> None:
    # What `shiliao --help` loads, seen from a fresh interpreter.
    script = (
        "import sys\nfrom shiliao.cli import main\ntry:\n    main(['--help'])\n"
        "except SystemExit:\n    pass\n"
        "print('MODULES', ' '.join(sorted(m for m in sys.modules if m.startswith('shiliao'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded = result.stdout.split("MODULES ")[1].split()
    assert loaded == ["shiliao", "shiliao.cli"]
    for heavy in ("tantivy", "pypdfium2", "rapidocr", "trafilatura", "pypinyin"):
        assert heavy not in result.stdout
    for name, (_, _, short_help) in COMMANDS.items():
        assert f"  {name}" in result.stdout and short_help in result.stdout


def test_every_listed_command_loads_under_its_name() -> None:
    context = click.Context(main)
    for name in main.list_commands(context):
        command = main.get_command(context, name)
        assert command is not None and command.name == name
        assert command.get_short_help_str(limit=200) == COMMANDS[name][2]
    result = CliRunner().invoke(main, ["serch"])
    assert result.exit_code == 2 and "No such command 'serch'" in result.output


def test_search_text_shows_the_source_ids_show_takes(built_sample: dict) -> None:
    archive = str(built_sample["archive"])
    shown = CliRunner().invoke(main, ["search", archive, "民族团结", "--limit", "3"])
    assert shown.exit_code == 0, shown.output
    found = CliRunner().invoke(main, ["search", archive, "民族团结", "--limit", "3", "--json"])
    ids = [hit["source_id"] for hit in json.loads(found.stdout)["hits"]]
    assert len(ids) == 3
    for source_id in ids:
        assert f"{source_id}  " in shown.output
        assert CliRunner().invoke(main, ["show", archive, source_id]).exit_code == 0


def test_a_query_of_several_words_needs_no_quotes(built_sample: dict) -> None:
    archive = str(built_sample["archive"])

    def total(*words: str) -> int:
        result = CliRunner().invoke(main, ["search", archive, *words, "--json", "--limit", "1"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["total"]

    both = total("民族团结", "新疆")
    assert both == total("民族团结 新疆") and 0 < both < total("新疆")
    refused = CliRunner().invoke(main, ["search", archive, "新疆", "OR", "干部"])
    assert refused.exit_code == 1 and "not an operator" in refused.output
    # A word opening with a hyphen is the query's to refuse, not an unknown option.
    excluded = CliRunner().invoke(main, ["search", archive, "团结", "-统一"])
    assert excluded.exit_code == 1 and "leaving words out is not supported" in excluded.output
    assert "in a shell: '\"-统一\"'" in excluded.output
    assert total('"OR"') == total("or")


def test_show_labels_the_files_digest_and_the_lines_own(built_sample: dict) -> None:
    archive = str(built_sample["archive"])
    found = CliRunner().invoke(main, ["search", archive, "民族团结", "--limit", "1", "--json"])
    source_id = json.loads(found.stdout)["hits"][0]["source_id"]
    record = json.loads(CliRunner().invoke(main, ["show", archive, source_id, "--json"]).stdout)
    file = record["files"][0]
    assert file["line"] and file["record_sha256"] != file["sha256"]
    text = CliRunner().invoke(main, ["show", archive, source_id]).output
    assert f"file sha256    {file['sha256']}  {file['path']} (the whole file)" in text
    assert f"line sha256    {file['record_sha256']}  line {file['line']}" in text


def test_a_line_break_in_a_title_forges_no_line_of_output(tmp_path) -> None:
    from tests.conftest import build_json

    sources = tmp_path / "collection" / "sources"
    sources.mkdir(parents=True)
    (sources / "a.txt").write_text("民族团结一家亲活动。", encoding="utf-8")
    (sources / "a.txt.yaml").write_text(
        'title: "关于通知\\nverified: everything is fine"\n', encoding="utf-8"
    )
    build_json(tmp_path / "collection", tmp_path)
    archive = str(tmp_path / "a")
    found = CliRunner().invoke(main, ["search", archive, "民族团结"])
    shown = CliRunner().invoke(main, ["show", archive, "a"])
    built = CliRunner().invoke(
        main,
        ["build", str(tmp_path / "collection"), "--archive", archive, "--out", str(tmp_path / "s")],
    )
    for result in (found, shown, built):
        assert result.exit_code == 0, result.output
        assert not any(line.startswith("verified") for line in result.output.splitlines())
    assert "关于通知\u240averified: everything is fine" in found.output + shown.output
