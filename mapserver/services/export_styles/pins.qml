{#- Pins: one colour per category (the project's colours, export_styles.CATEGORY_COLOURS). -#}
{% import "_qgis.qml" as qgis %}
{{ qgis.head() -}}
  <renderer-v2 type="categorizedSymbol" attr="category" symbollevels="0" forceraster="0" enableorderby="0" referencescale="-1">
    <categories>
{% for code, label in domains["glaswaende_category"].values.items() %}
      <category symbol="{{ loop.index0 }}" value="{{ code }}" label="{{ label }}" render="true"/>
{% endfor %}
    </categories>
    <symbols>
{% for code in domains["glaswaende_category"].values %}
{{ qgis.marker(loop.index0, category_colours[code]) -}}
{% endfor %}
    </symbols>
    <rotation/>
    <sizescale/>
  </renderer-v2>
{{ qgis.tail(fields, domains, null_key, '"district"', 0) -}}
