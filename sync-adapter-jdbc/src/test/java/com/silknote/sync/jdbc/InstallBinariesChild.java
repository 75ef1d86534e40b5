package com.silknote.sync.jdbc;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A process of its own that installs the PostgreSQL binaries under the root given as its argument: it prints
 * {@code ready}, waits for a line on its input (so several processes start unpacking together), then prints the
 * copy it got. {@link PostgresBinariesTest} runs it to race processes, not only threads.
 */
final class InstallBinariesChild {
    private InstallBinariesChild() {
    }

    public static void main(String[] args) throws Exception {
        PostgresBinaries.Archive archive = PostgresBinaries.Archive.find();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready");
        System.out.flush();
        in.readLine();
        System.out.println(PostgresBinaries.install(Path.of(args[0]), archive));
        System.out.flush();
    }
}
