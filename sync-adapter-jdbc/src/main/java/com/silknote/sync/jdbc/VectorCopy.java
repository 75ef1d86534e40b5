package com.silknote.sync.jdbc;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.VectorEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes a document's vector rows with PostgreSQL's {@code COPY ... FROM STDIN (FORMAT binary)} through
 * pgjdbc's {@link org.postgresql.copy.CopyManager}: the rows are encoded into one buffer of {@value #BUFFER_BYTES}
 * bytes and sent as it fills, so memory does not grow with the number of entries, and the server parses no
 * statement per row (issue 12: the row-per-statement batch was most of the stand-in processor's database cost).
 *
 * <p>The format (PostgreSQL's "Binary Format" of COPY): an 11-byte signature, a flags word and a header
 * extension length; per row the field count, then per field its length and bytes in the type's binary
 * representation ({@code uuid}: 16 bytes; {@code integer}: 4; {@code char(64)}: the text; {@code real[]}:
 * dimensions, a has-nulls flag, the element type's oid, per dimension its length and lower bound, then per
 * element its length and IEEE 754 bits, so every float, NaN, infinities and -0.0 included, arrives as it
 * was); a field count of -1 ends the data.
 */
final class VectorCopy {
    /** What one document's COPY holds in memory at most, besides the entry being encoded. */
    static final int BUFFER_BYTES = 16 * 1024;
    static final String SQL = "COPY vsrx_sync_vector (document_uuid, ordinal, content_hash, embedding)"
            + " FROM STDIN (FORMAT binary)";

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    private static final int FLOAT4_OID = 700;
    private static final short FIELDS = 4;
    private static final int UUID_BYTES = 16;
    private static final int HASH_CHARS = 64;
    /** The fixed part of a row: field count, the uuid, ordinal and hash fields. */
    private static final int ROW_HEAD = 2 + (4 + UUID_BYTES) + (4 + 4) + (4 + HASH_CHARS);
    /** A one-dimensional array's header: dimensions, has-nulls, element oid, length, lower bound. */
    private static final int ARRAY_HEAD = 5 * 4;

    private final ByteBuffer buffer;
    private CopyIn copy;

    VectorCopy() {
        this(BUFFER_BYTES);
    }

    /** A copier with a buffer of {@code bufferBytes} (at least one row head and one float). */
    VectorCopy(int bufferBytes) {
        if (bufferBytes < ROW_HEAD + ARRAY_HEAD + 8) {
            throw new IllegalArgumentException("buffer too small: " + bufferBytes);
        }
        this.buffer = ByteBuffer.allocate(bufferBytes);
    }

    /**
     * Copies the entries {@code entries} yields into {@code vsrx_sync_vector} in the connection's transaction,
     * checking each (its document, ordinals strictly increasing) before it is sent. When the iterator, a check
     * or the server fails, the copy is cancelled, so the transaction can be rolled back and the connection reused.
     *
     * @return the rows copied
     * @throws IllegalArgumentException when an entry belongs to another document or its ordinal is not above the
     *     previous one's
     * @throws SQLException when the server failed
     */
    long copy(PGConnection connection, DocumentUuid document, Iterator<VectorEntry> entries) throws SQLException {
        if (!entries.hasNext()) {
            return 0; // the rows were deleted; nothing to send
        }
        buffer.clear();
        copy = connection.getCopyAPI().copyIn(SQL);
        try {
            buffer.put(SIGNATURE).putInt(0).putInt(0);
            UUID uuid = document.value();
            ContentHash lastHash = null;
            byte[] hashText = null;
            int previous = -1;
            while (entries.hasNext()) {
                VectorEntry e = entries.next();
                previous = checkedOrdinal(document, e, previous);
                if (!e.contentHash().equals(lastHash)) {
                    lastHash = e.contentHash();
                    hashText = lastHash.hex().getBytes(StandardCharsets.US_ASCII);
                    if (hashText.length != HASH_CHARS) {
                        throw new IllegalStateException("content hash of " + hashText.length + " characters");
                    }
                }
                float[] embedding = e.embedding();
                room(ROW_HEAD);
                buffer.putShort(FIELDS)
                        .putInt(UUID_BYTES).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits())
                        .putInt(4).putInt(e.ordinal())
                        .putInt(HASH_CHARS).put(hashText);
                putArray(embedding);
            }
            room(2);
            buffer.putShort((short) -1);
            send();
            return copy.endCopy();
        } catch (RuntimeException | SQLException | Error failure) {
            cancel(failure);
            throw failure;
        } finally {
            copy = null;
        }
    }

    /** A {@code real[]} field: its length, then the array in binary form ({@code {}} when it has no element). */
    private void putArray(float[] values) throws SQLException {
        if (values.length == 0) {
            room(4 + 12);
            buffer.putInt(12).putInt(0).putInt(0).putInt(FLOAT4_OID);
            return;
        }
        room(4 + ARRAY_HEAD);
        buffer.putInt(ARRAY_HEAD + 8 * values.length)
                .putInt(1).putInt(0).putInt(FLOAT4_OID).putInt(values.length).putInt(1);
        for (float v : values) {
            room(8);
            buffer.putInt(4).putInt(Float.floatToRawIntBits(v));
        }
    }

    /** Sends the buffer when fewer than {@code bytes} are left in it. */
    private void room(int bytes) throws SQLException {
        if (buffer.remaining() < bytes) {
            send();
        }
    }

    private void send() throws SQLException {
        if (buffer.position() > 0) {
            copy.writeToCopy(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
    }

    /** Ends the copy without a commit of its rows; a failure to do so is added to {@code failure}. */
    private void cancel(Throwable failure) {
        if (copy != null && copy.isActive()) {
            try {
                copy.cancelCopy();
            } catch (SQLException | RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
    }

    /**
     * The entry's ordinal, once it is checked to belong to {@code document} and to follow {@code previous}: the
     * checks every write path of {@link JdbiVectorStore#replace} makes before an entry reaches the database.
     *
     * @throws IllegalArgumentException when the entry belongs to another document or its ordinal does not increase
     */
    static int checkedOrdinal(DocumentUuid document, VectorEntry e, int previous) {
        if (!e.document().equals(document)) {
            throw new IllegalArgumentException("entry belongs to another document");
        }
        if (e.ordinal() <= previous) {
            throw new IllegalArgumentException(e.ordinal() == previous ? "duplicate ordinal " + previous
                    : "ordinals must increase: " + e.ordinal() + " after " + previous);
        }
        return e.ordinal();
    }
}
