-- After district polygons change, every pin of the affected municipalities gets its district anew.
UPDATE pin SET district_id = district_for_point(municipality_ags, geom)
WHERE municipality_ags = ANY(CAST(:ags_list AS varchar[]))
