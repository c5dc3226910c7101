"""folium map builders: pure functions from data to folium.Map (no database, no request)."""
