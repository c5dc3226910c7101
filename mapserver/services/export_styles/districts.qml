{#- Districts: graduated by their pins, quantile classes of this export (ranges), the project's
    sequential palette (map_style.SEQUENTIAL); districts without pins white. -#}
{% import "_qgis.qml" as qgis %}
{{ qgis.head() -}}
  <renderer-v2 type="graduatedSymbol" attr="pins" graduatedMethod="GraduatedColor" symbollevels="0" forceraster="0" enableorderby="0" referencescale="-1">
    <ranges>
{% for range in ranges %}
      <range symbol="{{ loop.index0 }}" lower="{{ range.lower }}" upper="{{ range.upper }}" label="{{ range.label }}" render="true"/>
{% endfor %}
    </ranges>
    <symbols>
{% for range in ranges %}
{{ qgis.fill(loop.index0, range.colour, outline="#222222", outline_width="0.4", alpha="0.8") -}}
{% endfor %}
    </symbols>
    <mode name="quantile"/>
    <symmetricMode enabled="0" symmetryPoint="0" astride="0"/>
    <rotation/>
    <sizescale/>
    <labelformat format="%1 – %2" decimalplaces="0" trimtrailingzeroes="1"/>
  </renderer-v2>
{{ qgis.tail(fields, domains, null_key, '"district"', 2) -}}
