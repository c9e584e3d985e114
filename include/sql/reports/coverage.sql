-- name: coverage
-- description: Per source: days covered, articles, requests and fetch failures, quotes without speaker.
SELECT source, count(*) AS days, sum(articles) AS articles, sum(requests) AS requests,
       sum(failed_requests) AS failed_requests,
       round(100.0 * sum(failed_requests) / nullif(sum(requests), 0), 1) AS failed_pct,
       sum(quotes) AS quotes, sum(quotes_without_speaker) AS quotes_without_speaker
FROM daily_source_stats
WHERE date BETWEEN $from_day AND $to_day
GROUP BY source ORDER BY source
