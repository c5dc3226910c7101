-- The published ideas of the county (or of :ags) for the coordinators' and planners' export: only
-- published ideas leave the system with their texts; with the state of their latest published
-- answer (drafts are internal), their supports, municipality and district names, and their area
-- as WKB in the requested CRS (polygons only).
SELECT i.id, i.title, i.body, i.municipality_ags, m.name AS municipality_name,
       array_to_string(ARRAY(SELECT d.name FROM district d WHERE d.id = ANY (i.district_ids) ORDER BY d.name), ', ')
           AS district_names,
       array_to_string(i.dimensions, ',') AS dimensions, i.source, i.workshop_id, i.support_count, i.created_at,
       latest.state AS answer_state, latest.published_at AS answered_at,
       ST_AsBinary(ST_Transform(ST_CollectionExtract(i.area, 3), CAST(:srid AS integer))) AS geom_wkb
FROM idea i
JOIN municipality m ON m.ags = i.municipality_ags
LEFT JOIN LATERAL (SELECT ans.state, ans.published_at FROM idea_answer ans
                   WHERE ans.idea_id = i.id AND ans.published_at IS NOT NULL AND ans.published_at <= now()
                   ORDER BY ans.published_at DESC, ans.id DESC LIMIT 1) latest ON true
WHERE i.county_key = :county_key AND i.status = ANY (:shown_statuses)
  AND (CAST(:ags AS text) IS NULL OR i.municipality_ags = :ags)
ORDER BY i.id
