{#- Macros the layer styles share: QGIS's XML for symbols, value maps and aliases (QGIS 3.x;
    symbol layer settings written as <Option> for QGIS >= 3.26 and as <prop> for older ones). -#}
{% macro options(values) %}
          <Option type="Map">
{% for key, value in values.items() %}
            <Option type="QString" name="{{ key }}" value="{{ value }}"/>
{% endfor %}
          </Option>
{% for key, value in values.items() %}
          <prop k="{{ key }}" v="{{ value }}"/>
{% endfor %}
{% endmacro %}

{% macro no_data_defined() %}
          <data_defined_properties>
            <Option type="Map">
              <Option type="QString" name="name" value=""/>
              <Option name="properties"/>
              <Option type="QString" name="type" value="collection"/>
            </Option>
          </data_defined_properties>
{% endmacro %}

{% macro marker(name, colour) %}
      <symbol type="marker" name="{{ name }}" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
{{ options({"name": "circle", "color": colour | qgis_colour, "outline_color": "255,255,255,255",
            "outline_style": "solid", "outline_width": "0.3", "outline_width_unit": "MM", "size": "2.6",
            "size_unit": "MM", "scale_method": "diameter", "joinstyle": "bevel", "angle": "0", "offset": "0,0",
            "offset_unit": "MM", "horizontal_anchor_point": "1", "vertical_anchor_point": "1"}) -}}
{{ no_data_defined() -}}
        </layer>
      </symbol>
{% endmacro %}

{% macro fill(name, colour, outline="#555555", outline_style="solid", outline_width="0.26", style="solid", alpha="1") %}
      <symbol type="fill" name="{{ name }}" alpha="{{ alpha }}" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
{{ options({"color": colour | qgis_colour, "style": style, "outline_color": outline | qgis_colour,
            "outline_style": outline_style, "outline_width": outline_width, "outline_width_unit": "MM",
            "joinstyle": "bevel", "offset": "0,0", "offset_unit": "MM",
            "border_width_map_unit_scale": "3x:0,0,0,0,0,0"}) -}}
{{ no_data_defined() -}}
        </layer>
      </symbol>
{% endmacro %}

{#- The attribute form and table: a value map (label -> code) for every field with a domain, so
    QGIS shows "Hier verläuft eine Glaswand" where the file holds `divided`. -#}
{% macro field_configuration(fields, domains, null_key) %}
  <fieldConfiguration>
{% for field in fields if field.domain %}
{% set domain = domains[field.domain] %}
    <field name="{{ field.name }}" configurationFlags="None">
      <editWidget type="ValueMap">
        <config>
          <Option type="Map">
            <Option type="List" name="map">
{% for code, label in domain.values.items() %}
              <Option type="Map">
                <Option type="QString" name="{{ label }}" value="{{ code }}"/>
              </Option>
{% endfor %}
{% if domain.null_label %}
              <Option type="Map">
                <Option type="QString" name="{{ domain.null_label }}" value="{{ null_key }}"/>
              </Option>
{% endif %}
            </Option>
          </Option>
        </config>
      </editWidget>
    </field>
{% endfor %}
  </fieldConfiguration>
{% endmacro %}

{#- German column titles; index as QGIS counts the GeoPackage's fields (fid first). -#}
{% macro aliases(fields) %}
  <aliases>
    <alias field="fid" index="0" name=""/>
{% for field in fields %}
    <alias field="{{ field.name }}" index="{{ loop.index }}" name="{{ field.alias }}"/>
{% endfor %}
  </aliases>
{% endmacro %}

{% macro head() %}
<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0-Firenze" styleCategories="AllStyleCategories" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0" readOnly="0" labelsEnabled="0" simplifyDrawingHints="0" simplifyDrawingTol="1" simplifyLocal="1" simplifyMaxScale="1" simplifyAlgorithm="0">
  <flags>
    <Identifiable>1</Identifiable>
    <Removable>1</Removable>
    <Searchable>1</Searchable>
    <Private>0</Private>
  </flags>
{% endmacro %}

{% macro tail(fields, domains, null_key, preview, geometry_type) %}
  <blendMode>0</blendMode>
  <featureBlendMode>0</featureBlendMode>
  <layerOpacity>1</layerOpacity>
{{ field_configuration(fields, domains, null_key) -}}
{{ aliases(fields) -}}
  <previewExpression>{{ preview }}</previewExpression>
  <layerGeometryType>{{ geometry_type }}</layerGeometryType>
</qgis>
{% endmacro %}
