package com.silknote.sync.testkit.history;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.testkit.TestHashes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The small pools a history draws from: contents (few, so the same bytes land in several files and
 * patients and dedup happens), valid and invalid paths, and what each content truly is. Contents are
 * addressed by their index so a step is a short line of text.
 */
public final class HistoryContent {
    /** The engine's size limit in the scenario; {@link #OVERSIZED} is above it. */
    public static final long MAX_FILE_SIZE = 4096;
    /** A MIME type outside the default allow-list. */
    public static final String UNSUPPORTED_MIME = "application/zip";

    /** One piece of content and the MIME type its bytes truly have. */
    public record Content(int index, String label, String mime, byte[] bytes, ContentHash hash) {
        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        public int size() {
            return bytes.length;
        }

        @Override
        public String toString() {
            return "#" + index + "(" + label + ")";
        }
    }

    private static final List<Content> POOL;
    /** Index of the content above {@link #MAX_FILE_SIZE}. */
    public static final int OVERSIZED;
    /** Indexes of the contents a normal file gets (everything but {@link #OVERSIZED}). */
    public static final List<Integer> NORMAL;

    static {
        List<Content> pool = new ArrayList<>();
        // Texts: two pairs of equal length, so a file without an ETag can change without changing its size.
        add(pool, "lab-1", "text/plain", text("Laborwerte: Hb 13.9, CRP 2\n"));
        add(pool, "lab-2", "text/plain", text("Laborwerte: Hb 12.1, CRP 9\n"));
        add(pool, "letter", "text/plain", text("Entlassbrief\nDiagnose: unauffaellig\nKontrolle in 6 Wochen.\n"));
        add(pool, "note-a", "text/plain", text("Notiz A: Patient stabil.\n"));
        add(pool, "note-b", "text/plain", text("Notiz B: Patient stabil.\n"));
        add(pool, "umlaut", "text/plain", text("Befund für Müller: o.B.\n"));
        add(pool, "scan-1", "application/pdf", text("%PDF-1.4\n% scan one\n1 0 obj\n<<>>\nendobj\n%%EOF\n"));
        add(pool, "scan-2", "application/pdf", text("%PDF-1.7\n% scan two, re-scanned\n%%EOF\n"));
        byte[] png = new byte[64];
        byte[] sig = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
        System.arraycopy(sig, 0, png, 0, sig.length);
        for (int i = sig.length; i < png.length; i++) {
            png[i] = (byte) (i * 7);
        }
        add(pool, "x-ray", "image/png", png);
        add(pool, "oversized", "text/plain", text("x".repeat((int) MAX_FILE_SIZE + 904)));
        POOL = Collections.unmodifiableList(pool);
        OVERSIZED = pool.size() - 1;
        List<Integer> normal = new ArrayList<>();
        for (int i = 0; i < OVERSIZED; i++) {
            normal.add(i);
        }
        NORMAL = List.copyOf(normal);
    }

    /**
     * Paths that are strictly inside {@code notes/} (docs/path-rules.md, "What is accepted": device-like names
     * and names ending with a dot included).
     */
    public static final List<String> VALID_PATHS = List.of("notes/lab.txt", "notes/2024/Scan 001.pdf",
            "notes/Brief & Befund.txt", "notes/Ärztebrief.txt", "notes/日本語.pdf", "notes/a b (1).txt",
            "notes/x-ray.png", "notes/O'Brien Entlassbrief.txt", "notes/.hidden", "notes/deep/er/note.txt",
            "notes/CON.txt.");

    /** Paths every reading rejects (docs/path-rules.md, "Rules"). */
    public static final List<String> INVALID_PATHS = List.of("../escape.txt", "notes/../../etc/passwd",
            "/notes/absolute.txt", "NOTES/upper.txt", "notes//double.txt", "notes/a\u200B.txt", "notes/./dot.txt");

    private HistoryContent() {
    }

    private static void add(List<Content> pool, String label, String mime, byte[] bytes) {
        pool.add(new Content(pool.size(), label, mime, bytes, TestHashes.sha256(bytes)));
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The content with index {@code index}. */
    public static Content content(int index) {
        return POOL.get(index);
    }

    /** Every content of the pool, by index. */
    public static List<Content> all() {
        return POOL;
    }

    /** {@code true} when {@code path} is one of {@link #INVALID_PATHS}. */
    public static boolean invalidPath(String path) {
        return INVALID_PATHS.contains(path);
    }
}
