package com.silknote.sync.core.path;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the path corpus files: one case per line, {U+XXXX} and {SP} escapes, # comments. */
final class Corpus {
    private static final Pattern ESCAPE = Pattern.compile("\\{U\\+([0-9A-Fa-f]{4,6})\\}|\\{SP\\}");

    private Corpus() { }

    static List<String> lines(String resource) {
        List<String> out = new ArrayList<>();
        try (InputStream in = Corpus.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing corpus " + resource);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("#") || line.isEmpty()) {
                    continue;
                }
                out.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("empty corpus " + resource);
        }
        return out;
    }

    static String unescape(String s) {
        Matcher m = ESCAPE.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = m.group(1) == null ? " "
                    : new String(Character.toChars(Integer.parseInt(m.group(1), 16)));
            if (m.group(1) != null && Integer.parseInt(m.group(1), 16) >= 0xD800
                    && Integer.parseInt(m.group(1), 16) <= 0xDFFF) {
                replacement = String.valueOf((char) Integer.parseInt(m.group(1), 16));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
