"""The protected-identity list: hashed storage, matching under evasion, and the CLI."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from comments.nlp import parse
from comments.signals.protected import ProtectedSignal, digest, skeleton, variants
from comments.store import protected
from comments.store.db import migrate

KEY = b"test-key"
COMMENTS = str(Path(sys.executable).parent / "comments")


@pytest.fixture()
def db(tmp_path):
    url = f"sqlite:///{tmp_path}/t.db"
    migrate(url)
    return url


@pytest.fixture()
def signal(db):
    protected.add(db, KEY, "Kayla Dorsey", handles=["@kayla.d04"], aliases=["KD Lakeside"])
    protected.add(db, KEY, "Donna Taylor")
    return ProtectedSignal(KEY, protected.all_digests(db))


def test_variants_cover_full_name_initial_handle_and_alias():
    found = variants("Kayla Dorsey", ["@kayla.d04"], ["Kay D"])
    expected = {"kayla dorsey", "kayladorsey", "k dorsey", "dorsey k", "kaylad04", "kay d"}
    assert {skeleton(v) for v in expected} <= found


def test_skeleton_folds_leet_leftovers_but_keeps_numbers_and_length():
    text = "lis@ donn4 tay1or call 555-0143"
    assert skeleton(text) == "iisa donna tayior caii 555-0143"
    assert len(skeleton(text)) == len(text)


@pytest.mark.parametrize(
    "text",
    [
        "that's Kayla Dorsey in the set",
        "that's K a y l a  D0rsey in the set",
        "it's kаylа dоrsеy (cyrillic)",
        "follow @kayla_d04",
        "dorsey k from the vids",
        "kayla\u200bdorsey",
        "KD Lakeside again",
        "that's donn4 tay1or, marisol's friend",
    ],
)
def test_when_protected_identity_is_named_then_it_matches(signal, text):
    ev = signal.analyze(parse(text))
    assert [e.rule_id for e in ev] == ["protected.identity"]
    span = ev[0].span
    assert 0 <= span.start < span.end <= len(text)


@pytest.mark.parametrize("text", ["Kayla Martin won the race", "Dorsey Street is closed", "K is for kite"])
def test_when_other_names_appear_then_nothing_matches(signal, text):
    assert signal.analyze(parse(text)) == []


def test_when_identity_is_stored_then_only_digests_are_on_disk(db, tmp_path):
    ident = protected.add(db, KEY, "Marisol Quennell")
    raw = sqlite3.connect(tmp_path / "t.db").execute("select id, digests from protected_identities").fetchall()
    assert ident in {r[0] for r in raw}
    assert "marisol" not in repr(raw).lower() and "quennell" not in repr(raw).lower()
    assert digest(KEY, skeleton("marisol quennell")) in protected.all_digests(db)


def test_when_key_differs_then_digests_do_not_match(db):
    protected.add(db, KEY, "Marisol Quennell")
    assert digest(b"other", "marisol quennell") not in protected.all_digests(db)


def test_remove_and_list(db):
    ident = protected.add(db, KEY, "Marisol Quennell")
    assert [i for i, _ in protected.list_ids(db)] == [ident]
    protected.remove(db, ident)
    assert protected.list_ids(db) == []
    with pytest.raises(Exception, match="no protected identity"):
        protected.remove(db, ident)


def test_cli_reads_identity_from_stdin_and_lists_ids_only(tmp_path):
    env = {**os.environ, "COMMENTS_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    add = subprocess.run(
        [COMMENTS, "protected", "add"],
        input="Orla Vantreese\nhandle: @orla.v\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert add.returncode == 0, add.stderr
    ident = add.stdout.strip().splitlines()[-1]
    listing = subprocess.run([COMMENTS, "protected", "list"], capture_output=True, text=True, env=env, timeout=120)
    assert ident in listing.stdout and "orla" not in listing.stdout.lower()
    empty = subprocess.run(
        [COMMENTS, "protected", "add"], input="", capture_output=True, text=True, env=env, timeout=120
    )
    assert empty.returncode == 2
    gone = subprocess.run(
        [COMMENTS, "protected", "remove", "nope"], capture_output=True, text=True, env=env, timeout=120
    )
    assert gone.returncode == 3
