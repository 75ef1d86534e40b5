package com.silknote.sync.examples.demo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.random.RandomGenerator;

/**
 * Small files with valid magic bytes, made on the fly from a seeded random generator: JPEG, PNG, TIFF,
 * PDF and plain text. They pass a magic-byte sniffer; they are not meant to be opened in a viewer.
 */
public final class SampleFiles {
    private SampleFiles() { }

    /** A JPEG (JFIF header, start of scan, end-of-image marker) of about {@code size} bytes. */
    public static byte[] jpeg(RandomGenerator random, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 32);
        out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0x00, 0x10,
            'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
            (byte) 0xFF, (byte) 0xDA});
        out.writeBytes(noise(random, Math.max(0, size - 24), 0xFF));
        out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xD9});
        return out.toByteArray();
    }

    /** A PNG (signature, IHDR, IDAT of noise, IEND) of about {@code size} bytes. */
    public static byte[] png(RandomGenerator random, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 64);
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        chunk(out, "IHDR", new byte[] {0, 0, 0, 64, 0, 0, 0, 64, 8, 2, 0, 0, 0});
        chunk(out, "IDAT", noise(random, Math.max(0, size - 57), -1));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** A little-endian TIFF header followed by noise, about {@code size} bytes. */
    public static byte[] tiff(RandomGenerator random, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 8);
        out.writeBytes(new byte[] {'I', 'I', 42, 0, 8, 0, 0, 0});
        out.writeBytes(noise(random, Math.max(0, size - 8), -1));
        return out.toByteArray();
    }

    /** A one-page PDF whose content stream carries {@code text}, padded with a comment to about {@code size} bytes. */
    public static byte[] pdf(RandomGenerator random, String text, int size) {
        StringBuilder sb = new StringBuilder(size + 256);
        sb.append("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n");
        String stream = "BT /F1 12 Tf 72 720 Td (" + text.replace("(", "").replace(")", "") + ") Tj ET";
        sb.append("1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n");
        sb.append("2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n");
        sb.append("3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n");
        sb.append("4 0 obj << /Length ").append(stream.length()).append(" >> stream\n").append(stream)
                .append("\nendstream endobj\n");
        int pad = size - sb.length() - 40;
        while (pad > 0) {
            int line = Math.min(pad, 76);
            sb.append('%');
            for (int i = 1; i < line; i++) {
                sb.append((char) ('a' + random.nextInt(26)));
            }
            sb.append('\n');
            pad -= line + 1;
        }
        sb.append("trailer << /Root 1 0 R >>\n%%EOF\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** UTF-8 text. */
    public static byte[] text(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A Windows executable header: what a forged "image" really is. */
    public static byte[] executable(RandomGenerator random, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 2);
        out.writeBytes(new byte[] {'M', 'Z', (byte) 0x90, 0x00, 0x03, 0x00});
        out.writeBytes(noise(random, Math.max(0, size - 6), -1));
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(int32(data.length));
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(t);
        out.writeBytes(data);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(int32((int) crc.getValue()));
    }

    private static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** Random bytes; {@code avoid} (unless -1) is replaced so a marker cannot appear by chance. */
    private static byte[] noise(RandomGenerator random, int n, int avoid) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        if (avoid != -1) {
            for (int i = 0; i < n; i++) {
                if ((b[i] & 0xFF) == avoid) {
                    b[i] = 0x00;
                }
            }
        }
        return b;
    }
}
