package com.silknote.sync.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The embedded default checks its schema once per library version instead of on every start: after a
 * successful migration it writes a marker file into the data directory holding a fingerprint of the
 * migration scripts on the classpath (their names and bytes). A later start whose scripts have the same
 * fingerprint skips Flyway (which costs seconds); any new, removed or changed script changes the
 * fingerprint, so Flyway runs again. Only the embedded default uses it: no other program migrates its
 * database, while an external database may be migrated by other hosts at any time.
 */
final class SchemaMarker {
    /** Marker file in the embedded data directory. */
    static final String FILE = "vsrx-sync-schema.marker";
    private static final String LOCATION = JdbcLedger.MIGRATIONS.substring("classpath:".length());

    private SchemaMarker() {
    }

    /**
     * The fingerprint of the migration scripts on the class path, or empty when they cannot be enumerated
     * (an unusual class loader): then Flyway always runs.
     */
    static Optional<String> fingerprint() {
        try {
            ClassLoader loader = SchemaMarker.class.getClassLoader();
            List<String> names = scriptNames(loader);
            if (names.isEmpty()) {
                return Optional.empty();
            }
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(JdbcLedger.HISTORY_TABLE.getBytes(StandardCharsets.UTF_8));
            for (String name : names) {
                try (InputStream in = loader.getResourceAsStream(LOCATION + "/" + name)) {
                    if (in == null) {
                        return Optional.empty();
                    }
                    sha.update((byte) 0);
                    sha.update(name.getBytes(StandardCharsets.UTF_8));
                    sha.update((byte) 0);
                    sha.update(in.readAllBytes());
                }
            }
            return Optional.of(HexFormat.of().formatHex(sha.digest()));
        } catch (IOException | UncheckedIOException | URISyntaxException | NoSuchAlgorithmException e) {
            return Optional.empty();
        }
    }

    /** {@code true} when the marker in {@code dir} holds {@code fingerprint}. */
    static boolean matches(Path dir, String fingerprint) {
        try {
            return Files.readString(dir.resolve(FILE), StandardCharsets.UTF_8).trim().equals(fingerprint);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes the marker (best effort: without it the next start merely migrates again). */
    static void write(Path dir, String fingerprint) {
        try {
            Path tmp = dir.resolve(FILE + ".tmp");
            Files.writeString(tmp, fingerprint + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // the schema is migrated; only the shortcut is lost
        }
    }

    /** The script file names (sorted), from a directory or a jar on the class path. */
    private static List<String> scriptNames(ClassLoader loader) throws IOException, URISyntaxException {
        List<String> names = new ArrayList<>();
        Enumeration<URL> roots = loader.getResources(LOCATION);
        while (roots.hasMoreElements()) {
            URL url = roots.nextElement();
            if ("file".equals(url.getProtocol())) {
                try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                    files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).forEach(names::add);
                }
            } else if ("jar".equals(url.getProtocol())) {
                URLConnection connection = url.openConnection();
                connection.setUseCaches(false);
                if (!(connection instanceof JarURLConnection jar)) {
                    return List.of();
                }
                try (JarFile file = jar.getJarFile()) {
                    String prefix = LOCATION + "/";
                    for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                        String name = e.nextElement().getName();
                        if (name.startsWith(prefix) && name.endsWith(".sql") && name.indexOf('/', prefix.length()) < 0) {
                            names.add(name.substring(prefix.length()));
                        }
                    }
                }
            } else {
                return List.of();
            }
        }
        names.sort(null);
        return names;
    }
}
