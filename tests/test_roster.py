"""Roster validation: every problem reported once, with its line, in words a facilitator can use."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mentor_workshop.facilitator.roster import Participant, RosterError, read_roster, safe_id

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "exercises" / "sample_cohort" / "roster.csv"
HEADER = "id,name,email\n"


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "roster.csv"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    error = caught.value
    # str() lists every problem, so a facilitator sees them all at once.
    for problem in error.problems:
        assert problem in str(error)
    return error.problems


def test_sample_roster_loads_twelve_participants() -> None:
    people = read_roster(SAMPLE)
    assert [p.id for p in people] == [f"p{i:02d}" for i in range(1, 13)]
    assert all(p.email.endswith("@example.org") for p in people)
    assert {p.cohort for p in people} == {"spring-2027"}
    assert len({p.facilitator for p in people}) == 2
    assert len({p.name for p in people}) == 12


def test_valid_roster_with_optional_and_extra_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "id,name,email,cohort,facilitator,notes\n"
        "p01,Ana Lee,ana@example.org,c1,Dana,likes tea\n"
        "p02,Bo Chen,bo@example.org,,,\n",
    )
    assert read_roster(path) == [
        Participant("p01", "Ana Lee", "ana@example.org", "c1", "Dana"),
        Participant("p02", "Bo Chen", "bo@example.org"),
    ]


def test_participant_is_frozen() -> None:
    person = Participant("p01", "Ana", "ana@example.org")
    with pytest.raises(dataclasses.FrozenInstanceError):
        person.id = "p02"  # type: ignore[misc]


def test_bom_whitespace_blank_lines_and_header_case_are_tolerated(tmp_path: Path) -> None:
    text = "\ufeff ID , Name ,EMAIL \r\n\r\n  p01 ,  Zoë Ávila  , zoe@example.org \r\n   \r\n"
    people = read_roster(write(tmp_path, text.encode("utf-8")))
    assert people == [Participant("p01", "Zoë Ávila", "zoe@example.org")]


def test_quoted_name_with_comma(tmp_path: Path) -> None:
    people = read_roster(write(tmp_path, HEADER + 'p01,"Lee, Ana",ana@example.org\n'))
    assert people[0].name == "Lee, Ana"


def test_missing_file(tmp_path: Path) -> None:
    problems = problems_of(tmp_path / "nope.csv")
    assert len(problems) == 1
    assert "nope.csv" in problems[0]


def test_folder_instead_of_file(tmp_path: Path) -> None:
    assert "folder" in problems_of(tmp_path)[0]


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"  \n\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    problems = problems_of(write(tmp_path, content))
    assert problems == [problems[0]]
    assert "empty" in problems[0]


def test_header_without_participants(tmp_path: Path) -> None:
    assert "no participants" in problems_of(write(tmp_path, HEADER))[0]


def test_missing_column_is_named_and_found_columns_listed(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, "id,full name,mail\np01,Ana,ana@example.org\n"))
    assert len(problems) == 1
    assert "'name'" in problems[0] and "'email'" in problems[0]
    assert "'full name'" in problems[0] and "'mail'" in problems[0]
    assert "line 1" in problems[0]


def test_duplicate_column(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, "id,name,email,email\np01,A,a@example.org,b@x.org\n"))
    assert problems == ["line 1: the column 'email' appears twice in the header."]


def test_empty_id(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, HEADER + ",Ana,ana@example.org\n"))
    assert problems == ["line 2: the id is empty."]


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + "p01,Ana,ana@example.org\np02,Bo,bo@example.org\n\np01,Cy,cy@example.org\n",
    )
    (problem,) = problems_of(path)
    assert problem.startswith("line 5:")
    assert "'p01'" in problem and "line 2" in problem


def test_ids_differing_only_in_case_clash(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "Ana,Ana,ana@example.org\nana,Ann,ann@example.org\n")
    (problem,) = problems_of(path)
    assert "line 3" in problem and "line 2" in problem and "case" in problem


@pytest.mark.parametrize(
    "bad_id",
    ["../x", "/abs", "a b", ".", "..", ".hidden", "-rf", "p/01", "p\\01", "é01", "x" * 65, "a;b"],
)
def test_unsafe_id(tmp_path: Path, bad_id: str) -> None:
    (problem,) = problems_of(write(tmp_path, HEADER + f'"{bad_id}",Ana,ana@example.org\n'))
    assert problem.startswith("line 2:")
    assert repr(bad_id) in problem
    assert "folder" in problem


def test_safe_id() -> None:
    for good in ["p01", "P-01", "a.b_c", "x" * 64, "0"]:
        assert safe_id(good), good
    for bad in ["", "x" * 65, ".", "..", "../x", "/abs", "a b", ".git", "-x", "a\n", None, 3]:
        assert not safe_id(bad), bad


def test_empty_name(tmp_path: Path) -> None:
    assert problems_of(write(tmp_path, HEADER + "p01,  ,ana@example.org\n")) == [
        "line 2: the name is empty."
    ]


def test_name_with_line_break(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, HEADER + 'p01,"Ana\nLee",ana@example.org\n'))
    assert "line break" in problem


@pytest.mark.parametrize(
    "email",
    [
        "ana",
        "ana@",
        "@example.org",
        "ana@example",
        "ana lee@example.org",
        "ana@@example.org",
        "ana@example..org",
        ".ana@example.org",
        "ana@-example.org",
        "<ana@example.org>",
    ],
)
def test_bad_email(tmp_path: Path, email: str) -> None:
    (problem,) = problems_of(write(tmp_path, HEADER + f'p01,Ana,"{email}"\n'))
    assert problem.startswith("line 2:") and repr(email) in problem


@pytest.mark.parametrize(
    "email", ["ana@example.org", "ana.lee+mentor@mail.example.co.uk", "josé@exämple.org"]
)
def test_good_email(tmp_path: Path, email: str) -> None:
    assert read_roster(write(tmp_path, HEADER + f"p01,Ana,{email}\n"))[0].email == email


def test_empty_email(tmp_path: Path) -> None:
    assert problems_of(write(tmp_path, HEADER + "p01,Ana,\n")) == ["line 2: the email is empty."]


def test_unquoted_comma_shifts_columns(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, HEADER + "p01,Lee, Ana,ana@example.org\n"))
    assert "line 2" in problem and "double quotes" in problem


def test_non_utf8_bytes_give_line_offset_and_fix(tmp_path: Path) -> None:
    raw = HEADER.encode() + "p01,José,jose@example.org\n".encode("latin-1")
    raw += b"p02,Bo,bo@example.org\n" + "p03,Zoë,zoe@example.org\n".encode("cp1252")
    problems = problems_of(write(tmp_path, raw))
    assert len(problems) == 2
    offset = raw.index(b"\xe9")
    assert problems[0].startswith(f"line 2, byte offset {offset}:")
    assert "0xE9" in problems[0]
    assert problems[1].startswith("line 4,")
    assert all("save the file as utf-8" in p.lower() for p in problems)


def test_every_problem_is_reported_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + "p01,Ana,ana@example.org\n"  # fine
        + "../x,,nope\n"  # three problems on one line
        + "p01,Bo,bo@example.org\n",  # duplicate
    )
    problems = problems_of(path)
    assert len(problems) == 4
    assert sum(p.startswith("line 3:") for p in problems) == 3
    assert problems[-1].startswith("line 4:")
    assert "4 problems" in str(RosterError(problems, path))
