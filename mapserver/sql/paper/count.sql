-- How many paper questionnaires of a district are stored (the entry page's counter).
SELECT count(*) FROM pin WHERE district_id = :district_id AND source = 'paper'
