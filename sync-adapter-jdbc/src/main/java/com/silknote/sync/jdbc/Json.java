package com.silknote.sync.jdbc;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.RunTotals;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFileId;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** JSON columns: document metadata, patient-id histories, resume state, run reports, audit counts. */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new Jdk8Module())
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {
    }

    static String metadata(DocumentMetadata m) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("vsrxReference", m.vsrxReference().value());
        node.put("originalPath", m.originalPath());
        node.put("sourceSystem", m.sourceSystem());
        node.put("groupingStatus", m.groupingStatus());
        node.set("patientIdHistory", patientIds(m.patientIdHistory()));
        // always written (null when absent): an upsert merges keys, so a stale marker must be overwritten
        if (m.migratedFrom().isPresent()) {
            node.put("migratedFrom", m.migratedFrom().get().value());
        } else {
            node.putNull("migratedFrom");
        }
        return node.toString();
    }

    /**
     * The sync's metadata of a stored document, read with one streaming pass (a no-op run reads every
     * document of every fileset: no tree per row, issue 12 item 2). Other keys Silknote keeps in the same
     * column are passed over.
     */
    static DocumentMetadata metadata(String json) {
        if (json == null) {
            throw new PermanentSyncException("stored document has no sync metadata");
        }
        String reference = null;
        String path = null;
        String source = null;
        String grouping = null;
        List<PatientId> history = null;
        String migratedFrom = null;
        try (JsonParser p = MAPPER.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new PermanentSyncException("stored document metadata is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "vsrxReference" -> reference = scalar(p, value);
                    case "originalPath" -> path = scalar(p, value);
                    case "sourceSystem" -> source = known(scalar(p, value), DocumentMetadata.SOURCE_SYSTEM);
                    case "groupingStatus" -> grouping = known(scalar(p, value), DocumentMetadata.UNGROUPED);
                    case "patientIdHistory" -> history = patientIds(p, value);
                    case "migratedFrom" -> migratedFrom = scalar(p, value);
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            // the parser's message may quote content: keep it only as the cause
            throw new PermanentSyncException("stored document metadata is not valid JSON", e);
        }
        if (history == null) {
            throw new PermanentSyncException("stored patient id history is not a JSON array");
        }
        return new DocumentMetadata(VsrxFileId.of(required(reference, "vsrxReference")),
                required(path, "originalPath"), required(source, "sourceSystem"), required(grouping, "groupingStatus"),
                history, Optional.ofNullable(migratedFrom).map(FilesetId::of));
    }

    /** A scalar's text as {@link JsonNode#asText()} gives it; null for JSON null; "" for a container. */
    private static String scalar(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value.isStructStart()) {
            p.skipChildren();
            return "";
        }
        return p.getText();
    }

    /** The constant itself when equal to it: every document holds the same few values. */
    private static String known(String value, String constant) {
        return constant.equals(value) ? constant : value;
    }

    private static String required(String value, String field) {
        if (value == null) {
            throw new PermanentSyncException("stored document metadata lacks " + field);
        }
        return value;
    }

    private static List<PatientId> patientIds(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            if (value.isStructStart()) {
                p.skipChildren();
            }
            return null;
        }
        List<PatientId> ids = new ArrayList<>(2);
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t.isStructStart()) {
                p.skipChildren();
                ids.add(PatientId.of(""));
            } else {
                ids.add(PatientId.of(t == JsonToken.VALUE_NULL ? "null" : p.getText()));
            }
        }
        return ids;
    }

    /** What a Silknote-created document's metadata says: title, source system, grouping. */
    record AuthoredMetadata(Optional<String> title, String sourceSystem, String groupingStatus) { }

    static AuthoredMetadata authoredMetadata(String json) {
        JsonNode node = json == null ? MAPPER.createObjectNode() : parse(json, "document metadata");
        return new AuthoredMetadata(optionalText(node, "title"),
                optionalText(node, "sourceSystem").orElse(com.silknote.sync.core.model.AuthoredDocument.SILKNOTE),
                optionalText(node, "groupingStatus").orElse(DocumentMetadata.UNGROUPED));
    }

    static String authoredMetadata(com.silknote.sync.core.model.AuthoredDocument d) {
        ObjectNode node = MAPPER.createObjectNode();
        d.title().ifPresent(t -> node.put("title", t));
        node.put("sourceSystem", d.sourceSystem());
        node.put("groupingStatus", d.groupingStatus());
        return node.toString();
    }

    private static Optional<String> optionalText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? Optional.of(v.textValue()) : Optional.empty();
    }

    static String patientIdHistory(List<PatientId> ids) {
        return patientIds(ids).toString();
    }

    static List<PatientId> patientIdHistory(String json) {
        return patientIds(parse(json, "patient id history"));
    }

    private static ArrayNode patientIds(List<PatientId> ids) {
        ArrayNode array = MAPPER.createArrayNode();
        ids.forEach(id -> array.add(id.value()));
        return array;
    }

    private static List<PatientId> patientIds(JsonNode array) {
        if (array == null || !array.isArray()) {
            throw new PermanentSyncException("stored patient id history is not a JSON array");
        }
        List<PatientId> ids = new ArrayList<>(array.size());
        array.forEach(n -> ids.add(PatientId.of(n.asText())));
        return ids;
    }

    /** The resume state, stored in its {@link SyncState#toJson()} shape. */
    static SyncState state(String json) {
        JsonNode node = parse(json, "sync state");
        JsonNode last = node.get("lastCompleteSync");
        JsonNode partial = node.get("partialSyncState");
        if (partial == null || !partial.isObject()) {
            throw new PermanentSyncException("stored sync state has no partialSyncState");
        }
        JsonNode resume = partial.get("resumeFromFileset");
        return new SyncState(
                last == null || last.isNull() ? Optional.empty() : Optional.of(Instant.parse(last.asText())),
                new SyncState.PartialSyncState(
                        filesetIds(partial.get("processedFilesets")),
                        filesetIds(partial.get("failedFilesets")),
                        resume == null || resume.isNull() ? Optional.empty()
                                : Optional.of(FilesetId.of(resume.asText()))));
    }

    private static List<FilesetId> filesetIds(JsonNode array) {
        if (array == null || !array.isArray()) {
            throw new PermanentSyncException("stored sync state has a malformed fileset list");
        }
        List<FilesetId> ids = new ArrayList<>(array.size());
        array.forEach(n -> ids.add(FilesetId.of(n.asText())));
        return ids;
    }

    static String filesetReport(FilesetReport report) {
        try {
            return MAPPER.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new PermanentSyncException("fileset report could not be written as JSON", e);
        }
    }

    static FilesetReport filesetReport(String json) {
        try {
            return MAPPER.readValue(json, FilesetReport.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new PermanentSyncException("stored fileset report could not be read", e);
        }
    }

    static String report(SyncReport report) {
        try {
            return MAPPER.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new PermanentSyncException("run report could not be written as JSON", e);
        }
    }

    /**
     * A stored run report. Reports written before a run's status and error were recorded have neither: their
     * status follows from their filesets ({@code PARTIAL_FAILURE} when one failed, else {@code COMPLETED}).
     * Reports written before totals were kept count them from their filesets.
     */
    static SyncReport report(String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node instanceof ObjectNode obj) {
                boolean failed = false;
                for (JsonNode f : obj.path("filesets")) {
                    String outcome = f.path("outcome").asText("");
                    failed |= outcome.equals("FAILED") || outcome.equals("MASS_DELETE_BLOCKED");
                }
                if (!obj.hasNonNull("status")) {
                    obj.put("status", failed ? "PARTIAL_FAILURE" : "COMPLETED");
                    if (failed) {
                        obj.put("error", "a fileset failed");
                    } else {
                        obj.putNull("error");
                    }
                }
                if (!obj.hasNonNull("totals")) {
                    List<FilesetReport> filesets = new ArrayList<>();
                    for (JsonNode f : obj.path("filesets")) {
                        filesets.add(MAPPER.treeToValue(f, FilesetReport.class));
                    }
                    obj.set("totals", MAPPER.valueToTree(RunTotals.of(filesets)));
                }
            }
            return MAPPER.treeToValue(node, SyncReport.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new PermanentSyncException("stored run report could not be read", e);
        }
    }

    static String counts(Map<String, Long> counts) {
        ObjectNode node = MAPPER.createObjectNode();
        counts.forEach(node::put);
        return node.toString();
    }

    private static JsonNode parse(String json, String what) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            // the parser's message may quote content: keep it only as the cause
            throw new PermanentSyncException("stored " + what + " is not valid JSON", e);
        }
    }
}
