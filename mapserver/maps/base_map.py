"""What every map of ours stands on: the base map's tiles (optional) and the attributions of all
data it shows. The pages hand it to their scripts as `data-map-settings`; the folium maps and the
poster read the same."""
from __future__ import annotations

from flask_babel import gettext as _

from ..config import BOUNDARY_ATTRIBUTION


def page_map_settings(config, county) -> dict:
    """Tiles and attributions for a map of `county` (an areas.CountyInfo) under the app's `config`;
    the name of the button that shows the attributions, in the reader's language."""
    return {
        "tile_url": config["TILE_URL"],
        "tile_attribution": config["TILE_ATTRIBUTION"],
        "data_attributions": [BOUNDARY_ATTRIBUTION, *county.attributions],
        "attribution_label": _("Quellen der Karte"),
    }
