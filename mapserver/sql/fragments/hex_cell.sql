-- The (i, j) of the ST_HexagonGrid cell containing the metric point (metric.x, metric.y), as the lateral
-- row `cell`: ST_HexagonGrid is flat-topped with odd columns half a row up; axial coordinates,
-- rounded in cube space, then to its offset rows. Plain arithmetic the planner inlines (a SQL
-- function here cost 10 µs a pin, 20 times the rest). Needs :cell_size_m. The planner copies
-- these expressions into each other, so metric.x/y must come from a fenced subquery (OFFSET 0),
-- or the projection would run a dozen times a pin.
CROSS JOIN LATERAL (
    SELECT (2.0 / 3.0 * metric.x) / :cell_size_m AS q,
           (-1.0 / 3.0 * metric.x + sqrt(3.0) / 3.0 * metric.y) / :cell_size_m AS r
) AS axial
CROSS JOIN LATERAL (
    SELECT round(axial.q) AS rq, round(axial.r) AS rr, round(-axial.q - axial.r) AS rs,
           abs(round(axial.q) - axial.q) AS dq, abs(round(axial.r) - axial.r) AS dr,
           abs(round(-axial.q - axial.r) + axial.q + axial.r) AS ds
) AS rounded
CROSS JOIN LATERAL (
    SELECT CASE WHEN rounded.dq > rounded.dr AND rounded.dq > rounded.ds THEN -rounded.rr - rounded.rs
                ELSE rounded.rq END AS cq,
           CASE WHEN rounded.dq > rounded.dr AND rounded.dq > rounded.ds THEN rounded.rr
                WHEN rounded.dr > rounded.ds THEN -rounded.rq - rounded.rs
                ELSE rounded.rr END AS cr
) AS corrected
CROSS JOIN LATERAL (
    SELECT CAST(corrected.cq AS integer) AS i, CAST(corrected.cr + floor(corrected.cq / 2.0) AS integer) AS j
) AS cell
