package io.fedgate.e2e;

import java.util.List;
import java.util.Map;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Reads the {@code status:} YAML that {@code fedgate status} prints, to assert on its fields. */
final class StatusYaml {
    private StatusYaml() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> discoveryStatus(String yaml) {
        Map<String, Object> document = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(yaml);
        return (Map<String, Object>) ((Map<String, Object>) document.get("status")).get("discoveryStatus");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> map, String key) {
        Object value = map.get(key);
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> map, String key) {
        Object value = map.get(key);
        return value == null ? Map.of() : (Map<String, Object>) value;
    }
}
