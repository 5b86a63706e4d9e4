-- name: _nightly
-- description: The nightly page's figures per interval, per queue and for all queues together (used by `ctrdb nightly`; not a report).
-- parameters: those of the reports (:sl); run with --interval total for the day's headline figures
-- One row per (interval, scope) where scope is a queue, or null for all queues together. The
-- all-queues figures are computed from the legs themselves (each leg is counted once in its
-- queue's scope and once in the null scope), never as an average of the queues' figures.
-- Each figure keeps its report's definition: queue-duration's and abandonment's over queued
-- legs in their queue, callbacks' over requests in their originating queue, whisper's over
-- agent-first callback legs in their callback queue.
WITH scoped AS (
    SELECT queue_name AS scope, * FROM legs WHERE queue_name IS NOT NULL
    UNION ALL
    SELECT NULL, * FROM legs
),
queued AS (
    SELECT scope, interval_key, queue_s, answered, outcome,
           ROW_NUMBER() OVER (PARTITION BY interval_key, scope ORDER BY queue_s IS NULL, queue_s) AS queue_rank,
           COUNT(queue_s) OVER (PARTITION BY interval_key, scope) AS measured
    FROM scoped
    WHERE queued = 1
),
waits AS (
    SELECT scope, interval_key,
           COUNT(*) AS contacts_queued,
           COUNT(CASE WHEN answered = 1 THEN 1 END) AS contacts_answered,
           COUNT(CASE WHEN outcome = 'abandoned' THEN 1 END) AS abandoned,
           ctr_ratio(100 * COUNT(CASE WHEN outcome = 'abandoned' THEN 1 END), COUNT(*)) AS abandon_rate_pct,
           ctr_ratio(100 * COUNT(CASE WHEN queue_s < :sl THEN 1 END), COUNT(*)) AS service_level_pct,
           ctr_ratio(100 * COUNT(CASE WHEN answered = 1 AND queue_s < :sl THEN 1 END), COUNT(*)) AS answered_in_sl_pct,
           ctr_ratio(SUM(CASE WHEN answered = 1 THEN queue_s END), COUNT(CASE WHEN answered = 1 THEN queue_s END)) AS avg_answer_s,
           MAX(CASE WHEN queue_s IS NOT NULL AND queue_rank = (50 * measured + 99) / 100 THEN queue_s END) AS p50_queue_s,
           MAX(CASE WHEN queue_s IS NOT NULL AND queue_rank = (90 * measured + 99) / 100 THEN queue_s END) AS p90_queue_s
    FROM queued
    GROUP BY interval_key, scope
),
requests AS (
    SELECT scope, interval_key,
           COUNT(*) AS callbacks_requested,
           COUNT(CASE WHEN answered = 1 THEN 1 END) AS callbacks_answered,
           ctr_ratio(SUM(time_to_agent_s), COUNT(time_to_agent_s)) AS avg_time_to_agent_s
    FROM (SELECT queue_name AS scope, * FROM callback_requests WHERE queue_name IS NOT NULL
          UNION ALL SELECT NULL, * FROM callback_requests)
    GROUP BY interval_key, scope
),
whispers AS (
    SELECT scope, interval_key,
           ctr_ratio(SUM(CASE WHEN agent_whisper_s >= 0 THEN agent_whisper_s END),
                     COUNT(CASE WHEN agent_whisper_s >= 0 THEN agent_whisper_s END)) AS avg_agent_whisper_s,
           ctr_ratio(SUM(CASE WHEN outbound_whisper_s >= 0 THEN outbound_whisper_s END),
                     COUNT(CASE WHEN outbound_whisper_s >= 0 THEN outbound_whisper_s END)) AS avg_outbound_whisper_s
    FROM scoped
    WHERE initiation_method = 'CALLBACK' AND dequeue_ts IS NOT NULL
    GROUP BY interval_key, scope
),
cells AS (
    SELECT interval_key, scope FROM waits
    UNION SELECT interval_key, scope FROM requests
    UNION SELECT interval_key, scope FROM whispers
)
SELECT ctr_interval_label(cell.interval_key) AS interval_start,
       cell.interval_key AS interval_epoch,
       cell.scope AS queue,
       COALESCE(w.contacts_queued, 0) AS contacts_queued,
       COALESCE(w.contacts_answered, 0) AS contacts_answered,
       COALESCE(w.abandoned, 0) AS abandoned,
       w.abandon_rate_pct, w.service_level_pct, w.answered_in_sl_pct, w.avg_answer_s, w.p50_queue_s, w.p90_queue_s,
       COALESCE(r.callbacks_requested, 0) AS callbacks_requested,
       COALESCE(r.callbacks_answered, 0) AS callbacks_answered,
       r.avg_time_to_agent_s,
       h.avg_agent_whisper_s, h.avg_outbound_whisper_s
FROM cells cell
LEFT JOIN waits w ON w.interval_key = cell.interval_key AND w.scope IS cell.scope
LEFT JOIN requests r ON r.interval_key = cell.interval_key AND r.scope IS cell.scope
LEFT JOIN whispers h ON h.interval_key = cell.interval_key AND h.scope IS cell.scope
ORDER BY cell.interval_key, cell.scope IS NOT NULL, cell.scope
