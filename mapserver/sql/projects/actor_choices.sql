-- The local actors who may be a project's partners: the county's, by municipality and name.
SELECT a.id, a.name, a.kind, a.municipality_ags, m.name AS municipality_name
FROM local_actor a
JOIN municipality m ON m.ags = a.municipality_ags
WHERE a.county_key = :county_key
ORDER BY m.name, a.name, a.id
