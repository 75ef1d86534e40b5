package com.silknote.sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.VsrxFileId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 2: document metadata is read with one streaming pass instead of a JSON tree per row; it must
 * read every stored shape exactly as the tree did (other keys Silknote keeps included).
 */
class JsonMetadataTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** The reading before the streaming parser, kept as the reference. */
    private static DocumentMetadata byTree(String json) throws Exception {
        JsonNode node = Json.MAPPER.readTree(json);
        List<PatientId> ids = new ArrayList<>();
        JsonNode history = node.get("patientIdHistory");
        if (history == null || !history.isArray()) {
            throw new PermanentSyncException("stored patient id history is not a JSON array");
        }
        history.forEach(n -> ids.add(PatientId.of(n.asText())));
        return new DocumentMetadata(VsrxFileId.of(text(node, "vsrxReference")), text(node, "originalPath"),
                text(node, "sourceSystem"), text(node, "groupingStatus"), ids);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new PermanentSyncException("stored document metadata lacks " + field);
        }
        return value.asText();
    }

    @Test
    void writtenMetadataReadsBack() {
        DocumentMetadata m = DocumentMetadata.synced(VsrxFileId.of("file-1"), "notes/Befund \u00e4 \"1\"\\x.pdf",
                List.of(PatientId.of("P-OLD"), PatientId.of("P-NEW")));
        assertThat(Json.metadata(Json.metadata(m))).isEqualTo(m);
    }

    @Test
    @DisplayName("issue 12.2: the streaming read equals the tree read on seeded random stored shapes")
    void streamingReadEqualsTreeRead() throws Exception {
        long seed = Long.getLong("json.seed", System.nanoTime());
        System.out.println("JsonMetadataTest seed=" + seed + " (replay with -Djson.seed=" + seed + ")");
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 2000; i++) {
            String json = randomMetadata(r).toString();
            DocumentMetadata expected;
            try {
                expected = byTree(json);
            } catch (PermanentSyncException | IllegalArgumentException e) {
                assertThatThrownBy(() -> Json.metadata(json)).as("seed %d: %s", seed, json)
                        .isInstanceOf(e.getClass());
                continue;
            }
            assertThat(Json.metadata(json)).as("seed %d: %s", seed, json).isEqualTo(expected);
        }
    }

    @Test
    void malformedMetadataIsAPermanentFailureWithoutContent() {
        assertThatThrownBy(() -> Json.metadata((String) null)).isInstanceOf(PermanentSyncException.class);
        assertThatThrownBy(() -> Json.metadata("{\"originalPath\":\"notes/secret.pdf\""))
                .isInstanceOf(PermanentSyncException.class).hasMessageNotContaining("secret");
        assertThatThrownBy(() -> Json.metadata("[1]")).isInstanceOf(PermanentSyncException.class);
    }

    private static ObjectNode randomMetadata(SplittableRandom r) {
        ObjectNode o = F.objectNode();
        List<Runnable> fields = new ArrayList<>();
        fields.add(() -> maybe(r, o, "vsrxReference", F.textNode("file-" + r.nextInt(1000))));
        fields.add(() -> maybe(r, o, "originalPath", F.textNode(randomText(r))));
        fields.add(() -> maybe(r, o, "sourceSystem", F.textNode(r.nextBoolean() ? "VSRX_SYNC" : randomText(r))));
        fields.add(() -> maybe(r, o, "groupingStatus", F.textNode(r.nextBoolean() ? "ungrouped" : "grouped")));
        fields.add(() -> {
            ArrayNode a = F.arrayNode();
            for (int i = r.nextInt(4); i > 0; i--) {
                a.add(r.nextInt(10) == 0 ? F.numberNode(r.nextInt(99)) : F.textNode("P-" + r.nextInt(99)));
            }
            maybe(r, o, "patientIdHistory", r.nextInt(20) == 0 ? F.textNode("not-an-array") : a);
        });
        fields.add(() -> {
            // keys of Silknote's own, of any shape
            ObjectNode nested = F.objectNode();
            nested.put("vsrxReference", "decoy").set("deeper", F.arrayNode().add(F.objectNode().put("x", 1)));
            o.set("silknote" + r.nextInt(3), r.nextBoolean() ? nested : F.arrayNode().add(randomText(r)));
        });
        for (int i = fields.size(); i > 1; i--) {
            int j = r.nextInt(i);
            Runnable t = fields.get(i - 1);
            fields.set(i - 1, fields.get(j));
            fields.set(j, t);
        }
        fields.forEach(Runnable::run);
        return o;
    }

    private static void maybe(SplittableRandom r, ObjectNode o, String field, JsonNode value) {
        int k = r.nextInt(40);
        if (k == 0) {
            return; // missing
        }
        if (k == 1) {
            o.putNull(field);
        } else if (k == 2) {
            o.put(field, r.nextInt(100));
        } else {
            o.set(field, value);
        }
    }

    private static String randomText(SplittableRandom r) {
        String[] parts = {"notes/", "Befund", " ", "\u00e4", "\u00b5g", "#1;", "\"q\"", "\\", "\u202e", "\ud83d\ude00",
            "/", "CON.pdf", "\n", "e\u0301"};
        StringBuilder sb = new StringBuilder();
        for (int i = 1 + r.nextInt(6); i > 0; i--) {
            sb.append(parts[r.nextInt(parts.length)]);
        }
        return sb.toString();
    }
}
