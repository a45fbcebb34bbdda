"""results.json's runtime.output_notes: differences between eager and graph set aside, with why."""

from __future__ import annotations

from tracehybrid.results.document import MAX_OUTPUT_NOTES, output_notes


def test_only_the_differences_set_aside_become_notes_once_each() -> None:
    facts = {
        "not_compared": [
            {"reason": "random", "detail": "draws random numbers"},  # never compared: no note
            {"reason": "not_reproduced", "detail": "differed from eager once in t1"},
            {"reason": "not_reproduced", "detail": "differed from eager once in t1"},
            {"reason": "nondeterministic", "detail": "two eager runs on the same inputs differ"},
        ]
    }
    assert output_notes(facts) == [
        "not reproduced: differed from eager once in t1",
        "nondeterministic: two eager runs on the same inputs differ",
    ]


def test_at_most_a_few_and_none_without_facts() -> None:
    many = [{"reason": "not_reproduced", "detail": f"in t{i}"} for i in range(20)]
    assert len(output_notes({"not_compared": many})) == MAX_OUTPUT_NOTES
    assert output_notes({}) == []
