package com.silknote.sync.vsrx.http;

/** The stable error codes of the protocol and the webhook receiver, with their HTTP status (docs/protocol.md). */
enum ErrorCode {
    UNAUTHORIZED(401, "unauthorized"),
    NOT_FOUND(404, "not_found"),
    METHOD_NOT_ALLOWED(405, "method_not_allowed"),
    INVALID_QUERY(400, "invalid_query"),
    UNKNOWN_PARAMETER(400, "unknown_parameter"),
    DUPLICATE_PARAMETER(400, "duplicate_parameter"),
    INVALID_LIMIT(400, "invalid_limit"),
    INVALID_CURSOR(400, "invalid_cursor"),
    INVALID_CHANGED_SINCE(400, "invalid_changed_since"),
    INVALID_ID(400, "invalid_id"),
    FILESET_NOT_FOUND(404, "fileset_not_found"),
    FILE_NOT_FOUND(404, "file_not_found"),
    FILE_DELETED(410, "file_deleted"),
    PATH_REJECTED(403, "path_rejected"),
    PRECONDITION_FAILED(412, "precondition_failed"),
    RANGE_NOT_SATISFIABLE(416, "range_not_satisfiable"),
    SOURCE_UNAVAILABLE(503, "source_unavailable"),
    // writes (issue 14)
    INVALID_FENCING_TOKEN(400, "invalid_fencing_token"),
    INVALID_IDEMPOTENCY_KEY(400, "invalid_idempotency_key"),
    INVALID_FILE_PATH(400, "invalid_file_path"),
    INVALID_ORIGIN(400, "invalid_origin"),
    INVALID_DIGEST(400, "invalid_digest"),
    DIGEST_MISMATCH(400, "digest_mismatch"),
    INCOMPLETE_BODY(400, "incomplete_body"),
    STALE_FENCING_TOKEN(409, "stale_fencing_token"),
    PATH_TAKEN(409, "path_taken"),
    LENGTH_REQUIRED(411, "length_required"),
    IDEMPOTENCY_KEY_REUSED(422, "idempotency_key_reused"),
    PRECONDITION_REQUIRED(428, "precondition_required"),
    INTERNAL_ERROR(500, "internal_error"),
    // webhooks
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type"),
    PAYLOAD_TOO_LARGE(413, "payload_too_large"),
    MISSING_SIGNATURE(401, "missing_signature"),
    INVALID_SIGNATURE(401, "invalid_signature"),
    STALE_TIMESTAMP(401, "timestamp_outside_window"),
    MALFORMED_EVENT(400, "malformed_event"),
    UNKNOWN_EVENT_TYPE(400, "unknown_event_type"),
    REPLAY_MEMORY_FULL(503, "replay_memory_full"),
    TRIGGER_FAILED(503, "trigger_failed");

    private final int status;
    private final String code;

    ErrorCode(int status, String code) {
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}
