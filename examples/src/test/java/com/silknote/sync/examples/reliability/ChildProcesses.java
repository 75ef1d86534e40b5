package com.silknote.sync.examples.reliability;

import com.silknote.sync.testkit.TempFolders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts {@link SyncChildProcess} in a JVM of its own, on this JVM's class path; its log goes to a temp file. */
final class ChildProcesses {
    private ChildProcesses() {
    }

    static Process start(List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SyncChildProcess.class.getName());
        command.addAll(args);
        Path log = TempFolders.deleteAtExit(Files.createTempFile("vsrx-reliability-child", ".log"));
        return new ProcessBuilder(command).redirectError(log.toFile()).start();
    }
}
