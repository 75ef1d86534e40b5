package com.silknote.sync.vsrx.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * One strict JSON mapper for the protocol: duplicate keys and trailing tokens are errors. Parse failures
 * are reported as {@link JsonFormatException} whose message names only the field, never a value.
 */
final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // numbers with a fraction or exponent are read exactly, so an integral one (2970.0) can be told
            // from a fractional one (2970.5) without rounding
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private Json() { }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("JSON serialisation failed", e);
        }
    }

    /**
     * Parses a whole document.
     *
     * @throws JsonFormatException when it is not one well-formed JSON value. The JSON library's own
     *         exception is not kept: its message may quote the body.
     */
    static JsonNode parse(byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new JsonFormatException("body is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + " column " + loc.getColumnNr();
            throw new JsonFormatException("body is not valid JSON (" + e.getClass().getSimpleName() + where + ")");
        } catch (IOException e) {
            throw new JsonFormatException("body could not be read as JSON");
        }
    }

    static ObjectNode requireObject(JsonNode node, String what) {
        if (node == null || !node.isObject()) {
            throw new JsonFormatException(what + " is not a JSON object");
        }
        return (ObjectNode) node;
    }

    /** A required, non-null field. */
    static JsonNode required(JsonNode obj, String field, String what) {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            throw new JsonFormatException(what + " lacks field '" + field + "'");
        }
        return v;
    }

    static String text(JsonNode obj, String field, String what) {
        JsonNode v = required(obj, field, what);
        if (!v.isTextual()) {
            throw new JsonFormatException(what + " field '" + field + "' is not a string");
        }
        return v.textValue();
    }

    /** A field that may be absent or null; a string when present. */
    static Optional<String> optionalText(JsonNode obj, String field, String what) {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw new JsonFormatException(what + " field '" + field + "' is not a string");
        }
        return Optional.of(v.textValue());
    }

    /** A field that must be present, null allowed; a string when not null. */
    static Optional<String> nullableText(JsonNode obj, String field, String what) {
        if (!obj.has(field)) {
            throw new JsonFormatException(what + " lacks field '" + field + "'");
        }
        return optionalText(obj, field, what);
    }

    /**
     * A non-negative integer. As in JSON Schema, an integer may be written with a zero fraction or an
     * exponent ({@code 2970.0}, {@code 2.97e3}); a fraction ({@code 2970.5}) or a value outside the range of a
     * {@code long} is not one.
     */
    static long nonNegativeLong(JsonNode obj, String field, String what) {
        JsonNode v = required(obj, field, what);
        long l;
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            l = v.longValue();
        } else if (v.isBigDecimal()) {
            try {
                l = v.decimalValue().longValueExact();
            } catch (ArithmeticException e) {
                throw new JsonFormatException(what + " field '" + field + "' is not an integer");
            }
        } else {
            throw new JsonFormatException(what + " field '" + field + "' is not an integer");
        }
        if (l < 0) {
            throw new JsonFormatException(what + " field '" + field + "' is negative");
        }
        return l;
    }

    static boolean bool(JsonNode obj, String field, String what) {
        JsonNode v = required(obj, field, what);
        if (!v.isBoolean()) {
            throw new JsonFormatException(what + " field '" + field + "' is not a boolean");
        }
        return v.booleanValue();
    }

    static Instant instant(JsonNode obj, String field, String what) {
        String s = text(obj, field, what);
        return parseInstant(s).orElseThrow(
                () -> new JsonFormatException(what + " field '" + field + "' is not an ISO-8601 date-time"));
    }

    static ArrayNode array(JsonNode obj, String field, String what) {
        JsonNode v = required(obj, field, what);
        if (!v.isArray()) {
            throw new JsonFormatException(what + " field '" + field + "' is not an array");
        }
        return (ArrayNode) v;
    }

    /** ISO-8601 date-time with an offset ({@code Z} or {@code +01:00}); empty when it is not one. */
    static Optional<Instant> parseInstant(String s) {
        if (s == null || s.length() > 64) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
