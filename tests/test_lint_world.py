"""The `world-write` lint rule: each way an `x-world-write` can be wrong is named."""

from pathlib import Path

import pytest

from mockserver.spec.lint import lint

SPECS = Path(__file__).parent / "lint_specs"
FIXED = "        do: delete\n        collection: media\n        target: media_id  # <- finding\n"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("        do: remove_all\n        collection: media\n", "needs `do`, one of"),
        ("        do: delete\n        collection: vault\n", "collection 'vault' is not one the world has"),
        ("        do: create\n        collection: media\n        parent: post_id\n", "parent 'post_id' is not a path"),
        ("        do: delete\n        collection: media\n        targets: mediaIds\n", "'mediaIds' is not a field"),
        ("        do: set\n        collection: media\n", "`do: set` needs `set`"),
        ("        do: none\n", "`do: none` needs `why`"),
        ("        do: add\n        collection: media\n        members: _users\n", "not a member field of 'media'"),
        ("        do: create\n        collection: media\n        counts: {walls: n}\n", "counts names 'walls'"),
    ],
)
def test_each_mistake_is_named(tmp_path, written, message):
    spec = tmp_path / "spec.yaml"
    text = (SPECS / "world-write.yaml").read_text()
    spec.write_text(text.replace(FIXED, written))
    findings = lint(spec, SPECS / "endpoints.tsv")
    assert [f.rule for f in findings] == ["world-write"], findings
    assert message in findings[0].message


def test_a_schema_names_a_collection_the_world_has(tmp_path):
    spec = tmp_path / "spec.yaml"
    text = (SPECS / "world-write.yaml").read_text().replace(FIXED, "        do: none\n        why: a read\n")
    spec.write_text(
        text.replace("    Fan:\n      type: object\n", "    Fan:\n      x-world-collection: fanz\n      type: object\n")
    )
    findings = lint(spec, SPECS / "endpoints.tsv")
    assert [f.rule for f in findings] == ["world-write"] and "'fanz'" in findings[0].message


def test_a_right_one_passes(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text((SPECS / "world-write.yaml").read_text().replace(FIXED, "        do: none\n        why: a read\n"))
    assert lint(spec, SPECS / "endpoints.tsv") == []


def test_a_write_that_reaches_onlyfans_must_say_what_it_changes(tmp_path):
    spec = tmp_path / "spec.yaml"
    text = (SPECS / "world-write.yaml").read_text().replace(FIXED, "        do: none\n        why: a read\n")
    spec.write_text(
        text.replace("    get:\n      operationId: fansListActive", "    post:\n      operationId: fansListActive")
    )
    findings = lint(spec, SPECS / "endpoints.tsv")
    assert [f.rule for f in findings if f.rule == "world-write"] == ["world-write"]
    assert "says nothing of what it changes" in next(f.message for f in findings if f.rule == "world-write")
