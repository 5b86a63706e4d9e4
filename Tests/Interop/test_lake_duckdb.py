"""DuckDB reads the lake with hive_partitioning, and its counts and sums equal the database's."""
from collections import defaultdict

import duckdb
import pytest

from conftest import sqlite_rows

BUCKET = "COALESCE(disconnect_ts, initiation_ts)"
QUEUE_S = """CASE WHEN queue_duration_s IS NOT NULL THEN queue_duration_s
                  WHEN enqueue_ts IS NOT NULL AND dequeue_ts IS NOT NULL THEN unixepoch(dequeue_ts) - unixepoch(enqueue_ts) END"""


def duck(lake_dir, sql):
    connection = duckdb.connect()
    for table in ("legs", "journeys", "callback_requests"):
        connection.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{lake_dir}/{table}/*/*.parquet', hive_partitioning = true)")
    return connection.execute(sql).fetchall()


def test_legs_per_day_equal_the_database(lake):
    ours = duck(lake["dir"], "SELECT CAST(dt AS VARCHAR), COUNT(*), COUNT(DISTINCT contact_id) FROM legs GROUP BY dt ORDER BY dt")
    theirs = sqlite_rows(lake["db"], f"SELECT substr({BUCKET}, 1, 10), COUNT(*), COUNT(*) FROM contacts GROUP BY 1 ORDER BY 1")
    assert ours == theirs
    assert len(ours) >= 3


def test_leg_sums_equal_the_database(lake):
    ours = duck(lake["dir"], """
        SELECT SUM(queue_s), SUM(queue_duration_s), SUM(agent_whisper_s), SUM(outbound_whisper_s),
               SUM(epoch(disconnect_ts)), SUM(epoch(enqueue_ts)), COUNT(connected_to_agent_ts),
               SUM(chain_depth), COUNT(*) FILTER (WHERE outcome = 'abandoned'), COUNT(DISTINCT queue_name), SUM(acw_s)
        FROM legs""")
    theirs = sqlite_rows(lake["db"], f"""
        SELECT SUM({QUEUE_S}), SUM(queue_duration_s),
               SUM(CASE WHEN initiation_method = 'CALLBACK' THEN unixepoch(connected_to_system_ts) - unixepoch(dequeue_ts) END),
               SUM(CASE WHEN initiation_method = 'CALLBACK' THEN unixepoch(connected_to_agent_ts) - unixepoch(connected_to_system_ts) END),
               SUM(unixepoch(disconnect_ts)), SUM(unixepoch(enqueue_ts)), COUNT(connected_to_agent_ts),
               SUM(chain_depth), SUM(outcome = 'abandoned'), COUNT(DISTINCT queue_name), SUM(acw_s)
        FROM contacts""")
    assert [tuple(int(v) for v in ours[0])] == theirs


def test_journeys_equal_the_database(lake):
    ours = duck(lake["dir"], """
        SELECT CAST(dt AS VARCHAR), COUNT(*), SUM(legs), SUM(answered), SUM(had_callback), SUM(broken), SUM(epoch(last_disconnect_ts))
        FROM journeys GROUP BY dt ORDER BY dt""")
    theirs = sqlite_rows(lake["db"], """
        SELECT substr(first_initiation_ts, 1, 10), COUNT(*), SUM(legs), SUM(answered), SUM(had_callback), SUM(broken), SUM(unixepoch(last_disconnect_ts))
        FROM journeys GROUP BY 1 ORDER BY 1""")
    assert [(d, *map(int, rest)) for d, *rest in ours] == theirs
    # every dt is the UTC date of the partition's first_initiation_ts
    assert duck(lake["dir"], "SELECT COUNT(*) FROM journeys WHERE CAST(dt AS VARCHAR) <> strftime(first_initiation_ts AT TIME ZONE 'UTC', '%Y-%m-%d')") == [(0,)]


def callback_requests_from_contacts(db):
    """SPEC section 4's callback legs of each request, computed here in Python from contacts."""
    legs = sqlite_rows(db, """SELECT contact_id, initiation_method, previous_contact_id, next_contact_id, connected_to_agent_ts,
                                     outcome, enqueue_ts, queue_name, COALESCE(disconnect_ts, initiation_ts) FROM contacts""")
    by_id = {leg[0]: leg for leg in legs}
    children = defaultdict(list)
    for leg in legs:
        if leg[2]:
            children[leg[2]].append(leg[0])
    is_callback = lambda leg: (leg[1] or "").startswith("CALLBACK")

    def next_legs(leg):
        if children[leg[0]]:
            return [by_id[c] for c in children[leg[0]]]
        return [by_id[leg[3]]] if leg[3] in by_id else []

    requests = {}
    for leg in legs:
        if leg[5] != "callback":
            continue
        found, frontier = {}, [n for n in next_legs(leg) if is_callback(n)]
        while frontier:
            current = frontier.pop()
            if current[0] in found:
                continue
            found[current[0]] = current
            frontier += [by_id[c] for c in children[current[0]] if is_callback(by_id[c])]
        answers = sorted(f[4] for f in found.values() if f[4])
        requests[leg[0]] = (leg[8][:10], leg[7], 1 if answers else 0, len(found), answers[0] if answers else None)
    return requests


def test_callback_requests_equal_an_independent_computation(lake):
    expected = callback_requests_from_contacts(lake["db"])
    rows = duck(lake["dir"], """
        SELECT contact_id, CAST(dt AS VARCHAR), queue_name, answered, attempts, strftime(first_agent_ts AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'),
               time_to_agent_s, epoch(first_agent_ts) - epoch(enqueue_ts)
        FROM callback_requests""")
    assert len(rows) == len(expected) > 20
    assert sum(r[3] for r in rows) > 0
    for contact_id, dt, queue, answered, attempts, first_agent, wait, recomputed in rows:
        assert (dt, queue, answered, attempts, first_agent) == expected[contact_id], contact_id
        assert wait == (int(recomputed) if recomputed is not None else None)
