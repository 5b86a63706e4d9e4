-- name: queue-duration
-- description: Time in queue per interval and queue: averages, nearest-rank percentiles, service level.
-- parameters: :sl  service-level threshold in seconds (--sl, default 20)
-- columns: interval_start, queue, contacts_queued, contacts_answered, avg_queue_s, p50_queue_s, p90_queue_s, max_queue_s, avg_answer_s, service_level_pct, answered_in_sl_pct
-- Over queued legs. queue_s statistics use legs with a queue_s; avg_answer_s is the mean
-- queue_s of answered legs. service_level_pct is Amazon Connect's "Service level X": legs
-- removed from the queue in less than :sl seconds, whatever ended the wait, over
-- contacts_queued; answered_in_sl_pct counts only the answered ones ("answered within X").
WITH queued AS (
    SELECT *,
           ROW_NUMBER() OVER w AS queue_rank,
           COUNT(queue_s) OVER (PARTITION BY interval_key, queue_name) AS measured
    FROM legs
    WHERE queued = 1
    WINDOW w AS (PARTITION BY interval_key, queue_name ORDER BY queue_s IS NULL, queue_s)
)
SELECT ctr_interval_label(interval_key) AS interval_start,
       queue_name AS queue,
       COUNT(*) AS contacts_queued,
       COUNT(CASE WHEN answered = 1 THEN 1 END) AS contacts_answered,
       ctr_ratio(SUM(queue_s), COUNT(queue_s)) AS avg_queue_s,
       -- nearest rank: the value at rank ceil(p/100 * n)
       MAX(CASE WHEN queue_s IS NOT NULL AND queue_rank = (50 * measured + 99) / 100 THEN queue_s END) AS p50_queue_s,
       MAX(CASE WHEN queue_s IS NOT NULL AND queue_rank = (90 * measured + 99) / 100 THEN queue_s END) AS p90_queue_s,
       MAX(queue_s) AS max_queue_s,
       ctr_ratio(SUM(CASE WHEN answered = 1 THEN queue_s END), COUNT(CASE WHEN answered = 1 THEN queue_s END)) AS avg_answer_s,
       ctr_ratio(100 * COUNT(CASE WHEN queue_s < :sl THEN 1 END), COUNT(*)) AS service_level_pct,
       ctr_ratio(100 * COUNT(CASE WHEN answered = 1 AND queue_s < :sl THEN 1 END), COUNT(*)) AS answered_in_sl_pct
FROM queued
GROUP BY interval_key, queue_name
ORDER BY interval_key, queue_name
