package com.silknote.sync.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The identifier records: what each accepts and refuses, and the ids derived from others. The derivations are
 * pinned to values computed independently (Python's {@code uuid.uuid5} and {@code hashlib}), because a changed
 * derivation would give a re-run different ids than the run before it.
 */
class IdentifiersTest {
    private static final String HEX = "0123456789abcdef".repeat(4);

    @Test
    @DisplayName("rule 12: a content hash is exactly 64 hex digits, stored lower-case")
    void contentHashFormat() {
        assertThat(new ContentHash(HEX).hex()).isEqualTo(HEX);
        assertThatThrownBy(() -> new ContentHash(HEX.substring(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ContentHash(HEX + "0")).isInstanceOf(IllegalArgumentException.class);
        assertThat(ContentHash.ofHex("ABCDEF" + HEX.substring(6)).hex()).isEqualTo("abcdef" + HEX.substring(6));
        // every digit at each end of the three ranges, and the character either side of each range
        for (char ok : "09afAF".toCharArray()) {
            assertThatCode(() -> new ContentHash(ok + HEX.substring(1))).doesNotThrowAnyException();
            assertThatCode(() -> new ContentHash(HEX.substring(1) + ok)).doesNotThrowAnyException();
        }
        for (char bad : "/:`g@G ".toCharArray()) {
            assertThatThrownBy(() -> new ContentHash(bad + HEX.substring(1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new ContentHash(HEX.substring(1) + bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 63");
        }
    }

    @Test
    @DisplayName("rule 12: a hash from a digest needs its 32 bytes; short form and order by hex")
    void contentHashFromBytes() {
        byte[] digest = new byte[32];
        digest[0] = (byte) 0xab;
        digest[31] = 0x01;
        ContentHash h = ContentHash.ofBytes(digest);
        assertThat(h.hex()).isEqualTo("ab" + "00".repeat(30) + "01");
        assertThat(h.shortHex()).isEqualTo("ab0000000000");
        assertThat(h).hasToString("sha256:ab0000000000");
        assertThatThrownBy(() -> ContentHash.ofBytes(new byte[31])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ContentHash.ofBytes(new byte[33])).isInstanceOf(IllegalArgumentException.class);
        ContentHash zero = ContentHash.ofBytes(new byte[32]);
        assertThat(zero.compareTo(h)).isNegative();
        assertThat(h.compareTo(zero)).isPositive();
        assertThat(h.compareTo(ContentHash.ofHex(h.hex()))).isZero();
    }

    @Test
    @DisplayName("rule 12: an MD5 digest is 16 bytes, copied in and out")
    void contentMd5() {
        byte[] raw = new byte[16];
        raw[0] = (byte) 0xfb;
        ContentMd5 md5 = ContentMd5.ofBytes(raw);
        raw[0] = 0;
        assertThat(md5.bytes()[0]).isEqualTo((byte) 0xfb);
        md5.bytes()[0] = 1;
        assertThat(md5.bytes()[0]).isEqualTo((byte) 0xfb);
        assertThat(md5.base64()).isEqualTo("+wAAAAAAAAAAAAAAAAAAAA==");
        assertThat(md5).hasToString("md5:+wAAAAAAAAAAAAAAAAAAAA==");
        byte[] same = new byte[16];
        same[0] = (byte) 0xfb;
        assertThat(md5).isEqualTo(ContentMd5.ofBytes(same)).hasSameHashCodeAs(ContentMd5.ofBytes(same));
        assertThat(md5).isNotEqualTo(ContentMd5.ofBytes(new byte[16])).isNotEqualTo("md5");
        assertThat(md5.hashCode()).isNotEqualTo(ContentMd5.ofBytes(new byte[16]).hashCode());
        assertThatThrownBy(() -> ContentMd5.ofBytes(new byte[15])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ContentMd5.ofBytes(new byte[17])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("rule 12: blob keys are content-addressed under two levels of hash prefix")
    void blobKey() {
        ContentHash h = ContentHash.ofHex(HEX);
        assertThat(BlobKey.of(h).value()).isEqualTo("sha256/01/23/" + HEX);
        assertThat(BlobKey.of(h)).hasToString("sha256/01/23/" + HEX);
        assertThat(new BlobInfo(h, 3, "e", java.time.Instant.EPOCH).key()).isEqualTo(BlobKey.of(h));
    }

    @Test
    @DisplayName("ids are not blank and at most 256 characters; they order and print as their value")
    void filesetAndFileIds() {
        String max = "f".repeat(256);
        assertThat(FilesetId.of(max).value()).isEqualTo(max);
        assertThat(VsrxFileId.of(max).value()).isEqualTo(max);
        assertThatThrownBy(() -> FilesetId.of(max + "f")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VsrxFileId.of(max + "f")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FilesetId.of(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VsrxFileId.of("\t")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RunId.of(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PatientId.of("")).isInstanceOf(IllegalArgumentException.class);
        assertThat(FilesetId.of("a").compareTo(FilesetId.of("b"))).isNegative();
        assertThat(FilesetId.of("b").compareTo(FilesetId.of("a"))).isPositive();
        assertThat(VsrxFileId.of("a").compareTo(VsrxFileId.of("b"))).isNegative();
        assertThat(VsrxFileId.of("b").compareTo(VsrxFileId.of("a"))).isPositive();
        assertThat(FilesetId.of("fs-1")).hasToString("fs-1");
        assertThat(VsrxFileId.of("file-1")).hasToString("file-1");
        assertThat(RunId.of("run-1")).hasToString("run-1");
        assertThat(RunId.of("run-1").value()).isEqualTo("run-1");
    }

    @Test
    @DisplayName("privacy rule (STYLE: redaction by type): patient ids and secrets never print their value")
    void patientIdsAndSecretsAreRedacted() {
        assertThat(PatientId.of("P-4711")).hasToString("PatientId[redacted]");
        assertThat(PatientId.of("P-4711").value()).isEqualTo("P-4711");
        PatientUuid p = PatientUuid.of("0f8fad5b-d9cb-469f-a165-70867728950e");
        assertThat(p.toString()).isEqualTo("PatientUuid[redacted]").doesNotContain("0f8fad5b");
        assertThat(p.value()).isEqualTo(UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assertThat(Secret.of("hunter2")).hasToString("Secret[****]");
        assertThat(Secret.of("hunter2").value()).isEqualTo("hunter2");
    }

    @Test
    @DisplayName("rule 10: fencing tokens are not negative and only a larger one is newer")
    void fencingToken() {
        assertThat(FencingToken.of(0).value()).isZero();
        assertThatThrownBy(() -> FencingToken.of(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(FencingToken.of(2).isNewerThan(FencingToken.of(1))).isTrue();
        assertThat(FencingToken.of(1).isNewerThan(FencingToken.of(1))).isFalse();
        assertThat(FencingToken.of(1).isNewerThan(FencingToken.of(2))).isFalse();
        assertThat(FencingToken.of(1).compareTo(FencingToken.of(2))).isNegative();
        assertThat(FencingToken.of(2).compareTo(FencingToken.of(1))).isPositive();
        assertThat(FencingToken.of(2).compareTo(FencingToken.of(2))).isZero();
    }

    @Test
    @DisplayName("rule 2: a document's UUID is the name-based v5 UUID of its VSRX file id")
    void documentUuidIsDerived() {
        DocumentUuid d = DocumentUuid.forVsrxFile(VsrxFileId.of("file-1"));
        assertThat(d.value()).isEqualTo(UUID.fromString("532afd51-275a-5a35-8623-15ebdee9a906"));
        assertThat(d.value().version()).isEqualTo(5);
        assertThat(d.value().variant()).isEqualTo(2);
        assertThat(d).hasToString("532afd51-275a-5a35-8623-15ebdee9a906");
        assertThat(DocumentUuid.of("532afd51-275a-5a35-8623-15ebdee9a906")).isEqualTo(d);
        DocumentUuid copy = DocumentUuid.conflictCopy(d, ContentHash.ofHex("ab".repeat(32)));
        assertThat(copy.value()).isEqualTo(UUID.fromString("28209c35-9a8f-5832-8832-9f5be6f0c7a0"));
        assertThat(d.compareTo(copy)).isPositive();
        assertThat(copy.compareTo(d)).isNegative();
        assertThat(d.compareTo(DocumentUuid.of(d.toString()))).isZero();
    }

    @Test
    @DisplayName("issue 14: conflict ids are 'c-' and 24 hex digits, derived from length-prefixed parts")
    void conflictId() {
        ConflictId id = ConflictId.derive("f-1", "doc");
        assertThat(id.value()).isEqualTo("c-4fdd4d817671a6569bc68752");
        assertThat(id).hasToString("c-4fdd4d817671a6569bc68752");
        assertThat(ConflictId.derive("f-1d", "oc")).isNotEqualTo(id);
        assertThat(ConflictId.of("c-4fdd4d817671a6569bc68752")).isEqualTo(id);
        assertThatThrownBy(() -> ConflictId.of("c-4FDD4D817671A6569BC68752")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConflictId.of("c-4fdd4d817671a6569bc6875")).isInstanceOf(IllegalArgumentException.class);
        ConflictId low = ConflictId.of("c-" + "0".repeat(24));
        assertThat(low.compareTo(id)).isNegative();
        assertThat(id.compareTo(low)).isPositive();
    }

    @Test
    @DisplayName("issue 14: idempotency keys of VSRX writes are fixed by what is written")
    void idempotencyKeys() {
        DocumentUuid d = DocumentUuid.forVsrxFile(VsrxFileId.of("file-1"));
        VsrxFileId f = VsrxFileId.of("file-1");
        assertThat(IdempotencyKey.create(d).value()).isEqualTo("create:532afd51-275a-5a35-8623-15ebdee9a906");
        assertThat(IdempotencyKey.delete(f, "\"e1\"").value())
                .isEqualTo("delete:pD8BSJ909PDFO4jbo12twE2S6wP2EFqf52OfX6eCkto");
        assertThat(IdempotencyKey.replace(f, "\"e1\"", ContentHash.ofHex("ab".repeat(32))).value())
                .isEqualTo("replace:Z8CjzBM2EeTT0nsexalXsw_EDPhSMh4te7k8DXyK55o");
        assertThat(IdempotencyKey.recreate(d, VsrxFileId.of("file-0")).value())
                .isEqualTo("recreate:fsBLg7d88J7v8sPRIibAq84GjBAJIpEt5uOBQy75KwA");
        assertThat(IdempotencyKey.of("k")).hasToString("k");
        assertThat(IdempotencyKey.of("a".repeat(200)).value()).hasSize(200);
        assertThatThrownBy(() -> IdempotencyKey.of("a".repeat(201))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IdempotencyKey.of("a b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("enum rules: which outcomes fail, which skips are permanent, which findings are repairable")
    void enumClassifications() {
        assertThat(FilesetOutcome.FAILED.isFailure()).isTrue();
        assertThat(FilesetOutcome.MASS_DELETE_BLOCKED.isFailure()).isTrue();
        assertThat(FilesetOutcome.COMPLETED.isFailure()).isFalse();
        assertThat(FilesetOutcome.VANISHED.isFailure()).isFalse();
        assertThat(SkipReason.TOO_LARGE.permanent()).isTrue();
        assertThat(SkipReason.TRUNCATED.permanent()).isFalse();
        assertThat(FindingClass.DOCUMENT_WITHOUT_BLOB.repairable()).isTrue();
        assertThat(FindingClass.OUTBOX_STUCK.repairable()).isFalse();
        assertThat(ConflictKind.DELETED_IN_VSRX.againstADeletion()).isTrue();
        assertThat(ConflictKind.REMOVED_IN_SILKNOTE.againstADeletion()).isTrue();
        assertThat(ConflictKind.CHANGED_ON_BOTH_SIDES.againstADeletion()).isFalse();
        assertThat(ConflictKind.LINKED_WITH_DIFFERENT_CONTENT.code()).isEqualTo("linked-with-different-content");
        assertThat(ConflictStrategy.SILKNOTE_WINS.code()).isEqualTo("silknote-wins");
    }
}
