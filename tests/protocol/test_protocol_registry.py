"""Finding shipped and study protocols by id."""

from __future__ import annotations

import pytest

from companion.errors import NotFoundError
from companion.protocol import (
    DEFAULT_PROTOCOL_ID,
    ProtocolError,
    available_protocols,
    get_protocol,
    packaged_protocols_dir,
)


def test_packaged_dir_holds_the_shipped_protocols():
    folder = packaged_protocols_dir()
    assert (folder / "pain-alliance.toml").is_file()
    assert (folder / "semi-structured.toml").is_file()


def test_available_without_study():
    found = available_protocols(None)
    assert list(found) == sorted(found)
    assert {"pain-alliance", "semi-structured"} <= set(found)
    assert DEFAULT_PROTOCOL_ID == "pain-alliance"
    assert get_protocol(DEFAULT_PROTOCOL_ID, None).title.startswith("Working alliance")


def test_study_protocol_overrides_packaged_by_id(tmp_path):
    shipped = (packaged_protocols_dir() / "pain-alliance.toml").read_text(encoding="utf-8")
    local = tmp_path / "protocols" / "our-version.toml"
    local.parent.mkdir()
    local.write_text(
        shipped.replace(
            'title = "Working alliance in pain rehabilitation"', 'title = "Our adapted guide"', 1
        ),
        encoding="utf-8",
    )
    protocol = get_protocol("pain-alliance", tmp_path)
    assert protocol.title == "Our adapted guide"
    assert protocol.path == local.resolve()
    assert available_protocols(tmp_path)["pain-alliance"].path == local.resolve()
    # Without the study the shipped one is back.
    assert get_protocol("pain-alliance", None).path.parent == packaged_protocols_dir().resolve()
    # A study id of its own is added, the other shipped one stays.
    extra = (packaged_protocols_dir() / "semi-structured.toml").read_text(encoding="utf-8")
    (tmp_path / "protocols" / "x.toml").write_text(
        extra.replace('id = "semi-structured"', 'id = "focus-group"', 1), encoding="utf-8"
    )
    assert {"pain-alliance", "pain-alliance-nl", "semi-structured", "focus-group"} == set(
        available_protocols(tmp_path))


def test_unknown_protocol_lists_the_available_ones(tmp_path):
    with pytest.raises(NotFoundError) as err:
        get_protocol("pain-aliance", tmp_path)
    assert err.value.field == "protocol"
    assert err.value.value == "pain-aliance"
    assert "pain-alliance" in err.value.allowed and "semi-structured" in err.value.allowed
    assert err.value.exit_code == 2


def test_broken_study_protocol_is_reported(tmp_path):
    (tmp_path / "protocols").mkdir()
    (tmp_path / "protocols" / "bad.toml").write_text('id = "bad"\n', encoding="utf-8")
    with pytest.raises(ProtocolError) as err:
        available_protocols(tmp_path)
    assert "bad.toml: title: missing required key" in str(err.value)


def test_two_study_files_with_one_id_are_refused(tmp_path):
    folder = tmp_path / "protocols"
    folder.mkdir()
    text = (packaged_protocols_dir() / "semi-structured.toml").read_text(encoding="utf-8")
    (folder / "a.toml").write_text(text, encoding="utf-8")
    (folder / "b.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ProtocolError) as err:
        available_protocols(tmp_path)
    assert "duplicate protocol id" in str(err.value)


def test_get_protocol_accepts_a_path(tmp_path):
    path = packaged_protocols_dir() / "semi-structured.toml"
    assert get_protocol(str(path), tmp_path).id == "semi-structured"
