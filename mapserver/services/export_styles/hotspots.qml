{#- Hexagon cells by the scan's result: hot- and coldspots in the map's colours
    (map_style.HOTSPOT_COLOURS), hotspots bordered solid, coldspots dashed (not by colour
    alone); every other cell as a thin outline, so the whole grid stays visible. -#}
{% import "_qgis.qml" as qgis %}
{{ qgis.head() -}}
  <renderer-v2 type="RuleRenderer" symbollevels="0" forceraster="0" enableorderby="0" referencescale="-1">
    <rules key="{{ rule_key('root') }}">
{% for rule in rules %}
      <rule key="{{ rule_key(rule.label) }}" filter="{{ rule.filter }}" label="{{ rule.label }}" symbol="{{ loop.index0 }}"/>
{% endfor %}
    </rules>
    <symbols>
{% for rule in rules %}
{{ qgis.fill(loop.index0, rule.colour, outline=rule.outline, outline_style=rule.outline_style, outline_width=rule.outline_width, style=rule.style, alpha=rule.alpha) -}}
{% endfor %}
    </symbols>
  </renderer-v2>
{{ qgis.tail(fields, domains, null_key, '"cell"', 2) -}}
