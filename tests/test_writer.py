"""All-or-nothing writes: a failure at any point during the swap leaves every file as it was."""

from __future__ import annotations

import pytest

from gitops.writer import Transaction
from tests.conftest import tree_snapshot


def seed(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.yaml").write_text("one\n")
    (tmp_path / "a" / "two.yaml").write_text("two\n")
    return tree_snapshot(tmp_path)


def test_commit_writes_and_removes(tmp_path):
    seed(tmp_path)
    with Transaction(tmp_path) as tx:
        tx.write("a/one.yaml", "ONE\n")
        tx.write("b/c/new.yaml", "new\n")
        tx.remove("a/two.yaml")
    assert tree_snapshot(tmp_path) == {"a/one.yaml": b"ONE\n", "b/c/new.yaml": b"new\n"}


@pytest.mark.parametrize("fail_after", [0, 1, 2])
def test_failure_during_the_swap_restores_everything(tmp_path, fail_after):
    before = seed(tmp_path)
    with pytest.raises(OSError, match="injected failure"):
        with Transaction(tmp_path, fail_after=fail_after) as tx:
            tx.write("a/one.yaml", "ONE\n")
            tx.write("b/c/new.yaml", "new\n")
            tx.remove("a/two.yaml")
    assert tree_snapshot(tmp_path) == before
    assert not (tmp_path / "b").exists()


def test_an_exception_inside_the_block_writes_nothing(tmp_path):
    before = seed(tmp_path)
    with pytest.raises(RuntimeError):
        with Transaction(tmp_path) as tx:
            tx.write("a/one.yaml", "ONE\n")
            raise RuntimeError("boom")
    assert tree_snapshot(tmp_path) == before


def test_a_real_write_error_rolls_back_and_leaves_no_temporary_files(tmp_path):
    (tmp_path / "a.txt").write_text("old\n")
    (tmp_path / "blocker").write_text("a file where a folder is needed\n")
    before = tree_snapshot(tmp_path)
    tx = Transaction(tmp_path)
    tx.write("a.txt", "new\n")
    tx.write(tmp_path / "new" / "b.txt", "b\n")
    tx.write("blocker/c.txt", "c\n")
    with pytest.raises(OSError):
        tx.commit()
    assert tree_snapshot(tmp_path) == before


def test_a_private_file_gets_its_mode_and_unchanged_files_are_not_touched(tmp_path):
    (tmp_path / "same.txt").write_text("same\n")
    tx = Transaction(tmp_path)
    tx.write("same.txt", "same\n")
    tx.write(tmp_path / "keys" / "k.agekey", "TEST-ONLY key material\n", mode=0o600)
    assert tx.commit() == [tmp_path / "keys" / "k.agekey"]
    assert (tmp_path / "keys" / "k.agekey").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "keys").stat().st_mode & 0o777 == 0o700
