"""The README's recipe for one journey's legs and its journeys row (Ad hoc SQL, "One journey's
legs, fast"): it must find what a plain `chain_id = X` finds, through indexes (schema version 7
indexes chain_id only for legs of other legs' chains, and keeps a journey at its head's rowid)."""
import re
import sqlite3

from conftest import ROOT


def recipe():
    """The two statements of the README's block, with X as a parameter."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("**One journey's legs, fast.**"):]
    block = re.search(r"```sql\n(.*?)```", section, re.S).group(1)
    statements = [s.strip() for s in re.sub(r"--[^\n]*", "", block).split(";") if s.strip()]
    assert len(statements) == 2
    return [s.replace("'X'", "?1") for s in statements]


def test_the_recipe_finds_the_legs_and_row_of_every_kind_of_journey_through_indexes(lake):
    legs, journey = recipe()
    con = sqlite3.connect(f"file:{lake['db']}?mode=ro", uri=True)
    chains = [row[0] for condition in ("legs > 2", "legs = 1", "rowid < 0")
              for row in con.execute(f"SELECT chain_id FROM journeys WHERE {condition} LIMIT 5")]
    assert len(chains) >= 10
    for chain in chains:
        found = sorted(con.execute(legs, (chain,)).fetchall())
        assert found == sorted(con.execute("SELECT * FROM contacts WHERE chain_id = ?", (chain,)).fetchall())
        assert len(found) >= 1
        assert con.execute(journey, (chain,)).fetchall() == con.execute("SELECT * FROM journeys WHERE chain_id = ?", (chain,)).fetchall()
    for statement in (legs, journey):
        plan = [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + statement, ("x",))]
        assert not [step for step in plan if re.match(r"SCAN (contacts|journeys)\b", step)], plan
        assert [step for step in plan if "INDEX" in step], plan
