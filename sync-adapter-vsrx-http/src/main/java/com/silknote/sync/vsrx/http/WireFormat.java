package com.silknote.sync.vsrx.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The JSON shapes of the /v1 protocol (see openapi.json): writing on the server, strict reading on the client. */
final class WireFormat {
    private WireFormat() { }

    static ObjectNode fileset(VsrxFileset fs) {
        ObjectNode n = Json.object();
        n.put("id", fs.id().value());
        n.put("patientId", fs.patientId().value());
        if (fs.silknotePatientUuid().isPresent()) {
            n.put("silknotePatientUuid", fs.silknotePatientUuid().get().value().toString());
        } else {
            n.putNull("silknotePatientUuid");
        }
        ArrayNode prev = n.putArray("previousPatientIds");
        fs.previousPatientIds().forEach(p -> prev.add(p.value()));
        n.put("updatedAt", fs.updatedAt().toString());
        return n;
    }

    static ObjectNode file(VsrxFile f) {
        ObjectNode n = Json.object();
        n.put("id", f.id().value());
        n.put("filesetId", f.filesetId().value());
        n.put("path", f.path());
        n.put("size", f.size());
        n.put("mimeType", f.mimeType());
        n.put("modifiedAt", f.modifiedAt().toString());
        if (f.etag().isPresent()) {
            n.put("etag", f.etag().get());
        } else {
            n.putNull("etag");
        }
        if (f.sha256().isPresent()) {
            n.put("sha256", f.sha256().get().hex());
        } else {
            n.putNull("sha256");
        }
        n.put("deleted", f.deleted());
        if (f.origin().isPresent()) {
            n.put("origin", VsrxFile.originOf(f.origin().get()));
        } else {
            n.putNull("origin");
        }
        return n;
    }

    static ObjectNode page(List<ObjectNode> items, Optional<String> nextCursor, Instant serverTime) {
        ObjectNode n = Json.object();
        ArrayNode arr = n.putArray("items");
        items.forEach(arr::add);
        if (nextCursor.isPresent()) {
            n.put("nextCursor", nextCursor.get());
        } else {
            n.putNull("nextCursor");
        }
        n.put("serverTime", serverTime.toString());
        return n;
    }

    static ObjectNode error(String code, String message) {
        ObjectNode n = Json.object();
        ObjectNode e = n.putObject("error");
        e.put("code", code);
        e.put("message", message);
        return n;
    }

    // ---- strict reading ----

    static VsrxFileset readFileset(JsonNode node) {
        String what = "fileset";
        Json.requireObject(node, what);
        FilesetId id = id(() -> FilesetId.of(Json.text(node, "id", what)), what, "id");
        PatientId patient = id(() -> PatientId.of(Json.text(node, "patientId", what)), what, "patientId");
        Optional<PatientUuid> uuid = Json.optionalText(node, "silknotePatientUuid", what)
                .map(s -> id(() -> PatientUuid.of(s), what, "silknotePatientUuid"));
        List<PatientId> previous = new ArrayList<>();
        for (JsonNode p : Json.array(node, "previousPatientIds", what)) {
            if (!p.isTextual()) {
                throw new JsonFormatException(what + " field 'previousPatientIds' holds a non-string");
            }
            previous.add(id(() -> PatientId.of(p.textValue()), what, "previousPatientIds"));
        }
        return new VsrxFileset(id, patient, uuid, previous, Json.instant(node, "updatedAt", what));
    }

    static VsrxFile readFile(JsonNode node) {
        String what = "file";
        Json.requireObject(node, what);
        VsrxFileId id = id(() -> VsrxFileId.of(Json.text(node, "id", what)), what, "id");
        FilesetId filesetId = id(() -> FilesetId.of(Json.text(node, "filesetId", what)), what, "filesetId");
        String path = Json.text(node, "path", what);
        long size = Json.nonNegativeLong(node, "size", what);
        String mime = Json.text(node, "mimeType", what);
        var modifiedAt = Json.instant(node, "modifiedAt", what);
        Optional<String> etag = Json.optionalText(node, "etag", what);
        Optional<ContentHash> sha = Json.optionalText(node, "sha256", what)
                .map(s -> id(() -> ContentHash.ofHex(s), what, "sha256"));
        boolean deleted = Json.bool(node, "deleted", what);
        // Optional (servers before issue 14 do not send it); an origin other than Silknote's is not ours.
        Optional<com.silknote.sync.core.model.DocumentUuid> origin = Json.optionalText(node, "origin", what)
                .flatMap(VsrxFile::parseOrigin);
        return new VsrxFile(id, filesetId, path, size, mime, modifiedAt, etag, sha, deleted, origin);
    }

    /** The items array and next cursor of a page; the cursor is {@code null}-able but must be present. */
    static ArrayNode pageItems(JsonNode node) {
        Json.requireObject(node, "page");
        return Json.array(node, "items", "page");
    }

    static Optional<String> pageCursor(JsonNode node) {
        return Json.nullableText(node, "nextCursor", "page");
    }

    /** The server's clock when it answered; optional (servers before it was added do not send it). */
    static Optional<Instant> pageServerTime(JsonNode node) {
        return Json.optionalText(node, "serverTime", "page").map(s -> Json.parseInstant(s).orElseThrow(
                () -> new JsonFormatException("page field 'serverTime' is not an ISO-8601 date-time")));
    }

    /** The {@code error.code} of an error body, if the body is one. */
    static Optional<String> errorCode(byte[] body) {
        try {
            JsonNode n = Json.parse(body);
            JsonNode e = n.get("error");
            if (e != null && e.isObject() && e.get("code") != null && e.get("code").isTextual()) {
                return Optional.of(e.get("code").textValue());
            }
        } catch (JsonFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static <T> T id(java.util.function.Supplier<T> s, String what, String field) {
        try {
            return s.get();
        } catch (IllegalArgumentException e) {
            throw new JsonFormatException(what + " field '" + field + "' has an invalid value");
        }
    }
}
