-- name: who_said_what
-- description: Every quote in the period with its speaker, role, cue and article.
SELECT date, source, speaker, speaker_role, kind, cue, quote, title, url
FROM statements
WHERE date BETWEEN $from_day AND $to_day
ORDER BY published_at, article_id, start_char
