# Assembles the event schema, the contract every events.jsonl line is
# validated against: schema/core.schema.json (the envelope; the flow,
# anomaly, stats, device and alert events; shared $defs) plus one fragment
# per dissector folder, src/dissectors/<p>/<p>.schema.json, found by glob so
# that adding a protocol touches no central file. A fragment is
#   {"$comment": ..., "event_types": ["x", ...], "$defs": {"x_event": {...}, ...}}
# and each of its event types adds an event_type enum value and an
# if/then selecting #/$defs/<type>_event.
#   cmake -DSRC=<repository> -DOUT=<file> -P assemble_schema.cmake
file(READ "${SRC}/schema/core.schema.json" schema)
file(GLOB fragments "${SRC}/src/dissectors/*.schema.json" "${SRC}/src/dissectors/*/*.schema.json")
list(SORT fragments)
foreach(path ${fragments})
  file(READ "${path}" frag)
  string(JSON ndefs LENGTH "${frag}" "$defs")
  math(EXPR last "${ndefs} - 1")
  foreach(i RANGE ${last})
    string(JSON name MEMBER "${frag}" "$defs" ${i})
    string(JSON taken ERROR_VARIABLE absent GET "${schema}" "$defs" "${name}")
    if(NOT absent)
      message(FATAL_ERROR "${path}: $defs/${name} is already defined")
    endif()
    string(JSON def GET "${frag}" "$defs" "${name}")
    string(JSON schema SET "${schema}" "$defs" "${name}" "${def}")
  endforeach()
  string(JSON ntypes LENGTH "${frag}" "event_types")
  math(EXPR last "${ntypes} - 1")
  foreach(i RANGE ${last})
    string(JSON type GET "${frag}" "event_types" ${i})
    string(JSON def ERROR_VARIABLE absent GET "${frag}" "$defs" "${type}_event")
    if(absent)
      message(FATAL_ERROR "${path}: event type ${type} has no $defs/${type}_event")
    endif()
    string(JSON n LENGTH "${schema}" "properties" "event_type" "enum")
    string(JSON schema SET "${schema}" "properties" "event_type" "enum" ${n} "\"${type}\"")
    string(JSON n LENGTH "${schema}" "allOf")
    string(JSON schema SET "${schema}" "allOf" ${n}
      "{\"if\": {\"properties\": {\"event_type\": {\"const\": \"${type}\"}}}, \"then\": {\"$ref\": \"#/$defs/${type}_event\"}}")
  endforeach()
endforeach()
# The whole is a schema in its own right: the core's comment says how it is made.
string(JSON schema REMOVE "${schema}" "$comment")
file(WRITE "${OUT}.tmp" "${schema}\n")
file(RENAME "${OUT}.tmp" "${OUT}")
