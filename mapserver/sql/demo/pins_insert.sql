-- Demo pins in bulk, placed like a resident's pin (pins/insert.sql): the municipality whose polygon
-- covers the point and its district by district_for_point, resolved in the INSERT; the workshop
-- only where the pin lies in the workshop's municipality. Points come in metres and are stored in
-- WGS84. A comment already moderated gets its entry in the audit log (moderation/comments_moderate.sql
-- writes the same), by the demo account, at the time it was looked at. One statement for a few
-- thousand pins: arrays, one element per pin, unnested side by side.
WITH planned AS (
    SELECT *
    FROM unnest(CAST(:client_ids AS uuid[]), CAST(:xs AS float8[]), CAST(:ys AS float8[]),
                CAST(:categories AS text[]), CAST(:dimensions AS text[]), CAST(:comments AS text[]),
                CAST(:age_bands AS text[]), CAST(:years_here AS text[]), CAST(:created_at AS timestamptz[]),
                CAST(:statuses AS text[]), CAST(:actions AS text[]), CAST(:moderated_at AS timestamptz[]),
                CAST(:in_workshop AS boolean[]))
         AS t(client_id, x, y, category, dimensions, comment, age_band, years_here, created_at, status, action,
              moderated_at, in_workshop)
), placed AS (
    SELECT t.*, ST_Transform(ST_SetSRID(ST_MakePoint(t.x, t.y), :metric_srid), :storage_srid) AS geom
    FROM planned t
), resolved AS (
    SELECT p.*, a.ags
    FROM placed p
    CROSS JOIN LATERAL (SELECT m.ags FROM municipality m
                        WHERE m.county_key = :county_key AND ST_Covers(m.geom, p.geom)
                        ORDER BY m.ags LIMIT 1) AS a
), inserted AS (
    INSERT INTO pin (client_id, geom, category, dimensions, comment, age_band, years_here, created_at, status,
                     municipality_ags, district_id, workshop_id, source)
    SELECT r.client_id, r.geom, r.category, string_to_array(r.dimensions, ','), r.comment, r.age_band, r.years_here,
           r.created_at, r.status, r.ags, district_for_point(r.ags, r.geom), t.workshop_id,
           CASE WHEN t.workshop_id IS NOT NULL THEN 'workshop' ELSE 'online' END
    FROM resolved r
    CROSS JOIN LATERAL (SELECT CASE WHEN r.in_workshop THEN (
                            SELECT w.id FROM workshop w
                            WHERE w.id = CAST(:workshop_id AS integer) AND w.municipality_ags = r.ags) END AS workshop_id) AS t
    RETURNING id, client_id, municipality_ags, workshop_id
), logged AS (
    INSERT INTO moderation_event (pin_id, actor_id, action, at, status_before, status_after, comment_before,
                                  comment_after)
    SELECT i.id, :actor_id, r.action, r.moderated_at, :initial_status, r.status, r.comment, r.comment
    FROM inserted i JOIN resolved r ON r.client_id = i.client_id
    WHERE r.action IS NOT NULL
)
SELECT municipality_ags, count(*) AS pins, count(workshop_id) AS workshop_pins
FROM inserted
GROUP BY municipality_ags
ORDER BY municipality_ags
