-- Ideas of the county with what the lists, the idea pages and /api/ideas show: municipality and
-- district names, the area's outline as GeoJSON (hotspot or district outlines, never a point),
-- and the current public answer (the latest PUBLISHED one: a draft is invisible here). One
-- statement for residents (:statuses = the shown states) and coordinators (all states, filters);
-- each filter is off while NULL. :answer_state 'none' means "no published answer yet".
SELECT i.id, i.county_key, i.municipality_ags, m.name AS municipality_name, i.district_ids,
       COALESCE((SELECT json_agg(json_build_object('id', d.id, 'name', d.name) ORDER BY d.name)
                 FROM district d WHERE d.id = ANY (i.district_ids)), '[]') AS districts,
       i.title, i.body, i.dimensions, i.source, i.workshop_id, i.hotspot_run_id, i.hotspot_id, i.status,
       i.support_count, i.created_by, i.created_at,
       ST_AsGeoJSON(i.area, 6) AS area_geojson,
       a.state AS answer_state, a.body AS answer_body, a.institution AS answer_institution,
       a.published_at AS answer_published_at,
       (SELECT count(*) FROM idea_answer x WHERE x.idea_id = i.id AND x.published_at IS NULL) AS draft_count
FROM idea i
JOIN municipality m ON m.ags = i.municipality_ags
LEFT JOIN LATERAL (
    SELECT state, body, institution, published_at FROM idea_answer
    WHERE idea_id = i.id AND published_at IS NOT NULL
    ORDER BY published_at DESC, id DESC LIMIT 1
) a ON true
WHERE i.county_key = :county_key
  AND i.status = ANY (CAST(:statuses AS text[]))
  AND (CAST(:municipality_ags AS text) IS NULL OR i.municipality_ags = CAST(:municipality_ags AS text))
  AND (CAST(:ids AS integer[]) IS NULL OR i.id = ANY (CAST(:ids AS integer[])))
  AND (CAST(:answer_state AS text) IS NULL
       OR (CAST(:answer_state AS text) = 'none' AND a.state IS NULL)
       OR a.state = CAST(:answer_state AS text))
ORDER BY i.created_at DESC, i.id DESC
LIMIT :limit
