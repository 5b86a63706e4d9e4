-- name: abandonment
-- description: Abandoned contacts per interval and queue, told apart from callbacks and transfers.
-- parameters: :short_abandon  short-abandon threshold in seconds (--short-abandon, default 5)
-- Over queued legs. A leg is abandoned when it was not answered and no next leg exists
-- (SPEC section 4), so callback requests and transfers are not abandons.
SELECT ctr_interval_label(interval_key, :interval, :tz, :total_start) AS interval_start,
       queue_name AS queue,
       COUNT(*) AS contacts_queued,
       COUNT(CASE WHEN outcome = 'abandoned' THEN 1 END) AS abandoned,
       ctr_ratio(100 * COUNT(CASE WHEN outcome = 'abandoned' THEN 1 END), COUNT(*)) AS abandon_rate_pct,
       COUNT(CASE WHEN outcome = 'abandoned' AND queue_s < :short_abandon THEN 1 END) AS abandoned_short,
       ctr_ratio(SUM(CASE WHEN outcome = 'abandoned' THEN queue_s END),
                 COUNT(CASE WHEN outcome = 'abandoned' THEN queue_s END)) AS avg_abandon_s,
       COUNT(CASE WHEN outcome = 'callback' THEN 1 END) AS callback_requested,
       COUNT(CASE WHEN outcome = 'transfer' THEN 1 END) AS transferred,
       COUNT(CASE WHEN outcome = 'unresolved' THEN 1 END) AS unresolved
FROM legs
WHERE enqueue_ts IS NOT NULL
GROUP BY interval_key, queue_name
ORDER BY interval_key, queue_name
