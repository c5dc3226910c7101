-- "Was aus Ihren Glaswänden wird": the published ideas and the projects near a resident's pins.
-- Near means the idea's or project's area (hotspot or district outlines) lies within
-- :distance_m metres of a pin (measured in the metric CRS), or, for a pin placed without the map
-- (at its district's centre), that the idea or project names the pin's district. Each once,
-- projects first, newest first.
WITH own AS (
    SELECT geom, district_id, location_precision FROM pin WHERE edit_key_hash = :edit_key_hash
), near_projects AS (
    SELECT DISTINCT p.id FROM project p, own
    WHERE ST_DWithin(ST_Transform(p.area, :metric_srid), ST_Transform(own.geom, :metric_srid), :distance_m)
       OR (own.location_precision = 'district' AND own.district_id = ANY (p.district_ids))
), near_ideas AS (
    SELECT DISTINCT i.id FROM idea i, own
    WHERE i.status = ANY (:shown_statuses)
      AND (ST_DWithin(ST_Transform(i.area, :metric_srid), ST_Transform(own.geom, :metric_srid), :distance_m)
           OR (own.location_precision = 'district' AND own.district_id = ANY (i.district_ids)))
)
SELECT 'project' AS kind, p.id, p.title, p.status, {{project_progress}} AS progress, NULL AS answer_state,
       m.name AS municipality_name, p.created_at
FROM project p JOIN near_projects n ON n.id = p.id JOIN municipality m ON m.ags = p.municipality_ags
UNION ALL
SELECT 'idea', i.id, i.title, NULL, NULL,
       (SELECT ans.state FROM idea_answer ans
        WHERE ans.idea_id = i.id AND ans.published_at IS NOT NULL AND ans.published_at <= now()
        ORDER BY ans.published_at DESC, ans.id DESC LIMIT 1),
       m.name, i.created_at
FROM idea i JOIN near_ideas n ON n.id = i.id JOIN municipality m ON m.ags = i.municipality_ags
ORDER BY kind DESC, created_at DESC, id DESC
LIMIT 50
