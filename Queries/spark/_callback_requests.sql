-- relation: callback_requests
-- uses: legs
-- description: One row per callback request among `legs`, with what its callback legs came to (Queries/_callback_requests.sql over the lake).
-- parameters: those of _legs.sql
-- The lake's callback_requests/ (view lake_callback_requests) holds every request with its
-- callback legs already followed through retries and customer-first dialled legs over the
-- whole database: answered, first_agent_ts, time_to_agent_s (the customer's real wait) and
-- attempts. Joining it to `legs` places each request in time by its request leg and keeps
-- only the requests the report's range and queues cover, as the SQLite relation does.
SELECT r.contact_id, r.chain_id, r.queue_name, r.initiation_ts, r.enqueue_ts, r.dequeue_ts, r.disconnect_ts,
       q.bucket_ts, q.interval_ts,
       r.answered, r.first_agent_ts, r.time_to_agent_s, r.attempts
FROM lake_callback_requests r
JOIN legs q ON q.contact_id = r.contact_id
