-- What an INSERT INTO pin hands on to the answer the resident gets (services/pins.py _as_response):
-- the stored pin as the API shows it, its place from the stored point.
RETURNING client_id, status, category, dimensions, created_at, geom, municipality_ags, district_id,
          location_precision
